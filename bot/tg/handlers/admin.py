"""Admin commands: /stats (with a chart when Pillow is installed), /gaps, /reload. The
admin list is checked on every call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import chart
from bot.core.gaps import AskedGap, explain, format_report, suggested_yaml
from bot.core.knowledge import Knowledge
from bot.core.message_length import MAX_MESSAGE
from bot.core.usage import Day, FactWeek, daily, fact_weeks, since_day, top_facts
from bot.tg import texts
from bot.tg.addressed import thread_of
from bot.tg.reloading import reload_knowledge
from bot.tg.render import escape, join_chunks, report_chunks, split_plain
from bot.tg.reply import send_chunks
from bot.tg.services import Services, services_of

log = logging.getLogger(__name__)
DEFAULT_GAPS = 15
MAX_GAPS = 50
CHART_DAYS = 14
EVER = datetime(2000, 1, 1, tzinfo=UTC)  # before any question was logged


async def admin_services(update: Update, context: ContextTypes.DEFAULT_TYPE,
                         private: bool = False) -> Services | None:
    """The services if the sender is an admin; otherwise refuse politely and log it.

    The one gate of every admin command, upload and admin button. `private`: the command
    shows what users asked (/gaps, /review), which a group's members must not see.
    """
    services = services_of(context)
    user = update.effective_user
    chat = update.effective_chat
    if user is not None and services.is_admin(user.id):
        if not private or chat is None or chat.type == ChatType.PRIVATE:
            return services
        log.warning("admin %s asked for users' questions in chat %s: refused there", user.id,
                    chat.id)
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ADMIN_PRIVATE_ONLY, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_html(texts.ADMIN_PRIVATE_ONLY)
        return None
    query = update.callback_query
    message = update.effective_message
    if query is not None:  # its message is the bot's, the one with the button
        what = f"button {':'.join((query.data or '').split(':')[:2])!r}"  # untrusted: quoted
    else:
        words = (message.text or "").split(maxsplit=1) if message is not None else []
        # Untrusted, as a button's data: quoted, so a control character or a terminal's
        # escape after the command ("/stats\x1b[2J") reaches the log escaped, and bounded.
        what = (repr(words[0][:64]) if words
                else "a file upload" if message and message.document else "?")
    log.warning("refused admin command %s for user %s in chat %s", what,
                user.id if user else None, chat.id if chat else None)
    if query is not None:
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
    elif message is not None:
        await message.reply_html(texts.ADMIN_ONLY)
    return None


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Users, questions by outcome, top facts, subscribers and the health of the parts."""
    services = await admin_services(update, context)
    if services is None or update.effective_message is None:
        return
    knowledge = services.knowledge
    result = await services.storage.stats()
    health = await services.storage.health()
    if result is None:
        await update.effective_message.reply_html(
            texts.DB_UNAVAILABLE.format(reason=escape(health.detail)))
        return
    text = texts.STATS.format(
        users=result.users, questions=result.questions, answered=result.answered,
        suggested=result.by_kind.get("suggest", 0), fallback=result.by_kind.get("fallback", 0),
        empty=result.by_kind.get("empty", 0),
        subscribers=texts.SUBSCRIBERS.format(active=result.subscribers, blocked=result.blocked),
        facts=len(knowledge.facts), version=escape(knowledge.version),
        database="ok" if health.ok else f"⚠️ {escape(health.detail)}",
    )
    lines = []
    for fact_id, count in result.top_facts:
        fact = knowledge.facts.get(fact_id)
        lines.append(f"{count} × {fact.title if fact else fact_id}")
    header = f"{text}\n\n{texts.STATS_TOP}" if lines else text
    usage = await read_usage(services)
    parts = [header, *(p for line in lines for p in split_plain(line, MAX_MESSAGE))]
    if usage is not None and usage.facts:
        parts.append(f"\n{texts.STATS_FACTS}")
        parts.extend(p for line in fact_lines(usage.facts, knowledge)
                     for p in split_plain(line, MAX_MESSAGE))
    drawable = chart.available()
    if not drawable:
        parts.append(f"\n<i>{texts.STATS_NO_CHART}</i>")
    chat_id, thread = update.effective_message.chat_id, thread_of(update.effective_message)
    await send_chunks(context.bot, chat_id, join_chunks(parts, MAX_MESSAGE, separator="\n"),
                      thread=thread)
    if drawable and usage is not None:
        await send_chart(context.bot, chat_id, usage, knowledge, thread)


@dataclass(frozen=True)
class Usage:
    facts: list[FactWeek]
    days: list[Day]  # the last CHART_DAYS local days
    top: list[tuple[str, int]]  # the most answered facts of those days


async def read_usage(services: Services) -> Usage | None:
    """Per fact: totals, the last 7 days against the 7 before; per day: the outcomes."""
    storage, now, tz = services.storage, services.now(), services.settings.timezone
    total = await storage.fact_feedback(EVER)
    week = await storage.fact_feedback(now - timedelta(days=7))
    fortnight = await storage.fact_feedback(now - timedelta(days=14))
    today = now.astimezone(tz).date()
    hours = await storage.activity(since_day(tz, today, CHART_DAYS))
    if total is None or week is None or fortnight is None or hours is None:
        return None
    chart_period = await storage.fact_feedback(since_day(tz, today, CHART_DAYS))
    return Usage(fact_weeks(total, week, fortnight), daily(hours, tz, today, CHART_DAYS),
                 top_facts(chart_period or []))


def fact_lines(facts: list[FactWeek], knowledge: Knowledge) -> list[str]:
    lines = []
    for fact in facts:
        known = knowledge.facts.get(fact.fact_id)
        trend = f"↑{fact.trend}" if fact.trend > 0 else f"↓{-fact.trend}" if fact.trend else "="
        lines.append(texts.STATS_FACT.format(
            title=known.title if known else fact.fact_id, answered=fact.answered, up=fact.up,
            down=fact.down, picked=fact.picked, week=fact.week, trend=trend))
    return lines


async def send_chart(bot: Bot, chat_id: int, usage: Usage, knowledge: Knowledge,
                     thread: int | None = None) -> None:
    """The PNG of the last 14 days; a chart that fails to draw is logged, not sent."""
    labels = chart.Labels(texts.CHART_TITLE, texts.CHART_ANSWERED, texts.CHART_SUGGESTED,
                          texts.CHART_FALLBACK, texts.CHART_TOP, texts.CHART_EMPTY)
    top = [(knowledge.facts[f].title if f in knowledge.facts else f, n) for f, n in usage.top]
    try:
        # Drawing takes tens of milliseconds: not on the event loop, between replies.
        png = await asyncio.to_thread(chart.render, usage.days, top, labels)
    except Exception:  # a chart is a bonus: the numbers above were sent already
        log.exception("could not draw the /stats chart")
        return
    await bot.send_photo(chat_id, png, caption=texts.CHART_TITLE, message_thread_id=thread)


async def gaps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The most frequent questions the bot could not answer (normalized, counted)."""
    services = await admin_services(update, context, private=True)
    if services is None or update.effective_message is None:
        return
    limit = gaps_limit(context.args or [])
    if limit is None:
        await update.effective_message.reply_html(
            texts.GAPS_USAGE.format(default=DEFAULT_GAPS, most=MAX_GAPS))
        return
    found = await services.storage.gaps(limit)
    if found is None:
        health = await services.storage.health()
        await update.effective_message.reply_html(
            texts.DB_UNAVAILABLE.format(reason=escape(health.detail)))
        return
    if not found:
        await update.effective_message.reply_html(texts.GAPS_NONE)
        return
    texts_found = [gap.text for gap in found]
    taps = await services.storage.taps(texts_found) or {}
    refused = await services.storage.refusals(texts_found) or {}
    asked = [AskedGap(gap.text, gap.count, taps.get(gap.text, {}), refused.get(gap.text, {}))
             for gap in found]
    entries = explain(asked, services.responder, services.now())
    lines = format_report(entries).splitlines()
    pasted = suggested_yaml(entries)
    chunks = report_chunks(texts.GAPS_HEADER, lines)
    if pasted:
        chunks += report_chunks(texts.GAPS_YAML, [pasted])
    await send_chunks(context.bot, update.effective_message.chat_id, chunks)


def gaps_limit(args: Sequence[str]) -> int | None:
    """How many gaps `/gaps [N]` asks for; None unless N is a whole number from 1 to MAX_GAPS."""
    if not args:
        return DEFAULT_GAPS
    # isdecimal, not isdigit: "²" is a digit that int() refuses. Two digits are enough,
    # and keep int() away from thousands of them.
    if len(args) > 1 or len(args[0]) > 2 or not args[0].isdecimal():
        return None
    count = int(args[0])  # any script's digits: "/gaps ১০" asks for ten
    return count if 1 <= count <= MAX_GAPS else None


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-read the knowledge folder; a broken one is refused and the old one keeps serving."""
    services = await admin_services(update, context)
    message = update.effective_message
    if services is None or message is None:
        return
    if services.live.reloading:
        await message.reply_html(texts.RELOAD_BUSY)
        return
    outcome = await reload_knowledge(services, "/reload")
    if message.chat.type == ChatType.PRIVATE or update.effective_user is None:
        await send_chunks(context.bot, message.chat_id, outcome.messages,
                          thread=thread_of(message))
        return
    # What changed names the questions added, and a /review (or `kb review`, or another
    # replica's) teaches users' own words: a group reads only the outcome's first line,
    # and the admin gets the whole report in private, as /gaps and /review show them.
    headline = outcome.messages[0].split("\n", 1)[0]
    await send_chunks(context.bot, message.chat_id, [f"{headline}\n{texts.RELOAD_DETAILS_SENT}"],
                      thread=thread_of(message))
    try:
        await send_chunks(context.bot, update.effective_user.id, outcome.messages)
    except TelegramError as exc:  # an admin who never opened the bot in private
        log.info("could not send the /reload report to admin %s: %s",
                 update.effective_user.id, exc)
