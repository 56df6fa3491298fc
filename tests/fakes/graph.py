"""A local stand-in for Microsoft Graph v1.0: the calls the bot makes, answered in Graph's
documented JSON.

The real `GraphServiceClient` is pointed at it (`GRAPH_BASE_URL=http://127.0.0.1:PORT/v1.0`).
It checks the bearer token, records what it receives, and can be told to answer the next
calls to an endpoint with 429 + Retry-After, 503, 403..., or to hang.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

IDENTITY_HEADER = "fake-identity-header"
SEND_MAIL = "sendMail"
MAILBOX_SETTINGS = "mailboxSettings"
USERS = "users"
INSTALLED_APPS = "installedApps"
CHAT = "chat"


@dataclass
class GraphCall:
    endpoint: str
    method: str
    user: str  # the {id} of /users/{id}, as the client meant it (percent-decoded)
    raw_path: str
    query: dict[str, str]
    authorization: str | None
    body: Any


@dataclass
class GraphUser:
    id: str
    display_name: str
    upn: str
    time_zone: str = "Pacific Standard Time"
    # Graph's automaticRepliesSetting JSON; disabled unless a test says otherwise.
    automatic_replies: dict[str, Any] = field(default_factory=lambda: {"status": "disabled"})
    installed_app_ids: set[str] = field(default_factory=set)  # catalog ids installed for them


@dataclass
class _Failure:
    status: int
    code: str
    retry_after: str | None


def graph_error(status: int, code: str, message: str = "") -> web.Response:
    body = {"error": {"code": code, "message": message or f"HTTP {status}", "innerError": {}}}
    return web.json_response(body, status=status)


class FakeGraph:
    """`async with FakeGraph() as graph:`; then `graph.base_url`."""

    def __init__(
        self,
        token_prefix: str = "fake-token-",
        on_install: Callable[[GraphUser], Awaitable[None]] | None = None,
    ) -> None:
        self.users: dict[str, GraphUser] = {}  # by id and by lower-cased UPN
        self.calls: list[GraphCall] = []  # answered with success
        self.rejected: list[GraphCall] = []  # answered with an injected failure
        self.mail: list[GraphCall] = []  # accepted sendMail calls
        self._token_prefix = token_prefix
        # Teams opens the installed bot's chat with the person: the bot gets a
        # conversationUpdate shortly after the installation is answered.
        self.on_install = on_install
        self._after_install: set[asyncio.Task[None]] = set()
        self._failures: dict[str, list[_Failure]] = {}
        self._hanging: set[str] = set()
        self.hung: list[GraphCall] = []  # calls left without an answer (see `hang`)
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/v1.0"

    def add_user(self, user: GraphUser) -> GraphUser:
        self.users[user.id] = user
        self.users[user.upn.lower()] = user
        return user

    def fail_next(
        self,
        endpoint: str,
        count: int,
        status: int,
        *,
        code: str = "",
        retry_after: str | None = None,
    ) -> None:
        code = code or {429: "TooManyRequests", 503: "ServiceUnavailable"}.get(status, "Error")
        self._failures.setdefault(endpoint, []).extend(
            _Failure(status, code, retry_after) for _ in range(count)
        )

    def hang(self, endpoint: str) -> None:
        """Calls to `endpoint` get no answer until the server stops."""
        self._hanging.add(endpoint)

    def answer(self, endpoint: str) -> None:
        """New calls to `endpoint` are answered again (those hanging still hang)."""
        self._hanging.discard(endpoint)

    @property
    def identity_endpoint(self) -> str:
        """A managed identity's token endpoint as App Service offers it (IDENTITY_ENDPOINT),
        for a bot process that cannot be handed a fake credential."""
        return f"http://127.0.0.1:{self._port}/msi/token"

    async def __aenter__(self) -> FakeGraph:
        app = web.Application()
        user = "/v1.0/users/{user}"
        app.router.add_post(user + "/sendMail", self._send_mail)
        app.router.add_get(user + "/mailboxSettings", self._mailbox_settings)
        app.router.add_get(user, self._user)
        app.router.add_post(user + "/teamwork/installedApps", self._install)
        app.router.add_get(user + "/teamwork/installedApps", self._installed_apps)
        app.router.add_get(user + "/teamwork/installedApps/{installation}/chat", self._chat)
        app.router.add_get("/msi/token", self._managed_identity_token)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._release.set()
        if self._after_install:
            await asyncio.wait(self._after_install)
        if self._runner is not None:
            await self._runner.cleanup()

    # --- endpoints ------------------------------------------------------------------------

    async def _send_mail(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        call, refusal = await self._receive(SEND_MAIL, request, body)
        if refusal:
            return refusal
        # The SDK writes the top-level keys capitalised ("Message"); the docs spell them lower.
        message = body.get("message") or body.get("Message")
        if not isinstance(message, dict) or not message.get("toRecipients"):
            return graph_error(400, "ErrorInvalidRecipients", "At least one recipient is needed")
        self.mail.append(call)
        return web.Response(status=202)

    async def _mailbox_settings(self, request: web.Request) -> web.StreamResponse:
        call, refusal = await self._receive(MAILBOX_SETTINGS, request, None)
        if refusal:
            return refusal
        person = self._user_named(call.user)
        if person is None:
            return graph_error(404, "ErrorItemNotFound", "The mailbox was not found")
        settings = {
            "@odata.context": f"{self.base_url}/$metadata#users('{person.id}')/mailboxSettings",
            "automaticRepliesSetting": {
                "externalAudience": "all",
                "internalReplyMessage": "",
                "externalReplyMessage": "",
                **person.automatic_replies,
            },
            "timeZone": person.time_zone,
            "workingHours": {
                "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                "startTime": "08:00:00.0000000",
                "endTime": "17:00:00.0000000",
                "timeZone": {"name": person.time_zone},
            },
        }
        wanted = call.query.get("$select")
        if wanted:
            keep = set(wanted.split(","))
            settings = {k: v for k, v in settings.items() if k in keep or k.startswith("@")}
        return web.json_response(settings)

    async def _user(self, request: web.Request) -> web.StreamResponse:
        call, refusal = await self._receive(USERS, request, None)
        if refusal:
            return refusal
        person = self._user_named(call.user)
        if person is None:
            return graph_error(
                404,
                "Request_ResourceNotFound",
                f"Resource '{call.user}' does not exist or one of its queried reference-property "
                "objects are not present.",
            )
        return web.json_response(
            {
                "@odata.context": f"{self.base_url}/$metadata#users/$entity",
                "id": person.id,
                "displayName": person.display_name,
                "mail": person.upn,
                "userPrincipalName": person.upn,
            }
        )

    async def _install(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        call, refusal = await self._receive(INSTALLED_APPS, request, body)
        if refusal:
            return refusal
        person = self._user_named(call.user)
        binding = body.get("teamsApp@odata.bind", "")
        if person is None or "/appCatalogs/teamsApps/" not in binding:
            return graph_error(400, "BadRequest", "Invalid request")
        app_id = binding.rsplit("/", 1)[1]
        if app_id in person.installed_app_ids:
            return graph_error(409, "Conflict", "App is already installed for the user")
        person.installed_app_ids.add(app_id)
        if self.on_install is not None:
            task = asyncio.create_task(self.on_install(person))
            self._after_install.add(task)
            task.add_done_callback(self._after_install.discard)
        return web.Response(status=201)

    async def _installed_apps(self, request: web.Request) -> web.StreamResponse:
        call, refusal = await self._receive(INSTALLED_APPS, request, None)
        if refusal:
            return refusal
        person = self._user_named(call.user)
        if person is None:
            return graph_error(404, "NotFound", "User not found")
        wanted = call.query.get("$filter", "")
        value = [
            {
                "id": _installation_id(person, app_id),
                "teamsApp": {"id": app_id, "distributionMethod": "organization"},
            }
            for app_id in sorted(person.installed_app_ids)
            if not wanted or f"'{app_id}'" in wanted
        ]
        return web.json_response({"value": value})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        call, refusal = await self._receive(CHAT, request, None)
        if refusal:
            return refusal
        person = self._user_named(call.user)
        installation = unquote(request.match_info["installation"])
        if person is None or not any(
            _installation_id(person, app_id) == installation for app_id in person.installed_app_ids
        ):
            return graph_error(404, "NotFound", "Installation not found")
        return web.json_response(
            {"id": f"19:{person.id}_bot@unq.gbl.spaces", "chatType": "oneOnOne"}
        )

    async def _managed_identity_token(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("X-IDENTITY-HEADER") != IDENTITY_HEADER:
            return web.json_response({"error": "bad identity header"}, status=400)
        return web.json_response(
            {
                "access_token": f"{self._token_prefix}msi",
                "expires_on": str(int(time.time()) + 3600),
                "resource": request.query.get("resource", ""),
                "token_type": "Bearer",
            }
        )

    # --- plumbing -------------------------------------------------------------------------

    async def _receive(
        self, endpoint: str, request: web.Request, body: Any
    ) -> tuple[GraphCall, web.Response | None]:
        call = GraphCall(
            endpoint=endpoint,
            method=request.method,
            user=unquote(request.match_info["user"]),
            raw_path=request.raw_path,
            query=dict(request.query),
            authorization=request.headers.get("Authorization"),
            body=body,
        )
        if not (call.authorization or "").startswith(f"Bearer {self._token_prefix}"):
            self.rejected.append(call)
            return call, graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        if endpoint in self._hanging:
            self.hung.append(call)
            await self._release.wait()
            return call, graph_error(503, "ServiceUnavailable")
        failures = self._failures.get(endpoint)
        if failures:
            failure = failures.pop(0)
            self.rejected.append(call)
            response = graph_error(failure.status, failure.code)
            if failure.retry_after is not None:
                response.headers["Retry-After"] = failure.retry_after
            return call, response
        self.calls.append(call)
        return call, None

    def _user_named(self, key: str) -> GraphUser | None:
        return self.users.get(key) or self.users.get(key.lower())


def _installation_id(person: GraphUser, app_id: str) -> str:
    # Opaque like Graph's own ids (base64 of the user and app ids).
    return base64.urlsafe_b64encode(f"{person.id}##{app_id}".encode()).decode().rstrip("=")


def sent_message(call: GraphCall) -> dict[str, Any]:
    """The `message` of a recorded sendMail body, whichever case the client wrote it in."""
    return call.body.get("message") or call.body.get("Message")
