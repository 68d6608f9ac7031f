"""Screens shared by commands and buttons: each returns HTML and an optional keyboard."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.events import describe_event, upcoming_and_past
from bot.core.knowledge import Knowledge
from bot.tg import keyboards, texts
from bot.tg.render import escape

View = tuple[str, InlineKeyboardMarkup | None]


def start_view(knowledge: Knowledge) -> View:
    topics = "\n".join(f"• {escape(t.title)}" for t in knowledge.topics)
    samples = knowledge.sample_facts(3)
    return texts.GREETING.format(topics=topics), keyboards.start_keyboard(knowledge, samples)


def help_view(username: str) -> View:
    return texts.HELP.format(username=escape(username)), None


def topics_view(knowledge: Knowledge) -> View:
    return texts.TOPICS, keyboards.topics_keyboard(knowledge)


def topic_view(knowledge: Knowledge, topic_id: str) -> View:
    title = escape(knowledge.topic_title(topic_id))
    return (texts.TOPIC_QUESTIONS.format(title=title),
            keyboards.topic_questions_keyboard(topic_id, knowledge))


def events_view(knowledge: Knowledge, now: datetime) -> View:
    ahead, held = upcoming_and_past(knowledge.events, now)
    if not ahead and not held:
        return f"{texts.EVENTS_HEADER}\n{texts.EVENTS_NONE}", None
    lines = [texts.EVENTS_HEADER]
    buttons: list[list[InlineKeyboardButton]] = []
    for event in ahead + held:
        line = "• " + escape(describe_event(event, now))
        if event.url:
            line += f'\n<a href="{html.escape(event.url, quote=True)}">{escape(event.url)}</a>'
        lines.append(line)
        fact = knowledge.facts.get(event.fact_id)
        if fact is not None:
            buttons.append([InlineKeyboardButton(keyboards.label(fact.canonical_question),
                                                 callback_data=keyboards.encode("f", fact.id))])
    buttons.append([InlineKeyboardButton(texts.BUTTON_SUBSCRIBE, callback_data="m:subscribe")])
    return "\n\n".join(lines), InlineKeyboardMarkup(buttons)


def source_view(knowledge: Knowledge) -> View:
    parts = [texts.SOURCE_HEADER]
    for source in knowledge.sources.values():
        cited = sum(1 for f in knowledge.facts.values() if f.citation.source_id == source.id)
        sections = "\n".join(f"• {escape(source.section_title(s))}" for s in source.sections)
        parts.append(f"<b>{escape(source.title)}</b>\n{texts.SOURCE_COVERS}\n{sections}\n"
                     f"<i>({cited}টি উত্তর এই প্রতিবেদনের উদ্ধৃতি দেয়)</i>")
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BUTTON_TOPICS, callback_data="m:topics")]]
    )
    return "\n\n".join(parts), markup
