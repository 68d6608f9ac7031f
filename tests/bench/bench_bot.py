"""Benchmark: the whole bot vs a bare PTB echo bot against the same fake Bot API server.

Both bots run as real processes (`llamabot run` and a minimal PTB echo bot) long-polling
their own instance of `tests/fake_telegram.py` in this process. Rounds alternate between
the two bots so drift (CPU frequency, other load) hits both alike; medians are reported.

    .venv/bin/python tests/bench/bench_bot.py [--rounds 5] [--burst 1000] [--serial 200]

* throughput: `--burst` updates queued at once, updates/s until the last reply;
* latency: `--serial` updates one at a time (push, wait for the reply), p50/p99;
* memory: peak RSS (VmHWM) of the bot process with the real knowledge base.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent), str(ROOT)]

from fake_telegram import FakeTelegram  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval_questions.yaml"

QUESTIONS = (
    "লামা কতবার ডাউনলোড হয়েছে?", "lama koto bar download hoyeche", "llamacon kobe",
    "who sued meta", "How many times has Llama been downloaded?", "লামা কী?",
    "meta", "আজ ঢাকার আবহাওয়া কেমন?", "hello", "লামার লাইসেন্স আর মামলা",
)

ECHO_BOT = """
import sys
from telegram import Update
from telegram.ext import Application, MessageHandler, filters

async def echo(update: Update, context) -> None:
    await update.message.reply_text(update.message.text)

app = Application.builder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)
"""
# The same bare bot, but replying with one real llamabot answer (HTML, citation, three
# buttons): separates the cost of sending bigger messages through PTB from our own work.
SIZED_BOT = """
import json, os, sys
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, MessageHandler, filters

reply = json.loads(os.environ["BENCH_REPLY"])
markup = InlineKeyboardMarkup(
    [[InlineKeyboardButton(t, callback_data=d)] for t, d in reply["buttons"]])

async def answer(update: Update, context) -> None:
    await update.message.reply_text(reply["html"], parse_mode="HTML", reply_markup=markup)

app = Application.builder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.TEXT, answer))
app.run_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)
"""


def question_stream(mode: str, seed: int = 1) -> Iterator[str]:
    """What users ask: `popular` repeats 10 questions, `varied` cycles the 244 labelled eval
    questions, `new` never repeats (each eval question with a fresh random typo), so no
    cache in the bot can help."""
    if mode == "popular":
        yield from itertools.cycle(QUESTIONS)
    texts = [q["q"] for q in yaml.safe_load(EVAL.read_text(encoding="utf-8"))["questions"]]
    if mode == "varied":
        yield from itertools.cycle(texts)
    rng = random.Random(seed)
    seen: set[str] = set()
    for text in itertools.cycle(texts):
        variant = text
        while variant in seen or variant == text:
            # A typo: one letter replaced, or (once short texts run out of those) inserted.
            chars = list(variant)
            at = rng.randrange(len(chars))
            typo = rng.choice("aeioukmnr")
            chars[at:at + 1] = [typo] if rng.random() < 0.7 else [typo, chars[at]]
            variant = "".join(chars)
        seen.add(variant)
        yield variant


def sample_reply() -> str:
    """A typical llamabot answer, rendered by the real code, as JSON for SIZED_BOT."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.answer import Responder
    from bot.loader import load_knowledge
    from bot.tg.render import render_answer

    tz = ZoneInfo("Asia/Dhaka")
    responder = Responder(load_knowledge(ROOT / "knowledge", tz))
    answer = responder.ask(QUESTIONS[0], datetime.now(tz))
    facts = responder.knowledge.facts
    buttons = [(facts[f].canonical_question, f"f:{f}") for f in answer.suggestions]
    return json.dumps({"html": render_answer(answer, responder.knowledge)[0], "buttons": buttons})


class Subject:
    """One bot process and its own fake server."""

    def __init__(self, name: str, argv: list[str], fake: FakeTelegram, env: dict[str, str],
                 questions: Iterator[str] | None = None):
        self.name = name
        self.fake = fake
        self.questions = questions or itertools.cycle(QUESTIONS)
        self.log = Path(env["BENCH_CWD"]) / f"{name}.log"  # a file: a full pipe would block
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(argv, env=env, cwd=env["BENCH_CWD"],
                                         stdout=log, stderr=subprocess.STDOUT)
        fake.wait_for("getUpdates", timeout=30)
        self.next_user = 1_000_000
        self.throughput: list[float] = []
        self.latencies: list[float] = []
        self.cpu_per_update: list[float] = []

    def users(self, count: int) -> list[int]:
        # A fresh user per update: flood control (20/min per user) must not shape the load.
        start = self.next_user
        self.next_user += count
        return list(range(start, start + count))

    def burst(self, count: int) -> float:
        since = self.fake.mark()
        cpu = self.cpu_seconds()
        started = time.monotonic()
        for user in self.users(count):
            self.fake.message(next(self.questions), user_id=user)
        try:
            last = wait_replies(self.fake, since, count)
        except TimeoutError:
            print(f"{self.name} did not answer; its log:\n{self.log.read_text()[-3000:]}")
            raise
        # CPU time of the bot process itself: steadier than wall time on a shared machine.
        self.cpu_per_update.append((self.cpu_seconds() - cpu) / count)
        return count / (last - started)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def serial(self, count: int) -> list[float]:
        latencies = []
        for user in self.users(count):
            since = self.fake.mark()
            pushed = time.monotonic()
            self.fake.message(next(self.questions), user_id=user)
            latencies.append(wait_replies(self.fake, since, 1) - pushed)
        return latencies

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines()
                  if line.startswith("VmHWM:"))
        return kb / 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.fake.stop()


def wait_replies(fake: FakeTelegram, since: int, count: int, timeout: float = 120) -> float:
    """Arrival time (server clock) of the `count`-th sendMessage after index `since`."""
    deadline = time.monotonic() + timeout
    seen, index = 0, since
    while time.monotonic() < deadline:
        calls = fake.calls  # appended under a lock; reading a snapshot slice is safe
        for call in calls[index:]:
            if call.method == "sendMessage":
                seen += 1
                if seen == count:
                    return call.at
        index = len(calls)
        time.sleep(0.0005)
    raise TimeoutError(f"only {seen}/{count} replies")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--serial", type=int, default=200)
    parser.add_argument("--questions", choices=("popular", "varied", "new"), default="varied",
                        help="popular: 10 questions again and again; varied: the 244 eval "
                        "questions in turn (default); new: no question ever repeats")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="llamabot-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    env.update(PYTHONUNBUFFERED="1", BENCH_CWD=str(work),
               LLAMABOT_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
               LLAMABOT_DATABASE=str(work / "bench.sqlite3"), LLAMABOT_LOG_LEVEL="WARNING")
    fakes = {name: FakeTelegram(max_poll=1.0).start() for name in ("llamabot", "echo", "sized")}
    bot_env = dict(env, TELEGRAM_BOT_TOKEN=fakes["llamabot"].token,
                   TELEGRAM_BASE_URL=fakes["llamabot"].base_url)
    subjects = [
        Subject("llamabot", [sys.executable, "-m", "bot.cli", "run"], fakes["llamabot"], bot_env,
                question_stream(args.questions)),
        Subject("echo", [sys.executable, "-c", ECHO_BOT, fakes["echo"].token,
                         fakes["echo"].base_url], fakes["echo"], env,
                question_stream(args.questions)),
        Subject("sized", [sys.executable, "-c", SIZED_BOT, fakes["sized"].token,
                          fakes["sized"].base_url], fakes["sized"],
                dict(env, BENCH_REPLY=sample_reply()), question_stream(args.questions)),
    ]
    try:
        for subject in subjects:  # warm-up: imports, connection pools, caches
            subject.burst(50)
        for _ in range(args.rounds):
            for subject in subjects:
                subject.throughput.append(subject.burst(args.burst))
                subject.latencies.extend(subject.serial(args.serial))
        rss = {s.name: s.peak_rss_mb() for s in subjects}
    finally:
        for subject in subjects:
            subject.stop()

    bot, echo, sized = subjects

    def med(values: list[float], scale: float = 1) -> float:
        return statistics.median(values) * scale

    rows = [
        ("updates/s (median of rounds)", med(bot.throughput), med(echo.throughput),
         med(sized.throughput), "{:.0f}"),
        ("bot CPU per update (ms, median)", med(bot.cpu_per_update, 1000),
         med(echo.cpu_per_update, 1000), med(sized.cpu_per_update, 1000), "{:.2f}"),
        ("reply latency p50 (ms)", percentile(bot.latencies, 0.5) * 1000,
         percentile(echo.latencies, 0.5) * 1000, percentile(sized.latencies, 0.5) * 1000,
         "{:.2f}"),
        ("reply latency p99 (ms)", percentile(bot.latencies, 0.99) * 1000,
         percentile(echo.latencies, 0.99) * 1000, percentile(sized.latencies, 0.99) * 1000,
         "{:.2f}"),
        ("peak RSS (MB)", rss["llamabot"], rss["echo"], rss["sized"], "{:.1f}"),
    ]
    print(f"\n{args.rounds} rounds; questions: {args.questions}; burst {args.burst} updates; "
          f"{args.serial} serial updates "
          f"per round; CPU count {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}\n")
    print("| metric | llamabot | bare PTB echo bot | llamabot / echo "
          "| bare PTB bot, llamabot-sized reply | llamabot / sized |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ours, theirs, same_size, fmt in rows:
        print(f"| {name} | {fmt.format(ours)} | {fmt.format(theirs)} | {ours / theirs:.2f} "
              f"| {fmt.format(same_size)} | {ours / same_size:.2f} |")
    ratio = statistics.median(bot.throughput) / statistics.median(echo.throughput)
    ok = ratio >= 0.8 and rss["llamabot"] <= 120
    print(f"\nthroughput ratio {ratio:.2f} (target ≥ 0.80), peak RSS {rss['llamabot']:.1f} MB "
          f"(target ≤ 120): {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
