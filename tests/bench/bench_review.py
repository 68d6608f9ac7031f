"""Benchmark: grouping logged questions into the admins' review cards.

    .venv/bin/python tests/bench/bench_review.py [--logged 10000] [--repeat 5]

The log is made of the labelled questions the bot is measured on (eval, holdout, dev2),
each asked several times with fresh typos and extra words by up to 3,000 users, with
every signal the review reads (unanswered, voted down, "none of these", narrow wins,
picks). Times `review_queue` (grouping, what the queue needs before the first card) and
`card` for the first 20 cards (their closest facts, matched when shown); medians over
--repeat runs. Target: 10,000 logged questions grouped in at most 2 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.answer import Responder  # noqa: E402
from bot.core.evaluation import load_questions  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.review import Logged, Signal, card, review_queue  # noqa: E402

DATA = ROOT / "tests" / "data"
FILES = ("eval_questions.yaml", "holdout_questions.yaml", "dev2_questions.yaml")
EXTRA = ("bhai", "please", "ekhon", "actually", "janen", "amake", "bolo", "তো", "একটু", "আসলে")
SIGNALS = (Signal.UNANSWERED,) * 6 + (Signal.DISLIKED, Signal.REJECTED, Signal.NARROW,
                                        Signal.PICKED)


def typo(text: str, rng: random.Random) -> str:
    """Drop, double or swap one letter, or add a word people add."""
    if rng.random() < 0.3:
        return f"{text} {rng.choice(EXTRA)}"
    i = rng.randrange(max(1, len(text) - 1))
    change = rng.randrange(3)
    if change == 0:
        return text[:i] + text[i + 1 :]
    if change == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1 : i + 2] + text[i : i + 1] + text[i + 2 :]


def logged_questions(count: int, facts: list[str], seed: int = 7) -> list[Logged]:
    rng = random.Random(seed)
    texts = [q.text.lower() for name in FILES for q in load_questions(DATA / name)]
    found = []
    for _ in range(count):
        text = rng.choice(texts)
        if rng.random() < 0.6:
            text = typo(text, rng)
        signal = rng.choice(SIGNALS)
        fact = rng.choice(facts)
        found.append(Logged(
            text, signal, rng.randrange(3000),
            answered=fact if signal in (Signal.DISLIKED, Signal.NARROW) else None,
            offered=tuple(rng.sample(facts, 3)) if signal is Signal.UNANSWERED else (),
            chosen=fact if signal is Signal.PICKED else None,
        ))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logged", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    responder = Responder(load_knowledge(ROOT / "knowledge", ZoneInfo("Asia/Dhaka")))
    logged = logged_questions(args.logged, sorted(responder.knowledge.facts))
    grouping, cards = [], []
    clusters = []
    for _ in range(args.repeat):
        # A fresh responder each time: the matcher's key cache must not carry over.
        fresh = Responder(responder.knowledge)
        start = time.perf_counter()
        clusters = review_queue(logged, fresh)
        grouping.append(time.perf_counter() - start)
        start = time.perf_counter()
        for found in clusters[:20]:
            card(found, fresh)
        cards.append(time.perf_counter() - start)
    distinct = len({item.text for item in logged})
    print(f"| logged questions | distinct | cards | grouping (median of {args.repeat}) |"
          " first 20 cards | target |")
    print("|---:|---:|---:|---:|---:|---|")
    print(f"| {len(logged):,} | {distinct:,} | {len(clusters):,} |"
          f" {statistics.median(grouping):.2f} s | {statistics.median(cards) * 1000:.0f} ms |"
          " grouping ≤ 2 s |")
    top = clusters[0]
    print(f"\nlargest card: {top.users} users, {top.count} questions, {len(top.phrasings)}"
          f" phrasings, e.g. {', '.join(repr(t) for t in top.texts[:3])}")


if __name__ == "__main__":
    main()
