"""The FastTrack Teams bot service: `create_app` wires everything; `python app.py` runs it."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from azure.core.credentials_async import AsyncTokenCredential
from botbuilder.dialogs import DialogState
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapter import TeamsBotAdapter, build_adapter
from bot.conversation_state import DatabaseConversationState
from bot.messenger import TeamsCourier, TeamsMessenger
from bot.storage import DatabaseStorage
from bot.teams_bot import FastTrackBot
from config.roster import load_roster
from config.settings import ConfigurationError, GraphCredential, Settings, load_settings
from dialogs import acm_referral, benefit_scope, covid_triage, fta_request, non_standard_delivery
from dialogs.fta_commands import FtaCommands
from dialogs.main_dialog import DIALOG_STATE, MainDialog
from dialogs.registry import KindRegistry, KindServices
from dialogs.request_commands import request_commands, submitted_before
from domain import natural_answers
from domain.deadlines import DeadlineKind, SlaPolicy
from domain.outbox import ClaimedMessage, Composed, MessageKind, SendOutcome
from domain.roster import Roster
from graph.dry_run import DryRunMailer
from persistence.conversation_references import ConversationReferenceStore
from persistence.database import (
    Statements,
    create_engine,
    is_reachable,
    open_pool,
    upgrade_schema,
)
from persistence.deadlines import DeadlineRepository
from persistence.fta import FtaRepository
from persistence.outbox import OutboxRepository
from persistence.requests import RequestRepository
from persistence.state_store import StateStore
from services.conversations import ConversationDirectory
from services.deadlines import DeadlineService
from services.delivery import Couriers
from services.fta import FtaService
from services.graph_ports import GraphPorts
from services.outbox import Compose, Relay, RelayPolicy, Undelivered
from services.people import Addresses, OutOfOffice
from services.reminders import ReminderScheduler, SchedulerPolicy, Timetable
from services.requests import RequestService
from services.working_hours import RosterWorkingHours

log = logging.getLogger("fasttrack")

if TYPE_CHECKING:
    from graph.client import GraphConnection

SETTINGS = web.AppKey("settings", Settings)
ROSTER = web.AppKey("roster", Roster)
ADAPTER = web.AppKey("adapter", TeamsBotAdapter)
BOT = web.AppKey("bot", FastTrackBot)
ENGINE = web.AppKey("engine", AsyncEngine)
RELAY = web.AppKey("relay", Relay)
SCHEDULER = web.AppKey("scheduler", ReminderScheduler)
GRAPH = web.AppKey("graph", GraphPorts)


# The request kinds the bot offers, in menu order: one line per kind.
REQUEST_KINDS = KindRegistry(
    [
        non_standard_delivery.KIND,
        covid_triage.KIND,
        acm_referral.KIND,
        fta_request.KIND,
        benefit_scope.KIND,
    ]
)


def compose_by_kind(requests: Compose, fta: Compose) -> Compose:
    """FTA requests' cards, mails and reminders are rendered by the FTA service, every other
    message by the requests'."""

    async def compose(message: ClaimedMessage) -> Composed | None:
        if _of_fta_request(message):
            return await fta(message)
        return await requests(message)

    return compose


def undelivered_by_kind(requests: Undelivered, fta: Undelivered) -> Undelivered:
    """What Teams would not take is handled by the service that rendered it."""

    async def undelivered(message: ClaimedMessage, outcome: SendOutcome) -> None:
        if _of_fta_request(message):
            await fta(message, outcome)
        else:
            await requests(message, outcome)

    return undelivered


def _of_fta_request(message: ClaimedMessage) -> bool:
    """An FTA request's card (or an update of a posted copy) or mail, or the reminder of its
    assignment."""
    return message.kind in (
        MessageKind.FTA_CARD,
        MessageKind.FTA_CARD_UPDATE,
        MessageKind.FTA_MAIL,
    ) or (
        message.kind is MessageKind.REMINDER
        and message.payload.get("kind") == DeadlineKind.FTA_ASSIGNMENT.value
    )


def relay_policy(settings: Settings) -> RelayPolicy:
    return RelayPolicy(
        send_timeout=settings.outbox_send_timeout,
        lease=settings.outbox_lease,
        max_attempts=settings.outbox_max_attempts,
        first_backoff=settings.outbox_first_backoff,
        max_backoff=settings.outbox_max_backoff,
        concurrency=settings.outbox_concurrency,
        per_conversation=settings.outbox_rate_per_conversation,
        per_tenant=settings.outbox_rate_per_tenant,
    )


def create_app(
    settings: Settings,
    *,
    roster: Roster | None = None,
    credential: AsyncTokenCredential | None = None,
    graph_credential: AsyncTokenCredential | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    kinds: KindRegistry = REQUEST_KINDS,
) -> web.Application:
    """Build the web application. Tests pass fakes for the outside services here.

    `credential` replaces the Azure AD credential used for outbound Bot Connector tokens,
    `graph_credential` the one for Microsoft Graph; `clock` the time deadlines are opened,
    reminded of and shown at (tests drive it); `kinds` the request kinds offered.
    """
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[ROSTER] = roster if roster is not None else load_roster(settings.roster_path)

    async def services(app: web.Application) -> AsyncIterator[None]:
        # Recognizers-Text builds its models in about half a second: not in a person's turn.
        await asyncio.to_thread(natural_answers.build_models)
        engine = create_engine(settings.database_url)
        await upgrade_schema(engine)
        await open_pool(engine)
        session = aiohttp.ClientSession()
        adapter = build_adapter(settings, session, credential)
        roster = app[ROSTER]
        statements = Statements(engine)
        references = ConversationReferenceStore(engine, statements)
        directory = ConversationDirectory(references)
        specs = kinds.approval_specs(roster)
        outcomes = {spec.kind: spec.outcomes for spec in specs.values()}
        messenger = TeamsMessenger(adapter, directory, settings.microsoft_app_id)
        graph, graph_connection = _graph(settings, graph_credential)
        timeout, cache_seconds = settings.graph_read_timeout, settings.graph_read_cache_seconds
        outbox = OutboxRepository(engine, statements)
        relay = Relay(
            outbox, Couriers(TeamsCourier(adapter, directory), graph.mailer), relay_policy(settings)
        )
        deadlines = DeadlineRepository(engine, roster, statements)
        timetable = Timetable(
            SlaPolicy(liaison_decision_days=settings.liaison_decision_days),
            RosterWorkingHours(roster),
        )
        out_of_office = OutOfOffice(
            graph.out_of_office, timeout=timeout, cache_seconds=cache_seconds
        )
        requests = RequestService(
            RequestRepository(
                engine, roster, statements, kinds=[spec.kind for spec in specs.values()]
            ),
            roster,
            messenger,
            list(specs.values()),
            relay,
            outbox,
            deadlines=deadlines,
            timetable=timetable,
            out_of_office=out_of_office,
            clock=clock,
            bot_app_id=settings.microsoft_app_id,
            installer=graph.installer,
            queue=outbox,
        )
        fta = FtaService(
            FtaRepository(engine, roster, statements),
            roster,
            relay,
            out_of_office,
            timetable,
            deadlines,
            clock,
            delivery_log=outbox,
            queue=outbox,
            teams_ids=messenger,
            bot_app_id=settings.microsoft_app_id,
        )
        deadline_service = DeadlineService(deadlines, timetable, clock)
        fta_commands = FtaCommands(fta, deadline_service, roster.ftc_help_mailbox)
        scheduler = ReminderScheduler(
            deadlines, timetable, SchedulerPolicy(), on_reminders=relay.wake, clock=clock
        )
        conversation_state = DatabaseConversationState(
            DatabaseStorage(StateStore(engine, statements)),
            {DIALOG_STATE: DialogState},
        )
        main_dialog = MainDialog(
            conversation_state,
            conversations=kinds.conversations(
                KindServices(
                    roster,
                    requests,
                    specs,
                    fta,
                    Addresses(graph.directory, timeout=timeout, cache_seconds=cache_seconds),
                )
            ),
            commands=request_commands(requests, outcomes, deadline_service, fta_commands),
            submitted_before=submitted_before(requests),
        )
        app[ENGINE] = engine
        app[RELAY] = relay
        app[SCHEDULER] = scheduler
        app[GRAPH] = graph
        app[ADAPTER] = adapter
        app[BOT] = FastTrackBot(
            conversation_state,
            main_dialog,
            directory,
            messenger,
            requests,
            outcomes,
            deadline_service,
            fta,
            fta_commands,
        )
        relay.start(
            compose_by_kind(requests.compose, fta.compose),
            undelivered_by_kind(requests.undelivered, fta.undelivered),
        )
        scheduler.start()
        yield
        await scheduler.stop()
        await relay.stop()
        if graph_connection is not None:
            await graph_connection.close()
        await app[ADAPTER].close()
        await session.close()
        statements.close()
        await engine.dispose()

    app.cleanup_ctx.append(services)
    app.router.add_post("/api/messages", _messages)
    app.router.add_get("/healthz", _healthz)
    return app


def _graph(
    settings: Settings, credential: AsyncTokenCredential | None
) -> tuple[GraphPorts, GraphConnection | None]:
    """The Graph ports the settings permit; dry-run mail and nothing else without Graph."""
    if settings.graph_credential is GraphCredential.NONE:
        return GraphPorts(DryRunMailer()), None
    # msgraph-sdk is large and slow to import: only when Graph is configured.
    from graph.apps import GraphAppInstaller
    from graph.client import connect
    from graph.mail import GraphMailer
    from graph.people import GraphDirectory, GraphOutOfOfficeReader

    connection = connect(settings, credential)
    client = connection.client
    ports = GraphPorts(
        mailer=DryRunMailer()
        if settings.mail_dry_run
        else GraphMailer(client, settings.mail_sender, settings.graph_send_timeout),
        out_of_office=GraphOutOfOfficeReader(client)
        if settings.graph_read_mailbox_settings
        else None,
        directory=GraphDirectory(client) if settings.graph_look_up_users else None,
        installer=GraphAppInstaller(
            client,
            settings.graph_base_url,
            settings.teams_app_catalog_id,
            settings.graph_send_timeout,
        )
        if settings.graph_install_app
        else None,
    )
    return ports, connection


async def _messages(request: web.Request) -> web.StreamResponse:
    app = request.app
    with app[RELAY].turn():
        return await app[ADAPTER].process(request, app[BOT])


async def _healthz(request: web.Request) -> web.Response:
    if await is_reachable(request.app[ENGINE]):
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "database unreachable"}, status=503)


def main() -> None:
    try:
        settings = load_settings()
        roster = load_roster(settings.roster_path)
    except ConfigurationError as error:
        print(f"fasttrack-bot: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # msrest warns on every card action that Teams' `trigger` field is not in its model.
    logging.getLogger("msrest.serialization").setLevel(logging.ERROR)
    log.info("listening on http://%s:%d/api/messages", settings.host, settings.port)
    web.run_app(
        create_app(settings, roster=roster),
        host=settings.host,
        port=settings.port,
        print=None,
    )


if __name__ == "__main__":
    main()
