"""Bot Framework authentication with pooled outgoing connectors and a cached bot token.

Inbound requests are validated by botbuilder's own `ConfigurationBotFrameworkAuthentication`
(the JWT checks stay exactly botbuilder's; a token it accepted is remembered for a few minutes,
see VALIDATED_TOKEN_TTL_SECONDS). What changes is the outgoing side: botbuilder builds a new
msrest ConnectorClient, UserTokenClient and MSAL app on every turn and fetches a token with a
blocking call; here connectors are cached per (service URL, audience) on one aiohttp session,
and the bot's token comes from an azure-identity async credential, cached until shortly before
it expires and fetched once however many turns ask at the same moment. botbuilder also
downloads the channel's signing keys with blocking `requests` calls without a timeout; here
that download is asynchronous and bounded (SigningKeys).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from urllib.parse import urlsplit

import aiohttp
from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from azure.identity.aio import ClientSecretCredential, ManagedIdentityCredential
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector import Channels
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    EmulatorValidation,
    UserTokenClient,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
from botframework.connector.skills import BotFrameworkClient

from bot.connector import DEFAULT_RETRY, DEFAULT_TIMEOUT, BotConnectorClient, RetryPolicy
from config.settings import AppType, Settings, is_loopback

# Multi-tenant bots get their tokens from the Bot Framework's own Entra tenant.
MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"
REFRESH_MARGIN_SECONDS = 300.0
# The channel service reuses one token for many requests. Validating it costs ~0.4 ms of CPU
# per request (five JWT parses, a JWK import and an RSA check in botbuilder + PyJWT), so a
# token botbuilder accepted is remembered for the same header, channel and service URL: never
# past its expiry and never longer than this, so a revoked signing key is still trusted at most
# this long (botbuilder itself keeps downloaded signing keys for a day).
VALIDATED_TOKEN_TTL_SECONDS = 300.0
MAX_VALIDATED_TOKENS = 1024
# Distinct service URLs are a handful per Teams region; the bound only stops unbounded growth.
MAX_CACHED_CONNECTORS = 64
# The whole download of the OpenID metadata and the signing keys; beyond it the turn is a 503
# (the channel service retries) rather than a stalled bot.
SIGNING_KEYS_TIMEOUT_SECONDS = 10.0


class BotTokenProvider:
    """Access tokens for the bot's app id, one cache entry and one fetch at a time per audience."""

    def __init__(
        self,
        app_id: str,
        credential: AsyncTokenCredential,
        *,
        owns_credential: bool = False,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self._credential = credential
        self._owns_credential = owns_credential
        self._refresh_margin = refresh_margin
        self._clock = clock  # epoch seconds, the unit of AccessToken.expires_on
        self._tokens: dict[str, AccessToken] = {}
        self._fetches: dict[str, asyncio.Future[AccessToken]] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, credential: AsyncTokenCredential | None = None
    ) -> BotTokenProvider:
        """The provider for the configured app; `credential` replaces the real one (tests)."""
        if not settings.microsoft_app_id:
            raise ValueError("MicrosoftAppId is empty: an anonymous bot sends no tokens")
        if credential is not None:
            return cls(settings.microsoft_app_id, credential)
        return cls(settings.microsoft_app_id, _credential_for(settings), owns_credential=True)

    async def get_token(self, audience: str) -> str:
        """A bearer token for `audience` (e.g. https://api.botframework.com)."""
        token = self._tokens.get(audience)
        if token is not None and token.expires_on - self._refresh_margin > self._clock():
            return token.token
        fetch = self._fetches.get(audience)
        if fetch is None:
            fetch = asyncio.ensure_future(self._fetch(audience))
            self._fetches[audience] = fetch
            fetch.add_done_callback(partial(self._fetch_done, audience))
        # shield: one caller giving up must not cancel the fetch the others are waiting on.
        return (await asyncio.shield(fetch)).token

    def _fetch_done(self, audience: str, fetch: asyncio.Future[AccessToken]) -> None:
        self._fetches.pop(audience, None)
        if not fetch.cancelled():
            fetch.exception()  # seen here, so a fetch whose callers all gave up logs nothing

    async def _fetch(self, audience: str) -> AccessToken:
        scope = audience if audience.endswith("/.default") else audience.rstrip("/") + "/.default"
        token = await self._credential.get_token(scope)
        self._tokens[audience] = token
        return token

    async def close(self) -> None:
        if self._owns_credential:
            await self._credential.close()


def _credential_for(settings: Settings) -> AsyncTokenCredential:
    if settings.microsoft_app_type is AppType.USER_ASSIGNED_MSI:
        return ManagedIdentityCredential(client_id=settings.microsoft_app_id)
    tenant = (
        settings.microsoft_app_tenant_id
        if settings.microsoft_app_type is AppType.SINGLE_TENANT
        else MULTI_TENANT_AUTHORITY_TENANT
    )
    return ClientSecretCredential(
        tenant_id=tenant,
        client_id=settings.microsoft_app_id,
        client_secret=settings.microsoft_app_password,
    )


class PooledConnectorFactory(ConnectorFactory):
    """Hands out one `BotConnectorClient` per (service URL, audience), reused across turns."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: BotTokenProvider | None,
        default_audience: str,
        retry: RetryPolicy,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._session = session
        self._token_provider = token_provider
        self._default_audience = default_audience
        self._retry = retry
        self._timeout = timeout
        self._clients: dict[tuple[str, str], BotConnectorClient] = {}

    async def create(self, service_url: str, audience: str | None = None) -> BotConnectorClient:
        audience = audience or self._default_audience
        key = (service_url, audience)
        client = self._clients.get(key)
        if client is None:
            token_source = (
                partial(self._token_provider.get_token, audience)
                if self._token_provider is not None
                else None
            )
            client = BotConnectorClient(
                self._session, service_url, token_source, retry=self._retry, timeout=self._timeout
            )
            if len(self._clients) >= MAX_CACHED_CONNECTORS:
                self._clients.pop(next(iter(self._clients)))
            self._clients[key] = client
        return client


class SigningKeys(_OpenIdMetadata):
    """botbuilder's signing-key cache for one OpenID metadata URL, downloaded without blocking.

    botbuilder refreshes the keys once a day, and when a token names an unknown key (at most
    hourly), with `requests` on the event loop and no timeout: every turn waits for the
    download, and a stalled connection stalls the bot. Here the download is asynchronous,
    bounded by SIGNING_KEYS_TIMEOUT_SECONDS, and shared by the turns that need it at once. The
    keys and their use stay botbuilder's.
    """

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._download: asyncio.Task | None = None

    async def _refresh(self) -> None:
        download = self._download
        loop = asyncio.get_running_loop()
        # A cache outlives event loops (tests run one each): never await another loop's task.
        if download is None or download.done() or download.get_loop() is not loop:
            download = self._download = asyncio.ensure_future(self._fetch())
        self.keys = await asyncio.shield(download)
        self.last_updated = datetime.now()  # naive local time, as botbuilder compares it

    async def _fetch(self) -> list[dict]:
        timeout = aiohttp.ClientTimeout(total=SIGNING_KEYS_TIMEOUT_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(self.url) as response:
                    response.raise_for_status()
                    keys_url = (await response.json(content_type=None))["jwks_uri"]
                async with session.get(keys_url) as response:
                    response.raise_for_status()
                    return (await response.json(content_type=None))["keys"]
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as error:
            # An OSError: the adapter answers 503 and logs it.
            raise OSError(
                f"Could not download the signing keys from {self.url}: "
                f"{type(error).__name__}: {error}"
            ) from error


class _SigningKeysByUrl(dict):
    """Stands in for botbuilder's class-wide metadata cache, creating SigningKeys on a miss."""

    def get(self, url: str, default: object = None) -> SigningKeys:
        if url not in self:
            self[url] = SigningKeys(url)
        return self[url]


def download_signing_keys_without_blocking() -> None:
    """Make every botbuilder token validator in this process use SigningKeys (idempotent)."""
    if not isinstance(JwtTokenExtractor.metadataCache, _SigningKeysByUrl):
        JwtTokenExtractor.metadataCache = _SigningKeysByUrl()


class PooledBotFrameworkAuthentication(BotFrameworkAuthentication):
    """botbuilder's inbound authentication, our pooled outbound connectors."""

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        token_provider: BotTokenProvider | None,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        download_signing_keys_without_blocking()
        self._inner = ConfigurationBotFrameworkAuthentication(_BotFrameworkConfiguration(settings))
        self._token_provider = token_provider
        audience = self._inner.get_originating_audience()
        self._connector_factory = PooledConnectorFactory(session, token_provider, audience, retry)
        # Proactive sends come from the outbox relay, which is their only retrier: one
        # attempt each, bounded, so a stalled chat holds a delivery lane for no longer.
        self.proactive_connectors = PooledConnectorFactory(
            session,
            token_provider,
            audience,
            RetryPolicy(max_attempts=1),
            aiohttp.ClientTimeout(total=settings.outbox_send_timeout),
        )
        self._user_token_clients: dict[str | None, UserTokenClient] = {}
        self._validated: dict[tuple[str, str, str], _ValidatedToken] = {}
        self._clock = clock
        self.requires_token = bool(settings.microsoft_app_id)

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        if not self.requires_token and not _is_loopback_url(activity.service_url):
            # Without an app id nobody is authenticated: replies may only go to this machine.
            raise PermissionError(
                f"serviceUrl {activity.service_url[:100]!r} is not a loopback address and "
                "MicrosoftAppId is empty"
            )
        key = (auth_header, activity.channel_id, activity.service_url)
        validated = self._validated.get(key) if auth_header else None
        if validated is None or validated.valid_until <= self._clock():
            validated = await self._validate(key, activity, auth_header)
        result = AuthenticateRequestResult()
        # A copy per turn: nothing a turn does to its claims can leak into another turn.
        result.claims_identity = ClaimsIdentity(
            dict(validated.identity.claims),
            validated.identity.is_authenticated,
            validated.identity.authentication_type,
        )
        result.audience = validated.audience
        result.caller_id = validated.caller_id
        result.connector_factory = self._connector_factory
        return result

    async def _validate(
        self, key: tuple[str, str, str], activity: Activity, auth_header: str
    ) -> _ValidatedToken:
        if activity.channel_id != Channels.emulator and _issued_for_the_emulator(auth_header):
            # botbuilder accepts these on any channel, without checking the service URL.
            raise PermissionError(f"an Emulator token on the {activity.channel_id} channel")
        result = await self._inner.authenticate_request(activity, auth_header)
        now = self._clock()
        expires = result.claims_identity.claims.get("exp")
        valid_until = (
            min(float(expires), now + VALIDATED_TOKEN_TTL_SECONDS)
            if auth_header and isinstance(expires, int | float)
            else now
        )
        validated = _ValidatedToken(
            result.claims_identity, result.audience, result.caller_id, valid_until
        )
        if valid_until > now:
            if len(self._validated) >= MAX_VALIDATED_TOKENS:
                self._validated.pop(next(iter(self._validated)))
            self._validated[key] = validated
        return validated

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._connector_factory

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        # We use no OAuth prompts; built on first use and kept, not rebuilt (~3 ms) per turn.
        app_id = _app_id(claims_identity)
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._user_token_clients[app_id] = client
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        if self._token_provider is not None:
            await self._token_provider.close()


@dataclass(frozen=True)
class _ValidatedToken:
    identity: ClaimsIdentity
    audience: str
    caller_id: str | None
    valid_until: float  # epoch seconds


class _BotFrameworkConfiguration:
    """Our Settings under the attribute names botbuilder's configuration classes read."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id
        self.APP_PASSWORD = settings.microsoft_app_password
        # Only botbuilder's MultiTenant factory accepts an empty app id (anonymous, loopback).
        self.APP_TYPE = (
            settings.microsoft_app_type.value
            if settings.microsoft_app_id
            else AppType.MULTI_TENANT.value
        )
        self.APP_TENANTID = settings.microsoft_app_tenant_id


@lru_cache(maxsize=256)  # asked on every turn of a bot without an app id, of a few URLs
def _is_loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and is_loopback(host)


def _issued_for_the_emulator(auth_header: str) -> bool:
    try:
        return bool(auth_header) and EmulatorValidation.is_token_from_emulator(auth_header)
    except Exception:  # noqa: BLE001 - an unreadable token is botbuilder's to refuse
        return False


def _app_id(claims_identity: ClaimsIdentity) -> str | None:
    # Channel tokens carry the bot's app id as audience; emulator tokens as appid.
    claims = claims_identity.claims
    app_id = claims.get(AuthenticationConstants.AUDIENCE_CLAIM)
    return app_id if app_id is not None else claims.get(AuthenticationConstants.APP_ID_CLAIM)
