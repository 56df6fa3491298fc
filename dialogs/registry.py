"""The one registry of request kinds.

The menu (the welcome card's buttons, which is `help`), the commands with their synonyms and
"Did you mean", and the Teams manifest's command list (written by
scripts/build_app_package.py) all come from it. A kind is one module in dialogs/ (its menu
entry and wording, naming its domain module's questions, rules and workflow) and one line in
app.py's REQUEST_KINDS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from botbuilder.dialogs import Dialog

from cards.welcome import MAX_BUTTONS, MenuItem
from dialogs.main_dialog import CANCEL_ITEM, HELP_ITEM, Conversation, normalise_command
from dialogs.questionnaire_dialog import QuestionnaireDialog
from dialogs.request_commands import YOUR_ITEMS, approval_conversation
from domain.questionnaire import Step
from domain.roster import Roster
from services.fta import FtaService
from services.people import Addresses
from services.requests import RequestKindSpec, RequestService

# Teams shows at most ten commands in a command list (the manifest schema's maxItems).
MAX_MANIFEST_COMMANDS = 10
# Where the bot answers only by continuing in a personal chat, the manifest offers these.
SHARED_SCOPE_ITEMS = (HELP_ITEM, YOUR_ITEMS[0])


@dataclass(frozen=True)
class KindServices:
    """What the kinds' conversations act through, once the app has built it."""

    roster: Roster
    requests: RequestService
    # Each approval kind's spec, by its menu command (as `approval_specs` made them).
    approval_specs: Mapping[str, RequestKindSpec]
    fta: FtaService
    addresses: Addresses


@dataclass(frozen=True)
class ApprovalKind:
    """A kind approved by the area liaison, and by the regional director when flagged
    (domain/requests.py's life cycle, run by services/requests.py)."""

    menu_item: MenuItem
    spec: Callable[[Roster], RequestKindSpec]
    confirmation: str  # said after the request id on submission


@dataclass(frozen=True)
class ConversationKind:
    """A kind with a service of its own, which its conversation submits to: an FTA request,
    assigned to an FTA who accepts or hands it back (domain/fta_assignment.py)."""

    menu_item: MenuItem
    dialog: Callable[[KindServices], Dialog]


@dataclass(frozen=True)
class VerdictKind:
    """A check that ends in a verdict card: nothing is submitted, stored or approved."""

    menu_item: MenuItem
    name: str  # of its conversation, in the dialog state
    steps: Callable[[], list[Step]]
    verdict: Callable[[dict], dict]  # the answers -> the verdict card


KindEntry = ApprovalKind | ConversationKind | VerdictKind


def verdict_dialog(kind: VerdictKind) -> Dialog:
    """A verdict kind's conversation: its questions, then its verdict card."""
    return QuestionnaireDialog(
        kind.name, kind.menu_item.title, kind.steps(), submit=None, conclude=kind.verdict
    )


def _dialog(kind: KindEntry, services: KindServices) -> Dialog:
    if isinstance(kind, ApprovalKind):
        spec = services.approval_specs[kind.menu_item.command]
        return approval_conversation(services.requests, spec, kind.confirmation, services.addresses)
    if isinstance(kind, VerdictKind):
        return verdict_dialog(kind)
    return kind.dialog(services)


class KindRegistry:
    def __init__(self, kinds: Sequence[KindEntry]) -> None:
        """Refuses kinds that would clash or not fit: a name (command or synonym) used twice,
        more buttons than Teams shows in a row, more commands than a manifest lists."""
        self.kinds = tuple(kinds)
        names = [
            normalise_command(name)
            for item in (*self.menu_items, *YOUR_ITEMS, HELP_ITEM, CANCEL_ITEM)
            for name in (item.command, *item.aliases)
        ]
        clashes = sorted({name for name in names if names.count(name) > 1})
        if clashes:
            raise ValueError(f"request kinds share the names {', '.join(clashes)}")
        if len(self.kinds) > MAX_BUTTONS:
            raise ValueError(f"{len(self.kinds)} request kinds: Teams shows {MAX_BUTTONS} buttons")
        if len(self.personal_items) > MAX_MANIFEST_COMMANDS:
            raise ValueError(
                f"{len(self.personal_items)} commands: a manifest lists {MAX_MANIFEST_COMMANDS}"
            )

    @property
    def menu_items(self) -> list[MenuItem]:
        return [kind.menu_item for kind in self.kinds]

    @property
    def personal_items(self) -> list[MenuItem]:
        """Every command, in the order of the manifest's personal command list."""
        return [HELP_ITEM, *self.menu_items, *YOUR_ITEMS, CANCEL_ITEM]

    def approval_specs(self, roster: Roster) -> dict[str, RequestKindSpec]:
        """What the request service needs of each approval kind, by its menu command."""
        return {
            kind.menu_item.command: kind.spec(roster)
            for kind in self.kinds
            if isinstance(kind, ApprovalKind)
        }

    def conversations(self, services: KindServices) -> list[Conversation]:
        """Each kind's conversation, in menu order."""
        return [Conversation(kind.menu_item, _dialog(kind, services)) for kind in self.kinds]

    def manifest_command_lists(self) -> list[dict]:
        """The Teams manifest's `commandLists`: every command in the personal chat; `help`
        and `my requests` in teams and group chats."""

        def commands(items: Sequence[MenuItem]) -> list[dict]:
            return [{"title": item.command, "description": item.description} for item in items]

        return [
            {"scopes": ["personal"], "commands": commands(self.personal_items)},
            {"scopes": ["team"], "commands": commands(SHARED_SCOPE_ITEMS)},
            {"scopes": ["groupChat"], "commands": commands(SHARED_SCOPE_ITEMS)},
        ]
