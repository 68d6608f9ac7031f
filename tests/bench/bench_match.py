"""Matching speed and accuracy: our matcher against plain rapidfuzz WRatio.

Run on demand (not part of the test suite):

    .venv/bin/python tests/bench/bench_match.py [--repeat 5] [--sizes 1000,10000,100000]
        [--knowledge DIR | --both-packs]

Prints Markdown tables of per-question latency (median of the per-run p50 and p99
over --repeat runs), accuracy on the labelled eval file, and `llamabot ask` cold start.
`--knowledge DIR` measures another knowledge folder; `--both-packs` the Llama and the
second pack served together (tests/packs.py), asked the questions of both.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from packs import LLAMA, SHRUTI_QUESTIONS, both_packs  # noqa: E402

from bot.core.answer import Responder  # noqa: E402
from bot.core.evaluation import evaluate, load_questions  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.match import Matcher  # noqa: E402

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, tzinfo=TZ)
EVAL = ROOT / "tests" / "data" / "eval_questions.yaml"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latencies(
    fn: Callable[[str], object], questions: Sequence[str], repeat: int
) -> tuple[float, float]:
    """Median over runs of the p50 and p99 per-question latency, in milliseconds."""
    p50s, p99s = [], []
    for _ in range(repeat):
        times = []
        for question in questions:
            start = time.perf_counter()
            fn(question)
            times.append((time.perf_counter() - start) * 1000)
        p50s.append(percentile(times, 0.50))
        p99s.append(percentile(times, 0.99))
    return statistics.median(p50s), statistics.median(p99s)


def pseudo_word(rng: random.Random) -> str:
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(3, 5)))


def synthetic(
    size: int, real_words: list[str], seed: int = 7
) -> tuple[list[tuple[str, str]], list[str]]:
    """`size` examples in size/20 intents: each intent has its own rare words plus common ones."""
    rng = random.Random(seed)
    examples: list[tuple[str, str]] = []
    queries: list[str] = []
    for intent in range(max(1, size // 20)):
        own = [pseudo_word(rng) for _ in range(3)]
        for _ in range(20):
            words = rng.sample(own, 2) + rng.choices(real_words, k=rng.randint(2, 5))
            rng.shuffle(words)
            examples.append((f"intent{intent}", " ".join(words)))
        # A query as users write it: some of the intent's words, a typo, a new filler word.
        words = rng.sample(own, 2) + rng.choices(real_words, k=2)
        typo = list(words[0])
        typo[rng.randrange(len(typo))] = rng.choice("aeiou")
        words[0] = "".join(typo)
        queries.append(" ".join(words + [pseudo_word(rng)]))
    return examples[:size], queries


def accuracy_table(responder: Responder) -> list[str]:
    questions = load_questions(EVAL)
    facts = set(responder.knowledge.facts)
    ours = evaluate(responder, questions, NOW)
    choices = [(f.id, q) for f in responder.knowledge.facts.values() for q in f.questions]
    texts = [q for _, q in choices]
    in_scope = [q for q in questions if q.expect in facts]
    hits = 0
    for question in in_scope:
        found = process.extractOne(question.text, texts, scorer=fuzz.WRatio)
        hits += bool(found) and choices[found[2]][0] == question.expect
    return [
        "| matcher | in-scope top-1 accuracy | out-of-scope rejection |",
        "|---|---|---|",
        f"| llamabot | {ours.accuracy(facts):.1%} | {ours.rejection():.1%} |",
        f"| rapidfuzz WRatio, raw strings (always answers) | {hits / len(in_scope):.1%} | 0.0% |",
    ]


def alone_and_together(together: Responder, repeat: int) -> list[str]:
    """The eval questions asked of the Llama pack alone and of both packs, in alternating
    runs so that the machine's drift falls on both alike."""
    alone = Responder(load_knowledge(LLAMA, TZ), cache_size=0)
    questions = [q.text for q in load_questions(EVAL)]
    runs: dict[str, list[tuple[float, float]]] = {"alone": [], "together": []}
    for _ in range(repeat):
        runs["alone"].append(latencies(lambda q: alone.ask(q, NOW), questions, 1))
        runs["together"].append(latencies(lambda q: together.ask(q, NOW), questions, 1))
    p50 = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    p99 = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
    return [
        "| knowledge base | p50 / p99 (ms) |",
        "|---|---|",
        f"| Llama pack alone | {p50['alone']:.3f} / {p99['alone']:.3f} |",
        f"| both packs | {p50['together']:.3f} / {p99['together']:.3f} |",
        f"| ratio | {p50['together'] / p50['alone']:.2f}x"
        f" / {p99['together'] / p99['alone']:.2f}x |",
    ]


def cold_start(repeat: int, cache: str) -> float:
    """Median wall time of `llamabot ask`; `cache` a folder holding the responder built by a
    first, unmeasured run, or "off" (each run builds its own)."""
    command = [str(Path(sys.executable).parent / "llamabot"), "ask", "--json", "লামাকন কবে?"]
    env = {**os.environ, "LLAMABOT_CACHE_DIR": cache}
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--knowledge", type=Path, default=LLAMA, help="a knowledge folder")
    parser.add_argument("--both-packs", action="store_true",
                        help="the Llama and the second pack together (tests/packs.py)")
    args = parser.parse_args()

    folder, name = args.knowledge, "real" if args.knowledge == LLAMA else str(args.knowledge)
    questions = [q.text for q in load_questions(EVAL)]
    if args.both_packs:
        folder = both_packs(Path(tempfile.mkdtemp()) / "knowledge")
        name = "both packs"
        questions += [q.text for q in load_questions(SHRUTI_QUESTIONS)]
    knowledge = load_knowledge(folder, TZ)
    # No ranking cache: every question is matched from scratch, as if asked for the first time.
    responder = Responder(knowledge, cache_size=0)
    pairs = [(f.id, q) for f in knowledge.facts.values() for q in f.questions]
    raw = [q for _, q in pairs]
    rows = [
        "| knowledge base | examples | llamabot p50 / p99 (ms)"
        " | WRatio extractOne p50 / p99 (ms) | p99 ratio |",
        "|---|---|---|---|---|",
    ]

    def row(name: str, count: int, ours: tuple[float, float], base: tuple[float, float]) -> str:
        return (
            f"| {name} | {count:,} | {ours[0]:.3f} / {ours[1]:.3f} | {base[0]:.3f} / {base[1]:.3f} "
            f"| {base[1] / ours[1]:.1f}x faster |"
        )

    ours = latencies(lambda q: responder.ask(q, NOW), questions, args.repeat)
    base = latencies(
        lambda q: process.extractOne(q, raw, scorer=fuzz.WRatio), questions, args.repeat
    )
    rows.append(row(name, len(raw), ours, base))

    real_words = sorted({w for _, q in pairs for w in q.split()})
    for size in (int(s) for s in args.sizes.split(",") if s):
        examples, queries = synthetic(size, real_words)
        start = time.perf_counter()
        matcher = Matcher(examples, cache_size=0)
        build = time.perf_counter() - start
        texts = [t for _, t in examples]
        queries = queries[:300]
        ours = latencies(matcher.match, queries, args.repeat)
        base = latencies(
            lambda q, t=texts: process.extractOne(q, t, scorer=fuzz.WRatio),
            queries[: max(20, 3000 * 1000 // size)],
            max(1, args.repeat // 2),
        )
        correct = sum(
            (r := matcher.match(q).ranked) and r[0].intent_id == f"intent{i}"
            for i, q in enumerate(queries)
        )
        rows.append(
            row(
                f"synthetic (index built in {build:.1f} s, top-1 {correct / len(queries):.0%})",
                len(examples),
                ours,
                base,
            )
        )

    print("### Latency per question\n")
    print("\n".join(rows))
    if args.both_packs:
        print("\n### The Llama questions, alone and with the second pack (same run)\n")
        print("\n".join(alone_and_together(responder, args.repeat)))
    print("\n### Accuracy on tests/data/eval_questions.yaml\n")
    print("\n".join(accuracy_table(responder)))
    with tempfile.TemporaryDirectory() as cache:
        cached, built = cold_start(args.repeat, cache), cold_start(args.repeat, "off")
    print(
        f"\n### Cold start\n\n`llamabot ask` median wall time over {args.repeat} runs: "
        f"{cached:.3f} s with the responder cache, {built:.3f} s building the responder"
    )


if __name__ == "__main__":
    main()
