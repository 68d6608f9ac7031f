"""Taps already answered: the same button of the same message, tapped again by the same user
soon after, is not answered or logged again.

An impatient user taps a "did you mean" choice three times, or a client on a bad network
sends the tap again: each arrives as its own callback query. Answering each would send the
same answer three times and log three questions (and count three answers in /metrics).
In memory, like the webhook's update ids: a repeat that reaches another replica, or comes
after a restart, is answered again. After `TAP_WINDOW` a tap is a new question: the answer
it sent may be far up the chat by then.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import CallbackQuery

TAP_WINDOW = timedelta(minutes=10)
MAX_TAPS = 10_000  # remembered at once (about 2 MB); the oldest are forgotten first


@dataclass(frozen=True)
class Tap:
    """One user's tap on one button of one message."""

    where: int | str  # the chat, or the inline message id (a message sent via inline mode)
    message_id: int | None
    user_id: int
    data: str


def tap_of(query: CallbackQuery) -> Tap | None:
    """The tap `query` is; None when Telegram did not say which message it was on."""
    message = query.message
    if message is not None:
        return Tap(message.chat.id, message.message_id, query.from_user.id, query.data or "")
    if query.inline_message_id:
        return Tap(query.inline_message_id, None, query.from_user.id, query.data or "")
    return None


@dataclass
class RecentTaps:
    size: int = MAX_TAPS
    window: timedelta = TAP_WINDOW
    _taps: OrderedDict[Tap, datetime] = field(default_factory=OrderedDict)

    def first(self, tap: Tap, now: datetime) -> bool:
        """Remember `tap`; False if it was taken within `window` before `now` (a repeat)."""
        taken = self._taps.get(tap)
        if taken is not None and now - taken < self.window:
            return False
        self._taps[tap] = now
        self._taps.move_to_end(tap)
        while len(self._taps) > self.size:
            self._taps.popitem(last=False)
        return True

    def forget(self, tap: Tap) -> None:
        """`tap` was not answered after all (the send failed): a repeat may be."""
        self._taps.pop(tap, None)
