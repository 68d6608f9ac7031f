"""Benchmark: a broadcast progress round at 100,000 and 1,000,000 recipients, before and
after the counts kept in the broadcast's row (migration 9), on SQLite and PostgreSQL.

    .venv/bin/python tests/bench/bench_progress.py                  # both engines, ~3 min
    .venv/bin/python tests/bench/bench_progress.py --engine sqlite --rounds 21

A round is what the progress reporter does every few seconds while a broadcast sends
(`bot.broadcast.progress._collect`): find the broadcasts with nothing left to send, the
watched ones, and each one's progress. "before" is the same round with the progress read
as it was until migration 9 (its rows counted by state, plus those purged); "after" is
the round as it is now. Both run on the same database, alternating round by round, so
drift of the (shared) machine hits both alike. The broadcast is half sent: its first half
of rows `sent` (and its count set so), the rest pending, as midway through a send.

Also: what the counts cost each send, the outbox's bookkeeping per message (claim, then
record `sent`) through `Outbox`, against the same claim followed by the record statement as
it was (one `UPDATE` of the row alone), alternating in blocks of 500 messages.

Setup is not measured: subscribers in one `INSERT ... SELECT`, the enqueue, then on
PostgreSQL `VACUUM ANALYZE` (this benchmark server runs with autovacuum off).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TESTS), str(TESTS.parent), str(TESTS / "bench")]

from bench_broadcast import fill_subscribers  # noqa: E402
from databases import database, require_postgres  # noqa: E402

from bot.broadcast.progress import _collect  # noqa: E402
from bot.storage.connection import Engine  # noqa: E402
from bot.storage.outbox import FINISHED, Outbox, OutboxItem, Progress, iso  # noqa: E402

ENGINES = ("sqlite", "postgresql")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def progress_before(outbox: Outbox, broadcast_id: int) -> Progress | None:
    """`Outbox.progress` as it was before migration 9: its rows counted by state."""
    row = outbox.conn.execute(
        "SELECT id, kind, state, created_at, text, total, progress_chat_id,"
        " progress_message_id, purged_sent, purged_failed, purged_blocked,"
        " purged_cancelled FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
    if row is None:
        return None
    counts = dict(outbox.conn.execute(
        "SELECT state, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY state",
        (broadcast_id,)).fetchall())
    sent, failed, blocked, cancelled = (counts.get(s, 0) + int(p)
                                        for s, p in zip(FINISHED, row[8:12], strict=True))
    return Progress(int(row[0]), row[1], row[2], row[3], row[4], int(row[5]), sent=sent,
                    failed=failed, blocked=blocked, cancelled=cancelled,
                    remaining=counts.get("pending", 0) + counts.get("sending", 0),
                    progress_chat_id=row[6], progress_message_id=row[7])


def round_before(outbox: Outbox, now: datetime) -> list[Progress]:
    """`_collect` with the progress read as before."""
    finished = outbox.finish_completed(now)
    ids = sorted(set(outbox.watched()) | set(finished))
    found = [progress_before(outbox, i) for i in ids]
    return [p for p in found if p is not None and p.progress_message_id is not None]


def half_sent(outbox: Outbox, recipients: int, now: datetime) -> int:
    """Setup: a watched broadcast to `recipients`, its first half sent."""
    fill_subscribers(outbox, recipients, now)
    broadcast_id, count = outbox.announce("x", now)
    assert count == recipients
    outbox.set_progress_message(broadcast_id, 999, 42)
    half = recipients // 2
    with outbox.conn.patience(None), outbox.conn.transaction() as db:  # half a million rows
        db.execute("UPDATE outbox SET state = 'sent', updated_at = ? WHERE broadcast_id = ?"
                   " AND chat_id <= ?", (iso(now), broadcast_id, half))
        db.execute("UPDATE broadcasts SET sent = ? WHERE id = ?", (half, broadcast_id))
    if outbox.conn.engine is Engine.POSTGRESQL:
        with outbox.conn.patience(None):
            outbox.conn.execute("VACUUM ANALYZE outbox")
            outbox.conn.execute("VACUUM ANALYZE broadcasts")
    return broadcast_id


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def rounds(engine: str, recipients: int, count: int) -> dict[str, list[float]]:
    """Milliseconds per progress round, before and after, `count` of each, alternating."""
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, database(engine, Path(tmp), durable=True) as target:
        outbox = Outbox.open(target)
        try:
            broadcast_id = half_sent(outbox, recipients, now)
            before, after = round_before(outbox, now), _collect(outbox, now, None)
            assert before == after and len(after) == 1, (before, after)
            assert (after[0].sent, after[0].remaining) == (recipients // 2, recipients // 2)
            assert after[0].broadcast_id == broadcast_id
            times: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(count):
                times["before"].append(timed(lambda: round_before(outbox, now)))
                times["after"].append(timed(lambda: _collect(outbox, now, None)))
        finally:
            outbox.close()
    return times


def record_before(outbox: Outbox, item: OutboxItem, now: datetime) -> None:
    """`Outbox.record` as it was before migration 9: the row alone, one statement."""
    outbox.conn.execute(
        "UPDATE outbox SET state = 'sent', updated_at = ?, error = NULL WHERE broadcast_id = ?"
        " AND chat_id = ? AND state IN ('sending', 'pending')",
        (iso(now), item.broadcast_id, item.chat_id))


def bookkeeping(engine: str, messages: int, block: int = 500) -> dict[str, list[float]]:
    """Milliseconds per message of claim + record, before and after, per block."""
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, database(engine, Path(tmp), durable=True) as target:
        outbox = Outbox.open(target)
        try:
            fill_subscribers(outbox, messages, now)
            outbox.announce("x", now)
            items = outbox.pending_batch(messages)
            times: dict[str, list[float]] = {"before": [], "after": []}
            for start in range(0, len(items), block):
                which = "before" if (start // block) % 2 == 0 else "after"
                part = items[start:start + block]
                started = time.perf_counter()
                for item in part:
                    outbox.claim(item, now)
                    if which == "before":
                        record_before(outbox, item, now)
                    else:
                        outbox.record(item, "sent", now)
                times[which].append((time.perf_counter() - started) * 1000 / len(part))
        finally:
            outbox.close()
    return times


def cell(numbers: list[float], fmt: str = "{:.2f}") -> str:
    mid = fmt.format(statistics.median(numbers))
    return f"{mid} ({fmt.format(min(numbers))}–{fmt.format(max(numbers))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both")
    parser.add_argument("--rounds", type=int, default=11, help="rounds of each, per size")
    parser.add_argument("--sizes", default="100000,1000000",
                        help="recipients, comma-separated")
    parser.add_argument("--messages", type=int, default=4000,
                        help="messages for the bookkeeping comparison (0: skip it)")
    args = parser.parse_args()
    engines = list(ENGINES) if args.engine == "both" else [args.engine]
    if "postgresql" in engines:
        require_postgres()
    sizes = [int(s) for s in args.sizes.split(",")]

    results: list[tuple[str, str, dict[str, list[float]]]] = []
    for size in sizes:
        for engine in engines:
            times = rounds(engine, size, args.rounds)
            print(f"{size:,} [{engine}]: before {statistics.median(times['before']):.2f} ms,"
                  f" after {statistics.median(times['after']):.3f} ms", file=sys.stderr,
                  flush=True)
            results.append((f"progress round, {size:,} recipients half sent", engine, times))
    for engine in engines if args.messages else ():
        times = bookkeeping(engine, args.messages)
        print(f"bookkeeping [{engine}]: before {statistics.median(times['before']):.3f} ms,"
              f" after {statistics.median(times['after']):.3f} ms", file=sys.stderr, flush=True)
        results.append(("claim + record per message", engine, times))

    print(f"\nmedian (min–max) in ms; {args.rounds} rounds of each per size,"
          f" {args.messages:,} messages in blocks of 500 for the bookkeeping\n")
    print("| measure | database | before (row counts) | after (counts in the row) |"
          " after / before |")
    print("|---|---|---:|---:|---:|")
    for label, engine, times in results:
        ratio = statistics.median(times["after"]) / statistics.median(times["before"])
        fmt = "{:.3f}" if label.startswith("claim") else "{:.2f}"
        print(f"| {label} | {NAMES[engine]} | {cell(times['before'], fmt)} |"
              f" {cell(times['after'], fmt)} | {ratio:.4f} |")


if __name__ == "__main__":
    main()
