"""Reloads in admins' words, whoever asked: /reload, the folder watcher, SIGHUP, an applied
upload or /rollback. A broken folder is refused and every admin is told why."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from telegram import Bot
from telegram.error import TelegramError

from bot.core.kbdiff import KnowledgeDiff
from bot.core.loader import KnowledgeError
from bot.core.message_length import MAX_MESSAGE
from bot.live import LiveKnowledge, Swap
from bot.tg import texts
from bot.tg.render import escape, join_chunks, report_chunks
from bot.tg.reply import send_chunks
from bot.tg.services import Services

log = logging.getLogger(__name__)
# What an edit or a reload changed, or the problems that refused it, to every admin: a few
# messages, however large the edit (`SectionDiff.lines` names 20 ids a line; ids have no
# length limit; a folder lists up to 100 problems of each file).
MAX_REPORT_MESSAGES = 3


@dataclass(frozen=True)
class ReloadOutcome:
    ok: bool
    messages: list[str]  # HTML chunks describing the outcome, for the admin who asked
    diff: KnowledgeDiff | None = None


async def reload_knowledge(services: Services, reason: str) -> ReloadOutcome:
    """Load, validate and swap in the knowledge folder; the old one serves until then."""
    try:
        swap = await services.live.reload()
    except KnowledgeError as err:
        return refused(services.live, reason, err)
    return swapped(swap, reason)


async def reload_if_changed(services: Services, reason: str) -> ReloadOutcome | None:
    """`reload_knowledge`, or None when the folder holds what is live already."""
    try:
        swap = await services.live.reload_if_changed()
    except KnowledgeError as err:
        return refused(services.live, reason, err)
    return None if swap is None else swapped(swap, reason)


def swapped(swap: Swap, reason: str) -> ReloadOutcome:
    """The outcome of a swap: the versions and what changed."""
    header = texts.RELOAD_OK.format(
        facts=len(swap.new.facts), old=escape(swap.old.version), new=escape(swap.new.version)
    )
    log.info("reload (%s): %s", reason, "; ".join(swap.diff.lines()))
    # The new values first: a cut of a long report must never hide a changed link.
    lines = [*swap.diff.value_lines(), *swap.diff.lines()]
    return ReloadOutcome(True, report_chunks(header, lines, most=MAX_REPORT_MESSAGES),
                         swap.diff)


def refused(live: LiveKnowledge, reason: str, err: KnowledgeError) -> ReloadOutcome:
    """The outcome of a folder that cannot be loaded: every problem, located."""
    log.warning("reload (%s) refused: %d problem(s) in %s", reason, len(err.problems),
                live.directory)
    header = texts.RELOAD_FAILED.format(
        count=len(err.problems), version=escape(live.knowledge.version)
    )
    folder = str(live.directory)
    problems = [p.within(folder, os.path.realpath(folder)) for p in err.problems]
    return ReloadOutcome(False, report_chunks(header, [f"• {p}" for p in problems],
                                              most=MAX_REPORT_MESSAGES))


async def reload_and_tell_admins(services: Services, bot: Bot, reason: str, *,
                                 tell_success: bool = True,
                                 only_if_changed: bool = False) -> ReloadOutcome | None:
    """Reload, then report to every admin, unless nothing changed at all (or, without
    `tell_success`, unless it failed)."""
    if only_if_changed:
        outcome = await reload_if_changed(services, reason)
    else:
        outcome = await reload_knowledge(services, reason)
    if outcome is None:
        return None
    if outcome.ok and (not tell_success or (outcome.diff is not None and outcome.diff.empty)):
        return outcome
    await tell_admins(services, bot, with_reason(reason, outcome.messages))
    return outcome


def with_reason(reason: str, messages: list[str]) -> list[str]:
    """A reload's report headed by why it ran, in the report's first message if it fits
    (not a message of its own saying only "reloaded (reason):")."""
    note = texts.RELOAD_REASON.format(reason=escape(reason))
    return join_chunks([note, *messages], MAX_MESSAGE, separator="\n")


async def tell_admins(services: Services, bot: Bot, chunks: list[str],
                      *, besides: int | None = None) -> None:
    """Send `chunks` to every admin (but the one `besides`, who was told already)."""
    for admin_id in sorted(services.settings.admin_ids - {besides}):
        try:
            await send_chunks(bot, admin_id, chunks)
        except TelegramError as exc:  # an admin who never opened the bot cannot be told
            log.info("could not notify admin %s: %s", admin_id, exc)
