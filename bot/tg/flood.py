"""Per-user flood control: past `limit` updates in `window` seconds, warn once, then drop."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # first update over the limit: tell the user once
    DROP = "drop"  # further updates in the same window: ignore silently


class FloodGate:
    """Sliding-window counter per user id; pure and clock-injected so it tests without sleeping."""

    def __init__(self, limit: int = 20, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}
        self._last_sweep = clock()

    def check(self, user_id: int) -> Verdict:
        now = self._clock()
        self._sweep(now)
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._warned.pop(user_id, None)
            return Verdict.PASS
        # Dropped updates are not counted, so a user who stops is free again after `window`.
        if user_id in self._warned:
            return Verdict.DROP
        self._warned[user_id] = now
        return Verdict.WARN

    def _sweep(self, now: float) -> None:
        # Forget idle users now and then so memory stays bounded by the active ones.
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        idle = [u for u, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]
        for user_id in idle:
            del self._hits[user_id]
            self._warned.pop(user_id, None)
