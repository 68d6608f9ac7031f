"""The admin's progress message: edited with sent / failed / remaining while a broadcast runs.

Only the sender lease's holder edits: given the lease (`fence`), each round marks the
finished broadcasts done in a transaction that checks the lease's epoch, and each edit
first checks the lease is still fresh (as each send does). A process that froze and woke
after another took the lease edits nothing; the new holder shows the counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.broadcast import texts
from bot.broadcast.sender import Fence
from bot.core.message_length import MAX_MESSAGE, tg_len
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.outbox import NotSender, Outbox, Progress

log = logging.getLogger(__name__)


def progress_text(progress: Progress) -> str:
    state = texts.STATE_DONE if progress.state == "done" else texts.STATE_SENDING
    text = texts.PROGRESS.format(
        id=progress.broadcast_id, state=state, sent=progress.sent,
        failed=progress.failed + progress.blocked, blocked=progress.blocked,
        remaining=progress.remaining,
    )
    if progress.cancelled:
        text += texts.PROGRESS_CANCELLED.format(cancelled=progress.cancelled)
    return text


def stop_markup(broadcast_id: int) -> InlineKeyboardMarkup:
    """The button that stops a broadcast being sent (any admin may tap it)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.BUTTON_STOP, callback_data=f"bc:stop:{broadcast_id}")]])


def notice_messages(template: str, text: str, **fields: object) -> list[str]:
    """The admins' notice of a broadcast (`template` with `text` and `fields`), its text word
    for word: one too long to go under the notice follows it as a message of its own, so a
    link in its last words is not cut off."""
    notice = template.format(text=text, **fields)
    if tg_len(notice) <= MAX_MESSAGE:
        return [notice]
    return [template.format(text=texts.BROADCAST_TEXT_FOLLOWS, **fields), text]


async def send_notices(bot: Bot, admin_ids: Iterable[int], messages: list[str],
                       markup: InlineKeyboardMarkup | None = None) -> None:
    """Send each admin `messages` (plain text), `markup` under the last; an admin who cannot
    be reached (who never opened the bot) is logged, and the others are still told."""
    for admin_id in admin_ids:
        try:
            for index, text in enumerate(messages):
                last = index == len(messages) - 1
                await bot.send_message(admin_id, text, parse_mode=None,
                                       reply_markup=markup if last else None)
        except TelegramError as exc:
            log.info("could not notify admin %s: %s", admin_id, exc)


def progress_markup(progress: Progress) -> InlineKeyboardMarkup | None:
    """Under the progress message: the stop button while there is something to stop."""
    return stop_markup(progress.broadcast_id) if progress.state == "queued" else None


def _collect(outbox: Outbox, now: datetime, fence: int | None) -> list[Progress]:
    finished = outbox.finish_completed(now, fence)
    ids = sorted(set(outbox.watched()) | set(finished))
    found = [outbox.progress(i) for i in ids]
    return [p for p in found if p is not None and p.progress_message_id is not None]


class ProgressReporter:
    """Edits each watched broadcast's message when its counts change (and once when done)."""

    def __init__(self, db: AsyncOutbox, bot: Bot, clock: Callable[[], datetime],
                 fence: Fence | None = None) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.fence = fence  # None: the only sender (tests, tools)
        self._shown: dict[int, str] = {}  # last text per broadcast: edit only on change

    async def update(self) -> None:
        now = self.clock()
        fence = None if self.fence is None else self.fence.token
        if self.fence is not None and fence is None:
            return  # not the sender: its holder shows the progress
        try:
            found = await self.db.call(lambda o: _collect(o, now, fence))
        except NotSender as exc:
            log.info("progress not shown: %s", exc)
            return
        for progress in found:
            text = progress_text(progress)
            if self._shown.get(progress.broadcast_id) == text:
                continue
            if self.fence is not None and not await self.fence.may_send():
                return  # frozen past the lease since the check above, or it was taken
            assert progress.progress_chat_id is not None
            assert progress.progress_message_id is not None
            try:
                await self.bot.edit_message_text(
                    text, chat_id=progress.progress_chat_id,
                    message_id=progress.progress_message_id, parse_mode=None,
                    reply_markup=progress_markup(progress))
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    log.info("progress of broadcast %s not shown: %s",
                             progress.broadcast_id, exc)
            except TelegramError as exc:  # next round tries again
                log.info("progress of broadcast %s not shown: %s", progress.broadcast_id, exc)
                continue
            self._shown[progress.broadcast_id] = text
            if progress.state == "done":
                del self._shown[progress.broadcast_id]
