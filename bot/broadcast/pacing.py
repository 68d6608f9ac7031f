"""The broadcast pace: sends spread evenly at `rate` per second, never a burst."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable


class Pacer:
    """Spaces sends `1/rate` apart on an absolute schedule, so sleep overshoot never drifts,
    and never starts more than `rate` (rounded down) within any one second.

    Every request goes through it, retries included: Telegram counts them all, per
    second, and does not forgive a burst.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        # A little credit after falling behind keeps the average rate at high rates; the
        # window below keeps it from ever making a second busier than the rate.
        self.slack = max(self.interval, 0.05)
        self._clock = clock
        self._next = clock()
        self._recent: deque[float] = deque(maxlen=max(1, math.floor(rate)))  # last starts

    def hold_until(self, moment: float) -> None:
        """Start again at `moment` without a burst (after a 429 pause)."""
        self._next = max(self._next, moment)

    def reserve(self, now: float) -> float:
        """The moment the next send may start (not before `now`), counted as taken."""
        self._next = max(self._next, now - self.slack)
        start = max(self._next, now)
        if len(self._recent) == self._recent.maxlen:
            # Strictly more than a second after the send `rate` sends ago: then no second,
            # even one with both ends included, holds more than `rate` starts.
            earliest = self._recent[0] + 1.0 + 1e-6
            if earliest > start:
                start = self._next = earliest  # and go on evenly from there
        self._recent.append(start)
        self._next += self.interval
        return start

    async def wait(self) -> None:
        now = self._clock()
        delay = self.reserve(now) - now
        if delay > 0:
            await asyncio.sleep(delay)
