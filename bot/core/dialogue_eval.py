"""Measure conversations: follow-up turns and messages that ask several things.

A dialogue file holds `dialogues:` (turns played in order through one
`Context`; a turn with a `kind` is a follow-up) and `compound:` (messages
whose every part must be answered). See tests/data/dialogues_dev.yaml.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from bot.core.answer import AnswerKind
from bot.core.conversation import Context, Conversation, Turn
from bot.core.evaluation import QuestionFileError, known_keys, read_yaml, text_value


@dataclass(frozen=True)
class DialogueTurn:
    text: str
    expect: frozenset[str | None]  # acceptable answers; None: no fact
    kind: str  # "" for an opening turn, else the kind of follow-up


@dataclass(frozen=True)
class Compound:
    text: str
    expect: tuple[str, ...]  # every fact the message asks about
    kind: str


@dataclass(frozen=True)
class TurnOutcome:
    dialogue: str
    turn: DialogueTurn
    got: tuple[str, ...]  # facts or small talk answered

    @property
    def correct(self) -> bool:
        if None in self.turn.expect and not self.got:
            return True
        return bool(self.got) and self.got[0] in self.turn.expect


@dataclass(frozen=True)
class CompoundOutcome:
    compound: Compound
    got: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return set(self.compound.expect) <= set(self.got)


@dataclass
class DialogueReport:
    turns: list[TurnOutcome] = field(default_factory=list)
    compounds: list[CompoundOutcome] = field(default_factory=list)

    @property
    def follow_ups(self) -> list[TurnOutcome]:
        return [t for t in self.turns if t.turn.kind]

    def follow_up_accuracy(self) -> float:
        return _rate(self.follow_ups)

    def compound_accuracy(self) -> float:
        return _rate(self.compounds)


def _rate(outcomes: list[TurnOutcome] | list[CompoundOutcome]) -> float:
    return sum(o.correct for o in outcomes) / len(outcomes) if outcomes else 1.0


def is_dialogue_file(path: Path) -> bool:
    """Whether `path` holds dialogues (`dialogues:`, `compound:`) rather than `questions:`;
    a file that cannot be read is not (the question loader then says why). Aliases are
    read here (shared, not repeated): `load_dialogues` then refuses them by name."""
    try:
        data = read_yaml(path, "dialogue file", yaml.SafeLoader)
    except QuestionFileError:
        return False
    return isinstance(data, dict) and bool({"dialogues", "compound"} & data.keys())


def load_dialogues(path: Path) -> tuple[dict[str, list[DialogueTurn]], list[Compound]]:
    data = read_yaml(path, "dialogue file")
    if not isinstance(data, dict):
        raise QuestionFileError(f"{path}: expected `dialogues:` and `compound:` lists")
    dialogues: dict[str, list[DialogueTurn]] = {}
    for number, entry in enumerate(_entries(path, data, "dialogues"), 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("turns"), list):
            raise QuestionFileError(f"{path}: dialogue #{number} needs `turns:`")
        name = str(entry.get("id", number))
        dialogues[name] = [_turn(path, name, t) for t in entry["turns"]]
    compounds = []
    for number, entry in enumerate(_entries(path, data, "compound"), 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise QuestionFileError(f"{path}: compound #{number} needs `q:` text")
        known_keys(path, f"compound #{number}", entry, {"q", "expect", "kind"})
        expect = _fact_ids(entry.get("expect") or [])
        if expect is None:
            raise QuestionFileError(f"{path}: compound #{number}: `expect:` must be a list of "
                                    "fact ids")
        if not expect:  # expecting nothing, it would be right whatever the bot answers
            raise QuestionFileError(f"{path}: compound #{number} needs `expect:`, the facts "
                                    "it asks about")
        kind = text_value(path, f"compound #{number}", entry, "kind", "")
        compounds.append(Compound(entry["q"], expect, kind))
    return dialogues, compounds


def _entries(path: Path, data: dict[object, object], key: str) -> list[object]:
    entries = data.get(key) or []
    if not isinstance(entries, list):
        raise QuestionFileError(f"{path}: `{key}:` must be a list")
    return entries


def _fact_ids(value: object) -> tuple[str, ...] | None:
    """A list of fact ids as given, or None when it is not one."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def _turn(path: Path, dialogue: str, entry: object) -> DialogueTurn:
    if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
        raise QuestionFileError(f"{path}: a turn of dialogue {dialogue} needs `q:` text")
    where = f"dialogue {dialogue}, {entry['q']!r}"
    known_keys(path, where, entry, {"q", "expect", "expect_any", "kind"})
    if "expect_any" in entry:
        ids = _fact_ids(entry["expect_any"] or [])
        if ids is None:
            raise QuestionFileError(f"{path}: dialogue {dialogue}, {entry['q']!r}: `expect_any:` "
                                    "must be a list of fact ids")
        expect: frozenset[str | None] = frozenset(ids or [None])
    else:
        one = entry.get("expect")
        if one is not None and not isinstance(one, str):
            raise QuestionFileError(f"{path}: dialogue {dialogue}, {entry['q']!r}: `expect:` "
                                    "must be one fact id or null (several: `expect_any:`)")
        expect = frozenset([one])
    return DialogueTurn(entry["q"], expect, text_value(path, where, entry, "kind", ""))


def answered(turn: Turn) -> tuple[str, ...]:
    """The facts (or small talk) a turn answered, in order."""
    return tuple(a.intent_id for a in turn.answers
                 if a.kind in (AnswerKind.FACT, AnswerKind.SMALLTALK) and a.intent_id)


def evaluate_dialogues(conversation: Conversation, dialogues: dict[str, list[DialogueTurn]],
                       compounds: list[Compound], now: datetime) -> DialogueReport:
    report = DialogueReport()
    for name, turns in dialogues.items():
        context = Context()
        for number, turn in enumerate(turns):
            played = conversation.reply(turn.text, context, now + timedelta(seconds=number))
            context = played.context
            report.turns.append(TurnOutcome(name, turn, answered(played)))
    for compound in compounds:
        played = conversation.reply(compound.text, Context(), now)
        report.compounds.append(CompoundOutcome(compound, answered(played)))
    return report


def format_dialogue_report(report: DialogueReport) -> str:
    follow = report.follow_ups
    lines = [
        f"follow-up turns right:   {report.follow_up_accuracy():.1%} "
        f"({sum(t.correct for t in follow)}/{len(follow)})",
        f"compound, every part:    {report.compound_accuracy():.1%} "
        f"({sum(c.correct for c in report.compounds)}/{len(report.compounds)})",
        "",
        "follow-ups by kind:",
    ]
    groups: dict[str, list[TurnOutcome]] = defaultdict(list)
    for t in follow:
        groups[t.turn.kind].append(t)
    lines += [f"  {kind:<22} {_rate(g):6.1%} ({len(g)})" for kind, g in sorted(groups.items())]
    misses = [t for t in report.turns if not t.correct]
    if misses:
        lines += ["", "turns missed:"]
        lines += [f"  [{t.dialogue} {t.turn.kind or 'opening'}] {t.turn.text!r}: expected "
                  f"{'/'.join(str(e) for e in sorted(t.turn.expect, key=str))}, got "
                  f"{', '.join(t.got) or 'no fact'}" for t in misses]
    wrong = [c for c in report.compounds if not c.correct]
    if wrong:
        lines += ["", "compound messages missed:"]
        lines += [f"  {c.compound.text!r}: expected {', '.join(c.compound.expect)}, got "
                  f"{', '.join(c.got) or 'no fact'}" for c in wrong]
    return "\n".join(lines)
