"""The Graph adapters with the real GraphServiceClient, against a local fake Graph server."""

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from config.settings import GraphCredential
from domain.out_of_office import AutomaticReplies, AutoReplyStatus
from graph.apps import GraphAppInstaller
from graph.client import connect
from graph.mail import GraphMailer
from graph.people import GraphDirectory, GraphOutOfOfficeReader
from services.graph_ports import (
    DirectoryUser,
    GraphUnavailable,
    Mail,
    MailAccepted,
    MailFailed,
    MailRetryLater,
)
from tests.fakes.graph import (
    INSTALLED_APPS,
    MAILBOX_SETTINGS,
    SEND_MAIL,
    USERS,
    FakeGraph,
    GraphUser,
    sent_message,
)
from tests.fakes.identity import FakeTokenCredential
from tests.harness import make_settings

SENDER = "fasttrack@contoso.com"
CATALOG_APP_ID = "e4b3f8a2-5c1d-4f6e-9a7b-0c1d2e3f4a5b"
ADELE_ID = "22222222-2222-4222-8222-222222222222"
MAIL = Mail(
    to=("megan@contoso.com", "nestor@contoso.com"),
    subject="NSD-0001 approved",
    html_body="<p>Approved.</p>",
    outbox_id="42",
)


@pytest.fixture
async def graph():
    async with FakeGraph() as fake:
        yield fake


@pytest.fixture
def adele(graph):
    return graph.add_user(GraphUser(ADELE_ID, "Adele Vance", "adelev@contoso.com"))


@pytest.fixture
async def client(graph):
    settings = make_settings(
        "sqlite+aiosqlite:///:memory:",
        graph_credential=GraphCredential.CLIENT_SECRET,
        graph_tenant_id="tenant",
        graph_client_id="client",
        graph_client_secret="secret",
        graph_base_url=graph.base_url,
    )
    connection = connect(settings, FakeTokenCredential())
    yield connection.client
    await connection.close()


@pytest.fixture
def mailer(client):
    return GraphMailer(client, SENDER, timeout=5)


# --- mail -------------------------------------------------------------------------------------


async def test_a_mail_goes_from_the_service_mailbox_with_the_outbox_id_in_a_header(graph, mailer):
    result = await mailer.send(MAIL)

    assert isinstance(result, MailAccepted)
    assert not result.dry_run
    (call,) = graph.mail
    assert call.user == SENDER
    assert call.authorization == "Bearer fake-token-1"
    message = sent_message(call)
    assert [r["emailAddress"]["address"] for r in message["toRecipients"]] == list(MAIL.to)
    assert message["subject"] == MAIL.subject
    assert message["body"] == {"contentType": "html", "content": MAIL.html_body}
    assert message["internetMessageHeaders"] == [{"name": "x-fasttrack-outbox-id", "value": "42"}]
    assert result.rendered["message"]["internetMessageHeaders"] == message["internetMessageHeaders"]


async def test_throttled_mail_is_left_to_the_outbox_with_graphs_retry_after(graph, mailer):
    graph.fail_next(SEND_MAIL, 1, 429, retry_after="7")

    first = await mailer.send(MAIL)
    second = await mailer.send(MAIL)

    # One attempt per call: the SDK did not retry on its own.
    assert len(graph.rejected) == 1
    assert isinstance(first, MailRetryLater)
    assert first.retry_after == 7
    assert "TooManyRequests" in first.reason
    assert isinstance(second, MailAccepted)
    assert len(graph.mail) == 1


async def test_unavailable_three_times_then_one_mail(graph, mailer):
    graph.fail_next(SEND_MAIL, 3, 503)

    results = [await mailer.send(MAIL) for _ in range(4)]

    assert [type(r) for r in results] == [MailRetryLater] * 3 + [MailAccepted]
    assert results[0].retry_after is None
    assert len(graph.mail) == 1


async def test_a_gateway_timeout_is_retried_later(graph, mailer):
    graph.fail_next(SEND_MAIL, 1, 504, code="GatewayTimeout")
    assert isinstance(await mailer.send(MAIL), MailRetryLater)


async def test_a_refusal_fails_for_good_with_graphs_code(graph, mailer):
    graph.fail_next(SEND_MAIL, 1, 403, code="ErrorAccessDenied")

    result = await mailer.send(MAIL)

    assert isinstance(result, MailFailed)
    assert result.code == "ErrorAccessDenied"
    assert "HTTP 403" in result.reason
    assert graph.mail == []


async def test_a_send_with_no_answer_in_time_is_retried_later(graph, client):
    graph.hang(SEND_MAIL)
    started = time.monotonic()

    result = await GraphMailer(client, SENDER, timeout=0.3).send(MAIL)

    assert isinstance(result, MailRetryLater)
    assert time.monotonic() - started < 2


# --- reads ------------------------------------------------------------------------------------


async def test_automatic_replies_always_on(graph, client, adele):
    adele.automatic_replies = {"status": "alwaysEnabled"}

    replies = await GraphOutOfOfficeReader(client).automatic_replies(adele.id)

    assert replies == AutomaticReplies(AutoReplyStatus.ALWAYS_ENABLED)
    (call,) = graph.calls
    assert call.query["$select"] == "automaticRepliesSetting,timeZone,workingHours"


async def test_scheduled_automatic_replies_in_a_windows_zone_are_read_as_aware_times(
    graph, client, adele
):
    adele.automatic_replies = {
        "status": "Scheduled",
        "scheduledStartDateTime": {
            "dateTime": "2026-11-27T17:00:00.0000000",
            "timeZone": "Pacific Standard Time",
        },
        "scheduledEndDateTime": {"dateTime": "2026-12-01T17:00:00.0000000", "timeZone": "UTC"},
    }

    replies = await GraphOutOfOfficeReader(client).automatic_replies(adele.id)

    pacific = ZoneInfo("America/Los_Angeles")
    assert replies.status is AutoReplyStatus.SCHEDULED
    assert replies.scheduled_start == datetime(2026, 11, 27, 17, 0, tzinfo=pacific)
    # Said in the person's own zone (mailboxSettings.timeZone): 09:00 in Redmond.
    assert replies.scheduled_end == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert replies.scheduled_end.tzinfo == pacific
    assert replies.scheduled_end.hour == 9
    assert replies.away_at(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))


async def test_a_refused_mailbox_read_is_unavailable(graph, client, adele):
    graph.fail_next(MAILBOX_SETTINGS, 1, 403, code="ErrorAccessDenied")
    with pytest.raises(GraphUnavailable, match="ErrorAccessDenied"):
        await GraphOutOfOfficeReader(client).automatic_replies(adele.id)


async def test_a_user_is_found_by_upn_percent_encoded_on_the_wire(graph, client, adele):
    user = await GraphDirectory(client).user("AdeleV@contoso.com")

    assert user == DirectoryUser(adele.id, "Adele Vance", "adelev@contoso.com")
    (call,) = graph.calls
    assert "AdeleV%40contoso.com" in call.raw_path


async def test_an_unknown_address_is_none_and_a_throttled_lookup_unavailable(graph, client):
    directory = GraphDirectory(client)
    assert await directory.user("nobody@contoso.com") is None
    graph.fail_next(USERS, 1, 429, retry_after="1")
    with pytest.raises(GraphUnavailable, match="TooManyRequests"):
        await directory.user("adelev@contoso.com")


# --- installing the bot for someone -----------------------------------------------------------


async def test_installing_the_bot_gives_the_persons_chat_and_again_is_fine(graph, client, adele):
    installer = GraphAppInstaller(client, graph.base_url, CATALOG_APP_ID, timeout=5)

    chat_id = await installer.install_for(adele.id)
    again = await installer.install_for(adele.id)

    assert chat_id == again == f"19:{adele.id}_bot@unq.gbl.spaces"
    installs = [c for c in graph.calls if c.endpoint == INSTALLED_APPS and c.method == "POST"]
    assert installs[0].body == {
        "@odata.type": "#microsoft.graph.userScopeTeamsAppInstallation",
        "teamsApp@odata.bind": f"{graph.base_url}/appCatalogs/teamsApps/{CATALOG_APP_ID}",
    }
    assert adele.installed_app_ids == {CATALOG_APP_ID}


async def test_installing_without_the_permission_is_unavailable(graph, client, adele):
    graph.fail_next(INSTALLED_APPS, 1, 403, code="Forbidden")
    installer = GraphAppInstaller(client, graph.base_url, CATALOG_APP_ID, timeout=5)
    with pytest.raises(GraphUnavailable, match="Forbidden"):
        await installer.install_for(adele.id)
