"""Seeded fuzzing of the messaging endpoint: whatever arrives gets an answer below 500, no turn
fails, and the bot stays healthy (on SQLite and PostgreSQL: ids and text reach the database).

The cases mix the inputs that once got a 5xx (issue 16) with random variations of them.
"""

import gzip
import json
import logging
import random
from collections.abc import Iterator

from tests.fakes import activities
from tests.harness import FM, LIAISON, STRANGER, card_text
from tests.test_approval_protocol import submitted_to_the_liaison

SEED = 16
RANDOM_CASES = 250
JSON = {"Content-Type": "application/json"}

WEIRD_TEXT = [
    "",
    "\u0000",
    "NSD-0001\u0000",
    "\ud800",
    "\udfff lone low",
    "x\ud83d",
    "\U0001f600",
    "a" * 33,
    "a" * 513,
    "a" * 5000,
    "NSD-0001",
    "NSD-0999",
    "ACM-0001",
    "' OR 1=1 --",
    "%s%n",
    "\u202e\u200b",
]
WEIRD_VALUES = [None, True, False, 0, -1, 2**63, 1.5, "abc", [], [1], {}, {"a": 1}, *WEIRD_TEXT]
VERBS = ["approve", "decline", "ask_more_info", "answer_more_info", "cancel", "record_outcome"]
INVOKE_NAMES = [
    "adaptiveCard/action",
    "signin/tokenExchange",
    "signin/verifyState",
    "composeExtension/query",
    "task/fetch",
    "healthCheck",
    "",
    "x" * 300,
]
ENVELOPE_PATHS = [
    ("from",),
    ("recipient",),
    ("channelId",),
    ("conversation",),
    ("serviceUrl",),
    ("type",),
    ("id",),
    ("replyToId",),
    ("name",),
    ("value",),
    ("text",),
    ("channelData",),
    ("channelData", "tenant"),
    ("from", "id"),
    ("from", "aadObjectId"),
    ("from", "name"),
    ("recipient", "id"),
    ("conversation", "id"),
    ("conversation", "conversationType"),
    ("conversation", "tenantId"),
    ("entities",),
]


def dumps(value: object) -> bytes:
    # Lone surrogates and NUL leave as \u escapes, exactly as an attacker would send them.
    return json.dumps(value).encode()


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def changed(activity: dict, path: tuple[str, ...], value: object, *, remove: bool) -> dict:
    result = json.loads(json.dumps(activity))
    node = result
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if remove:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return result


class Cases:
    """(what the case is, request headers, body) for one bot and its chats."""

    def __init__(self, service_url: str, rng: random.Random) -> None:
        self.service_url = service_url
        self.rng = rng

    def message(self, text: str = "help", sender: dict = FM) -> dict:
        return activities.message(
            text,
            service_url=self.service_url,
            conversation_id=f"a:personal-chat-{sender.get('id', 'x')}",
            sender=sender,
        )

    def invoke(self, verb: object, data: object, sender: dict = STRANGER) -> dict:
        invoke = activities.card_action(
            "x", service_url=self.service_url, conversation_id="a:fuzz-chat"
        )
        invoke["from"] = sender
        invoke["value"]["action"].update(verb=verb, data=data)
        return invoke

    def listed(self) -> Iterator[tuple[str, dict, bytes]]:
        """The inputs issue 16 reported, each once."""
        yield (
            "nested 1000 deep",
            JSON,
            dumps(self.message())[:-1] + b', "value": ' + nested(1000) + b"}",
        )
        yield "nested 100000 deep", JSON, nested(100_000)
        yield "gzip on a plain body", {**JSON, "Content-Encoding": "gzip"}, dumps(self.message())
        for action in ("approve", ["approve"], 7, None):
            invoke = self.invoke("approve", {})
            invoke["value"]["action"] = action
            yield f"action {action!r}", JSON, dumps(invoke)
        for data in ("NSD-0001", ["NSD-0001"], 7):
            yield f"data {data!r}", JSON, dumps(self.invoke("approve", data))
        yield "verb a list", JSON, dumps(self.invoke(["approve"], {"requestId": "NSD-0001"}))
        for text in ("\u0000", "\ud800", "NSD-0001\u0000", "x\udfff"):
            yield f"id {text!r}", JSON, dumps(self.invoke("refresh", {"requestId": text}))
            yield f"text {text!r}", JSON, dumps(self.message(text))
            yield (
                f"user id {text!r}",
                JSON,
                dumps(changed(self.message(), ("from", "id"), text, remove=False)),
            )
        for path in [("conversation", "id"), ("from", "id"), ("recipient", "id"), ("id",)]:
            yield (
                f"{path} too long",
                JSON,
                dumps(changed(self.message(), path, "x" * 600, remove=False)),
            )
        yield (
            "requestId too long",
            JSON,
            dumps(self.invoke("refresh", {"requestId": "NSD-" + "1" * 40})),
        )
        for field in ("from", "recipient", "channelId"):
            invoke = self.invoke("refresh", {"requestId": "NSD-0001"})
            yield (
                f"invoke without {field}",
                JSON,
                dumps(changed(invoke, (field,), None, remove=True)),
            )
        for name in ("signin/tokenExchange", "composeExtension/query", "nonsense"):
            invoke = self.invoke("refresh", {"requestId": "NSD-0001"})
            invoke["name"] = name
            invoke["value"] = {"id": "x", "connectionName": "y", "token": "z"}
            yield f"invoke {name}", JSON, dumps(invoke)
        for version in ("abc", [2], None, True):
            data = {"requestId": "NSD-0001", "version": version}
            yield f"version {version!r}", JSON, dumps(self.invoke("approve", data, sender=LIAISON))

    def random(self) -> tuple[str, dict, bytes]:
        rng = self.rng
        kind = rng.choice(["envelope", "card", "submit", "invoke name", "raw", "text", "mention"])
        if kind == "envelope":
            base = rng.choice([self.message(), self.invoke("refresh", {"requestId": "NSD-0001"})])
            path = rng.choice(ENVELOPE_PATHS)
            value = rng.choice(WEIRD_VALUES)
            remove = rng.random() < 0.3
            return f"{path}={value!r}", JSON, dumps(changed(base, path, value, remove=remove))
        if kind == "card":
            data = {
                "requestId": rng.choice(WEIRD_VALUES + ["NSD-0001"] * 5),
                "version": rng.choice([*WEIRD_VALUES, 1, 2]),
                "comment": rng.choice(WEIRD_VALUES),
                "list": rng.choice([True, False, "yes", None]),
            }
            data = {key: value for key, value in data.items() if rng.random() < 0.8}
            verb = rng.choice([*VERBS, "refresh", "explode", None, ["approve"], 3])
            sender = rng.choice([FM, LIAISON, STRANGER, {"id": "29:nobody", "name": "No One"}])
            return f"card {verb!r} {data!r}", JSON, dumps(self.invoke(verb, data, sender))
        if kind == "submit":
            value = {
                "verb": rng.choice([*VERBS, "refresh", ["x"]]),
                "requestId": rng.choice(WEIRD_VALUES),
            }
            message = self.message(
                rng.choice(["", "hi"]), sender=rng.choice([FM, LIAISON, STRANGER])
            )
            message["value"] = value
            return f"submit {value!r}", JSON, dumps(message)
        if kind == "mention":
            message = activities.channel_message(
                rng.choice(["help", "my requests", ""]), service_url=self.service_url
            )
            mention = message["entities"][0]
            mention[rng.choice(["mentioned", "text", "type"])] = rng.choice(WEIRD_VALUES)
            return f"mention {mention!r}", JSON, dumps(message)
        if kind == "invoke name":
            invoke = self.invoke("refresh", {"requestId": "NSD-0001"})
            invoke["name"] = rng.choice(INVOKE_NAMES + WEIRD_VALUES)
            invoke["value"] = rng.choice(WEIRD_VALUES)
            return f"invoke {invoke['name']!r}", JSON, dumps(invoke)
        if kind == "raw":
            body = rng.choice(
                [
                    rng.randbytes(rng.randint(0, 64)),
                    dumps(self.message())[: rng.randint(0, 200)],
                    nested(rng.randint(30, 3000)),
                    b'"\\ud800"',
                    b"\xef\xbb\xbf{}",
                    b'{"type": "message", "serviceUrl": "' + self.service_url.encode() + b'"}',
                    gzip.compress(dumps(self.message())),
                ]
            )
            headers = rng.choice(
                [JSON, {**JSON, "Content-Encoding": "gzip"}, {"Content-Type": "text/plain"}]
            )
            return f"raw {body[:40]!r} {headers}", headers, body
        text = "".join(
            rng.choice([*WEIRD_TEXT, "my requests", "my approvals", "cancel", " "])
            for _ in range(3)
        )
        sender = rng.choice([FM, LIAISON, STRANGER])
        return f"text {text[:40]!r}", JSON, dumps(self.message(text, sender))


async def test_fuzzed_requests_never_get_a_5xx_and_the_bot_stays_healthy(bot, caplog):
    fm, liaison, card = await submitted_to_the_liaison(bot)
    cases = Cases(bot.connector.service_url, random.Random(SEED))
    all_cases = [*cases.listed(), *(cases.random() for _ in range(RANDOM_CASES))]

    statuses: dict[int, int] = {}
    with caplog.at_level(logging.ERROR):
        for description, headers, body in all_cases:
            async with bot.http.post(
                f"{bot.url}/api/messages", data=body, headers=headers
            ) as response:
                await response.read()
                assert response.status < 500, description[:200]
                statuses[response.status] = statuses.get(response.status, 0) + 1

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert len(all_cases) > 280
    assert {200, 201, 400}.issubset(statuses)  # the fuzz reached the turns, not only the gate
    async with bot.http.get(f"{bot.url}/healthz") as health:
        assert health.status == 200
    (mine,) = await fm.say("my requests")
    assert "NSD-0001" in card_text(mine["attachments"][0]["content"])
    status, response = await liaison.click(card, "approve")
    assert status == 200
    assert "Status: Approved" in card_text(response["value"])
