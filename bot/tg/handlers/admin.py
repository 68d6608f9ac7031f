"""Admin commands: /stats, /gaps, /reload. The admin list is checked on every call."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.gaps import AskedGap, explain, format_report, suggested_yaml
from bot.tg import texts
from bot.tg.reloading import reload_knowledge
from bot.tg.render import escape, report_chunks
from bot.tg.reply import send_chunks
from bot.tg.services import Services, services_of

log = logging.getLogger(__name__)
DEFAULT_GAPS = 15
MAX_GAPS = 50


async def admin_services(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Services | None:
    """The services if the sender is an admin; otherwise refuse politely and log it.

    The one gate of every admin command, upload and admin button.
    """
    services = services_of(context)
    user = update.effective_user
    if user is not None and services.is_admin(user.id):
        return services
    query = update.callback_query
    message = update.effective_message
    if query is not None:  # its message is the bot's, the one with the button
        what = f"button {':'.join((query.data or '').split(':')[:2])!r}"  # untrusted: quoted
    else:
        words = (message.text or "").split(maxsplit=1) if message is not None else []
        what = words[0] if words else ("a file upload" if message and message.document else "?")
    chat = update.effective_chat
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
    await send_chunks(context.bot, update.effective_message.chat_id, report_chunks(header, lines))


async def gaps(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The most frequent questions the bot could not answer (normalized, counted)."""
    services = await admin_services(update, context)
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
    entries = explain(asked, services.responder)
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
    await send_chunks(context.bot, message.chat_id, outcome.messages)
