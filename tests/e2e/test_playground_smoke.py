"""End to end: the real Microsoft 365 Agents Playground, in Debian's Chromium, chats with the real
bot (``python app.py``). The fixtures (bot, browser, Playground, artifacts on failure) are in
``conftest.py``."""

from __future__ import annotations

import pytest
import yaml

from tests.e2e.conftest import ChatAs
from tests.e2e.playground import (
    ADELE_LIAISON,
    ALEX_FM,
    DIEGO_BACKUP,
    LYNNE_DIRECTOR,
    REPO_ROOT,
    MockUser,
    PlaygroundPage,
    playground_config_yaml,
)

# The welcome card's title (cards/welcome.py), with or without "Hi <first name>, " before it.
WELCOME_TEXT = "I'm the FastTrack Bot"


def _welcome_cards(chat: PlaygroundPage) -> int:
    return len([card for card in chat.card_texts() if WELCOME_TEXT in card])


@pytest.mark.parametrize(
    ("path", "person"),
    [
        (".m365agentsplayground.yml", ALEX_FM),
        ("playground/liaison.yml", ADELE_LIAISON),
        ("playground/backup.yml", DIEGO_BACKUP),
        ("playground/director.yml", LYNNE_DIRECTOR),
    ],
)
def test_committed_playground_configs_are_what_the_harness_writes(
    path: str, person: MockUser
) -> None:
    """The configs people start the Playground with (package.json) match the harness's."""
    assert (REPO_ROOT / path).read_text(encoding="utf-8") == playground_config_yaml(person)


def test_each_playground_config_has_its_own_personal_chat() -> None:
    chats = [
        yaml.safe_load((REPO_ROOT / path).read_text(encoding="utf-8"))["personalChat"]["id"]
        for path in (
            ".m365agentsplayground.yml",
            "playground/liaison.yml",
            "playground/backup.yml",
            "playground/director.yml",
        )
    ]
    assert len(set(chats)) == 4, chats


@pytest.mark.e2e
def test_welcome_card_at_start(chat: PlaygroundPage) -> None:
    message = chat.wait_for_text(WELCOME_TEXT, timeout=20)
    assert message.cards, "the welcome arrives as an Adaptive Card"
    assert any(WELCOME_TEXT in card for card in chat.card_texts())


@pytest.mark.e2e
def test_help_shows_the_welcome_card_again(chat: PlaygroundPage) -> None:
    chat.wait_for_text(WELCOME_TEXT, timeout=20)
    shown = _welcome_cards(chat)
    chat.send("help")
    again = chat.wait_for_text(WELCOME_TEXT)  # only messages after "help"
    assert again.cards
    assert _welcome_cards(chat) == shown + 1


@pytest.mark.e2e
def test_the_welcome_cards_help_button_shows_it_again(chat: PlaygroundPage) -> None:
    """The menu buttons (Action.Submit {"command": ...}) reach the bot from the Playground."""
    chat.wait_for_text(WELCOME_TEXT, timeout=20)
    shown = _welcome_cards(chat)
    assert chat.click_card_button("Help") == 200
    again = chat.wait_for_text(WELCOME_TEXT)  # only messages after the click
    assert again.cards
    assert _welcome_cards(chat) == shown + 1


@pytest.mark.e2e
def test_cancel_gets_a_reply(chat: PlaygroundPage) -> None:
    chat.wait_for_text(WELCOME_TEXT, timeout=20)
    chat.send("cancel")
    reply = chat.wait_for_reply()
    assert "nothing to cancel" in reply.text.lower()


@pytest.mark.e2e
def test_restart_as_the_liaison(bot_server, chat_as: ChatAs) -> None:
    """The pattern for multi-user flows: one Playground as the FM, stopped, then one as the
    liaison on the same port (so the serviceUrl the bot stored still points at a Playground)."""
    with chat_as(bot_server, ALEX_FM) as (first, page):
        assert page.current_user_name() == ALEX_FM.name
        page.wait_for_text(WELCOME_TEXT, timeout=20)

    with chat_as(bot_server, ADELE_LIAISON, port=first.port) as (second, page):
        assert second.port == first.port
        assert page.current_user_name() == ADELE_LIAISON.name
        page.wait_for_text(WELCOME_TEXT, timeout=20)
        page.send("help")
        page.wait_for_text(WELCOME_TEXT)
