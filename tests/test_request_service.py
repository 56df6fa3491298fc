"""RequestService on hand-written in-memory fakes of its ports: what each call writes in its
one transaction (request, audit, deadlines, messages), idempotent submission, and what the
relay is given to send."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

import pytest

from app import REQUEST_KINDS
from config.roster import load_roster
from domain import acm_referral, non_standard_delivery
from domain.deadlines import Deadline, DeadlineKind, Reason, Reminder, SlaPolicy, reminder_message
from domain.out_of_office import Absence
from domain.outbox import (
    CardMessage,
    ClaimedMessage,
    DeliveryRecord,
    Message,
    MessageKind,
    MessageState,
    NoChat,
    Unreachable,
)
from domain.requests import AuditEntry, Move, Request, RequestKind, Status
from domain.roster import Person
from services.graph_ports import GraphUnavailable
from services.reminders import Timetable
from services.requests import BuildSubmission, RequestService
from services.working_hours import RosterWorkingHours
from tests.fakes.deadlines import FakeDeadlineStore
from tests.harness import SAMPLE_ROSTER

ROSTER = load_roster(SAMPLE_ROSTER)
AMERICAS = ROSTER.area("americas")
FM = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "")
LIAISON = AMERICAS.liaison
DIRECTOR = AMERICAS.director
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANSWERS = {
    "customer": "Contoso",
    "area": "Americas",
    "delivered_by": "FastTrack",
    "effort": "2 FTA weeks",
}


@dataclasses.dataclass
class Written:
    """One committed transaction of the fake repository."""

    request: Request
    audit: AuditEntry
    deadlines: list[Deadline]
    messages: list[Message]
    closes: frozenset[DeadlineKind] = frozenset()


class InMemoryRequests:
    """The Requests port: each `add`/`save_move` is all or nothing, like the real one."""

    def __init__(self) -> None:
        self.requests: dict[str, Request] = {}
        self.keys: dict[str, str] = {}
        self.trails: dict[str, list[AuditEntry]] = {}
        self.cards: dict[int, CardMessage] = {}
        self.transactions: list[Written] = []
        self.stale_key_reads = 0  # lookups that miss a key committed meanwhile elsewhere
        self._numbers = 0

    async def submit(
        self, kind: RequestKind, build: BuildSubmission, submission_key: str
    ) -> Request | None:
        if submission_key in self.keys:
            return None  # rolled back: the number is not used either
        request, audit, deadlines, messages = build(f"{kind.prefix}-{self._numbers + 1:04d}")
        self._numbers += 1
        self.keys[submission_key] = request.id
        self.requests[request.id] = request
        self.trails[request.id] = [audit]
        self.transactions.append(Written(request, audit, list(deadlines), list(messages)))
        return request

    async def by_submission_key(self, submission_key: str) -> Request | None:
        if self.stale_key_reads:
            self.stale_key_reads -= 1
            return None
        request_id = self.keys.get(submission_key)
        return self.requests.get(request_id) if request_id else None

    async def get(self, request_id: str) -> Request | None:
        return self.requests.get(request_id)

    async def save_move(
        self,
        updated: Request,
        audit: AuditEntry,
        expected_version: int,
        *,
        deadlines: Sequence[Deadline] = (),
        closes: Collection[DeadlineKind] = (),
        messages: Sequence[Message] = (),
    ) -> list[AuditEntry] | None:
        if self.requests[updated.id].version != expected_version:
            return None
        self.requests[updated.id] = updated
        self.trails[updated.id].append(audit)
        self.transactions.append(
            Written(updated, audit, list(deadlines), list(messages), frozenset(closes))
        )
        return list(self.trails[updated.id])

    async def audit_trail(self, request_id: str) -> list[AuditEntry]:
        return list(self.trails.get(request_id, []))

    async def requested_by(self, aad_object_id: str) -> list[Request]:
        return [r for r in self.requests.values() if r.requester.aad_object_id == aad_object_id]

    async def waiting_on(self, aad_object_id: str) -> list[Request]:
        return [
            r
            for r in self.requests.values()
            if r.is_open and r.waiting_on and r.waiting_on.aad_object_id == aad_object_id
        ]

    async def record_card(
        self,
        request_id: str,
        recipient_aad_object_id: str,
        conversation_id: str,
        activity_id: str,
        service_url: str,
        shown_version: int,
    ) -> None:
        number = len(self.cards) + 1
        self.cards[number] = CardMessage(
            id=number,
            request_id=request_id,
            recipient_aad_object_id=recipient_aad_object_id,
            conversation_id=conversation_id,
            activity_id=activity_id,
            service_url=service_url,
            created_at=NOW,
            shown_version=shown_version,
        )

    async def card_message(self, card_message_id: int) -> CardMessage | None:
        return self.cards.get(card_message_id)

    async def shown_in(
        self, conversation_id: str, recipient_aad_object_id: str, *, personal: bool
    ) -> set[str]:
        return {
            card.request_id
            for card in self.cards.values()
            if card.conversation_id in ({conversation_id, None} if personal else {conversation_id})
            and card.recipient_aad_object_id == recipient_aad_object_id
        }


class RecordingOutbox:
    def __init__(self) -> None:
        self.wakes = 0
        self.returned: list[str] = []

    def wake(self) -> None:
        self.wakes += 1

    def person_returned(self, aad_object_id: str) -> None:
        self.returned.append(aad_object_id)


class FixedDeliveryLog:
    def __init__(self, records: list[DeliveryRecord]) -> None:
        self.records = records

    async def deliveries(self, request_ids: list[str]) -> list[DeliveryRecord]:
        return [r for r in self.records if r.request_id in request_ids]


class KnownTeamsIds:
    async def teams_user_id(self, person: Person) -> str | None:
        return f"29:{person.aad_object_id[:4]}"


@pytest.fixture
def repository() -> InMemoryRequests:
    return InMemoryRequests()


@pytest.fixture
def outbox() -> RecordingOutbox:
    return RecordingOutbox()


class NobodyAway:
    async def away(self, people: Sequence[Person], now: datetime) -> list[Absence]:
        return []


def service(
    repository: InMemoryRequests, outbox: RecordingOutbox, log: FixedDeliveryLog | None = None
) -> RequestService:
    return RequestService(
        repository,
        ROSTER,
        KnownTeamsIds(),
        list(REQUEST_KINDS.approval_specs(ROSTER).values()),
        outbox,
        log or FixedDeliveryLog([]),
        FakeDeadlineStore(),
        Timetable(SlaPolicy(), RosterWorkingHours(ROSTER)),
        NobodyAway(),
        clock=lambda: NOW,
    )


def claimed(message: Message, *, card_message_id: int | None = None) -> ClaimedMessage:
    return ClaimedMessage(
        id=1,
        kind=message.kind,
        recipient_aad_object_id=message.recipient.aad_object_id,
        recipient_name=message.recipient.display_name,
        request_id=message.request_id,
        card_message_id=card_message_id,
        dedupe_key=message.dedupe_key,
        payload={"text": message.text} if message.text else dict(message.payload),
        attempts=1,
        claim_token="t",
    )


async def test_submitting_writes_the_request_and_the_approvers_card_in_one_transaction(
    repository, outbox
):
    request = await service(repository, outbox).submit(
        non_standard_delivery.KIND, FM, ANSWERS, "key-1"
    )

    [written] = repository.transactions
    assert written.request == request
    assert written.audit.to_status is Status.SUBMITTED
    assert written.messages == [
        Message(
            MessageKind.CARD,
            LIAISON,
            "NSD-0001",
            f"card:NSD-0001:1:{LIAISON.aad_object_id}",
        )
    ]
    assert outbox.wakes == 1  # after the commit, not before


async def test_a_repeated_submission_gives_the_same_request_and_writes_nothing(repository, outbox):
    requests = service(repository, outbox)
    first = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")

    again = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")

    assert again == first
    assert len(repository.transactions) == 1
    assert outbox.wakes == 1


async def test_a_submission_that_lost_the_race_for_its_key_returns_the_winner(repository, outbox):
    requests = service(repository, outbox)
    winner = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")
    # Another instance committed the key between this one's check and its write.
    repository.stale_key_reads = 1

    loser = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")

    assert loser == winner
    assert len(repository.transactions) == 1
    # No number was used up by the loser.
    other = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-2")
    assert other.id == "NSD-0002"


async def test_an_approval_writes_the_notice_with_the_move(repository, outbox):
    requests = service(repository, outbox)
    request = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")

    result = await requests.move(request.id, LIAISON, Move.APPROVE, comment="Go", card_version=1)

    assert result.moved
    assert result.request.status is Status.APPROVED
    written = repository.transactions[-1]
    assert written.request.version == 2
    assert [(m.kind, m.recipient, m.text) for m in written.messages] == [
        (
            MessageKind.TEXT,
            FM,
            "NSD-0001 for Contoso was approved by Adele Vance: “Go”. Next: deliver as "
            "approved, then record the outcome from `my requests`.",
        )
    ]
    assert written.messages[0].dedupe_key == f"text:NSD-0001:2:{FM.aad_object_id}"
    assert outbox.wakes == 2


async def test_a_flagged_approval_tells_the_fm_and_sends_the_director_a_card(repository, outbox):
    requests = service(repository, outbox)
    answers = {**ANSWERS, "includes_funding": True}  # funding needs the director
    request = await requests.submit(non_standard_delivery.KIND, FM, answers, "key-1")
    assert request.needs_director

    await requests.move(request.id, LIAISON, Move.APPROVE)

    messages = repository.transactions[-1].messages
    assert [(m.kind, m.recipient) for m in messages] == [
        (MessageKind.TEXT, FM),
        (MessageKind.CARD, DIRECTOR),
    ]
    assert "Next: the regional director, Lynne Robbins, reviews it" in messages[0].text


async def test_asking_for_more_information_sends_the_fm_a_card(repository, outbox):
    requests = service(repository, outbox)
    request = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")

    await requests.move(request.id, LIAISON, Move.ASK_MORE_INFO, comment="Which workloads?")

    [card] = repository.transactions[-1].messages
    assert (card.kind, card.recipient, card.dedupe_key) == (
        MessageKind.CARD,
        FM,
        f"card:NSD-0001:2:{FM.aad_object_id}",
    )


async def test_a_refused_or_late_move_writes_nothing(repository, outbox):
    requests = service(repository, outbox)
    request = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")
    await requests.move(request.id, LIAISON, Move.APPROVE)

    late = await requests.move(request.id, LIAISON, Move.DECLINE, comment="no", card_version=1)
    stranger = await requests.move(request.id, FM, Move.APPROVE)

    assert not late.moved
    assert not stranger.moved
    assert len(repository.transactions) == 2
    assert outbox.wakes == 2


async def test_cards_are_rendered_at_delivery_from_the_request_as_it_is_then(repository, outbox):
    requests = service(repository, outbox)
    request = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")
    [card_message] = repository.transactions[0].messages

    composed = await requests.compose(claimed(card_message))
    assert composed is not None
    assert composed.version == 1
    assert composed.card is not None
    assert '"verb": "approve"' in str(composed.card).replace("'", '"')

    # Decided before the card went out: the liaison no longer gets it.
    await requests.move(request.id, LIAISON, Move.APPROVE)
    assert await requests.compose(claimed(card_message)) is None


async def test_card_updates_coalesce_to_the_latest_state(repository, outbox):
    requests = service(repository, outbox)
    request = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")
    await repository.record_card(request.id, LIAISON.aad_object_id, "a:c", "17", "https://s/", 1)
    update = Message(MessageKind.CARD_UPDATE, LIAISON, request.id, "card_update:1:2")
    await requests.move(request.id, LIAISON, Move.ASK_MORE_INFO, comment="Which?")
    await requests.move(request.id, FM, Move.CANCEL)

    composed = await requests.compose(claimed(update, card_message_id=1))

    assert composed is not None
    assert composed.version == 3
    assert composed.update is not None
    assert composed.update.activity_id == "17"
    assert "Cancelled" in str(composed.card)
    # Once the card shows version 3, the update queued for the later move has nothing to do.
    repository.cards[1] = dataclasses.replace(repository.cards[1], shown_version=3)
    later = Message(MessageKind.CARD_UPDATE, LIAISON, request.id, "card_update:1:3")
    assert await requests.compose(claimed(later, card_message_id=1)) is None


async def test_a_card_not_posted_yet_is_not_updated(repository, outbox):
    requests = service(repository, outbox)
    request = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")
    repository.cards[1] = CardMessage(
        id=1,
        request_id=request.id,
        recipient_aad_object_id=LIAISON.aad_object_id,
        conversation_id=None,
        activity_id=None,
        service_url=None,
        created_at=NOW,
        shown_version=0,
    )
    update = Message(MessageKind.CARD_UPDATE, LIAISON, request.id, "card_update:1:2")

    assert await requests.compose(claimed(update, card_message_id=1)) is None


async def test_approval_deadlines_are_written_with_the_move(repository, outbox):
    requests = service(repository, outbox)
    answers = {
        "customer": "Contoso",
        "area": "Americas",
        "consent": "Yes",
        "customer_city": "Seattle",
        "customer_country": "US",
        "services": ["Training & Enablement"],
    }
    request = await requests.submit(acm_referral.KIND, FM, answers, "key-1")
    repository.requests[request.id] = dataclasses.replace(request, needs_director=False)

    await requests.move(request.id, LIAISON, Move.APPROVE)

    written = repository.transactions[-1]
    (follow_up,) = written.deadlines
    assert (follow_up.kind, follow_up.request_id) == (DeadlineKind.PARTNER_CONTACT, request.id)
    assert follow_up.due_at > NOW
    assert DeadlineKind.LIAISON_DECISION in written.closes


async def test_a_submission_opens_the_liaisons_decision_in_its_transaction(repository, outbox):
    request = await service(repository, outbox).submit(
        non_standard_delivery.KIND, FM, ANSWERS, "key-1"
    )
    (written,) = repository.transactions
    (decision,) = written.deadlines
    assert (decision.kind, decision.owner) == (DeadlineKind.LIAISON_DECISION, LIAISON)
    assert decision.request_id == request.id


async def test_my_requests_names_whom_each_message_waits_for(repository, outbox):
    log = FixedDeliveryLog([])
    requests = service(repository, outbox, log)
    request = await requests.submit(non_standard_delivery.KIND, FM, ANSWERS, "key-1")
    log.records = [
        DeliveryRecord(
            request.id, MessageKind.CARD, LIAISON.aad_object_id, "", MessageState.WAITING, None
        )
    ]

    deliveries = await requests.deliveries([request])

    assert [(r.recipient_name, r.state) for r in deliveries[request.id]] == [
        ("Adele Vance", MessageState.WAITING)
    ]


async def test_a_person_returning_wakes_what_waits_for_them(repository, outbox):
    service(repository, outbox).person_returned(FM)
    assert outbox.returned == [FM.aad_object_id]


# --- Microsoft Graph: the account team's mail, reaching people another way -----------------

TEAM = ["ats@contoso.com", "ae@contoso.com"]


class RecordingQueue:
    def __init__(self) -> None:
        self.added: list[Message] = []

    async def add(self, messages: list[Message], now: datetime) -> None:
        self.added += messages


class FakeInstaller:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.installed: list[str] = []

    async def install_for(self, aad_object_id: str) -> str:
        if self.refuse:
            raise GraphUnavailable("Forbidden (HTTP 403)")
        self.installed.append(aad_object_id)
        return f"19:{aad_object_id}"


def graph_service(
    repository: InMemoryRequests,
    outbox: RecordingOutbox,
    queue: RecordingQueue,
    installer: FakeInstaller | None = None,
    deadlines: FakeDeadlineStore | None = None,
) -> RequestService:
    return RequestService(
        repository,
        ROSTER,
        KnownTeamsIds(),
        list(REQUEST_KINDS.approval_specs(ROSTER).values()),
        outbox,
        FixedDeliveryLog([]),
        deadlines or FakeDeadlineStore(),
        Timetable(SlaPolicy(), RosterWorkingHours(ROSTER)),
        NobodyAway(),
        clock=lambda: NOW,
        bot_app_id="bot-app-id",
        installer=installer,
        queue=queue,
    )


async def submitted_with_team(requests: RequestService) -> Request:
    answers = ANSWERS | {"account_team": TEAM}
    return await requests.submit(non_standard_delivery.KIND, FM, answers, "key-1")


async def test_an_approval_writes_one_mail_per_account_team_address_with_the_move(
    repository, outbox
):
    requests = graph_service(repository, outbox, RecordingQueue())
    await submitted_with_team(requests)

    await requests.move("NSD-0001", LIAISON, Move.APPROVE)

    mails = [m for m in repository.transactions[-1].messages if m.kind is MessageKind.MAIL]
    assert [m.recipient.email for m in mails] == TEAM
    assert [m.dedupe_key for m in mails] == [f"mail:NSD-0001:{a}" for a in TEAM]
    assert len({m.recipient.aad_object_id for m in mails}) == 2  # a lane each


@pytest.mark.parametrize(("move", "comment"), [(Move.DECLINE, "No"), (Move.CANCEL, "")])
async def test_a_declined_or_cancelled_request_writes_no_mail(repository, outbox, move, comment):
    requests = graph_service(repository, outbox, RecordingQueue())
    await submitted_with_team(requests)

    actor = FM if move is Move.CANCEL else LIAISON
    await requests.move("NSD-0001", actor, move, comment=comment)

    assert all(m.kind is not MessageKind.MAIL for m in repository.transactions[-1].messages)


async def test_the_mail_is_rendered_at_delivery_with_its_outbox_id(repository, outbox):
    requests = graph_service(repository, outbox, RecordingQueue())
    await submitted_with_team(requests)
    await requests.move("NSD-0001", LIAISON, Move.APPROVE)
    mail = next(m for m in repository.transactions[-1].messages if m.kind is MessageKind.MAIL)

    composed = await requests.compose(claimed(mail))

    assert composed is not None
    assert composed.mail is not None
    assert composed.mail.to == ("ats@contoso.com",)
    assert composed.mail.outbox_id == "1"
    assert composed.mail.subject == "Approved: Non-standard delivery NSD-0001 for Contoso"
    assert "approved by Adele Vance" in composed.mail.html_body
    assert "users=28:bot-app-id" in composed.mail.html_body


async def test_a_card_for_someone_who_never_opened_the_bot_installs_it_for_them(repository, outbox):
    installer, queue = FakeInstaller(), RecordingQueue()
    requests = graph_service(repository, outbox, queue, installer)
    await submitted_with_team(requests)
    (card,) = repository.transactions[-1].messages

    await requests.undelivered(claimed(card), NoChat())

    assert installer.installed == [LIAISON.aad_object_id]
    assert queue.added == []


@pytest.mark.parametrize("installer", [None, FakeInstaller(refuse=True)])
async def test_without_installing_the_requester_is_told_the_card_waits(
    repository, outbox, installer
):
    queue = RecordingQueue()
    requests = graph_service(repository, outbox, queue, installer)
    await submitted_with_team(requests)
    (card,) = repository.transactions[-1].messages

    await requests.undelivered(claimed(card), NoChat())

    (notice,) = queue.added
    assert notice.kind is MessageKind.TEXT
    assert notice.recipient == FM
    assert notice.text.startswith("Adele Vance has not opened the FastTrack bot in Teams yet")
    assert outbox.wakes == 2  # the submission, then the notice


async def test_someone_teams_will_not_reach_gets_the_message_by_mail(repository, outbox):
    queue = RecordingQueue()
    requests = graph_service(repository, outbox, queue)
    await submitted_with_team(requests)
    (card,) = repository.transactions[-1].messages

    await requests.undelivered(claimed(card), Unreachable("HTTP 403 ConversationBlockedByUser"))

    (mail,) = queue.added
    assert mail.kind is MessageKind.MAIL
    assert mail.recipient.email == LIAISON.email
    assert "NSD-0001 for Contoso waits on your decision" in mail.text
    composed = await requests.compose(claimed(mail))
    assert composed is not None
    assert composed.mail is not None
    assert composed.mail.to == (LIAISON.email,)
    assert "waits on your decision" in composed.mail.html_body


@pytest.mark.parametrize("still_owed", [True, False])
async def test_a_reminder_teams_will_not_take_goes_by_mail_while_still_owed(
    repository, outbox, still_owed
):
    queue, store = RecordingQueue(), FakeDeadlineStore()
    requests = graph_service(repository, outbox, queue, deadlines=store)
    await submitted_with_team(requests)
    (decision,) = repository.transactions[-1].deadlines
    if still_owed:
        store.add(decision)
    reminder = Reminder(
        decision.step_key,
        "NSD-0001",
        DeadlineKind.LIAISON_DECISION,
        Reason.DUE,
        LIAISON,
        LIAISON,
        decision.due_at,
    )

    await requests.undelivered(
        claimed(reminder_message(reminder)), Unreachable("HTTP 403 ConversationBlockedByUser")
    )

    if not still_owed:  # decided meanwhile: nothing to remind of
        assert queue.added == []
        return
    (mail,) = queue.added
    assert mail.kind is MessageKind.MAIL
    assert mail.recipient.email == LIAISON.email
    assert mail.text.startswith(
        "⏰ Your decision on NSD-0001 (Non-standard delivery, Contoso) is due"
    )
    composed = await requests.compose(claimed(mail))
    assert composed is not None
    assert composed.mail is not None
    assert "Your decision on NSD-0001" in composed.mail.html_body


async def test_an_answer_recorded_on_an_approved_request_tells_and_mails_nobody_again(
    repository, outbox
):
    requests = graph_service(repository, outbox, RecordingQueue())
    await submitted_with_team(requests)
    await requests.move("NSD-0001", LIAISON, Move.APPROVE)

    result = await requests.move("NSD-0001", FM, Move.RECORD_PARTNER_CONTACT, comment="Not yet")

    assert result.moved
    assert repository.transactions[-1].messages == []
