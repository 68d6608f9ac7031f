"""Inline keyboards and their short callback codes (Telegram allows 64 bytes of data).

Codes: `f:<fact_id>` shows a fact (`d:<fact_id>` too, chosen from "did you mean"),
`t:<topic_id>` lists a topic's questions and `m:<menu>` opens a menu (topics, llamacon,
source, subscribe). An id too long for 64 bytes is sent as `#` plus a hash and looked up
again when the button is tapped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.answer import Choice
from bot.core.knowledge import Knowledge
from bot.tg import texts

MAX_CALLBACK_BYTES = 64
MAX_LABEL = 60  # longer button labels are cut; Telegram shows about this much anyway


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


def topics_keyboard(knowledge: Knowledge) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label(t.title), callback_data=encode("t", t.id))]
        for t in knowledge.topics
        if knowledge.facts_in_topic(t.id)
    ]
    return InlineKeyboardMarkup(rows)


def topic_questions_keyboard(topic_id: str, knowledge: Knowledge) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label(f.canonical_question), callback_data=encode("f", f.id))]
        for f in knowledge.facts_in_topic(topic_id)
    ]
    rows.append([InlineKeyboardButton(texts.BACK, callback_data="m:back")])
    return InlineKeyboardMarkup(rows)


def start_keyboard(knowledge: Knowledge, samples: Iterable[str]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label(knowledge.facts[f].canonical_question),
                              callback_data=encode("f", f))]
        for f in samples
        if f in knowledge.facts
    ]
    rows.append([
        InlineKeyboardButton(texts.BUTTON_TOPICS, callback_data="m:topics"),
        InlineKeyboardButton(texts.BUTTON_LLAMACON, callback_data="m:llamacon"),
    ])
    rows.append([
        InlineKeyboardButton(texts.BUTTON_SOURCE, callback_data="m:source"),
        InlineKeyboardButton(texts.BUTTON_SUBSCRIBE, callback_data="m:subscribe"),
    ])
    return InlineKeyboardMarkup(rows)
