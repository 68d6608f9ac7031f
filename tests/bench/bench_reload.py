"""Benchmark: knowledge reloads, and replies while a reload runs.

    .venv/bin/python tests/bench/bench_reload.py [--repeat 7] [--serial 300]

* reload time (load, validate, index: what every reload does, as the bot does it, in slices
  between replies, here with no reply to wait for) of the real knowledge base and of a
  synthetic one with 10,000 example questions; medians over --repeat runs;
* reply latency p50/p99 of the real `llamabot run` process against the fake Bot API
  server, first quiet, then while it reloads again and again (SIGHUP every 250 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(ROOT)]

from bench_bot import QUESTIONS, Subject, percentile  # noqa: E402
from fake_telegram import TOKEN, FakeTelegram  # noqa: E402

from bot.core.loader import load_knowledge  # noqa: E402
from bot.live import LiveKnowledge  # noqa: E402
from bot.responder_cache import ResponderCache  # noqa: E402

TZ = ZoneInfo("Asia/Dhaka")
RELOAD_EVERY = 0.25  # seconds between SIGHUPs: the bot is reloading a good part of the time
BLOCKS = 8  # quiet and reloading blocks, alternated


def reload_seconds(folder: Path, repeat: int) -> float:
    """The bot's own reload (`LiveKnowledge.reload`, in slices between replies) on an idle
    loop."""
    live = LiveKnowledge.load(folder, TZ, ResponderCache(None))

    async def timed() -> list[float]:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            await live.reload()
            times.append(time.perf_counter() - start)
        return times

    return statistics.median(asyncio.run(timed()))


def synthetic_folder(target: Path, questions: int) -> Path:
    """The real sources and events plus facts.yaml grown to `questions` example questions."""
    shutil.copytree(ROOT / "knowledge", target)
    real = load_knowledge(ROOT / "knowledge", TZ)
    lines = ["version: 1", "facts:"]
    per_fact = 20
    template = next(iter(real.facts.values()))
    words = sorted({w for f in real.facts.values() for q in f.questions for w in q.split()})
    for n in range(questions // per_fact):
        lines += [
            f"  - id: synthetic_{n}",
            f"    topic: {template.topic}",
            f'    title: "তথ্য {n}"',
            f'    answer: "{template.answer}"',
            "    questions:",
            *(
                f'      - "{words[(n * 7 + i * 13) % len(words)]} {words[(n + i) % len(words)]}'
                f' প্রশ্ন{n}"'
                for i in range(per_fact)
            ),
            "    citation:",
            f"      source: {template.citation.source_id}",
            f'      section: "{template.citation.section}"',
            f'      quote: "{template.citation.quote}"',
        ]
    (target / "synthetic.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def latencies(subject: Subject, count: int, reloading: bool) -> list[float]:
    stop = threading.Event()

    def hangups() -> None:
        while not stop.is_set():
            os.kill(subject.proc.pid, signal.SIGHUP)
            time.sleep(RELOAD_EVERY)

    thread = threading.Thread(target=hangups, daemon=True)
    if reloading:
        thread.start()
    try:
        return subject.serial(count)
    finally:
        stop.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--serial", type=int, default=300)
    args = parser.parse_args()

    real = reload_seconds(ROOT / "knowledge", args.repeat)
    with tempfile.TemporaryDirectory() as scratch:
        folder = synthetic_folder(Path(scratch) / "knowledge", 10_000)
        count = sum(len(f.questions) for f in load_knowledge(folder, TZ).facts.values())
        synthetic = reload_seconds(folder, max(3, args.repeat // 2))

        cwd = Path(scratch) / "run"
        cwd.mkdir()
        fake = FakeTelegram(max_poll=1.0).start()
        env = {
            **os.environ,
            "BENCH_CWD": str(cwd),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": fake.base_url,
            "LLAMABOT_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
            "LLAMABOT_DATABASE": str(cwd / "bench.sqlite3"),
            "LLAMABOT_LOG_LEVEL": "WARNING",
        }
        subject = Subject(
            "llamabot", [str(Path(sys.executable).parent / "llamabot"), "run"], fake, env
        )
        try:
            subject.serial(30)  # warm up
            # Alternate short quiet and reloading blocks, so that drift in the machine's
            # load (it is shared) falls on both alike.
            quiet: list[float] = []
            busy: list[float] = []
            block = max(1, args.serial // BLOCKS)
            for _ in range(BLOCKS):
                time.sleep(0.5)  # the last reload of a busy block must not spill into this one
                quiet += latencies(subject, block, reloading=False)
                busy += latencies(subject, block, reloading=True)
        finally:
            subject.stop()

    def ms(values: list[float], q: float) -> float:
        return percentile(values, q) * 1000

    print("### Reload (load + validate + index), median\n")
    print("| knowledge base | example questions | reload | target |")
    print("|---|---|---|---|")
    real_questions = sum(
        len(f.questions) for f in load_knowledge(ROOT / "knowledge", TZ).facts.values()
    )
    print(f"| real | {real_questions:,} | {real * 1000:.0f} ms | ≤ 200 ms |")
    print(f"| synthetic | {count:,} | {synthetic * 1000:.0f} ms | ≤ 2,000 ms |")
    print(
        f"\n### Replies while reloading ({args.serial} questions one at a time, "
        f"{len(QUESTIONS)} phrasings)\n"
    )
    print("| | p50 | p99 |")
    print("|---|---|---|")
    print(f"| quiet | {ms(quiet, 0.5):.1f} ms | {ms(quiet, 0.99):.1f} ms |")
    print(
        f"| reloading (SIGHUP every {RELOAD_EVERY * 1000:.0f} ms)"
        f" | {ms(busy, 0.5):.1f} ms | {ms(busy, 0.99):.1f} ms |"
    )
    print(
        f"| ratio (target p99 ≤ 2×) | {ms(busy, 0.5) / ms(quiet, 0.5):.2f}× | "
        f"{ms(busy, 0.99) / ms(quiet, 0.99):.2f}× |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
