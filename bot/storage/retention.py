"""Delete logged personal data once it is older than the retention period, now and then.

Questions (with who asked), votes, "did you mean" taps, review decisions, users not seen
since, chats unsubscribed since and finished broadcast deliveries: `Storage.purge`, in
short transactions (`bot.storage.purge`). Replicas sharing a database may all run this: a
purge deletes what is old, so running it twice deletes nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.storage.question_log import Storage

log = logging.getLogger(__name__)
EVERY = 6 * 3600.0  # seconds between purges: a day's rows go within a quarter of a day
# Seconds between deletions of expired conversation contexts (15 minutes after their last
# message; each write deletes them too, so this matters when nobody writes to the bot).
CONTEXTS_EVERY = 60.0


def parse_age(text: str) -> int:
    """Days in "90d" (or "90"); ValueError with the reason otherwise."""
    value = text.strip().lower().removesuffix("d")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 36500:
        raise ValueError(f"{text!r} is not an age in days from 1d to 36500d, such as 90d")
    return int(value)


async def purge_every(storage: Storage, days: int, clock: Callable[[], datetime],
                      interval: float = EVERY) -> None:
    """Purge what is older than `days` days at once, then every `interval` seconds."""
    while True:
        purged = await storage.purge(clock() - timedelta(days=days))
        if purged is None:
            log.warning("could not purge data older than %d days (the database is"
                        " unusable); trying again later", days)
        elif purged.total:
            log.info("purged data older than %d days: %d questions, %d votes, %d review"
                     " decisions, %d users, %d unsubscribed chats, %d broadcast deliveries,"
                     " %d broadcasts", days, purged.questions, purged.votes, purged.decisions,
                     purged.users, purged.subscribers, purged.deliveries, purged.broadcasts)
        await asyncio.sleep(interval)


async def expire_contexts_every(storage: Storage, clock: Callable[[], datetime],
                                interval: float = CONTEXTS_EVERY) -> None:
    """Delete expired conversation contexts every `interval` seconds."""
    while True:
        await asyncio.sleep(interval)
        if not await storage.expire_contexts(clock()):
            log.debug("could not delete expired conversation contexts; trying again later")
