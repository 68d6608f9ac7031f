"""The clock `llamabot run --now` gives the whole bot."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.clock import StartedClock

BERLIN = ZoneInfo("Europe/Berlin")


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_started_clock_runs_on_at_the_real_pace_across_dst() -> None:
    ticks = Ticks()
    clock = StartedClock(datetime(2025, 3, 30, 1, 59, tzinfo=BERLIN), monotonic=ticks)
    assert clock() == datetime(2025, 3, 30, 0, 59, tzinfo=UTC)
    ticks.now += 120  # through the spring-forward at 02:00 CET
    later = clock()
    assert later == datetime(2025, 3, 30, 1, 1, tzinfo=UTC)
    assert (later.hour, later.minute, later.tzinfo) == (3, 1, BERLIN)  # 03:01 CEST
