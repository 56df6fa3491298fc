"""Typed settings, loaded once from the environment and an optional `.env` file.

Every setting is documented in `.env.example`. A value that makes no sense stops start-up with
a `ConfigurationError` naming the setting.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(Exception):
    """Start-up configuration is wrong; the message names the setting or roster entry."""


_MAILBOX = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[a-zA-Z]{2,}$")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/fasttrack-bot.db"
# Teams gives up on a turn after about 15 s; replies not sent by then are dropped.
DEFAULT_REPLY_TIME_LIMIT_SECONDS = 10.0


class GraphCredential(StrEnum):
    """How the bot signs in to Microsoft Graph (azure-identity)."""

    NONE = "none"  # Graph not used: mail is dry-run, routing uses the roster only
    CLIENT_SECRET = "client_secret"
    CERTIFICATE = "certificate"
    MANAGED_IDENTITY = "managed_identity"


GRAPH_PUBLIC_CLOUD = "https://graph.microsoft.com/v1.0"


class AppType(StrEnum):
    SINGLE_TENANT = "SingleTenant"
    MULTI_TENANT = "MultiTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


def _env(name: str) -> AliasChoices:
    # Accept both the Bot Framework spelling (MicrosoftAppId) and upper snake case.
    snake = "".join("_" + c if c.isupper() and i else c for i, c in enumerate(name)).upper()
    return AliasChoices(name, snake)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    microsoft_app_id: str = Field("", validation_alias=_env("MicrosoftAppId"))
    microsoft_app_password: str = Field("", validation_alias=_env("MicrosoftAppPassword"))
    microsoft_app_type: AppType = Field(
        AppType.MULTI_TENANT, validation_alias=_env("MicrosoftAppType")
    )
    microsoft_app_tenant_id: str = Field("", validation_alias=_env("MicrosoftAppTenantId"))

    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(3978, ge=1, le=65535, validation_alias="PORT")
    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    roster_path: Path = Field(Path("config/roster.sample.yaml"), validation_alias="ROSTER_PATH")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    reply_time_limit_seconds: float = Field(
        DEFAULT_REPLY_TIME_LIMIT_SECONDS, gt=0, le=60, validation_alias="REPLY_TIME_LIMIT_SECONDS"
    )
    # Business days the liaison has to decide before they are reminded (then the backup, a
    # business day later, then the director).
    liaison_decision_days: int = Field(
        2, ge=1, le=30, validation_alias="LIAISON_DECISION_BUSINESS_DAYS"
    )

    # Microsoft Graph: mail to account teams, out of office, directory, app installation.
    graph_credential: GraphCredential = Field(
        GraphCredential.NONE, validation_alias="GRAPH_CREDENTIAL"
    )
    graph_tenant_id: str = Field("", validation_alias="GRAPH_TENANT_ID")
    graph_client_id: str = Field("", validation_alias="GRAPH_CLIENT_ID")
    graph_client_secret: str = Field("", validation_alias="GRAPH_CLIENT_SECRET", repr=False)
    graph_certificate_path: Path | None = Field(None, validation_alias="GRAPH_CERTIFICATE_PATH")
    graph_base_url: str = Field(GRAPH_PUBLIC_CLOUD, validation_alias="GRAPH_BASE_URL")
    graph_read_timeout: float = Field(2.0, gt=0, le=10, validation_alias="GRAPH_READ_TIMEOUT")
    graph_read_cache_seconds: float = Field(
        300, ge=0, le=86400, validation_alias="GRAPH_READ_CACHE_SECONDS"
    )
    graph_send_timeout: float = Field(10.0, gt=0, le=60, validation_alias="GRAPH_SEND_TIMEOUT")
    # What the admin consented to (README, "Microsoft Graph"): each switches one use on.
    graph_read_mailbox_settings: bool = Field(False, validation_alias="GRAPH_READ_MAILBOX_SETTINGS")
    graph_look_up_users: bool = Field(False, validation_alias="GRAPH_LOOK_UP_USERS")
    graph_install_app: bool = Field(False, validation_alias="GRAPH_INSTALL_APP")
    teams_app_catalog_id: str = Field("", validation_alias="TEAMS_APP_CATALOG_ID")
    mail_dry_run: bool = Field(True, validation_alias="MAIL_DRY_RUN")
    mail_sender: str = Field("", validation_alias="MAIL_SENDER")
    # The outbox relay (see .env.example).
    outbox_send_timeout: float = Field(10.0, gt=0, validation_alias="OUTBOX_SEND_TIMEOUT_SECONDS")
    outbox_lease: float = Field(60.0, gt=0, validation_alias="OUTBOX_LEASE_SECONDS")
    outbox_max_attempts: int = Field(8, ge=1, validation_alias="OUTBOX_MAX_ATTEMPTS")
    outbox_first_backoff: float = Field(1.0, gt=0, validation_alias="OUTBOX_FIRST_BACKOFF_SECONDS")
    outbox_max_backoff: float = Field(300.0, gt=0, validation_alias="OUTBOX_MAX_BACKOFF_SECONDS")
    outbox_concurrency: int = Field(16, ge=1, validation_alias="OUTBOX_CONCURRENCY")
    outbox_rate_per_conversation: int = Field(
        5, ge=1, le=7, validation_alias="OUTBOX_RATE_PER_CONVERSATION"
    )
    outbox_rate_per_tenant: int = Field(40, ge=1, le=50, validation_alias="OUTBOX_RATE_PER_TENANT")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        return async_database_url(url)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        level = level.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("graph_base_url")
    @classmethod
    def _graph_url(cls, url: str) -> str:
        parsed = urlsplit(url)
        loopback = parsed.hostname is not None and is_loopback(parsed.hostname)
        if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
            raise ValueError("must be an https:// URL (http:// only on a loopback address)")
        if not parsed.path.strip("/"):
            raise ValueError("must name the API version, e.g. https://graph.microsoft.com/v1.0")
        return url.rstrip("/")

    @field_validator("mail_sender")
    @classmethod
    def _mailbox(cls, address: str) -> str:
        if address and not _MAILBOX.match(address):
            raise ValueError("must be the service mailbox's address, e.g. fasttrack@contoso.com")
        return address

    @model_validator(mode="after")
    def _graph_is_complete(self) -> Settings:
        uses = [
            name
            for name, on in (
                ("MAIL_DRY_RUN=false", not self.mail_dry_run),
                ("GRAPH_READ_MAILBOX_SETTINGS", self.graph_read_mailbox_settings),
                ("GRAPH_LOOK_UP_USERS", self.graph_look_up_users),
                ("GRAPH_INSTALL_APP", self.graph_install_app),
            )
            if on
        ]
        kind = self.graph_credential
        if kind is GraphCredential.NONE:
            if uses:
                raise ValueError(
                    f"{', '.join(uses)} needs Microsoft Graph: set GRAPH_CREDENTIAL to "
                    "client_secret, certificate or managed_identity"
                )
            return self
        needed = {
            GraphCredential.CLIENT_SECRET: (
                "GRAPH_TENANT_ID",
                "GRAPH_CLIENT_ID",
                "GRAPH_CLIENT_SECRET",
            ),
            GraphCredential.CERTIFICATE: (
                "GRAPH_TENANT_ID",
                "GRAPH_CLIENT_ID",
                "GRAPH_CERTIFICATE_PATH",
            ),
            GraphCredential.MANAGED_IDENTITY: (),
        }[kind]
        values = {
            "GRAPH_TENANT_ID": self.graph_tenant_id,
            "GRAPH_CLIENT_ID": self.graph_client_id,
            "GRAPH_CLIENT_SECRET": self.graph_client_secret,
            "GRAPH_CERTIFICATE_PATH": self.graph_certificate_path,
        }
        missing = [name for name in needed if not values[name]]
        if missing:
            raise ValueError(f"GRAPH_CREDENTIAL={kind.value} needs {', '.join(missing)}")
        if kind is GraphCredential.CERTIFICATE and not (
            self.graph_certificate_path and self.graph_certificate_path.is_file()
        ):
            raise ValueError(f"GRAPH_CERTIFICATE_PATH={self.graph_certificate_path}: no such file")
        if not self.mail_dry_run and not self.mail_sender:
            raise ValueError("MAIL_SENDER is required when MAIL_DRY_RUN=false")
        if self.graph_install_app and not self.teams_app_catalog_id:
            raise ValueError(
                "TEAMS_APP_CATALOG_ID (the app's id in the tenant's app catalog) is required "
                "when GRAPH_INSTALL_APP=true"
            )
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        if self.outbox_lease <= 2 * self.outbox_send_timeout:
            raise ValueError(
                "OUTBOX_LEASE_SECONDS must be more than twice OUTBOX_SEND_TIMEOUT_SECONDS: a "
                "claim must not run out while its send is still allowed to take time"
            )
        return self

    @model_validator(mode="after")
    def _secure_by_default(self) -> Settings:
        if not self.microsoft_app_id and not is_loopback(self.host):
            raise ValueError(
                f"HOST={self.host} is not a loopback address and MicrosoftAppId is empty: "
                "without an app id the bot accepts unauthenticated requests, so it only "
                "listens on 127.0.0.1 or ::1. Set MicrosoftAppId and MicrosoftAppPassword, "
                "or bind to a loopback address."
            )
        if self.microsoft_app_id:
            if (
                self.microsoft_app_type is not AppType.USER_ASSIGNED_MSI
                and not self.microsoft_app_password
            ):
                raise ValueError(
                    "MicrosoftAppPassword is required when MicrosoftAppId is set "
                    f"and MicrosoftAppType is {self.microsoft_app_type.value}"
                )
            if (
                self.microsoft_app_type is not AppType.MULTI_TENANT
                and not self.microsoft_app_tenant_id
            ):
                raise ValueError(
                    "MicrosoftAppTenantId is required when MicrosoftAppType is "
                    f"{self.microsoft_app_type.value}"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def async_database_url(url: str) -> str:
    """Plain `postgresql://` and `sqlite:///` URLs, as operators write them, get our driver."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite:///")):
        return url
    raise ValueError("must be a postgresql:// or sqlite:/// URL")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: Any) -> Settings:
    """Read the settings once; raise ConfigurationError with the offending setting named."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            # Cross-setting checks name their settings in the message itself.
            problems.append(f"{where}: {message}" if where else message)
        raise ConfigurationError("Invalid configuration: " + "; ".join(problems)) from None
