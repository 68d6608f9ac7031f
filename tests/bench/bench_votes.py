"""Benchmark: what recording users' 👍 costs the replies to other users' questions.

    .venv/bin/python tests/bench/bench_votes.py [--rounds 5] [--serial 200] [--burst 500]

One `llamabot run` process against the fake Bot API (as in bench_bot.py). Rounds cycle
through three loads: questions alone; the same with a button tap just before each question
that is only answered with a toast (a code the bot does not know: nothing recorded); and
with a 👍 just before each (on an earlier answer, by its user: the toast and the vote
written to the database). Every tap must be answered (Telegram's rule), so "vote" against
"toast" is what recording costs; "toast" against "alone" is the cost of any button. Reported
for the questions only: reply latency p50 / p99 asked one at a time, and updates/s of a
burst (the taps' own updates not counted), medians of the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(ROOT)]

from bench_bot import Subject, percentile, question_stream, wait_replies  # noqa: E402
from fake_telegram import Call, FakeTelegram  # noqa: E402

MODES = ("alone", "toast", "vote")


class Voting:
    """Votes by users who were answered earlier, on their answers (keyboard included)."""

    def __init__(self, fake: FakeTelegram, data: str) -> None:
        self.fake = fake
        self.data = data
        self.answers: list[Call] = []

    def collect(self, since: int) -> None:
        self.answers += [c for c in self.fake.calls[since:] if c.method == "sendMessage"
                         and c.message_id and "v:up" in str(c.params.get("reply_markup"))]

    def push(self, index: int) -> None:
        answer = self.answers[index % len(self.answers)]
        self.fake.callback(self.data, user_id=answer.chat_id or 1,
                           message_id=answer.message_id or 1,
                           reply_markup=answer.params["reply_markup"])


def serial(subject: Subject, count: int, voting: Voting | None) -> list[float]:
    latencies = []
    for n, user in enumerate(subject.users(count)):
        if voting is not None:
            voting.push(n)
        since = subject.fake.mark()
        pushed = time.monotonic()
        subject.fake.message(next(subject.questions), user_id=user)
        latencies.append(wait_replies(subject.fake, since, 1) - pushed)
    return latencies


def burst(subject: Subject, count: int, voting: Voting | None) -> float:
    since = subject.fake.mark()
    started = time.monotonic()
    for n, user in enumerate(subject.users(count)):
        if voting is not None:
            voting.push(n)
        subject.fake.message(next(subject.questions), user_id=user)
    # Replies to questions only: votes never send a message.
    return count / (wait_replies(subject.fake, since, count) - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serial", type=int, default=200)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="llamabot-bench-votes-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    fake = FakeTelegram(max_poll=1.0).start()
    env.update(PYTHONUNBUFFERED="1", BENCH_CWD=str(work), TELEGRAM_BOT_TOKEN=fake.token,
               TELEGRAM_BASE_URL=fake.base_url, LLAMABOT_KNOWLEDGE_DIR=str(ROOT / "knowledge"),
               LLAMABOT_DATABASE=str(work / "bot.sqlite3"), LLAMABOT_LOG_LEVEL="WARNING")
    bot = Subject("llamabot", [sys.executable, "-m", "bot.cli", "run"], fake, env,
                  question_stream("varied"))
    results = {mode: {"p50": [], "p99": [], "rate": []} for mode in MODES}
    try:
        taps = {"alone": None, "toast": Voting(fake, "v:nothing"), "vote": Voting(fake, "v:up")}
        since = fake.mark()
        serial(bot, 300, None)  # warm up, and answers to tap under
        for voting in taps.values():
            if voting is not None:
                voting.collect(since)
        for number in range(1, args.rounds + 1):
            for mode, voting in taps.items():
                latencies = serial(bot, args.serial, voting)
                rate = burst(bot, args.burst, voting)
                time.sleep(0.3)  # the last taps are answered before the next load
                found = results[mode]
                found["p50"].append(percentile(latencies, 0.5) * 1000)
                found["p99"].append(percentile(latencies, 0.99) * 1000)
                found["rate"].append(rate)
                print(f"round {number} {mode}: {rate:.0f} updates/s,"
                      f" p50 {found['p50'][-1]:.2f} ms, p99 {found['p99'][-1]:.2f} ms",
                      flush=True)
        toasts = len(fake.calls_to("answerCallbackQuery"))
    finally:
        bot.stop()
    med = {mode: {k: statistics.median(v) for k, v in found.items()}
           for mode, found in results.items()}
    print(f"\n{args.rounds} rounds; {args.serial} serial questions and a burst of {args.burst}"
          f" per round and load; {toasts} taps answered; load average"
          f" {os.getloadavg()[0]:.1f}\n")
    print("| questions' replies (median of rounds) | alone | a toast before each |"
          " a 👍 before each | 👍 / toast |")
    print("|---|---:|---:|---:|---:|")
    for key, name in (("rate", "updates/s (burst)"), ("p50", "latency p50 (ms)"),
                      ("p99", "latency p99 (ms)")):
        alone, toast, vote = (med[mode][key] for mode in MODES)
        print(f"| {name} | {alone:.2f} | {toast:.2f} | {vote:.2f} | {vote / toast:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
