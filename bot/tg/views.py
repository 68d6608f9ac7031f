"""Screens shared by commands and buttons: each returns HTML and an optional keyboard."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.events import bengali_number, describe_event, upcoming_and_past
from bot.core.knowledge import Knowledge
from bot.core.message_length import MAX_MESSAGE, tg_len
from bot.tg import keyboards, texts
from bot.tg.render import escape, title_html

View = tuple[str, InlineKeyboardMarkup | None]


def start_view(knowledge: Knowledge, group_username: str | None = None) -> View:
    """The welcome and its buttons; in a group (`group_username`: the bot's), the group
    greeting instead, which says to mention the bot: there it hears nothing else."""
    samples = knowledge.sample_facts(3)
    text = (knowledge.voice.render("welcome") if group_username is None
            else knowledge.voice.render("group_greeting", username=group_username))
    return text, keyboards.start_keyboard(knowledge, samples, group_username)


def help_view(knowledge: Knowledge, username: str) -> View:
    return knowledge.voice.render("help", username=username), None


def topics_view(knowledge: Knowledge) -> View:
    return texts.TOPICS, keyboards.topics_keyboard(knowledge)


def topic_view(knowledge: Knowledge, topic_id: str) -> View:
    title = title_html(knowledge.topic_title(topic_id))
    return (texts.TOPIC_QUESTIONS.format(title=title),
            keyboards.topic_questions_keyboard(topic_id, knowledge))


def events_view(knowledge: Knowledge, now: datetime, group_username: str | None = None) -> View:
    """Every event with its countdown (the one with a command of its own first); in a group
    (`group_username`: the bot's), the 🔔 button links to the bot's private chat."""
    ahead, held = upcoming_and_past(knowledge.events, now)
    featured = knowledge.bot.event.event_id if knowledge.bot.event else None
    if not ahead and not held:
        return f"{texts.EVENTS_HEADER}\n{texts.EVENTS_NONE}", None
    lines = [texts.EVENTS_HEADER]
    buttons: list[list[InlineKeyboardButton]] = []
    # sorted() keeps the order of the others: the soonest ahead, then the latest held.
    events = [*sorted(ahead, key=lambda e: e.id != featured),
              *sorted(held, key=lambda e: e.id != featured)]
    # One message: the events that fit, then how many more (the note's own room kept).
    room = MAX_MESSAGE - tg_len(texts.EVENTS_MORE.format(count=bengali_number(len(events)))) - 4
    used = tg_len(texts.EVENTS_HEADER)
    shown: set[str] = set()
    for number, event in enumerate(events):
        line = "• " + escape(describe_event(event, now))
        if event.url:
            line += f'\n<a href="{html.escape(event.url, quote=True)}">{escape(event.url)}</a>'
        used += 2 + tg_len(line)  # the blank line before it
        if used > room:
            lines.append(texts.EVENTS_MORE.format(count=bengali_number(len(events) - number)))
            break
        lines.append(line)
        fact = knowledge.facts.get(event.fact_id)
        if fact is not None and fact.id not in shown:
            shown.add(fact.id)
            buttons.append([InlineKeyboardButton(keyboards.label(fact.canonical_question),
                                                 callback_data=keyboards.encode("f", fact.id))])
    buttons.append([keyboards.subscribe_button(knowledge, group_username)])
    return "\n\n".join(lines), InlineKeyboardMarkup(buttons)


def source_view(knowledge: Knowledge) -> View:
    """Every article the answers come from, with its sections and how many answers cite it;
    one message: the lines that fit, then "…"."""
    count = len(knowledge.sources)
    lines = [texts.SOURCE_HEADER if count == 1
             else texts.SOURCES_HEADER.format(count=bengali_number(count))]
    for source in knowledge.sources.values():
        cited = sum(1 for f in knowledge.facts.values() if f.citation.source_id == source.id)
        # Each line holds its own tags: cut between any two, the HTML stays whole.
        lines += ["", f"<b>{title_html(source.title)}</b>", texts.SOURCE_COVERS,
                  *(f"• {title_html(source.section_title(s))}" for s in source.sections),
                  texts.SOURCE_CITED.format(count=bengali_number(cited))]
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BUTTON_TOPICS, callback_data="m:topics")]]
    )
    return _fitted(lines), markup


def _fitted(lines: list[str], more: str = "…") -> str:
    """`lines` joined into one message: as many as fit, then `more` if some did not."""
    shown: list[str] = []
    used = tg_len(more) + 1
    for line in lines:
        used += tg_len(line) + 1
        if used > MAX_MESSAGE:
            return "\n".join([*shown, more])
        shown.append(line)
    return "\n".join(shown)
