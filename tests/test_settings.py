from pathlib import Path

import pytest

from config.settings import AppType, ConfigurationError, GraphCredential, load_settings

GRAPH_SETTINGS = (
    "GRAPH_CREDENTIAL",
    "GRAPH_TENANT_ID",
    "GRAPH_CLIENT_ID",
    "GRAPH_CLIENT_SECRET",
    "GRAPH_CERTIFICATE_PATH",
    "GRAPH_BASE_URL",
    "GRAPH_READ_TIMEOUT",
    "GRAPH_READ_CACHE_SECONDS",
    "GRAPH_SEND_TIMEOUT",
    "GRAPH_READ_MAILBOX_SETTINGS",
    "GRAPH_LOOK_UP_USERS",
    "GRAPH_INSTALL_APP",
    "TEAMS_APP_CATALOG_ID",
    "MAIL_DRY_RUN",
    "MAIL_SENDER",
)
CLIENT_SECRET = {
    "GRAPH_CREDENTIAL": "client_secret",
    "GRAPH_TENANT_ID": "tenant",
    "GRAPH_CLIENT_ID": "client",
    "GRAPH_CLIENT_SECRET": "s3cr3t-value",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    # Settings read the environment and ./.env; start every test from neither.
    monkeypatch.chdir(tmp_path)
    for name in (
        "MicrosoftAppId",
        "MicrosoftAppPassword",
        "MicrosoftAppType",
        "MicrosoftAppTenantId",
        "HOST",
        "PORT",
        "DATABASE_URL",
        "ROSTER_PATH",
        "MICROSOFT_APP_ID",
        "LOG_LEVEL",
        "REPLY_TIME_LIMIT_SECONDS",
        *GRAPH_SETTINGS,
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_embedded_and_local():
    settings = load_settings()
    assert settings.host == "127.0.0.1"
    assert settings.port == 3978
    assert settings.database_url == "sqlite+aiosqlite:///./data/fasttrack-bot.db"
    assert settings.microsoft_app_type is AppType.MULTI_TENANT


def test_bot_framework_names_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("MicrosoftAppId", "app-id")
    monkeypatch.setenv("MicrosoftAppPassword", "secret")
    monkeypatch.setenv("MicrosoftAppType", "SingleTenant")
    monkeypatch.setenv("MicrosoftAppTenantId", "tenant")
    settings = load_settings()
    assert (settings.microsoft_app_id, settings.microsoft_app_type) == (
        "app-id",
        AppType.SINGLE_TENANT,
    )


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("PORT=4000\n")
    assert load_settings().port == 4000


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1/test", "postgresql+asyncpg://postgres@127.0.0.1/test"),
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
    ],
)
def test_plain_database_urls_get_the_async_driver(url, expected):
    assert load_settings(database_url=url).database_url == expected


def test_without_an_app_id_the_bot_refuses_a_non_loopback_address():
    with pytest.raises(ConfigurationError, match=r"HOST=0\.0\.0\.0 is not a loopback address"):
        load_settings(host="0.0.0.0")


def test_with_an_app_id_any_address_is_allowed():
    settings = load_settings(host="0.0.0.0", microsoft_app_id="id", microsoft_app_password="pw")
    assert settings.host == "0.0.0.0"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_addresses_run_without_an_app_id(host):
    assert load_settings(host=host).host == host


def test_an_app_id_without_a_password_names_the_missing_setting():
    with pytest.raises(ConfigurationError, match="MicrosoftAppPassword is required"):
        load_settings(microsoft_app_id="id")


def test_single_tenant_needs_a_tenant_id():
    with pytest.raises(ConfigurationError, match="MicrosoftAppTenantId is required"):
        load_settings(
            microsoft_app_id="id", microsoft_app_password="pw", microsoft_app_type="SingleTenant"
        )


def test_managed_identity_needs_no_password():
    settings = load_settings(
        microsoft_app_id="id", microsoft_app_type="UserAssignedMSI", microsoft_app_tenant_id="t"
    )
    assert settings.microsoft_app_type is AppType.USER_ASSIGNED_MSI


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"DATABASE_URL": "mysql://db"}, "DATABASE_URL"),
        ({"MicrosoftAppType": "Anonymous"}, "MicrosoftAppType"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
        ({"GRAPH_CREDENTIAL": "password"}, "GRAPH_CREDENTIAL"),
        ({"GRAPH_READ_TIMEOUT": "0"}, "GRAPH_READ_TIMEOUT"),
        ({"GRAPH_READ_TIMEOUT": "30"}, "GRAPH_READ_TIMEOUT"),
        ({"GRAPH_READ_CACHE_SECONDS": "-1"}, "GRAPH_READ_CACHE_SECONDS"),
        ({"GRAPH_SEND_TIMEOUT": "soon"}, "GRAPH_SEND_TIMEOUT"),
        ({"GRAPH_BASE_URL": "http://graph.microsoft.com/v1.0"}, "GRAPH_BASE_URL"),
        ({"GRAPH_BASE_URL": "https://graph.microsoft.com"}, "GRAPH_BASE_URL"),
        ({"MAIL_DRY_RUN": "maybe"}, "MAIL_DRY_RUN"),
        ({"MAIL_SENDER": "fasttrack"}, "MAIL_SENDER"),
        ({"GRAPH_LOOK_UP_USERS": "sometimes"}, "GRAPH_LOOK_UP_USERS"),
    ],
)
def test_nonsense_names_the_setting(monkeypatch, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as error:
        load_settings()
    assert str(error.value).startswith(f"Invalid configuration: {named}:")


def test_replies_get_ten_seconds_a_turn_unless_told_otherwise(monkeypatch):
    assert load_settings().reply_time_limit_seconds == 10
    monkeypatch.setenv("REPLY_TIME_LIMIT_SECONDS", "4.5")
    assert load_settings().reply_time_limit_seconds == 4.5


@pytest.mark.parametrize("limit", ["0", "-1", "61", "soon"])
def test_a_reply_time_limit_outside_what_teams_waits_for_stops_start_up(monkeypatch, limit):
    monkeypatch.setenv("REPLY_TIME_LIMIT_SECONDS", limit)
    with pytest.raises(ConfigurationError, match="REPLY_TIME_LIMIT_SECONDS"):
        load_settings()


def test_graph_is_off_and_mail_dry_run_by_default():
    settings = load_settings()
    assert settings.graph_credential is GraphCredential.NONE
    assert settings.mail_dry_run
    assert settings.graph_base_url == "https://graph.microsoft.com/v1.0"


@pytest.mark.parametrize(
    "env",
    [
        {"MAIL_DRY_RUN": "false"},
        {"GRAPH_READ_MAILBOX_SETTINGS": "true"},
        {"GRAPH_LOOK_UP_USERS": "true"},
        {"GRAPH_INSTALL_APP": "true"},
    ],
)
def test_a_graph_use_without_a_credential_says_which_setting_is_missing(monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="needs Microsoft Graph: set GRAPH_CREDENTIAL"):
        load_settings()


@pytest.mark.parametrize(
    ("credential", "given", "missing"),
    [
        ("client_secret", {"GRAPH_TENANT_ID": "t"}, "GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET"),
        ("certificate", {"GRAPH_CLIENT_ID": "c"}, "GRAPH_TENANT_ID, GRAPH_CERTIFICATE_PATH"),
    ],
)
def test_each_credential_names_what_it_still_needs(monkeypatch, credential, given, missing):
    monkeypatch.setenv("GRAPH_CREDENTIAL", credential)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=f"GRAPH_CREDENTIAL={credential} needs {missing}"):
        load_settings()


def test_a_certificate_that_is_not_there_stops_start_up(monkeypatch, tmp_path):
    for name, value in {
        "GRAPH_CREDENTIAL": "certificate",
        "GRAPH_TENANT_ID": "t",
        "GRAPH_CLIENT_ID": "c",
        "GRAPH_CERTIFICATE_PATH": str(tmp_path / "missing.pem"),
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=r"missing\.pem: no such file"):
        load_settings()


def test_a_managed_identity_needs_nothing_more():
    settings = load_settings(graph_credential="managed_identity")
    assert settings.graph_credential is GraphCredential.MANAGED_IDENTITY


def test_sending_mail_needs_the_service_mailbox(monkeypatch):
    for name, value in {**CLIENT_SECRET, "MAIL_DRY_RUN": "false"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="MAIL_SENDER is required"):
        load_settings()
    monkeypatch.setenv("MAIL_SENDER", "fasttrack@contoso.com")
    assert not load_settings().mail_dry_run


def test_installing_the_app_needs_its_catalog_id(monkeypatch):
    for name, value in {**CLIENT_SECRET, "GRAPH_INSTALL_APP": "true"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="TEAMS_APP_CATALOG_ID"):
        load_settings()


def test_the_graph_secret_is_not_in_the_settings_repr(monkeypatch):
    for name, value in CLIENT_SECRET.items():
        monkeypatch.setenv(name, value)
    assert "s3cr3t-value" not in repr(load_settings())


def test_every_setting_is_in_the_env_example():
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    assert all(f"\n{name}=" in example for name in GRAPH_SETTINGS)
