"""The Teams activity handler: turns activities into calls on the main dialog and services."""

from __future__ import annotations

from http import HTTPStatus

from botbuilder.core import (
    ActivityHandler,
    ConversationState,
    InvokeResponse,
    TurnContext,
)
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
)

from bot.adapter import within_reply_time_of
from bot.card_activity import card_activity, card_invoke_response
from bot.messenger import TeamsMessenger
from bot.references import conversation_record, conversation_type
from cards import actions as card_actions
from cards.actions import (
    AcceptFta,
    AnswerPartnerContact,
    CardAction,
    HandBackFta,
    InvalidCardAction,
    Refresh,
    Snooze,
)
from cards.approval import notice_card
from cards.my_requests import my_requests_card
from cards.reminders import partner_contact_reply, snoozed_text
from cards.step_form import FORM_VERB
from dialogs.fta_commands import FtaCommands
from dialogs.main_dialog import HELP_WORDS, MainDialog, normalise_command
from dialogs.request_commands import person_of, send_card
from domain.deadlines import SnoozeError
from domain.roster import Person
from persistence.conversation_references import PERSONAL
from services.conversations import Contact, ConversationDirectory
from services.deadlines import DeadlineService
from services.fta import FtaService
from services.requests import RequestService

FIRST_CONTACT = "fasttrack.first_contact"
CARD_ACTION = "adaptiveCard/action"
UNIDENTIFIED = (
    "I can't tell who you are: Teams did not say which work account you use, so I can't do "
    "anything for you. Sign in to Teams with your work account and try again."
)


class FastTrackBot(ActivityHandler):
    def __init__(
        self,
        conversation_state: ConversationState,
        main_dialog: MainDialog,
        directory: ConversationDirectory,
        messenger: TeamsMessenger,
        requests: RequestService,
        outcomes: dict,
        deadlines: DeadlineService,
        fta: FtaService,
        fta_commands: FtaCommands,
    ) -> None:
        self._fta = fta
        self._fta_commands = fta_commands
        self._conversation_state = conversation_state
        self._main_dialog = main_dialog
        self._directory = directory
        self._messenger = messenger
        self._requests = requests
        self._outcomes = outcomes
        self._deadlines = deadlines

    async def on_turn(self, turn_context: TurnContext) -> None:
        sender = turn_context.activity.from_property
        if sender is None or not sender.aad_object_id:
            await self._answer_unidentified(turn_context)
            return
        record = conversation_record(turn_context.activity)
        contact = await self._directory.remember(record) if record else Contact.KNOWN
        turn_context.turn_state[FIRST_CONTACT] = contact is Contact.FIRST
        await super().on_turn(turn_context)
        await self._conversation_state.save_changes(turn_context)
        if (
            contact is not Contact.KNOWN
            and record is not None
            and record.conversation_type == PERSONAL
            and record.aad_object_id
        ):
            # What waited for this person (approvals, notices that could not reach them)
            # arrives now.
            self._requests.person_returned(person_of(turn_context.activity.from_property))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if _is_card_submit(activity.value):
            await self._on_card_submit(turn_context)
            return
        if conversation_type(activity) == PERSONAL:
            button = _menu_command(activity.value)
            text = button or activity.text
            if turn_context.turn_state.get(FIRST_CONTACT):
                await self._main_dialog.send_welcome(
                    turn_context, _first_name(activity.from_property)
                )
                if normalise_command(text) in HELP_WORDS | {""}:
                    return
            await self._main_dialog.on_message(
                turn_context, text, activity.value if button else None
            )
            return

        # In a channel or group chat, react only when @mentioned.
        text = _text_without_bot_mention(activity)
        if text is None:
            return
        if normalise_command(text) in HELP_WORDS | {""}:
            await self._main_dialog.send_welcome(turn_context)
            return
        if self._main_dialog.recognise(text) is not None:
            # Conversations and commands alike: what they show is the person's own.
            await self._continue_in_personal_chat(turn_context, text)
            return
        await self._main_dialog.send_welcome(turn_context)

    async def _continue_in_personal_chat(self, turn_context: TurnContext, text: str) -> None:
        """Requests are raised in a personal chat, so the answers stay between the person and
        the bot: start the conversation there and say so where it was asked for."""

        async def start(personal_turn: TurnContext) -> None:
            within_reply_time_of(turn_context, personal_turn)
            await self._main_dialog.on_message(personal_turn, text)
            await self._conversation_state.save_changes(personal_turn)

        person = person_of(turn_context.activity.from_property)
        if await self._messenger.in_personal_chat(person, start):
            if self._main_dialog.starts_conversation(text):
                said = (
                    f"I have started “{text}” in our personal chat, so your answers stay "
                    "between us. Carry on there."
                )
            else:
                said = (
                    f"I have answered “{text}” in our personal chat: what is yours stays "
                    "between us."
                )
            await turn_context.send_activity(said)
        else:
            await turn_context.send_activity(
                "Requests are raised in a personal chat, so your answers stay between us. I "
                "cannot open one with you yet: open a chat with me (the FastTrack Bot app) and "
                f"type “{text}” there."
            )

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            personal = conversation_type(turn_context.activity) == PERSONAL
            name = _first_name(turn_context.activity.from_property) if personal else None
            await self._main_dialog.send_welcome(turn_context, name)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != CARD_ACTION:
            # Nothing else is offered (no sign-in, messaging extensions or task modules).
            return InvokeResponse(status=HTTPStatus.BAD_REQUEST)
        if _is_step_form(activity.value):
            # A conversation step's form: its inputs are read and checked by the dialog.
            return card_invoke_response(await self._main_dialog.on_form(turn_context))
        try:
            action = card_actions.from_invoke(activity.value)
        except InvalidCardAction as error:
            return card_invoke_response(_unreadable(error))
        return card_invoke_response(
            await self._card_action(person_of(activity.from_property), action)
        )

    # --- card actions -------------------------------------------------------------------------

    async def _card_action(self, actor: Person, action: CardAction) -> dict:
        if isinstance(action, AcceptFta):
            return await self._fta.accept(action.request_id, actor, action.version)
        if isinstance(action, HandBackFta):
            return await self._fta.hand_back(
                action.request_id, actor, action.version, action.reason
            )
        if isinstance(action, Snooze):
            # From the liaison's reminder of an FTA assignment.
            snoozed = await self._fta_commands.snooze(action.request_id, actor, action.until)
            if snoozed is not None:
                return snoozed
        if isinstance(action, Refresh):
            # Teams showing an FTA request's card to its FTA.
            refreshed = await self._fta.refreshed(action.request_id, actor)
            if refreshed is not None:
                return refreshed
        request = await self._requests.readable(action.request_id, actor)
        if request is None:
            # The same words whether it does not exist or is not theirs: ids are sequential.
            return notice_card(f"There is no request {action.request_id} that you can see.")
        if isinstance(action, Refresh):
            return await self._requests.card_for(request, actor)
        if isinstance(action, Snooze):
            try:
                await self._deadlines.snooze(request, actor, action.until)
            except SnoozeError as refusal:
                return await self._requests.card_for(request, actor, str(refusal))
            return await self._requests.card_for(
                request, actor, snoozed_text(request.id, action.until)
            )
        if isinstance(action, AnswerPartnerContact):
            answered = await self._requests.answer_partner_contact(request.id, actor, action.answer)
            if not answered.moved:
                return answered.card
            return await self._requests.card_for(
                answered.request, actor, partner_contact_reply(action.answer)
            )
        result = await self._requests.move(
            action.request_id,
            actor,
            action.move,
            comment=action.text,
            card_version=action.version,
        )
        if action.from_list:
            mine = await self._requests.my_requests(actor)
            deliveries = await self._requests.deliveries(mine)
            due = await self._deadlines.next_deadline_texts(mine, actor)
            return my_requests_card(
                mine,
                self._outcomes,
                deliveries,
                reader_id=actor.aad_object_id,
                decisions=await self._requests.decisions(mine),
                notice=result.notice,
                deadlines=due,
                more=await self._fta_commands.my_requests(actor),
            )
        return result.card

    async def _on_card_submit(self, turn_context: TurnContext) -> None:
        """Action.Submit fallback (clients without Universal Actions): same rules, then the
        clicked card is replaced like an invoke response would."""
        activity = turn_context.activity
        try:
            action = card_actions.from_submit(activity.value)
        except InvalidCardAction as error:
            card = _unreadable(error)
        else:
            card = await self._card_action(person_of(activity.from_property), action)
        if activity.reply_to_id:
            updated = card_activity(card)
            updated.id = activity.reply_to_id
            await turn_context.update_activity(updated)
        else:
            await send_card(turn_context, card)

    async def _answer_unidentified(self, turn_context: TurnContext) -> None:
        """A sender without an Entra object id cannot be told apart from others like them:
        they are told so, and nothing is read, remembered or changed."""
        activity = turn_context.activity
        if activity.type == ActivityTypes.message:
            await turn_context.send_activity(UNIDENTIFIED)
        elif activity.type == ActivityTypes.invoke:
            response = (
                card_invoke_response(notice_card(UNIDENTIFIED))
                if activity.name == CARD_ACTION
                else InvokeResponse(status=HTTPStatus.BAD_REQUEST)
            )
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=response)
            )


def _unreadable(error: InvalidCardAction) -> dict:
    return notice_card(f"I could not read that card action: {error}")


def _menu_command(value: object) -> str | None:
    """A welcome-card button: Action.Submit with {"command": ...}."""
    if isinstance(value, dict) and isinstance(value.get("command"), str):
        return value["command"]
    return None


def _is_step_form(value: object) -> bool:
    action = value.get("action") if isinstance(value, dict) else None
    return isinstance(action, dict) and action.get("verb") == FORM_VERB


def _is_card_submit(value: object) -> bool:
    return isinstance(value, dict) and "verb" in value and "requestId" in value


def _first_name(account: ChannelAccount | None) -> str | None:
    if account and account.name:
        return account.name.split()[0]
    return None


def _text_without_bot_mention(activity: Activity) -> str | None:
    """The text with the bot's @mention removed, or None when the bot was not mentioned."""
    bot_id = activity.recipient.id if activity.recipient else None
    text = activity.text or ""
    mentioned = False
    for entity in activity.entities or []:
        if (entity.type or "").lower() != "mention":
            continue
        # Free-form JSON as sent: only a well-formed mention of the bot counts.
        properties = entity.additional_properties or {}
        whom, mention_text = properties.get("mentioned"), properties.get("text")
        if isinstance(whom, dict) and whom.get("id") == bot_id:
            mentioned = True
            if isinstance(mention_text, str):
                text = text.replace(mention_text, "")
    return text.strip() if mentioned else None
