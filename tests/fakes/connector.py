"""A local stand-in for the Bot Connector service (the REST v3 API behind `serviceUrl`).

It answers the calls the bot makes the way the real service does, records what it received,
and can be told to throttle (429 + Retry-After) or fail (5xx, 403 ...) the next requests, in
any conversation or in one, and to hang one conversation's requests until released.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web


@dataclass
class RecordedCall:
    method: str
    raw_path: str  # as sent, percent-encoding included
    conversation_id: str
    activity_id: str | None  # the activity replied to, updated or deleted
    authorization: str | None
    body: Any  # the JSON received, None for DELETE and GET
    headers: dict[str, str] = field(default_factory=dict)
    created_id: str | None = None  # the id answered for a new activity
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class _Failure:
    status: int
    retry_after: str | None
    body: str
    conversation_id: str | None  # None: whichever conversation comes next


class FakeBotConnector:
    """Run with `async with FakeBotConnector() as connector:`; point serviceUrl at it."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []  # every request answered with success
        self.rejected: list[RecordedCall] = []  # requests answered with an injected failure
        self.members: dict[str, list[dict]] = {}  # conversation id -> ChannelAccount JSON
        self._failures: list[_Failure] = []
        self._hung: dict[str, asyncio.Event] = {}
        self.abandoned: list[RecordedCall] = []  # hung requests whose caller gave up
        self.delay = 0.0  # seconds before answering each request (a slow service)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def service_url(self) -> str:
        # Teams' service URLs end with a slash, e.g. https://smba.trafficmanager.net/emea/.
        return f"http://127.0.0.1:{self._port}/"

    async def __aenter__(self) -> FakeBotConnector:
        app = web.Application()
        conversation = "/v3/conversations/{conversation_id}"
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post(conversation + "/activities", self._post_activity)
        app.router.add_post(conversation + "/activities/{activity_id}", self._post_activity)
        app.router.add_put(conversation + "/activities/{activity_id}", self._update_activity)
        app.router.add_delete(conversation + "/activities/{activity_id}", self._delete_activity)
        app.router.add_get(conversation + "/members", self._get_members)
        app.router.add_get(conversation + "/members/{member_id}", self._get_member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._runner.cleanup()

    def fail_next(
        self,
        count: int,
        status: int = 429,
        retry_after: str | None = None,
        body: str = "",
        conversation_id: str | None = None,
    ) -> None:
        """Answer the next `count` requests (to `conversation_id`) with `status` (and
        Retry-After when given)."""
        body = body or json.dumps({"error": {"code": "ServiceError", "message": f"HTTP {status}"}})
        self._failures.extend(
            _Failure(status, retry_after, body, conversation_id) for _ in range(count)
        )

    def hang(self, conversation_id: str) -> None:
        """Hold every request to this conversation unanswered until `release`."""
        self._hung[conversation_id] = asyncio.Event()

    def release(self, conversation_id: str) -> None:
        self._hung.pop(conversation_id).set()

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5,
    ) -> None:
        """Wait until `condition()` holds; it is checked whenever a call is recorded."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    def activities(self, conversation_id: str | None = None) -> list[dict]:
        """The activities POSTed (replies and sends), in arrival order."""
        return [call.body for call in self.posts(conversation_id)]

    async def wait_for_activities(
        self,
        count: int,
        conversation_id: str | None = None,
        timeout: float = 5,
    ) -> list[dict]:
        """Wait until at least `count` activities were POSTed (to `conversation_id`)."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(self.posts(conversation_id)) >= count),
                    timeout,
                )
            except TimeoutError:
                got = len(self.posts(conversation_id))
                raise AssertionError(
                    f"expected {count} activities, got {got} within {timeout}s"
                ) from None
        return self.activities(conversation_id)

    def posts(self, conversation_id: str | None = None) -> list[RecordedCall]:
        """The recorded activity POSTs (replies and sends), in arrival order."""
        return [
            call
            for call in self.calls
            if call.method == "POST"
            and call.raw_path != "/v3/conversations"
            and (conversation_id is None or call.conversation_id == conversation_id)
        ]

    async def _record(
        self, request: web.Request, body: Any, created_id: str | None = None
    ) -> web.Response | None:
        """Record the call; return the injected failure to answer with, if any."""
        info = request.match_info
        call = RecordedCall(
            method=request.method,
            raw_path=request.raw_path,
            conversation_id=unquote(info.get("conversation_id", "")),
            activity_id=unquote(info["activity_id"]) if "activity_id" in info else None,
            authorization=request.headers.get("Authorization"),
            body=body,
            headers=dict(request.headers),
            created_id=created_id,
        )
        hung = self._hung.get(call.conversation_id)
        if hung is not None:
            await hung.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.transport is None or request.transport.is_closing():
            # The caller gave up (timed out, or died) before the answer: not delivered.
            self.abandoned.append(call)
            return web.Response(status=499)
        failure = next(
            (f for f in self._failures if f.conversation_id in (None, call.conversation_id)),
            None,
        )
        if failure is not None:
            self._failures.remove(failure)
            async with self._changed:
                self.rejected.append(call)
                self._changed.notify_all()
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return web.Response(
                status=failure.status,
                text=failure.body,
                content_type="application/json",
                headers=headers,
            )
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return None

    async def _post_activity(self, request: web.Request) -> web.Response:
        created_id = str(next(self._ids))
        failure = await self._record(request, await request.json(), created_id)
        # The real service answers 201 Created (some channels 200) with the new activity's id.
        return failure or web.json_response({"id": created_id}, status=201)

    async def _update_activity(self, request: web.Request) -> web.Response:
        failure = await self._record(request, await request.json())
        return failure or web.json_response({"id": request.match_info["activity_id"]})

    async def _delete_activity(self, request: web.Request) -> web.Response:
        failure = await self._record(request, None)
        return failure or web.Response(status=200)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        failure = await self._record(request, await request.json())
        number = next(self._ids)
        return failure or web.json_response(
            {"id": f"a:new-conversation-{number}", "activityId": str(number)}, status=201
        )

    async def _get_members(self, request: web.Request) -> web.Response:
        failure = await self._record(request, None)
        conversation_id = unquote(request.match_info["conversation_id"])
        return failure or web.json_response(self._members_of(conversation_id))

    async def _get_member(self, request: web.Request) -> web.Response:
        failure = await self._record(request, None)
        conversation_id = unquote(request.match_info["conversation_id"])
        member_id = unquote(request.match_info["member_id"])
        for member in self._members_of(conversation_id):
            if member["id"] == member_id or member.get("aadObjectId") == member_id:
                return failure or web.json_response(member)
        return failure or web.json_response(
            {"error": {"code": "MemberNotFoundInConversation", "message": "Member not found"}},
            status=404,
        )

    def _members_of(self, conversation_id: str) -> list[dict]:
        return self.members.get(conversation_id) or [DEFAULT_MEMBER]


class StalledBotConnector:
    """A Bot Connector that accepts connections and never answers; `requests` counts them."""

    def __init__(self) -> None:
        self.requests = 0

    async def __aenter__(self) -> StalledBotConnector:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._never_answer)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.service_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._runner.cleanup()

    async def _never_answer(self, request: web.Request) -> web.Response:
        self.requests += 1
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


# What Teams returns for a user (a TeamsChannelAccount): ChannelAccount plus Entra details.
DEFAULT_MEMBER = {
    "id": "29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsfJjcbAD22bmKc4GMbrY2g4"
    "JDrrA8vM06X1-cHHle4zOE6U4ttcc",
    "name": "Ada Lovelace",
    "aadObjectId": "6b8fb9a3-3fd3-4c84-9a3a-2f52d8f3e1a7",
    "givenName": "Ada",
    "surname": "Lovelace",
    "email": "ada.lovelace@contoso.example",
    "userPrincipalName": "ada.lovelace@contoso.example",
    "tenantId": "5d9d7f41-7c3f-4a4e-9a8e-0d2b7c1f6a11",
    "userRole": "user",
}


def most_in_one_second(calls: list[RecordedCall]) -> int:
    """The highest number of `calls` that arrived within any one second."""
    times = sorted(call.at for call in calls)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most
