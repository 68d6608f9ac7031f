"""Teach the bot what the review found: add users' questions to a fact, or to a decline
intent, in its knowledge file; check that nothing that was right goes wrong; apply.

`propose` makes the edit in memory (new lines after the intent's last question, every
other byte kept), validates the folder with it, and measures the labelled eval set
against the knowledge before and after. `apply` writes it through `bot.kbedit`: under
the folder's lock, only if the file is still the one proposed against, with a history
entry saying who did what, which /rollback restores byte for byte. A proposal that
breaks an eval question that was right, or whose new questions would be answered by
another intent, is applied only when confirmed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path

from bot import kbedit
from bot.core.answer import AnswerKind, Responder
from bot.core.evaluation import LabelledQuestion, diff_reports, evaluate
from bot.core.knowledge import Decline, Fact, Knowledge
from bot.core.normalize import clean
from bot.core.yamledit import YamlEditError, append_questions


class Action(StrEnum):
    """What an admin decided for a card; the first two edit the knowledge."""

    ADD = "added"  # to a fact's example questions
    DECLINE = "declined"  # to a decline intent's: "another subject"
    IGNORE = "ignored"  # never shown again


class TeachError(Exception):
    """The lesson cannot be taught as asked; the message says why, for an admin."""


@dataclass(frozen=True)
class Lesson:
    action: Action  # ADD or DECLINE
    target: str  # the fact or decline intent id
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Shift:
    """An eval question answered differently after the edit."""

    question: str
    expect: str | None
    before: str | None  # the intent answered before (None: not answered)
    after: str | None


@dataclass(frozen=True)
class Proposal:
    lesson: Lesson
    name: str  # the knowledge file edited
    content: bytes  # the file as it would be
    base: str  # fingerprint of the file the edit was made on: `apply` insists on it
    added: tuple[str, ...]  # the questions added (those the intent has already are not)
    lines: tuple[str, ...]  # the lines added to the file
    knowledge: Knowledge  # the whole folder as it would be, validated
    measured: int  # eval questions measured (0: no eval set)
    broken: tuple[Shift, ...]  # right before, wrong after
    fixed: tuple[Shift, ...]  # wrong before, right after
    collisions: tuple[str, ...]  # added questions another intent would still win, explained

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.broken or self.collisions)


class Unconfirmed(TeachError):
    """The proposal breaks something; `apply(..., confirmed=True)` applies it anyway."""

    def __init__(self, proposal: Proposal) -> None:
        self.proposal = proposal
        broken = [f"{s.question!r} ({s.expect} -> {s.after})" for s in proposal.broken]
        super().__init__("; ".join([*proposal.collisions, *(f"breaks {b}" for b in broken)]))


def propose(directory: Path, lesson: Lesson, current: Responder,
            eval_questions: Sequence[LabelledQuestion], tz: tzinfo, now: datetime) -> Proposal:
    """The edit `lesson` asks for, validated and measured; raises TeachError, or
    KnowledgeError when the folder with the edit does not load."""
    knowledge = current.knowledge
    intent: Fact | Decline | None
    if lesson.action is Action.ADD:
        intent = knowledge.facts.get(lesson.target)
        section, kind = "facts", "fact"
    elif lesson.action is Action.DECLINE:
        intent = knowledge.declines.get(lesson.target)
        section, kind = "decline", "decline intent"
    else:
        raise TeachError(f"{lesson.action} does not edit the knowledge")
    if intent is None:
        raise TeachError(f"there is no {kind} {lesson.target!r}")
    known = {clean(q) for q in intent.questions}
    added = tuple(q for q in dict.fromkeys(q.strip() for q in lesson.questions)
                  if q and clean(q) not in known)
    if not added:
        raise TeachError(f"{lesson.target} has every one of these questions already")
    site = knowledge.question_sites.get((intent.id, intent.questions[0]))
    if site is None:
        raise TeachError(f"cannot tell which file holds {lesson.target}")
    name = Path(site.file).name
    try:
        raw = (directory / name).read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise TeachError(f"cannot read {name}: {err}") from None
    try:
        edited = append_questions(text, section, intent.id, added)
    except YamlEditError as err:
        raise TeachError(f"{name}: {err}") from None
    content = edited.encode("utf-8")
    staged = kbedit.stage(directory, name, content, knowledge, tz)
    if staged.base != hashlib.sha256(raw).hexdigest():
        raise TeachError(f"{name} changed while the edit was being made: try again")
    after = Responder(staged.knowledge)
    shifts = _shifts(current, after, eval_questions, now)
    return Proposal(
        lesson, name, content, staged.base, added, _added_lines(text, edited),
        staged.knowledge, len(eval_questions),
        tuple(s for s, was_right, is_right in shifts if was_right and not is_right),
        tuple(s for s, was_right, is_right in shifts if is_right and not was_right),
        _collisions(after, intent.id, added)
        + (_unanswered(after, intent.id, added, now) if lesson.action is Action.ADD else ()),
    )


def apply(directory: Path, proposal: Proposal, tz: tzinfo, now: datetime, *, by: str,
          confirmed: bool = False) -> kbedit.Applied:
    """Write the proposal (see `kbedit.apply`); raises Unconfirmed if it needs confirming,
    kbedit.StaleEdit if the file changed since it was proposed."""
    if proposal.needs_confirmation and not confirmed:
        raise Unconfirmed(proposal)
    lesson = proposal.lesson
    count = len(proposal.added)
    questions = "1 question" if count == 1 else f"{count} questions"
    what = (f"{questions} added to {lesson.target}" if lesson.action is Action.ADD
            else f"{questions} declined as {lesson.target}")
    if proposal.needs_confirmation:
        what += " (applied anyway: " + str(Unconfirmed(proposal)) + ")"
    return kbedit.apply(directory, proposal.name, proposal.content, proposal.base, tz, now,
                        by=by, what=what, taught=lesson.questions)


def _shifts(before: Responder, after: Responder, questions: Sequence[LabelledQuestion],
            now: datetime) -> list[tuple[Shift, bool, bool]]:
    listed = list(questions)
    changed = diff_reports(evaluate(before, listed, now), evaluate(after, listed, now))
    return [(Shift(b.question.text, b.question.expect, b.got, a.got), b.correct, a.correct)
            for b, a in changed]


def _collisions(after: Responder, intent_id: str, added: Sequence[str]) -> tuple[str, ...]:
    """Added questions that still go to another intent (as `kb validate` would report)."""
    found = []
    for question in added:
        ranked = after.matcher.match(question).ranked
        own = next((r.score for r in ranked if r.intent_id == intent_id), 0.0)
        rival = next((r for r in ranked if r.intent_id != intent_id), None)
        if rival is not None and own - rival.score < after.policy.margin:
            found.append(f"{question!r} matches {rival.intent_id} as well"
                         f" ({rival.score:.0f} vs {own:.0f})")
    return tuple(found)


def _unanswered(after: Responder, fact_id: str, added: Sequence[str],
                now: datetime) -> tuple[str, ...]:
    """Added questions the bot would still not answer with the fact: matching is one step,
    and a question naming a subject the fact is not about ("amazon ai te koto khoroch") is
    declined after it. Teaching them would change nothing users see."""
    found = []
    for question in added:
        answer = after.ask(question, now)
        if answer.intent_id != fact_id or answer.kind is not AnswerKind.FACT:
            found.append(f"{question!r} would still not be answered with {fact_id}"
                         f" ({answer.kind}: it may name a subject {fact_id} is not about)")
    return tuple(found)


def _added_lines(before: str, after: str) -> tuple[str, ...]:
    old = before.splitlines()
    new = after.splitlines()
    # The edit only inserts: the new lines are those between the common head and tail.
    head = 0
    while head < len(old) and old[head] == new[head]:
        head += 1
    tail = len(old) - head
    return tuple(new[head : len(new) - tail])
