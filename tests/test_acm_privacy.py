"""Customer contact data in an ACM referral: never in the logs, and never stored without the
customer's consent."""

import json
import logging

import pytest
from sqlalchemy import text

from app import ENGINE
from dialogs.wording import CONSENT_REFUSED
from tests.harness import FM, LIAISON, Chat
from tests.test_acm_protocol import ANSWERS, CONTACT, refer

SECRETS = [*list(CONTACT.values()), "425 555 0100", "4255550100", "pat.doe", "Pat Doe"]


class _Everything(logging.Handler):
    """Keeps every record, formatted with its traceback and its raw arguments."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))
        self.lines.append(repr(record.__dict__.get("extra")))


@pytest.fixture
def every_log_line():
    """Everything logged anywhere, with the root logger at DEBUG (as LOG_LEVEL=DEBUG sets it)."""
    handler = _Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_full_referral_logs_none_of_the_contact_fields(bot, every_log_line):
    fm, liaison = Chat(bot, FM), Chat(bot, LIAISON)
    await liaison.open()
    await fm.open()
    # A bad email first: the re-prompt quotes it back to the FM, and must not reach the logs.
    await fm.say("acm referral")
    for answer in ANSWERS[:8]:
        await fm.say(answer)
    await fm.say("pat.doe at contoso")
    await fm.say("cancel")
    request_id = await refer(fm)

    await liaison.click(await liaison.latest_card(2), "ask_more_info", comment="Which sites?")
    question = await fm.wait_for_card("asks:")
    await fm.click(question, "answer_more_info", comment="All of them")
    card = await liaison.wait_for_card("All of them")
    await liaison.click(card, "approve")
    await fm.wait_for_text(f"{request_id} for Contoso was approved")
    await fm.say("my requests")
    await liaison.say("my approvals")

    logged = "\n".join(every_log_line)
    assert request_id in logged  # the log is captured at all
    leaked = [secret for secret in SECRETS if secret.lower() in logged.lower()]
    assert leaked == []


async def state_and_requests(bot) -> str:
    async with bot.app[ENGINE].connect() as connection:
        states = (await connection.execute(text("SELECT document FROM state_documents"))).all()
        requests = (await connection.execute(text("SELECT answers FROM requests"))).all()
    return json.dumps([str(row[0]) for row in states + requests])


async def test_consent_refused_stores_nothing_about_the_customer(bot):
    fm = Chat(bot, FM)
    await fm.open()
    await fm.say("acm referral")
    for answer in ANSWERS[:6]:
        await fm.say(answer)
    (refused,) = await fm.say("no")
    assert refused["text"] == CONSENT_REFUSED
    stored = await state_and_requests(bot)
    assert "Contoso" not in stored
    assert "ats@contoso.com" not in stored
    (reply,) = await fm.say("my requests")
    assert reply["text"] == "You have not raised any requests yet."


async def test_consent_withdrawn_at_the_summary_drops_the_contact(bot):
    fm = Chat(bot, FM)
    await fm.open()
    await fm.say("acm referral")
    for answer in ANSWERS:
        await fm.say(answer)
    assert CONTACT["contact_email"] in await state_and_requests(bot)  # held, with consent
    await fm.say(value={"summary": "change", "question": "consent"})
    (refused,) = await fm.say("no")
    assert refused["text"] == CONSENT_REFUSED
    stored = await state_and_requests(bot)
    assert not any(secret in stored for secret in SECRETS)
