"""Measure the matcher on a labelled question file: accuracy, rejection, confusions."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from yaml.events import AliasEvent

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Context, Conversation
from bot.core.files import read_bounded
from bot.core.yamlnodes import CONSTRUCT_ERRORS


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    expect: str | None  # a fact or small-talk id; None: must not be answered with a fact
    kind: str
    also: tuple[str, ...] = ()  # other facts that answer it as well (`expect_any:`)

    @property
    def expected(self) -> str:
        """What counts as right, as a report names it: "a or b" for `expect_any:`."""
        return " or ".join(map(str, (self.expect, *self.also)))


@dataclass(frozen=True)
class Outcome:
    question: LabelledQuestion
    got: str | None  # fact or small-talk id answered, None when not answered
    answer_kind: AnswerKind
    score: float
    suggested: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return self.got == self.question.expect or self.got in self.question.also


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _rate(self, outcomes: list[Outcome]) -> float:
        return sum(o.correct for o in outcomes) / len(outcomes) if outcomes else 1.0

    def in_scope(self, facts: set[str]) -> list[Outcome]:
        return [o for o in self.outcomes if o.question.expect in facts]

    def out_of_scope(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.question.expect is None]

    def accuracy(self, facts: set[str]) -> float:
        return self._rate(self.in_scope(facts))

    def rejection(self) -> float:
        return self._rate(self.out_of_scope())

    def by(self, facts: set[str], attribute: str) -> dict[str, float]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            if attribute == "fact" and o.question.expect in facts:
                groups[str(o.question.expect)].append(o)
            elif attribute == "kind":
                groups[o.question.kind].append(o)
        return {name: self._rate(group) for name, group in sorted(groups.items())}

    def kinds(self) -> Counter[str]:
        """How many questions got each kind of answer (fact, suggest, not_in_article, ...)."""
        return Counter(o.answer_kind.value for o in self.outcomes)

    def wrong_facts(self) -> list[Outcome]:
        """Questions answered with a cited fact that is not the expected one: the worst miss."""
        return [o for o in self.outcomes
                if o.answer_kind is AnswerKind.FACT and not o.correct]

    def confusions(self) -> Counter[tuple[str, str]]:
        return Counter((str(o.question.expect), str(o.got)) for o in self.outcomes if not o.correct)


class QuestionFileError(ValueError):
    """The labelled question file cannot be read; the message names the entry."""


class _Aliased(Exception):
    """An alias in a question or dialogue file (see `_WrittenOut`), at `line`."""

    def __init__(self, anchor: str, line: int) -> None:
        super().__init__(anchor)
        self.anchor, self.line = anchor, line


class _WrittenOut(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: a question or dialogue file is written out.
    One list of turns named in every dialogue (`turns: *t`) is played once per name, so a
    file of a few kilobytes kept `kb eval` busy for hours."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(AliasEvent):
            event = self.get_event()  # type: ignore[no-untyped-call]
            raise _Aliased(str(event.anchor), event.start_mark.line + 1 if event.start_mark else 0)
        return super().compose_node(parent, index)


def read_yaml(path: Path, what: str, loader: type[yaml.SafeLoader] = _WrittenOut) -> object:
    """The YAML document in `path`; whatever stops reading it is one `QuestionFileError` line.
    Aliases are refused (`_WrittenOut`) unless `loader` takes them."""
    try:
        return yaml.load(read_bounded(path).decode("utf-8"), Loader=loader)  # noqa: S506
    except _Aliased as alias:
        raise QuestionFileError(
            f"{path}: cannot read {what}: line {alias.line}: an alias (*{alias.anchor}) repeats"
            " entries written above: write each one out") from None
    except RecursionError:  # PyYAML composes and constructs recursively
        raise QuestionFileError(f"{path}: cannot read {what}: nested too deeply") from None
    except yaml.MarkedYAMLError as err:
        # str(err) quotes the offending lines under it: several lines, one is enough.
        mark = err.problem_mark or err.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = err.problem or err.context or "invalid YAML"
        raise QuestionFileError(
            f"{path}: cannot read {what}: YAML syntax error{where}: {problem}"
        ) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, OverflowError) as err:
        # ValueError, OverflowError: values YAML cannot construct, such as 2024-02-30
        raise QuestionFileError(f"{path}: cannot read {what}: {err}") from None
    except CONSTRUCT_ERRORS:  # PyYAML's own failure on an empty "!!timestamp", "!!bool"
        raise QuestionFileError(f"{path}: cannot read {what}: a value YAML cannot build"
                                " (an empty value with a !!tag?)") from None


def known_keys(path: Path, where: str, entry: dict[object, object], keys: set[str]) -> None:
    """A misspelt key would be read as missing and judged by its default: refuse it."""
    unknown = sorted(str(k) for k in entry if k not in keys)
    if unknown:
        raise QuestionFileError(f"{path}: {where}: unknown key `{unknown[0]}` (known: "
                                f"{', '.join(sorted(keys))})")


def text_value(path: Path, where: str, entry: dict[object, object], key: str,
               default: str) -> str:
    """`entry[key]`, text; `default` when it is missing or null. Anything else is refused:
    `kind: [1]` was read as its Python spelling "[1]", a group of its own in the report."""
    value = entry.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise QuestionFileError(f"{path}: {where}: `{key}:` must be text")
    return value


def load_questions(path: Path) -> list[LabelledQuestion]:
    data = read_yaml(path, "question file")
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise QuestionFileError(f"{path}: expected a `questions:` list")
    questions = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise QuestionFileError(f"{path}: question #{number} needs `q:` text")
        where = f"question #{number}"
        known_keys(path, where, entry, {"q", "expect", "expect_any", "kind"})
        kind = text_value(path, where, entry, "kind", "unknown")
        if "expect_any" in entry:
            # Two facts that both answer it (which companies use Llama: the adopters, or the
            # uses they show): either is right, and the report counts it under the first.
            if "expect" in entry:
                raise QuestionFileError(f"{path}: {where}: give `expect:` or `expect_any:`, "
                                        "not both")
            ids = entry["expect_any"]
            if (not isinstance(ids, list) or not ids
                    or not all(isinstance(i, str) for i in ids)):
                raise QuestionFileError(f"{path}: {where}: `expect_any:` must be a list of "
                                        "fact ids")
            questions.append(LabelledQuestion(entry["q"], ids[0], kind, tuple(ids[1:])))
            continue
        expect = entry.get("expect")
        if expect is not None and not isinstance(expect, str):  # a list was never right
            raise QuestionFileError(f"{path}: {where}: `expect:` must be one fact id or null "
                                    "(several that each answer it: `expect_any:`)")
        questions.append(LabelledQuestion(entry["q"], expect, kind))
    return questions


def evaluate(responder: Responder, questions: list[LabelledQuestion], now: datetime) -> Report:
    """Each question played as the first message of a conversation, as users and `llamabot
    ask` get it (a story's sentences and a second question are read as the conversation
    reads them); of a message answered in parts, the first part counts."""
    conversation = Conversation(responder)
    report = Report()
    for question in questions:
        answer = conversation.reply(question.text, Context(), now).answer
        got = answer.intent_id if answer.kind in (AnswerKind.FACT, AnswerKind.SMALLTALK) else None
        report.outcomes.append(
            Outcome(question, got, answer.kind, answer.score, answer.suggestions)
        )
    return report


def diff_reports(before: Report, after: Report) -> list[tuple[Outcome, Outcome]]:
    """The questions whose answer differs between two runs over the same question file."""
    return [(b, a) for b, a in zip(before.outcomes, after.outcomes, strict=True) if b.got != a.got]


def format_report(report: Report, facts: set[str]) -> str:
    in_scope, out = report.in_scope(facts), report.out_of_scope()
    hits, rejected = sum(o.correct for o in in_scope), sum(o.correct for o in out)
    wrong = report.wrong_facts()
    asserted = [o for o in wrong if o.question.expect is None]
    lines = [
        f"in-scope top-1 accuracy: {report.accuracy(facts):.1%} ({hits}/{len(in_scope)})",
        f"out-of-scope rejection:  {report.rejection():.1%} ({rejected}/{len(out)})",
        f"wrong facts asserted:    {len(wrong)} ({len(asserted)} on out-of-scope questions, "
        f"{len(asserted) / len(out) if out else 0.0:.1%})",
        "",
        "answers by kind: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(report.kinds().items())),
        "",
        "by kind of question:",
    ]
    lines += [f"  {kind:<16} {rate:6.1%}" for kind, rate in report.by(facts, "kind").items()]
    lines += ["", "by fact:"]
    lines += [f"  {fact:<22} {rate:6.1%}" for fact, rate in report.by(facts, "fact").items()]
    if wrong:
        lines += ["", "wrong facts asserted (expected -> fact given: count):"]
        lines += [f"  {e} -> {g}: {n}" for (e, g), n in Counter(
            (str(o.question.expect), str(o.got)) for o in wrong).most_common()]
    confusions = report.confusions()
    if confusions:
        lines += ["", "confusions (expected -> got: count):"]
        lines += [f"  {e} -> {g}: {n}" for (e, g), n in confusions.most_common()]
        lines += ["", "misses:"]
        lines += [
            f"  [{o.question.kind}] {o.question.text!r}: expected {o.question.expected}, "
            f"got {o.got} ({o.answer_kind}, {o.score:.0f})"
            for o in report.outcomes
            if not o.correct
        ]
    return "\n".join(lines)
