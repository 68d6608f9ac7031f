"""What /stats shows beyond totals: questions per day by outcome, and each fact's week.

Pure: storage hands in its counts (per UTC hour and kind, per fact and period) and the
caller says which days it wants in which time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

ANSWERED = frozenset({"fact", "smalltalk"})
SUGGESTED = frozenset({"suggest"})
NOT_ASKED = frozenset({"empty"})  # nothing to read in the message: not a question
# Every other kind (fallback, not in the article, "none of these", nothing more) is a
# question the bot did not answer.


class HourCount(Protocol):
    @property
    def hour(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def count(self) -> int: ...


class Feedback(Protocol):
    @property
    def fact_id(self) -> str: ...
    @property
    def answered(self) -> int: ...
    @property
    def up(self) -> int: ...
    @property
    def down(self) -> int: ...
    @property
    def picked(self) -> int: ...


@dataclass(frozen=True)
class Day:
    day: date  # local
    answered: int = 0
    suggested: int = 0
    fallback: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.suggested + self.fallback


@dataclass(frozen=True)
class FactWeek:
    """One fact in /stats: its totals and its last 7 days against the 7 before."""

    fact_id: str
    answered: int
    up: int
    down: int
    picked: int
    week: int  # answered in the last 7 days
    week_before: int  # answered in the 7 days before those

    @property
    def trend(self) -> int:
        return self.week - self.week_before


def daily(counts: Iterable[HourCount], tz: tzinfo, last: date, days: int = 14) -> list[Day]:
    """The `days` local days up to `last`, each with its questions by outcome (hours are
    UTC: a day in Dhaka starts at 18:00 UTC the day before)."""
    first = last - timedelta(days=days - 1)
    totals = {first + timedelta(days=n): [0, 0, 0] for n in range(days)}
    for row in counts:
        bucket = totals.get(row.hour.astimezone(tz).date())
        if bucket is None or row.kind in NOT_ASKED:
            continue
        column = 0 if row.kind in ANSWERED else 1 if row.kind in SUGGESTED else 2
        bucket[column] += row.count
    return [Day(day, *numbers) for day, numbers in totals.items()]


def since_day(tz: tzinfo, last: date, days: int = 14) -> datetime:
    """The start (local midnight) of the first of the `days` days up to `last`."""
    first = last - timedelta(days=days - 1)
    return datetime(first.year, first.month, first.day, tzinfo=tz)


def fact_weeks(total: Iterable[Feedback], last_7: Iterable[Feedback],
               last_14: Iterable[Feedback]) -> list[FactWeek]:
    """Each fact with feedback, the most answered first: totals from `total`, the week's
    trend from the answers of the last 7 and the last 14 days."""
    week = {f.fact_id: f.answered for f in last_7}
    fortnight = {f.fact_id: f.answered for f in last_14}
    found = [FactWeek(f.fact_id, f.answered, f.up, f.down, f.picked, week.get(f.fact_id, 0),
                      fortnight.get(f.fact_id, 0) - week.get(f.fact_id, 0))
             for f in total]
    return sorted(found, key=lambda f: (-f.answered, -f.week, f.fact_id))


def top_facts(feedback: Sequence[Feedback], count: int = 5) -> list[tuple[str, int]]:
    """The most answered facts of a period, with how often."""
    ranked = sorted((f for f in feedback if f.answered), key=lambda f: (-f.answered, f.fact_id))
    return [(f.fact_id, f.answered) for f in ranked[:count]]
