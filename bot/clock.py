"""The clock a running bot reads when `--now` pretends another time (tests, demos)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core.events import instant


class StartedClock:
    """Shows `start` when made, then runs on at the real pace (so reminders fall due).

    Elapsed time is added to the UTC instant, not to `start`'s wall clock: a demo that
    runs through a DST change reads 03:01 CEST two minutes after 01:59 CET.
    """

    def __init__(self, start: datetime,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._start = instant(start)
        self._zone = start.tzinfo
        self._monotonic = monotonic
        self._began = monotonic()

    def __call__(self) -> datetime:
        elapsed = timedelta(seconds=self._monotonic() - self._began)
        return (self._start + elapsed).astimezone(self._zone)
