import pytest

from config.settings import AppType, ConfigurationError, load_settings


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
