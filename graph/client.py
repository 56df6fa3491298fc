"""Builds the GraphServiceClient: token from azure-identity, chosen by settings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as graph_middleware_options
from msgraph_core import GraphClientFactory

from config.settings import GraphCredential, Settings

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# Callers bound each call more tightly (read timeout, send timeout); this is the backstop.
_TIMEOUT = httpx.Timeout(60, connect=10)


# The SDK retries 429/503/504 itself, POST included, honouring Retry-After without a cap. Our
# callers retry (the outbox) or fall back (reads under a short timeout): every call is one
# attempt.
_MIDDLEWARE_OPTIONS = {
    **graph_middleware_options,
    RetryHandlerOption.get_key(): RetryHandlerOption(max_retries=0),
}


@dataclass
class GraphConnection:
    client: GraphServiceClient
    http: httpx.AsyncClient
    transport: httpx.AsyncHTTPTransport
    credential: AsyncTokenCredential

    async def close(self) -> None:
        await self.http.aclose()
        await self.transport.aclose()
        await self.credential.close()


def connect(settings: Settings, credential: AsyncTokenCredential | None = None) -> GraphConnection:
    """`credential` replaces the one the settings choose (tests pass a fake)."""
    credential = credential or credential_from(settings)
    host = urlsplit(settings.graph_base_url).hostname or ""
    # The provider sends a token only to hosts it is told of; the default list is the
    # national clouds' Graph hosts, so any other base URL would get no token at all.
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host]
    )
    # Our own transport: the SDK's middleware wraps it and would not close it.
    transport = httpx.AsyncHTTPTransport(http2=True)
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(transport=transport, timeout=_TIMEOUT),
        options=_MIDDLEWARE_OPTIONS,
    )
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = settings.graph_base_url
    return GraphConnection(GraphServiceClient(request_adapter=adapter), http, transport, credential)


def credential_from(settings: Settings) -> AsyncTokenCredential:
    from azure.identity.aio import (
        CertificateCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
    )

    kind = settings.graph_credential
    if kind is GraphCredential.CLIENT_SECRET:
        return ClientSecretCredential(
            settings.graph_tenant_id, settings.graph_client_id, settings.graph_client_secret
        )
    if kind is GraphCredential.CERTIFICATE:
        return CertificateCredential(
            settings.graph_tenant_id,
            settings.graph_client_id,
            certificate_path=str(settings.graph_certificate_path),
        )
    if kind is GraphCredential.MANAGED_IDENTITY:
        # A user-assigned identity is named by its client id; empty: the system-assigned one.
        return ManagedIdentityCredential(client_id=settings.graph_client_id or None)
    raise ValueError("Microsoft Graph is not configured (GRAPH_CREDENTIAL=none)")
