"""The HTTP entry point for Bot Framework activities: strict input handling, pooled connectors."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from aiohttp.web import RequestPayloadError
from azure.core.credentials_async import AsyncTokenCredential
from botbuilder.core import Bot, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    ResourceResponse,
)
from msrest.serialization import Model

from bot.auth import BotTokenProvider, PooledBotFrameworkAuthentication
from bot.connector import (
    DEFAULT_RETRY,
    BotConnectorClient,
    RetryPolicy,
    activity_from_json,
    model_to_json,
)
from bot.inbound import BadRequest, content_problem, decode_json, envelope_problem
from config.settings import DEFAULT_REPLY_TIME_LIMIT_SECONDS, Settings

logger = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Your answers so far are kept; please try again."
# turn_state key: the event loop time by which the turn's replies must have been sent.
_REPLY_DEADLINE = "fasttrack.reply_deadline"


class TeamsBotAdapter(CloudAdapter):
    """botbuilder's CloudAdapter with strict HTTP handling and pooled Bot Connector clients."""

    def __init__(
        self,
        authentication: PooledBotFrameworkAuthentication,
        *,
        reply_time_limit: float = DEFAULT_REPLY_TIME_LIMIT_SECONDS,
    ) -> None:
        super().__init__(authentication)
        self._authentication = authentication
        self._reply_time_limit = reply_time_limit
        # BotAdapter.__init__ sets this attribute, so it cannot simply be a method override.
        self.on_turn_error = self._on_turn_error

    async def process(self, request: web.Request, bot: Bot) -> web.Response:
        """Run one Bot Framework activity POSTed to the messaging endpoint through `bot`."""
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        if request.content_type != "application/json":
            return web.Response(status=415, text="Content-Type must be application/json")
        auth_header = request.headers.get("Authorization", "")
        if self._authentication.requires_token and not _looks_like_a_token(auth_header):
            logger.warning("Rejected a request without a bearer token")
            return web.Response(status=401)
        try:
            text, body = decode_json(await request.read())
        except RequestPayloadError:
            # e.g. Content-Encoding: gzip on a body that is not. The rest is unreadable: marked
            # as ended, or aiohttp would try to drain it after the answer and log an error; and
            # the connection cannot carry another request, which the client is told.
            request.content.feed_eof()
            refusal = web.Response(status=400, text="The body cannot be decoded")
            refusal.force_close()
            return refusal
        except BadRequest as error:
            return web.Response(status=400, text=str(error))
        problem = envelope_problem(body)
        if problem:
            return web.Response(status=400, text=problem)

        # Authentication reads the channel and service URL only: nothing deeper is parsed yet.
        envelope = Activity(channel_id=body["channelId"], service_url=body["serviceUrl"])
        try:
            authentication = await self._authentication.authenticate_request(envelope, auth_header)
        except PermissionError as error:
            logger.warning("Rejected an unauthenticated request: %s", error)
            return web.Response(status=401)
        except OSError as error:
            # Includes requests' errors: the OpenID signing keys could not be fetched.
            logger.error("Could not verify a request's token: %s: %s", type(error).__name__, error)
            return web.Response(status=503)
        except Exception as error:  # noqa: BLE001 - botbuilder raises all sorts for bad tokens
            logger.warning(
                "Rejected a request with an invalid token: %s: %s", type(error).__name__, error
            )
            return web.Response(status=401)

        problem = content_problem(text, body)
        if problem:
            return web.Response(status=400, text=problem)
        try:
            activity = activity_from_json(body)
        except ValueError as error:  # msrest's DeserializationError is a ValueError
            return web.Response(status=400, text=f"Not a Bot Framework activity: {error}")

        deadline = asyncio.get_running_loop().time() + self._reply_time_limit

        async def turn(context: TurnContext) -> None:
            context.turn_state[_REPLY_DEADLINE] = deadline
            await bot.on_turn(context)

        invoke_response = await self.process_activity(authentication, activity, turn)
        if invoke_response is None:
            return web.Response(status=201)
        return _invoke_http_response(invoke_response)

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Replies within the turn's time limit. Teams stops waiting for a turn after about
        15 s, so what the Bot Connector has not taken by then is dropped with a log line."""
        deadline = context.turn_state.get(_REPLY_DEADLINE)
        if deadline is None or all(a.type == ActivityTypes.invoke_response for a in activities):
            return await super().send_activities(context, activities)
        try:
            async with asyncio.timeout_at(deadline):
                return await super().send_activities(context, activities)
        except TimeoutError:
            self._log_dropped(context, len(activities))
            return []

    async def update_activity(self, context: TurnContext, activity: Activity) -> None:
        deadline = context.turn_state.get(_REPLY_DEADLINE)
        try:
            async with asyncio.timeout_at(deadline):
                await super().update_activity(context, activity)
        except TimeoutError:
            self._log_dropped(context, 1)

    def _log_dropped(self, context: TurnContext, count: int) -> None:
        conversation = context.activity.conversation
        logger.warning(
            "Dropped %d repl%s in conversation %s: the Bot Connector did not take %s within "
            "the turn's %.1f s",
            count,
            "y" if count == 1 else "ies",
            conversation.id if conversation else None,
            "it" if count == 1 else "them",
            self._reply_time_limit,
        )

    async def proactive_client(self, service_url: str) -> BotConnectorClient:
        """A Bot Connector client for sends outside a turn: one bounded attempt, no retries."""
        return await self._authentication.proactive_connectors.create(service_url)

    async def close(self) -> None:
        await self._authentication.close()

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.event and activity.name == "ContinueConversation":
            # A proactive turn: no one is waiting for an apology; its caller handles the error.
            raise error
        conversation_id = activity.conversation.id if activity.conversation else None
        # Never log the activity's text: it may hold personal data.
        logger.error(
            "Turn failed (activity type %s, conversation %s)",
            activity.type,
            conversation_id,
            exc_info=error,
        )
        try:
            if activity.type == ActivityTypes.invoke and not context.turn_state.get(
                self._INVOKE_RESPONSE_KEY
            ):
                await context.send_activity(
                    Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=500))
                )
            await context.send_activity(APOLOGY)
        except Exception:
            logger.exception(
                "Could not tell the user about the failure (conversation %s)", conversation_id
            )


def within_reply_time_of(outer: TurnContext, turn: TurnContext) -> None:
    """`turn`, proactive but run inside `outer` (a channel request continued in the personal
    chat), gets what is left of `outer`'s reply time: the channel waits for both."""
    deadline = outer.turn_state.get(_REPLY_DEADLINE)
    if deadline is not None:
        turn.turn_state[_REPLY_DEADLINE] = deadline


def build_adapter(
    settings: Settings,
    session: aiohttp.ClientSession,
    credential: AsyncTokenCredential | None = None,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> TeamsBotAdapter:
    """The adapter for `settings`; `credential` replaces the Entra credential (tests, benches).

    `session` is shared by all outgoing Bot Connector calls and stays owned by the caller;
    call `adapter.close()` on shutdown to release the token credential.
    """
    token_provider = (
        BotTokenProvider.from_settings(settings, credential) if settings.microsoft_app_id else None
    )
    return TeamsBotAdapter(
        PooledBotFrameworkAuthentication(settings, session, token_provider, retry=retry),
        reply_time_limit=settings.reply_time_limit_seconds,
    )


def _looks_like_a_token(auth_header: str) -> bool:
    """A bearer JWT by its shape (header.payload.signature): anything else is refused before
    the body is read."""
    scheme, _, token = auth_header.partition(" ")
    return scheme == "Bearer" and token.count(".") == 2


def _invoke_http_response(invoke_response: InvokeResponse) -> web.Response:
    body = invoke_response.body
    # ActivityHandler hands over bodies it serialised already (dicts); a bot may also return
    # a model. Serialise models once, pass JSON values through untouched.
    if isinstance(body, AdaptiveCardInvokeResponse) and isinstance(body.value, Exception):
        body = _universal_action_error(body)
    elif isinstance(body, Model):
        body = model_to_json(body)
    status = int(invoke_response.status or 200)
    if body is None:
        return web.Response(status=status)
    return web.json_response(body, status=status)


def _universal_action_error(response: AdaptiveCardInvokeResponse) -> dict:
    """The Universal Actions error body for botbuilder's own Action.Execute rejections.

    botbuilder builds those with an Exception(code, message) as the value, which msrest
    cannot serialise (stock CloudAdapter answers 500); Teams expects {code, message}.
    """
    code, message = [*(str(arg) for arg in response.value.args), "", ""][:2]
    return {
        "statusCode": int(response.status_code),
        "type": response.type,
        "value": {"code": code, "message": message},
    }
