"""Inline keyboards and their short callback codes (Telegram allows 64 bytes of data).

Codes: `f:<fact_id>` shows a fact (`d:<fact_id>` too, chosen from "did you mean"),
`t:<topic_id>` lists a topic's questions and `m:<menu>` opens a menu (topics, source,
subscribe, and the events under bot.yaml's event command: `m:llamacon`); `v:up`, `v:down`
and `v:why:<reason>:<voter>` vote on the answer they are under (the reason chips name who
voted 👎: in a group everyone sees them). An id too long for 64 bytes is
sent as `#` plus a hash and looked up again when the button is tapped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.answer import Choice
from bot.core.bot_texts import EventCommand
from bot.core.knowledge import Knowledge
from bot.tg import texts

MAX_CALLBACK_BYTES = 64
MAX_LABEL = 60  # longer button labels are cut; Telegram shows about this much anyway
MAX_BUTTONS = 100  # in one inline keyboard: Telegram refuses more ("reply markup is too long")


def encode(prefix: str, ident: str) -> str:
    data = f"{prefix}:{ident}"
    if len(data.encode()) <= MAX_CALLBACK_BYTES:
        return data
    return f"{prefix}:#{hashlib.sha256(ident.encode()).hexdigest()[:20]}"


def decode(data: str, candidates: Iterable[str]) -> tuple[str, str | None]:
    """Split callback data into (prefix, id); hashed ids are resolved among `candidates`."""
    prefix, _, ident = data.partition(":")
    if ident.startswith("#"):
        for candidate in candidates:
            if encode(prefix, candidate) == data:
                return prefix, candidate
        return prefix, None
    return prefix, ident or None


def label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def fact_buttons(choices: Iterable[Choice], prefix: str = "f") -> InlineKeyboardMarkup | None:
    """One button per fact; `prefix` "d" marks "did you mean" choices (logged as evidence)."""
    rows = [
        [InlineKeyboardButton(label(c.label), callback_data=encode(prefix, c.fact_id))]
        for c in choices
    ]
    return InlineKeyboardMarkup(rows) if rows else None


# The votes under every fact answer, and the reasons a 👎 offers in their place.
VOTE_UP = "v:up"
VOTE_DOWN = "v:down"
WHY = "v:why:"  # + one of bot.storage.records.VOTE_REASONS


def vote_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton("👍", callback_data=VOTE_UP),
            InlineKeyboardButton("👎", callback_data=VOTE_DOWN)]


def reason_row(voter: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text, callback_data=f"{WHY}{reason}:{voter}")
            for reason, text in texts.VOTE_REASONS.items()]


def reason_of(data: str) -> tuple[str, int | None] | None:
    """A reason chip's reason and voter (None on chips sent before they named one)."""
    if not data.startswith(WHY):
        return None
    reason, _, voter = data.removeprefix(WHY).partition(":")
    if not voter:
        return reason, None
    return (reason, int(voter)) if voter.isascii() and voter.isdigit() else None


def with_votes(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup:
    """`markup` (related questions) with the vote row at the end: one short row."""
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup([*rows, vote_row()])


def votes_replaced(markup: InlineKeyboardMarkup | None,
                   row: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """`markup` with its vote (or reason) row replaced by `row`; the other rows kept."""
    rows = [list(r) for r in markup.inline_keyboard] if markup is not None else []
    kept = [r for r in rows if not any(_is_vote(b) for b in r)]
    return InlineKeyboardMarkup([*kept, row])


def _is_vote(button: InlineKeyboardButton) -> bool:
    return isinstance(button.callback_data, str) and button.callback_data.startswith("v:")


def topics_keyboard(knowledge: Knowledge) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label(t.title), callback_data=encode("t", t.id))]
        for t in knowledge.topics
        if knowledge.facts_in_topic(t.id)
    ]
    return InlineKeyboardMarkup(rows[:MAX_BUTTONS])


def topic_questions_keyboard(topic_id: str, knowledge: Knowledge) -> InlineKeyboardMarkup:
    """A button per fact of the topic, as many as fit with the way back (the others are
    still answered when asked)."""
    rows = [
        [InlineKeyboardButton(label(f.canonical_question), callback_data=encode("f", f.id))]
        for f in knowledge.facts_in_topic(topic_id)[: MAX_BUTTONS - 1]
    ]
    rows.append([InlineKeyboardButton(texts.BACK, callback_data="m:back")])
    return InlineKeyboardMarkup(rows)


def start_keyboard(knowledge: Knowledge, samples: Iterable[str],
                   group_username: str | None = None) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label(knowledge.facts[f].canonical_question),
                              callback_data=encode("f", f))]
        for f in samples
        if f in knowledge.facts
    ]
    topics = InlineKeyboardButton(texts.BUTTON_TOPICS, callback_data="m:topics")
    source = InlineKeyboardButton(texts.BUTTON_SOURCE, callback_data="m:source")
    event = knowledge.bot.event
    if event is None:  # no event of its own: nothing to count down to or subscribe for
        rows.append([topics, source])
    else:
        rows.append([topics, InlineKeyboardButton(event.button, callback_data=events_menu(event))])
        rows.append([source, subscribe_button(knowledge, group_username)])
    return InlineKeyboardMarkup(rows)


def events_menu(event: EventCommand) -> str:
    """The code of the button showing the events: the command's own name, as a menu
    (`m:llamacon`), so buttons sent before a reload keep working while it is unchanged."""
    return f"m:{event.command}"


def subscribe_button(knowledge: Knowledge, group_username: str | None = None
                     ) -> InlineKeyboardButton:
    """The 🔔 button. Only private chats subscribe (a group's members never chose its
    reminders), so in a group (`group_username`: the bot's) it opens the bot's private chat
    at `/start subscribe`, which subscribes there."""
    event = knowledge.bot.event
    label = event.subscribe_button if event is not None else texts.BUTTON_REMINDERS
    if group_username is not None:
        return InlineKeyboardButton(label, url=f"https://t.me/{group_username}?start=subscribe")
    return InlineKeyboardButton(label, callback_data="m:subscribe")


def offers(message: object, data: str) -> bool:
    """Whether `message` (a tapped one, as Telegram sends it) carries a button with `data`."""
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    return any(button.callback_data == data for row in markup.inline_keyboard for button in row)
