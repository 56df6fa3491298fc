"""The registry of request kinds drives the menu, the commands, `help` and the manifest: a kind
registered in a test registry shows up in each, over HTTP to the real app."""

from dataclasses import replace

import pytest

from app import REQUEST_KINDS
from cards.elements import adaptive_card
from cards.welcome import MenuItem
from dialogs.registry import KindRegistry, VerdictKind
from domain.questionnaire import Question, Step
from tests.fakes import activities
from tests.fakes.connector import FakeBotConnector
from tests.harness import RunningBot, card_of, card_text, make_settings
from tests.schemas import assert_valid_card

TEA = MenuItem("tea order", "Order tea", "Order a pot of tea", ("cuppa", "brew"))
TEA_KIND = VerdictKind(
    TEA,
    "tea_order",
    lambda: [Step("tea", "Tea", (Question("blend", "Blend", "Which blend would you like?"),))],
    lambda answers: adaptive_card(
        [{"type": "TextBlock", "text": f"One pot of {answers['blend']}.", "wrap": True}]
    ),
)
WITH_TEA = KindRegistry([*REQUEST_KINDS.kinds, TEA_KIND])


@pytest.fixture
async def connector():
    async with FakeBotConnector() as fake:
        yield fake


@pytest.fixture
async def bot(tmp_path, connector):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    async with RunningBot(settings, connector, kinds=WITH_TEA) as running:
        await running.say(activities.members_added(service_url=connector.service_url))
        yield running


async def say(bot, connector, text=None, value=None):
    message = activities.message(text or "", service_url=connector.service_url)
    if value is not None:
        message["value"] = value
    return await bot.say(message)


async def test_help_shows_a_registered_kind_as_a_button_and_a_command(bot, connector):
    (reply,) = await say(bot, connector, "help")
    card = card_of(reply)
    assert_valid_card(card)
    requests_row = next(e["actions"] for e in card["body"] if e["type"] == "ActionSet")
    assert [a["title"] for a in requests_row] == [item.title for item in WITH_TEA.menu_items]
    assert requests_row[-1]["data"] == {"command": "tea order"}
    assert "Order a pot of tea" in card_text(card)


@pytest.mark.parametrize("said", ["tea order", "Cuppa", "I'd like a brew"])
async def test_a_registered_kind_starts_by_its_name_and_synonyms(bot, connector, said):
    (reply,) = await say(bot, connector, said)
    assert "Which blend would you like?" in reply["text"]


async def test_a_registered_verdict_kind_ends_in_its_verdict_card(bot, connector):
    await say(bot, connector, "tea order")
    (verdict,) = await say(bot, connector, "Earl Grey")
    card = card_of(verdict)
    assert_valid_card(card)
    assert card_text(card) == "One pot of Earl Grey."


async def test_the_menu_button_of_a_registered_kind_starts_it(bot, connector):
    (reply,) = await say(bot, connector, value={"command": "tea order"})
    assert "Which blend would you like?" in reply["text"]


async def test_a_typo_of_a_registered_kind_is_offered_in_did_you_mean(bot, connector):
    (reply,) = await say(bot, connector, "tea ordre")
    card = card_of(reply)
    assert "Did you mean" in card_text(card)
    assert {"command": "tea order"} in [a["data"] for a in card["actions"]]


def test_the_manifest_command_list_comes_from_the_registry() -> None:
    (personal, team, group_chat) = WITH_TEA.manifest_command_lists()
    titles = [command["title"] for command in personal["commands"]]
    assert titles == [
        "help",
        *(item.command for item in REQUEST_KINDS.menu_items),
        "tea order",
        "my requests",
        "my approvals",
        "cancel",
    ]
    assert {"title": "tea order", "description": "Order a pot of tea"} in personal["commands"]
    assert team["commands"] == group_chat["commands"]
    assert [command["title"] for command in team["commands"]] == ["help", "my requests"]


@pytest.mark.parametrize(
    "clash",
    [
        MenuItem("nsd tea", "Tea", "Tea", ("nsd",)),  # another kind's synonym
        MenuItem("my requests", "Tea", "Tea"),  # a command's name
        MenuItem("tea", "Tea", "Tea", ("cancel",)),  # leaving a conversation
    ],
)
def test_a_kind_whose_name_is_taken_is_refused(clash: MenuItem) -> None:
    with pytest.raises(ValueError, match="share the names"):
        KindRegistry([*REQUEST_KINDS.kinds, replace(TEA_KIND, menu_item=clash)])


def test_more_kinds_than_teams_shows_buttons_are_refused() -> None:
    extra = [replace(TEA_KIND, menu_item=MenuItem(f"tea {n}", "Tea", "Tea")) for n in range(2)]
    with pytest.raises(ValueError, match="Teams shows 6 buttons"):
        KindRegistry([*REQUEST_KINDS.kinds, *extra])
