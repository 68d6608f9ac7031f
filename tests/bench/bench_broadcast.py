"""Broadcast benchmark on SQLite and PostgreSQL: rate, 429s, CPU per message, enqueue time.

    .venv/bin/python tests/bench/bench_broadcast.py                    # both engines
    .venv/bin/python tests/bench/bench_broadcast.py --engine sqlite    # SQLite only
    .venv/bin/python tests/bench/bench_broadcast.py --full             # 10,000 at 25/s

The sender runs as a real subprocess (tests/broadcast_worker.py: the BroadcastService
with PTB's Bot over HTTP) against the fake Bot API in this process, which enforces
Telegram's 30 messages/s (answers 429 beyond it) and counts per-chat gaps under 1 s.
Rates are measured at the server: (messages - 1) / (last arrival - first arrival).
CPU per message is the worker's own process time divided by messages sent; on
PostgreSQL the server also works for it, in the backends serving the worker's
connections (found by application_name, sampled from /proc), reported beside it.

PostgreSQL runs use a fresh schema on LLAMABOT_TEST_POSTGRES (default: the local server,
database `test`), dropped afterwards; SQLite runs a file in a temporary folder. Each
measurement alternates between the engines, so drift of the (shared) machine hits both
alike; tables give the median, min and max over the runs. Setting up subscribers is not
measured: one `INSERT ... SELECT` (generate_series, or a recursive CTE on SQLite), then on
PostgreSQL `VACUUM ANALYZE`, as autovacuum would have done by the time of a broadcast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TESTS), str(TESTS.parent)]

from broadcast_support import LimitedTelegram  # noqa: E402
from databases import POSTGRES_URL, database, proc_cpu, require_postgres  # noqa: E402

from bot.storage.async_outbox import AsyncOutbox  # noqa: E402
from bot.storage.connection import DatabaseTarget, Engine  # noqa: E402
from bot.storage.outbox import Outbox, iso  # noqa: E402

WORKER = TESTS / "broadcast_worker.py"
ENGINES = ("sqlite", "postgresql")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TEXT = "লামাকন আসছে! বিস্তারিত: /llamacon"

Run = dict[str, float]


@contextmanager
def database_target(engine: str) -> Iterator[DatabaseTarget]:
    """A SQLite file in a temporary folder, or a fresh PostgreSQL schema; gone afterwards."""
    with tempfile.TemporaryDirectory() as tmp, database(engine, Path(tmp), durable=True) as target:
        yield target


def fill_subscribers(outbox: Outbox, count: int, now: datetime) -> None:
    """Setup, not measured: subscribers 1..count, active, in one statement."""
    if outbox.conn.engine is Engine.POSTGRESQL:
        sql = ("INSERT INTO subscribers(chat_id, active, reason, changed_at)"
               " SELECT g, 1, 'bench', ? FROM generate_series(1, ?::bigint) AS g")
        params: tuple[Any, ...] = (iso(now), count)
    else:
        sql = ("INSERT INTO subscribers(chat_id, active, reason, changed_at)"
               " WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)"
               " SELECT x, 1, 'bench', ? FROM n")
        params = (count, iso(now))
    with outbox.conn.patience(None), outbox.conn.transaction() as db:  # a million rows
        db.execute(sql, params)
    if outbox.conn.engine is Engine.POSTGRESQL:
        # Hint bits and statistics, as autovacuum leaves a table that has been there a
        # while (this benchmark server runs with autovacuum off).
        with outbox.conn.patience(None):
            outbox.conn.execute("VACUUM ANALYZE subscribers")


# -- PostgreSQL server CPU -----------------------------------------------------------------

def named(target: DatabaseTarget, name: str) -> str:
    """The target's URL with an application_name, so its server backends can be found."""
    sep = "&" if "?" in target.location else "?"
    return f"{target.location}{sep}application_name={name}"


class ServerCPU:
    """CPU seconds of the PostgreSQL backends serving connections called `name`.

    Samples pg_stat_activity and /proc every `every` seconds in a thread: the backends end
    with their connections, so the last sample before that is what counts (a fraction
    of a second of work may be missed at the very end).
    """

    def __init__(self, name: str, every: float = 0.2) -> None:
        import psycopg

        self.name, self.every = name, every
        self.seen: dict[int, float] = {}
        self._admin = psycopg.connect(POSTGRES_URL, autocommit=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> ServerCPU:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._admin.close()

    def _loop(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.every):
                return

    def sample(self) -> None:
        rows = self._admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.name,))
        for (pid,) in rows.fetchall():
            cpu = proc_cpu(pid)
            if cpu is not None:
                self.seen[pid] = cpu

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


# -- the measurements ----------------------------------------------------------------------

def broadcast(engine: str, subscribers: int, rate: float, limit: float | None) -> Run:
    with database_target(engine) as target:
        outbox = Outbox.open(target)
        now = datetime.now(UTC)
        fill_subscribers(outbox, subscribers, now)
        outbox.announce(TEXT, now)
        outbox.close()
        name = f"bench_worker_{secrets.token_hex(4)}"
        postgres = target.engine is Engine.POSTGRESQL
        location = named(target, name) if postgres else target.location
        with LimitedTelegram(rate_limit=limit) as fake, \
                (ServerCPU(name) if postgres else _nothing()) as server:
            worker = subprocess.run(
                [sys.executable, str(WORKER), "--database", location, "--base-url",
                 fake.base_url, "--rate", str(rate), "--until-done"],
                capture_output=True, text=True, timeout=subscribers / rate * 2 + 60)
            if worker.returncode:
                raise RuntimeError(f"worker failed ({worker.returncode}):\n{worker.stderr}")
            stats = json.loads(worker.stdout.strip().splitlines()[-1])
            arrivals = sorted(c.at for c in fake.sent_messages)
            unique = len(set(fake.delivered_to()))
            throttled, violations = fake.throttled, fake.per_chat_violations
        server_cpu = server.seconds if server is not None else 0.0
    sent = max(1, stats["sent"])
    span = arrivals[-1] - arrivals[0]
    return {"delivered": len(arrivals), "unique": unique, "throttled": throttled,
            "per_chat": violations, "rate": (len(arrivals) - 1) / span,
            "cpu_ms": stats["cpu"] / sent * 1000, "server_ms": server_cpu / sent * 1000,
            "peak_mb": stats["peak_mb"]}


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def bare(messages: int, rate: float) -> Run:
    """PTB's own cost at the same pace: what any sender pays before the outbox adds its share."""
    with LimitedTelegram() as fake:
        worker = subprocess.run(
            [sys.executable, str(WORKER), "--bare", str(messages), "--base-url", fake.base_url,
             "--rate", str(rate)],
            capture_output=True, text=True, timeout=messages / rate * 2 + 60, check=True)
        stats = json.loads(worker.stdout.strip().splitlines()[-1])
        arrivals = sorted(c.at for c in fake.sent_messages)
        unique = len(set(fake.delivered_to()))
    return {"delivered": len(arrivals), "unique": unique, "throttled": 0, "per_chat": 0,
            "rate": (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]),
            "cpu_ms": stats["cpu"] / messages * 1000, "server_ms": 0.0,
            "peak_mb": stats["peak_mb"]}


def bookkeeping(engine: str, messages: int = 5_000) -> Run:
    """The outbox's own steps per message (claim, record) through its thread, as the sender
    calls them: this process's CPU, the PostgreSQL backend's CPU, and wall time."""
    def backend(outbox: Outbox) -> int | None:
        if outbox.conn.engine is not Engine.POSTGRESQL:
            return None
        return int(outbox.conn.execute("SELECT pg_backend_pid()").fetchone()[0])

    async def run() -> Run:
        with database_target(engine) as target:
            db = await AsyncOutbox.open(target)
            now = datetime.now(UTC)
            await db.call(lambda o: fill_subscribers(o, messages, now))
            await db.call(lambda o: o.announce("x", now))
            items = await db.call(lambda o: o.pending_batch(messages))
            pid = await db.call(backend)
            server = (proc_cpu(pid) or 0.0) if pid else 0.0
            cpu, wall = time.process_time(), time.perf_counter()
            for item in items:
                await db.call(lambda o: o.claim(item, now))  # noqa: B023 (awaited at once)
                await db.call(lambda o: o.record(item, "sent", now))  # noqa: B023
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            server = (proc_cpu(pid) or 0.0) - server if pid else 0.0
            await db.close()
        return {"cpu_ms": cpu / messages * 1000, "server_ms": server / messages * 1000,
                "wall_ms": wall / messages * 1000}

    return asyncio.run(run())


def enqueue(engine: str, recipients: int) -> Run:
    """`Outbox.announce` to `recipients` subscribers: one INSERT ... SELECT, one transaction."""
    with database_target(engine) as target:
        outbox = Outbox.open(target)
        try:
            now = datetime.now(UTC)
            started = time.perf_counter()
            fill_subscribers(outbox, recipients, now)
            setup = time.perf_counter() - started
            started = time.perf_counter()
            _, count = outbox.announce("x", now)
            elapsed = time.perf_counter() - started
        finally:
            outbox.close()
    assert count == recipients, (count, recipients)
    return {"seconds": elapsed, "setup_s": setup}


# -- reporting -----------------------------------------------------------------------------

def values(runs: list[Run], key: str) -> list[float]:
    return [r[key] for r in runs]


def median(runs: list[Run], key: str) -> float:
    return statistics.median(values(runs, key))


def spread(numbers: list[float], fmt: str, unit: str = "") -> str:
    """`median (min–max, n runs)`."""
    if not numbers:
        return "—"
    mid = fmt.format(statistics.median(numbers))
    if len(numbers) == 1:
        return f"{mid}{unit} (1 run)"
    return (f"{mid}{unit} ({fmt.format(min(numbers))}–{fmt.format(max(numbers))}, "
            f"{len(numbers)} runs)")


def log(label: str, run: Run) -> None:
    text = ", ".join(f"{k}={v:.6g}" for k, v in run.items())
    print(f"{label}: {text}", file=sys.stderr, flush=True)


def repeat(runs: int, engines: list[str], measure: Callable[[str], Run], label: str,
           ) -> dict[str, list[Run]]:
    """`runs` rounds, each measuring every engine in turn (interleaved against drift)."""
    results: dict[str, list[Run]] = {e: [] for e in engines}
    for _ in range(runs):
        for engine in engines:
            results[engine].append(measure(engine))
            log(f"{label} [{engine}]", results[engine][-1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both")
    parser.add_argument("--full", action="store_true", help="10,000 subscribers at 25/s")
    parser.add_argument("--default-runs", type=int, default=1,
                        help="runs of the 25/s case per engine (0: skip it)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the 10,000-at-500/s case per engine (and bare PTB)")
    parser.add_argument("--bookkeeping-runs", type=int, default=3)
    parser.add_argument("--enqueue-runs", type=int, default=5,
                        help="runs of the 100,000-recipient enqueue per engine")
    parser.add_argument("--million-runs", type=int, default=3,
                        help="runs of the 1,000,000-recipient enqueue per engine (0: skip)")
    args = parser.parse_args()
    engines = list(ENGINES) if args.engine == "both" else [args.engine]
    if "postgresql" in engines:
        require_postgres()
    default_n = 10_000 if args.full else 1_000

    default = repeat(args.default_runs, engines,
                     lambda e: broadcast(e, default_n, 25, limit=30), "25/s")
    fast: dict[str, list[Run]] = {e: [] for e in engines}
    baseline: list[Run] = []
    for _ in range(args.repeat):  # interleaved, so machine load hits all alike
        for engine in engines:
            fast[engine].append(broadcast(engine, 10_000, 500, limit=None))
            log(f"500/s [{engine}]", fast[engine][-1])
        baseline.append(bare(10_000, 500))
        log("500/s [bare PTB]", baseline[-1])
    book = repeat(args.bookkeeping_runs, engines, bookkeeping, "bookkeeping")
    hundred_k = repeat(args.enqueue_runs, engines, lambda e: enqueue(e, 100_000), "enqueue 100k")
    million = repeat(args.million_runs, engines, lambda e: enqueue(e, 1_000_000), "enqueue 1M")

    print(f"\nCPU count {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| case | database | runs | messages | achieved rate (vs configured) | 429s |"
          " per-chat < 1 s | worker CPU per message | + PostgreSQL server CPU |"
          " worker peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    cases: list[tuple[str, str, list[Run], float]] = []
    for engine in engines:
        if default[engine]:
            cases.append((f"{default_n:,} subscribers, 25/s, server limit 30/s", NAMES[engine],
                          default[engine], 25.0))
    for engine in engines:
        if fast[engine]:
            cases.append(("10,000 subscribers, 500/s, no server limit", NAMES[engine],
                          fast[engine], 500.0))
    if baseline:
        cases.append(("baseline: 10,000 bare PTB sends, 500/s", "none", baseline, 500.0))
    for label, db, runs, configured in cases:
        achieved = median(runs, "rate")
        rates = values(runs, "rate")
        server = (f"{median(runs, 'server_ms'):.3f} ms" if db == "PostgreSQL" else "—")
        print(f"| {label} | {db} | {len(runs)} | {median(runs, 'delivered'):.0f} "
              f"({median(runs, 'unique'):.0f} unique) | {achieved:.2f}/s "
              f"({(achieved / configured - 1) * 100:+.1f}%; {min(rates):.0f}–{max(rates):.0f})"
              f" | {median(runs, 'throttled'):.0f} | {median(runs, 'per_chat'):.0f} | "
              f"{spread(values(runs, 'cpu_ms'), '{:.3f}', ' ms')} | {server} | "
              f"{median(runs, 'peak_mb'):.0f} MB |")

    title = "PostgreSQL vs SQLite" if len(engines) == 2 else NAMES[engines[0]]
    print(f"\n#### {title} (median (min–max, runs))\n")
    print("| measure | " + " | ".join(NAMES[e] for e in engines) + " |")
    print("|---|" + "---:|" * len(engines))

    def row(label: str, cells: list[str]) -> None:
        print(f"| {label} | " + " | ".join(cells) + " |")

    if baseline:
        row("10,000 subscribers at 500/s: achieved rate",
            [spread(values(fast[e], "rate"), "{:.0f}", "/s") for e in engines])
        row("… worker CPU per message",
            [spread(values(fast[e], "cpu_ms"), "{:.2f}", " ms") for e in engines])
        row("… outbox's share of it (minus bare PTB's "
            f"{median(baseline, 'cpu_ms'):.2f} ms, medians)",
            [f"{median(fast[e], 'cpu_ms') - median(baseline, 'cpu_ms'):.2f} ms"
             for e in engines])
        if "postgresql" in engines:
            row("… PostgreSQL server CPU per message (SQLite: in the worker)",
                [spread(values(fast[e], "server_ms"), "{:.2f}", " ms")
                 if e == "postgresql" else "—" for e in engines])
    if any(book.values()):
        row("outbox bookkeeping (claim + record), CPU of this process per message",
            [spread(values(book[e], "cpu_ms"), "{:.3f}", " ms") for e in engines])
        if "postgresql" in engines:
            row("… PostgreSQL server CPU per message",
                [spread(values(book[e], "server_ms"), "{:.3f}", " ms")
                 if e == "postgresql" else "—" for e in engines])
        row("… wall time per message", [spread(values(book[e], "wall_ms"), "{:.3f}", " ms")
                                        for e in engines])
    if any(hundred_k.values()):
        row("enqueue 100,000 recipients (target ≤ 2 s)",
            [spread(values(hundred_k[e], "seconds"), "{:.2f}", " s") for e in engines])
    if any(million.values()):
        row("enqueue 1,000,000 recipients (target ≤ 20 s on PostgreSQL)",
            [spread(values(million[e], "seconds"), "{:.2f}", " s") for e in engines])
        if "postgresql" in engines and million["postgresql"]:
            worst = max(values(million["postgresql"], "seconds"))
            print(f"\n1,000,000 recipients on PostgreSQL: slowest run {worst:.2f} s: "
                  f"{'OK' if worst <= 20 else 'MISSED'} (target ≤ 20 s)")

    print("\n#### Raw runs\n")
    for label, per_engine in (("25/s", default), ("500/s", fast),
                              ("bookkeeping", book), ("enqueue 100,000", hundred_k),
                              ("enqueue 1,000,000", million)):
        for engine in engines:
            for i, run in enumerate(per_engine[engine], 1):
                print(f"- {label} {NAMES[engine]} run {i}: "
                      + ", ".join(f"{k}={v:.6g}" for k, v in run.items()))
    for i, run in enumerate(baseline, 1):
        print(f"- 500/s bare PTB run {i}: " + ", ".join(f"{k}={v:.6g}" for k, v in run.items()))


if __name__ == "__main__":
    main()
