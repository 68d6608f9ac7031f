"""One way to reload the knowledge base, whoever asks: /reload, the folder watcher, SIGHUP,
an applied upload or /rollback. A broken folder is refused and every admin is told why."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot
from telegram.error import TelegramError

from bot.core.kbdiff import KnowledgeDiff, diff_knowledge
from bot.core.loader import KnowledgeError
from bot.tg import texts
from bot.tg.render import escape, report_chunks
from bot.tg.reply import send_chunks
from bot.tg.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    ok: bool
    messages: list[str]  # HTML chunks describing the outcome, for the admin who asked
    diff: KnowledgeDiff | None = None


async def reload_knowledge(services: Services, reason: str) -> ReloadOutcome:
    """Load, validate and swap in the knowledge folder; the old one serves until then."""
    try:
        old, new = await services.reload()
    except KnowledgeError as err:
        log.warning(
            "reload (%s) refused: %d problem(s) in %s",
            reason,
            len(err.problems),
            services.settings.knowledge_dir,
        )
        header = texts.RELOAD_FAILED.format(
            count=len(err.problems), version=escape(services.knowledge.version)
        )
        return ReloadOutcome(False, report_chunks(header, [f"• {p}" for p in err.problems]))
    diff = diff_knowledge(old, new)
    header = texts.RELOAD_OK.format(
        facts=len(new.facts), old=escape(old.version), new=escape(new.version)
    )
    log.info("reload (%s): %s", reason, "; ".join(diff.lines()))
    return ReloadOutcome(True, report_chunks(header, diff.lines()), diff)


async def reload_and_tell_admins(services: Services, bot: Bot, reason: str,
                                 tell_success: bool = True) -> ReloadOutcome:
    """Reload, then report to every admin, unless nothing changed at all (or, without
    `tell_success`, unless it failed)."""
    outcome = await reload_knowledge(services, reason)
    if outcome.ok and (not tell_success or (outcome.diff is not None and outcome.diff.empty)):
        return outcome
    note = texts.RELOAD_REASON.format(reason=escape(reason))
    await tell_admins(services, bot, [note, *outcome.messages])
    return outcome


async def tell_admins(services: Services, bot: Bot, chunks: list[str]) -> None:
    for admin_id in sorted(services.settings.admin_ids):
        try:
            await send_chunks(bot, admin_id, chunks)
        except TelegramError as exc:  # an admin who never opened the bot cannot be told
            log.info("could not notify admin %s: %s", admin_id, exc)
