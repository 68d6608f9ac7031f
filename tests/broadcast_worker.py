"""A broadcast service process for restart tests and the benchmark (not a test module).

Runs the real `BroadcastService` (sender, reminders, progress) against a Bot API URL on
a database (SQLite file or postgresql:// URL) until killed, or with --until-done until
nothing is left to send; then
prints one JSON line: sent counts, wall time and the process's CPU time.

    python tests/broadcast_worker.py --database F --base-url URL [--rate R] [--until-done]
        [--lease-ttl S] [--knowledge DIR]   # DIR's events are reminded of
    python tests/broadcast_worker.py --bare N --base-url URL [--rate R]   # PTB alone
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fake_telegram import TOKEN  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.broadcast.lease import lease_for  # noqa: E402
from bot.broadcast.pacing import Pacer  # noqa: E402
from bot.broadcast.sender import SenderConfig  # noqa: E402
from bot.broadcast.service import BroadcastService  # noqa: E402
from bot.core.knowledge import Knowledge  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.storage.async_outbox import AsyncOutbox  # noqa: E402
from bot.storage.connection import DatabaseTarget  # noqa: E402


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries that over from
    the parent across fork and exec, so a big benchmark process would show as ours."""
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kb / 1024


async def bare(args: argparse.Namespace) -> dict[str, float]:
    """The baseline: PTB sends at the same pace and concurrency, without outbox or database."""
    pacer, slots = Pacer(args.rate), asyncio.Semaphore(args.concurrency)
    tasks: set[asyncio.Task[None]] = set()
    request = HTTPXRequest(connection_pool_size=args.concurrency + 2)
    async with Bot(TOKEN, base_url=args.base_url, request=request) as bot:
        print("ready", flush=True)

        async def one(chat_id: int) -> None:
            try:
                await bot.send_message(chat_id, "লামাকন আসছে!", parse_mode=None)
            finally:
                slots.release()

        cpu, started = time.process_time(), time.monotonic()
        for chat_id in range(1, args.bare + 1):
            await pacer.wait()
            await slots.acquire()
            task = asyncio.create_task(one(chat_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    return {"sent": args.bare, "elapsed": elapsed, "cpu": cpu,
            "peak_mb": peak_rss_mb()}


async def main(args: argparse.Namespace) -> dict[str, float]:
    if args.bare:
        return await bare(args)
    assert args.database, "--database is required"
    target = DatabaseTarget.parse(args.database)
    db = await AsyncOutbox.open(target)
    config = SenderConfig(rate=args.rate, concurrency=args.concurrency, idle_poll=0.05)
    knowledge = (load_knowledge(Path(args.knowledge), UTC) if args.knowledge else
                 Knowledge(sources={}, topics=(), facts={}, smalltalk={}, events=()))
    request = HTTPXRequest(connection_pool_size=args.concurrency + 2)
    async with Bot(TOKEN, base_url=args.base_url, request=request) as bot:
        lease = lease_for(target, ttl=args.lease_ttl) if args.lease_ttl else None
        service = BroadcastService(db, bot, knowledge, config=config, progress_every=1.0,
                                   lease=lease)
        print("ready", flush=True)
        cpu, started = time.process_time(), time.monotonic()
        await service.start()
        while True:
            await asyncio.sleep(0.05)
            if args.until_done and await db.call(lambda o: o.remaining()) == 0:
                break
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
        await service.stop()
        stats = service.stats()
    await db.close()
    peak = peak_rss_mb()
    return {"sent": stats.sent, "failed": stats.failed, "throttled": stats.throttled,
            "recovered": stats.recovered, "retried": stats.retried, "elapsed": elapsed,
            "cpu": cpu, "peak_mb": peak}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--until-done", action="store_true")
    parser.add_argument("--lease-ttl", type=float, help="seconds the sender lease lasts")
    parser.add_argument("--knowledge", help="a knowledge folder: its events' reminders")
    parser.add_argument("--bare", type=int, default=0, help="baseline: N plain PTB sends")
    print(json.dumps(asyncio.run(main(parser.parse_args()))), flush=True)
