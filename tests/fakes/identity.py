"""Stand-ins for Microsoft Entra: a token credential and the Bot Framework's signing keys.

`FakeTokenCredential` speaks azure-identity's `AsyncTokenCredential` protocol and counts calls.
`LocalOpenIdMetadata` serves an OpenID configuration and JWKS on loopback and mints channel
tokens signed with its key, so botbuilder's real JWT validation can run without the internet.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from azure.core.credentials import AccessToken
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

# The issuer of tokens the Bot Framework channel service sends to bots (public cloud).
CHANNEL_ISSUER = "https://api.botframework.com"


class FakeTokenCredential:
    """Issues tokens like `ClientSecretCredential` would; `calls` lists the scopes asked for."""

    def __init__(
        self,
        lifetime: float = 3600,
        *,
        delay: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.calls: list[tuple[str, ...]] = []
        self._lifetime = lifetime
        self._delay = delay  # simulated round trip to the token endpoint
        self._clock = clock

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        number = len(self.calls)
        await asyncio.sleep(self._delay)
        return AccessToken(f"fake-token-{number}", int(self._clock() + self._lifetime))

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> FakeTokenCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        pass


class LocalOpenIdMetadata:
    """The Bot Framework's OpenID metadata and signing keys, served from a thread.

    A thread, not the test's event loop, so it answers any client, blocking ones included. Use
    as a context manager.
    """

    def __init__(self, endorsements: tuple[str, ...] = ("msteams",)) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = uuid.uuid4().hex
        self._endorsements = list(endorsements)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests = 0

    @property
    def metadata_url(self) -> str:
        return f"{self._base}/v1/.well-known/openidconfiguration"

    @property
    def _base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LocalOpenIdMetadata:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                if self.path.endswith("openidconfiguration"):
                    body = {
                        "issuer": CHANNEL_ISSUER,
                        "authorization_endpoint": "https://invalid.example/authorize",
                        "jwks_uri": f"{owner._base}/v1/.well-known/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                    }
                elif self.path.endswith("/keys"):
                    body = {"keys": [owner._jwk()]}
                else:
                    self.send_error(404)
                    return
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # serve_forever notices shutdown() once per poll interval: 0.5 s by default, paid by
        # every test that uses this server.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _jwk(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.key_id, use="sig", endorsements=self._endorsements)
        return jwk

    def channel_token(
        self,
        app_id: str,
        service_url: str,
        *,
        lifetime: float = 3600,
        signing_key: rsa.RSAPrivateKey | None = None,
        algorithm: str = "RS256",
        **claims: Any,
    ) -> str:
        """An `Authorization` header value as the channel service would send it to the bot."""
        now = int(time.time())
        payload = {
            "iss": CHANNEL_ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + int(lifetime),
            **claims,
        }
        key = None if algorithm == "none" else (signing_key or self.key)
        token = jwt.encode(payload, key, algorithm=algorithm, headers={"kid": self.key_id})
        return f"Bearer {token}"
