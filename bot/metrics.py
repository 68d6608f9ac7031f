"""Prometheus metrics without a dependency: counters, one histogram, values read at scrape.

Everything is updated on the bot's event loop thread (handlers, the update processor) and
rendered on it too (the /metrics route), so no lock is needed and an increment is one
dict update. Values that live elsewhere (the broadcast sender's counts, the outbox depth)
are not copied on every change: `collect` registers a reader that runs only when
/metrics is scraped. Output is the text exposition format 0.0.4.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Generic, TypeVar

from bot.core.answer import AnswerKind
from bot.core.conversation import TurnKind

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Reply latency buckets, seconds: a cached answer takes ~1 ms, a 429 retry up to 5 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
ANSWER_KINDS = tuple(kind.value for kind in AnswerKind)
TURN_KINDS = tuple(kind.value for kind in TurnKind)

# Reads label value -> sample value ("" for a metric without labels); None: no samples now.
Reader = Callable[[], Awaitable[Mapping[str, float] | None]]
T = TypeVar("T")


class Counter:
    """A count that only goes up, optionally split by one label."""

    def __init__(self, name: str, help_text: str, label: str | None = None,
                 values: Iterable[str] = ()) -> None:
        self.name, self.help, self.label = name, help_text, label
        # Known label values start at 0 so their series exist before the first event.
        self.counts: dict[str, float] = dict.fromkeys(values if label else ("",), 0)

    def inc(self, value: str = "", amount: float = 1) -> None:
        self.counts[value] = self.counts.get(value, 0) + amount

    def render(self) -> list[str]:
        return _family(self.name, "counter", self.help, self.label, self.counts)


class Histogram:
    """Observations counted into fixed buckets (upper bounds inclusive, as Prometheus wants)."""

    def __init__(self, name: str, help_text: str, buckets: Iterable[float]) -> None:
        self.name, self.help = name, help_text
        self.bounds = tuple(sorted(buckets))
        self.buckets = [0] * (len(self.bounds) + 1)  # per bucket, not cumulative; last: +Inf
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.buckets[bisect_left(self.bounds, value)] += 1
        self.sum += value

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} histogram"]
        total = 0
        for bound, count in zip((*self.bounds, math.inf), self.buckets, strict=True):
            total += count
            lines.append(f'{self.name}_bucket{{le="{_number(bound)}"}} {total}')
        lines += [f"{self.name}_sum {_number(self.sum)}", f"{self.name}_count {total}"]
        return lines


class Metrics:
    """The bot's metrics: one object per running bot, handed to whoever updates them."""

    def __init__(self, answer_kinds: Iterable[str] = ANSWER_KINDS) -> None:
        self.updates = Counter("llamabot_updates_total", "Telegram updates handled.")
        self.errors = Counter("llamabot_update_errors_total",
                              "Updates whose handling failed (seen by the error handler).")
        self.answers = Counter("llamabot_answers_total", "Answers sent in chats, by kind.",
                               "kind", answer_kinds)
        self.turns = Counter("llamabot_turns_total",
                             "Questions answered in chats, by how their conversation read them"
                             " (answer: on its own; follow_up, more, pick...: with its context).",
                             "kind", TURN_KINDS)
        self.latency = Histogram(
            "llamabot_reply_latency_seconds",
            "Time from taking an update to its handlers finishing (the reply sent), seconds.",
            LATENCY_BUCKETS)
        self._collected: list[tuple[str, str, str, str | None, Reader]] = []
        self._failing: set[str] = set()  # metrics whose reader failed at the last scrape

    def collect(self, name: str, kind: str, help_text: str, read: Reader,
                label: str | None = None) -> None:
        """Add a metric (`counter` or `gauge`) whose samples `read` returns at scrape time."""
        self._collected.append((name, kind, help_text, label, read))

    async def render(self) -> str:
        """The whole exposition text; a reader that fails leaves only its own metric out."""
        lines: list[str] = []
        for metric in (self.updates, self.errors, self.answers, self.turns):
            lines += metric.render()
        lines += self.latency.render()
        for name, kind, help_text, label, read in self._collected:
            try:
                samples = await read()
            except Exception as exc:  # e.g. the database is locked: report the rest
                # Once until it reads again: scrapes come from anyone who reaches the port.
                if name not in self._failing:
                    log.warning("metric %s not collected: %s", name,
                                str(exc) or type(exc).__name__)
                self._failing.add(name)
                continue
            if name in self._failing:
                self._failing.discard(name)
                log.info("metric %s collected again", name)
            if samples is not None:
                lines += _family(name, kind, help_text, label, samples)
        return "\n".join(lines) + "\n"


class SharedRead(Generic[T]):
    """A costly read at scrape time (a count in the database), shared: one at a time, its
    result (or failure) served to every scrape for `fresh` seconds from its start.

    /metrics is served on the webhook's port, which anyone can reach: a flood of scrapes
    must cost the database one read per `fresh` seconds, not one per request.
    """

    def __init__(self, read: Callable[[], Awaitable[T]], fresh: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read = read
        self.fresh = fresh
        self._clock = clock
        self._task: asyncio.Task[T] | None = None
        self._started = 0.0

    async def __call__(self) -> T:
        task = self._task
        if task is None or (task.done() and self._clock() - self._started >= self.fresh):
            self._started = self._clock()
            task = self._task = asyncio.ensure_future(self._read())
            # Retrieved even if every scrape waiting for it gave up (no "never retrieved").
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
        # Shielded: a scrape that gives up (its client left) cancels no one else's read.
        return await asyncio.shield(task)


def _family(name: str, kind: str, help_text: str, label: str | None,
            samples: Mapping[str, float]) -> list[str]:
    lines = [f"# HELP {name} {_escape_help(help_text)}", f"# TYPE {name} {kind}"]
    for value, sample in samples.items():
        labels = f'{{{label}="{_escape_label(value)}"}}' if label else ""
        lines.append(f"{name}{labels} {_number(sample)}")
    return lines


def _number(value: float) -> str:
    if value == math.inf:
        return "+Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
