"""Benchmark: the whole bot vs a bare PTB echo bot against the same fake Bot API server.

Both bots run as real processes (`llamabot run` and a minimal PTB echo bot) long-polling
their own instance of `tests/fake_telegram.py` in this process. Rounds alternate between
the two bots so drift (CPU frequency, other load) hits both alike; medians are reported.

    .venv/bin/python tests/bench/bench_bot.py [--rounds 5] [--burst 1000] [--serial 200]
    .venv/bin/python tests/bench/bench_bot.py --engine both     # llamabot on SQLite and on
                                                                # PostgreSQL, side by side

* throughput: `--burst` updates queued at once, updates/s until the last reply;
* latency: `--serial` updates one at a time (push, wait for the reply), p50/p99;
* memory: peak RSS (VmHWM) of the bot process with the real knowledge base.

`--engine` picks what LLAMABOT_DATABASE points llamabot at: a SQLite file (default), a
fresh PostgreSQL schema on LLAMABOT_TEST_POSTGRES (default: the local server, database
`test`; dropped afterwards), or `both`: two llamabot processes, one per engine, in the same
rounds. On PostgreSQL the server's CPU for the bot's connections (its backends, found by
application_name) is reported beside the bot's own. `--no-baselines` leaves out the bare
PTB bots. `--context-off` runs a second llamabot per engine with LLAMABOT_CONVERSATION=off
(each message answered alone, no context read or written) in the same rounds, on a
database of its own, and compares the two: what conversation contexts cost.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent), str(ROOT)]

from databases import POSTGRES_URL, postgres_schema, proc_cpu, require_postgres  # noqa: E402
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

    from bot.core.answer import Responder
    from bot.core.loader import load_knowledge
    from bot.tg.render import render_answer

    tz = ZoneInfo("Asia/Dhaka")
    responder = Responder(load_knowledge(ROOT / "knowledge", tz))
    answer = responder.ask(QUESTIONS[0], datetime.now(tz))
    buttons = [(c.label, f"f:{c.fact_id}") for c in answer.choices]
    return json.dumps({"html": render_answer(answer)[0], "buttons": buttons})


class Backends:
    """CPU seconds of the PostgreSQL backends serving connections called `name`."""

    def __init__(self, name: str) -> None:
        import psycopg

        self.name = name
        self.admin = psycopg.connect(POSTGRES_URL, autocommit=True)

    def cpu(self) -> dict[int, float]:
        rows = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.name,))
        return {pid: cpu for (pid,) in rows.fetchall() if (cpu := proc_cpu(pid)) is not None}

    def close(self) -> None:
        self.admin.close()


class Subject:
    """One bot process and its own fake server."""

    def __init__(self, name: str, argv: list[str], fake: FakeTelegram, env: dict[str, str],
                 questions: Iterator[str] | None = None, label: str = "",
                 backends: Backends | None = None):
        self.name = name
        self.label = label or name
        self.backends = backends
        self.fake = fake
        self.questions = questions or itertools.cycle(QUESTIONS)
        self.log = Path(env["BENCH_CWD"]) / f"{name}.log"  # a file: a full pipe would block
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(argv, env=env, cwd=env["BENCH_CWD"],
                                         stdout=log, stderr=subprocess.STDOUT)
        try:
            fake.wait_for("getUpdates", timeout=30)
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            print(f"{name} did not start; its log:\n{self.log.read_text()[-3000:]}")
            raise
        self.next_user = 1_000_000
        self.throughput: list[float] = []
        self.latencies: list[float] = []
        self.round_latencies: list[list[float]] = []
        self.cpu_per_update: list[float] = []
        self.server_cpu_per_update: list[float] = []

    def users(self, count: int) -> list[int]:
        # A fresh user per update: flood control (20/min per user) must not shape the load.
        start = self.next_user
        self.next_user += count
        return list(range(start, start + count))

    def burst(self, count: int) -> float:
        since = self.fake.mark()
        cpu = self.cpu_seconds()
        server = self.backends.cpu() if self.backends else {}
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
        if self.backends:  # the database's share, in the server's processes
            after = self.backends.cpu()
            spent = sum(t - server.get(pid, 0.0) for pid, t in after.items())
            self.server_cpu_per_update.append(spent / count)
        return count / (last - started)

    def cpu_seconds(self) -> float:
        cpu = proc_cpu(self.proc.pid)
        if cpu is None:
            raise RuntimeError(f"{self.name} has exited; its log:\n"
                               f"{self.log.read_text()[-3000:]}")
        return cpu

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


def spread(values: list[float], fmt: str) -> str:
    """`median (min–max)`."""
    med = statistics.median(values)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--serial", type=int, default=200)
    parser.add_argument("--questions", choices=("popular", "varied", "new"), default="varied",
                        help="popular: 10 questions again and again; varied: the 244 eval "
                        "questions in turn (default); new: no question ever repeats")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite",
                        help="llamabot's database (both: one llamabot process per engine)")
    parser.add_argument("--context-off", action="store_true",
                        help="also run each llamabot with LLAMABOT_CONVERSATION=off, in the"
                        " same rounds, and compare (targets: ≥ 0.9× updates/s, p99 +≤ 1 ms)")
    parser.add_argument("--no-baselines", action="store_true",
                        help="leave out the bare PTB bots (echo, llamabot-sized reply)")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines:
        require_postgres()

    work = Path(tempfile.mkdtemp(prefix="llamabot-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    env.update(PYTHONUNBUFFERED="1", BENCH_CWD=str(work),
               LLAMABOT_KNOWLEDGE_DIR=str(ROOT / "knowledge"), LLAMABOT_LOG_LEVEL="WARNING",
               # the engine, not Telegram's 30 a second, is what is measured
               LLAMABOT_SEND_RATE="1000")
    with ExitStack() as stack:  # unwinds in reverse: bots stop before their schemas drop
        def start(name: str, argv: list[str], bot_env: dict[str, str], label: str = "",
                  backends: Backends | None = None) -> Subject:
            """A bot and its fake server; `llamabot run` reads token and URL from the
            environment, the bare bots from their arguments."""
            fake = FakeTelegram(max_poll=1.0).start()
            if argv[1] == "-c":
                argv = [*argv, fake.token, fake.base_url]
            else:
                bot_env = dict(bot_env, TELEGRAM_BOT_TOKEN=fake.token,
                               TELEGRAM_BASE_URL=fake.base_url)
            try:
                subject = Subject(name, argv, fake, bot_env, question_stream(args.questions),
                                  label, backends)
            except BaseException:
                fake.stop()
                raise
            stack.callback(subject.stop)
            return subject

        def start_llamabot(engine: str, conversation: str) -> Subject:
            backends = None
            suffix = "" if conversation == "on" else "-off"
            if engine == "postgresql":
                target = stack.enter_context(postgres_schema(durable=True))
                app = f"llamabot_bench_{secrets.token_hex(4)}"
                sep = "&" if "?" in target.location else "?"
                database = f"{target.location}{sep}application_name={app}"
                backends = Backends(app)
                stack.callback(backends.close)
            else:
                database = str(work / f"llamabot-{engine}{suffix}.sqlite3")
            name = ("llamabot" if len(engines) == 1 else f"llamabot-{engine}") + suffix
            label = f"llamabot, {ENGINE_NAMES[engine]}" + (", context off" if suffix else "")
            return start(name, [sys.executable, "-m", "bot.cli", "run"],
                         dict(env, LLAMABOT_DATABASE=database, LLAMABOT_CONVERSATION=conversation),
                         label, backends)

        bots = [start_llamabot(engine, "on") for engine in engines]
        # The same bots without conversations, each beside its context-on twin.
        offs = [start_llamabot(engine, "off") for engine in engines] if args.context_off else []
        baselines = [] if args.no_baselines else [
            start("echo", [sys.executable, "-c", ECHO_BOT], env, "bare PTB echo bot"),
            start("sized", [sys.executable, "-c", SIZED_BOT],
                  dict(env, BENCH_REPLY=sample_reply()), "bare PTB bot, llamabot-sized reply"),
        ]
        subjects = bots + offs + baselines
        for subject in subjects:  # warm-up: imports, connection pools, caches
            subject.burst(50)
            subject.cpu_per_update.clear()
            subject.server_cpu_per_update.clear()
        for round_ in range(args.rounds):
            # Each round in a different order, so none always follows the same neighbour.
            shift = round_ % len(subjects)
            for subject in subjects[shift:] + subjects[:shift]:
                subject.throughput.append(subject.burst(args.burst))
                latencies = subject.serial(args.serial)
                subject.latencies.extend(latencies)
                subject.round_latencies.append(latencies)
                print(f"round {round_ + 1} {subject.name}: {subject.throughput[-1]:.0f}"
                      f" updates/s, p50 {percentile(latencies, 0.5) * 1000:.2f} ms",
                      file=sys.stderr, flush=True)
        rss = {s.name: s.peak_rss_mb() for s in subjects}
    return report(args, bots, baselines, rss, offs)


def report(args: argparse.Namespace, bots: list[Subject], baselines: list[Subject],
           rss: dict[str, float], offs: list[Subject] | None = None) -> int:
    offs = offs or []
    subjects = bots + offs + baselines

    def med(values: list[float], scale: float = 1) -> float:
        return statistics.median(values) * scale

    def ms(values: list[float], q: float) -> float:
        return percentile(values, q) * 1000

    postgres = any(s.server_cpu_per_update for s in subjects)
    rows: list[tuple[str, list[str]]] = [
        ("updates/s (median of rounds)", [f"{med(s.throughput):.0f}" for s in subjects]),
        ("bot CPU per update (ms, median)",
         [f"{med(s.cpu_per_update, 1000):.2f}" for s in subjects]),
    ]
    if postgres:
        rows.append(("+ PostgreSQL server CPU per update (ms, median)",
                     [f"{med(s.server_cpu_per_update, 1000):.2f}"
                      if s.server_cpu_per_update else "—" for s in subjects]))
    rows += [
        ("reply latency p50 (ms)", [f"{ms(s.latencies, 0.5):.2f}" for s in subjects]),
        ("reply latency p99 (ms)", [f"{ms(s.latencies, 0.99):.2f}" for s in subjects]),
        ("peak RSS (MB)", [f"{rss[s.name]:.1f}" for s in subjects]),
    ]
    print(f"\n{args.rounds} rounds; questions: {args.questions}; burst {args.burst} updates; "
          f"{args.serial} serial updates "
          f"per round; CPU count {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}\n")
    print("| metric | " + " | ".join(s.label for s in subjects) + " |")
    print("|---|" + "---:|" * len(subjects))
    for name, cells in rows:
        print(f"| {name} | " + " | ".join(cells) + " |")

    if len(bots) == 2:
        sqlite, pg = bots
        total = [c + p for c, p in zip(pg.cpu_per_update, pg.server_cpu_per_update,
                                       strict=True)]
        per_round_p50 = {b.name: [ms(r, 0.5) for r in b.round_latencies] for b in bots}
        per_round_p99 = {b.name: [ms(r, 0.99) for r in b.round_latencies] for b in bots}
        compare: list[tuple[str, str, str, float]] = [
            ("updates/s, median of rounds (min–max)", spread(sqlite.throughput, "{:.0f}"),
             spread(pg.throughput, "{:.0f}"), med(pg.throughput) / med(sqlite.throughput)),
            ("bot CPU per update, ms", spread([c * 1000 for c in sqlite.cpu_per_update],
                                              "{:.2f}"),
             spread([c * 1000 for c in pg.cpu_per_update], "{:.2f}"),
             med(pg.cpu_per_update) / med(sqlite.cpu_per_update)),
            ("bot + PostgreSQL server CPU per update, ms",
             spread([c * 1000 for c in sqlite.cpu_per_update], "{:.2f}"),
             spread([c * 1000 for c in total], "{:.2f}"),
             med(total) / med(sqlite.cpu_per_update)),
            ("reply latency p50, ms: all samples (rounds min–max)",
             f"{ms(sqlite.latencies, 0.5):.2f} ({min(per_round_p50[sqlite.name]):.2f}–"
             f"{max(per_round_p50[sqlite.name]):.2f})",
             f"{ms(pg.latencies, 0.5):.2f} ({min(per_round_p50[pg.name]):.2f}–"
             f"{max(per_round_p50[pg.name]):.2f})",
             ms(pg.latencies, 0.5) / ms(sqlite.latencies, 0.5)),
            ("reply latency p99, ms: all samples (rounds min–max)",
             f"{ms(sqlite.latencies, 0.99):.2f} ({min(per_round_p99[sqlite.name]):.2f}–"
             f"{max(per_round_p99[sqlite.name]):.2f})",
             f"{ms(pg.latencies, 0.99):.2f} ({min(per_round_p99[pg.name]):.2f}–"
             f"{max(per_round_p99[pg.name]):.2f})",
             ms(pg.latencies, 0.99) / ms(sqlite.latencies, 0.99)),
            ("peak RSS, MB", f"{rss[sqlite.name]:.1f}", f"{rss[pg.name]:.1f}",
             rss[pg.name] / rss[sqlite.name]),
        ]
        print(f"\n#### llamabot: PostgreSQL vs SQLite ({args.rounds} interleaved rounds)\n")
        print("| metric | SQLite | PostgreSQL | PostgreSQL / SQLite |")
        print("|---|---:|---:|---:|")
        for name, left, right, ratio in compare:
            print(f"| {name} | {left} | {right} | {ratio:.2f} |")

    context_ok = True
    if offs:
        print(f"\n#### Conversation context on vs off ({args.rounds} interleaved rounds)\n")
        print("| engine | updates/s on | updates/s off | on / off (≥ 0.9) | CPU per update on"
              " / off, ms | p50 on / off, ms | p99 on / off, ms | p99 on − off (≤ +1 ms) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for on, off in zip(bots, offs, strict=True):
            ratio = med(on.throughput) / med(off.throughput)
            grown = ms(on.latencies, 0.99) - ms(off.latencies, 0.99)
            context_ok = context_ok and ratio >= 0.9 and grown <= 1.0
            engine = on.label.split(", ")[-1]
            print(f"| {engine} | {spread(on.throughput, '{:.0f}')}"
                  f" | {spread(off.throughput, '{:.0f}')} | {ratio:.2f}"
                  f" | {med(on.cpu_per_update, 1000):.2f} / {med(off.cpu_per_update, 1000):.2f}"
                  f" | {ms(on.latencies, 0.5):.2f} / {ms(off.latencies, 0.5):.2f}"
                  f" | {ms(on.latencies, 0.99):.2f} / {ms(off.latencies, 0.99):.2f}"
                  f" | {grown:+.2f} |")

    print("\n#### Raw rounds\n")
    for subject in subjects:
        for i, latencies in enumerate(subject.round_latencies):
            server = (f", server CPU {subject.server_cpu_per_update[i] * 1000:.3f} ms"
                      if subject.server_cpu_per_update else "")
            print(f"- {subject.name} round {i + 1}: {subject.throughput[i]:.1f} updates/s, "
                  f"bot CPU {subject.cpu_per_update[i] * 1000:.3f} ms{server}, "
                  f"p50 {ms(latencies, 0.5):.2f} ms, p99 {ms(latencies, 0.99):.2f} ms")

    ok = True
    echo = next((s for s in baselines if s.name == "echo"), None)
    for bot in bots:
        fine = rss[bot.name] <= 120
        verdict = f"peak RSS {rss[bot.name]:.1f} MB (target ≤ 120)"
        if echo is not None:
            ratio = statistics.median(bot.throughput) / statistics.median(echo.throughput)
            fine = fine and ratio >= 0.8
            verdict = f"throughput ratio {ratio:.2f} (target ≥ 0.80), " + verdict
        print(f"\n{bot.label}: {verdict}: {'OK' if fine else 'MISSED'}")
        ok = ok and fine
    if offs:
        print(f"\nconversation context cost: {'OK' if context_ok else 'MISSED'}")
    return 0 if ok and context_ok else 1


if __name__ == "__main__":
    sys.exit(main())
