"""Fuzz the knowledge loader: whatever a file holds (random bytes, odd YAML, aliases, deep
nesting, huge numbers, impossible dates), loading gives knowledge or located problems,
never another exception, and stays small in time and memory."""

from __future__ import annotations

import json
import tempfile
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.loader import SECTIONS, KnowledgeError, load_knowledge
from tests.test_loader import EVENTS, FACTS, SOURCE, SOURCES

TZ = ZoneInfo("Asia/Dhaka")
MAX_MEGABYTES = 200
# The small valid knowledge of the loader tests, its facts and an event in one file.
ARTICLE = SOURCE
FACTS = FACTS + EVENTS.removeprefix("version: 1\n")
FIELDS = {
    "facts": ("id", "topic", "title", "answer", "questions", "citation", "related"),
    "events": ("id", "title", "starts_at", "remind_before", "fact_id", "url"),
    "sources": ("id", "title", "file", "sections", "language", "url"),
    "smalltalk": ("id", "answer", "questions"),
    "decline": ("id", "questions"),
    "topics": ("id", "title"),
}

ODD = [
    "2024-02-30", "0000-00-00", "0001-01-01", "9999-12-31T23:59:59-05:00",
    "2025-04-29T25:61:61+99:99", "2025-04-29 10:00:00.123456789", "2025-4-9",
    "9" * 5000, "-" + "9" * 400, "1e999", "-.inf", ".nan", "0x" + "f" * 300, "0o777", "0b2",
    "1_000", "99999999999d", "1000000d", "-1h", "0s", "~", "null", "yes", "[]", "{}", "''",
    "!!binary aGk=", "!!binary ???", "!!timestamp nope", "!!int x", "!!float x", "!!set {a}",
    "!!python/object/apply:os.system [echo]", "!custom x", "*undefined", "'unterminated",
    '"\\uD800"', '"\\x00"', "? [a]", "<<: *a0", "- - -", "|\n  block\n", "\t", "%YAML 1.1",
    "---", "...", "/proc/self/environ", "../secret.txt", "article.txt", "downloads", "adoption",
]


def odd_date() -> st.SearchStrategy[str]:
    day = st.tuples(st.integers(0, 10000), st.integers(0, 13), st.integers(0, 32))
    time = st.tuples(st.integers(0, 25), st.integers(0, 61), st.integers(-14, 15))
    return st.tuples(day, st.none() | time).map(
        lambda parts: "{:04d}-{:02d}-{:02d}".format(*parts[0])
        + ("" if parts[1] is None else "T{:02d}:{:02d}:00{:+03d}:00".format(*parts[1]))
    )


def scalars() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD),
        odd_date(),
        st.integers(-(10**40), 10**40).map(str),
        st.floats(allow_nan=True).map(repr),
        st.text(max_size=30).map(lambda text: json.dumps(text, ensure_ascii=False)),
        st.integers(0, 3).map(lambda n: f"*a{n}"),
    )


def anchored(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.none() | st.integers(0, 3), value).map(
        lambda pair: pair[1] if pair[0] is None else f"&a{pair[0]} {pair[1]}"
    )


def values() -> st.SearchStrategy[str]:
    """Flow-style YAML values, anchored and aliased at random."""
    return st.recursive(
        anchored(scalars()),
        lambda inner: anchored(
            st.lists(inner, max_size=5).map(lambda items: "[" + ", ".join(items) + "]")
            | st.lists(st.tuples(inner, inner), max_size=5).map(
                lambda pairs: "{" + ", ".join(f"? {k} : {v}" for k, v in pairs) + "}"
            )
        ),
        max_leaves=30,
    )


@st.composite
def shaped(draw: st.DrawFn) -> str:
    """A knowledge file of the right shape whose values are anything."""
    lines = [f"version: {draw(st.sampled_from(['1', '2', '1.0']) | scalars())}"]
    for section in draw(st.lists(st.sampled_from(SECTIONS), max_size=3, unique=True)):
        lines.append(f"{section}:")
        for _ in range(draw(st.integers(0, 3))):
            known = FIELDS.get(section, ("id", "questions"))
            names = draw(st.lists(st.sampled_from(known), min_size=1, unique=True))
            fields = [f"{name}: {draw(values())}" for name in names]
            lines.append("  - {" + ", ".join(fields) + "}")
    return "\n".join(lines) + "\n"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The valid facts file with one line's value replaced, or random text inserted."""
    lines = FACTS.splitlines()
    at = draw(st.integers(0, len(lines) - 1))
    key = lines[at].split(":", 1)[0]
    if draw(st.booleans()):
        lines[at] = f"{key}: {draw(values())}"
    else:
        lines.insert(at, draw(st.text(max_size=40)))
    return "\n".join(lines) + "\n"


def bombs() -> st.SearchStrategy[str]:
    """Each level repeats the level before `width` times; or lists nested `depth` deep."""
    def laughs(levels: int, width: int) -> str:
        rows = ['  - &l0 ["lol"]']
        rows += [f"  - &l{n} [{', '.join([f'*l{n - 1}'] * width)}]" for n in range(1, levels)]
        return "version: 1\nsmalltalk:\n" + "\n".join(rows) + "\n"

    def nested(depth: int, opening: str, closing: str) -> str:
        return f"version: 1\nfacts: {opening * depth}{closing * depth}\n"

    return st.one_of(
        st.builds(laughs, st.integers(1, 15), st.integers(1, 12)),
        st.builds(nested, st.integers(1, 1500), st.just("["), st.just("]")),
        st.builds(nested, st.integers(1, 1500), st.just("{a: "), st.just("}")),
    )


documents = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(str.encode),
    shaped().map(str.encode),
    mutated().map(str.encode),
    bombs().map(str.encode),
)


def load_one(content: bytes) -> None:
    """Load a small knowledge folder holding `content` as facts.yaml next to valid files."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
        (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
        (folder / "facts.yaml").write_bytes(content)
        try:
            knowledge = load_knowledge(folder, TZ)
        except KnowledgeError as err:
            assert err.problems
            for problem in err.problems:
                assert problem.line >= 1 and problem.column >= 1 and problem.message
                assert problem.file.startswith(str(folder))
        else:
            assert knowledge.facts


def peak_megabytes(run: Callable[[], None]) -> float:
    """The most memory `run` held at once, in MB, as tracemalloc sees it."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    try:
        run()
        return (tracemalloc.get_traced_memory()[1] - before) / 1e6
    finally:
        if not tracing:
            tracemalloc.stop()


@settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_file_gives_knowledge_or_located_problems(content: bytes) -> None:
    load_one(content)


@pytest.mark.parametrize("tag", ["!!timestamp", "!!timestamp ''", "!!int", "!!float ''",
                                 "!!bool", "!!binary", "!!set", "!!omap"])
def test_an_empty_tagged_version_is_a_located_problem(tag: str) -> None:
    # PyYAML's constructors fail on these with AttributeError or TypeError, not YAMLError.
    load_one(f"version: {tag}\n".encode())


def test_the_valid_base_loads() -> None:
    """The fuzz starts from a valid folder, so an accepted mutation is a real result."""
    load_one(FACTS.encode())


def worst_alias_bomb(entries: int, questions: int) -> bytes:
    """The issue's shape: one anchored list of questions reused by every entry."""
    listed = ", ".join(f'"question {i}"' for i in range(questions))
    rows = [f"  - {{id: s0, answer: a, questions: &q [{listed}]}}"]
    rows += [f"  - {{id: s{i}, answer: a, questions: *q}}" for i in range(1, entries)]
    return ("version: 1\nsmalltalk:\n" + "\n".join(rows) + "\n").encode()


def test_a_file_stays_under_200_megabytes() -> None:
    """The issue's 311 KiB bomb (20,000 questions, 1,000 reuses) took 4.9 GB; and the most
    aliases may repeat (10,000 nodes) stays small too."""
    for content in (worst_alias_bomb(1000, 20_000), worst_alias_bomb(101, 99)):
        assert peak_megabytes(partial(load_one, content)) < MAX_MEGABYTES
