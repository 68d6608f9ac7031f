"""Turn unanswered questions into a report an admin can act on: closest fact, ready YAML."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import steers


@dataclass(frozen=True)
class AskedGap:
    """One normalized question that got the fallback or a "did you mean", as stored."""

    text: str
    count: int
    # fact id -> how often a user tapped that suggestion after asking this question
    tapped: Mapping[str, int] = field(default_factory=dict)
    # fact id -> how often users turned it down ("none of these", "না") after asking this
    refused: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GapEntry:
    text: str
    count: int
    # the fact the bot answers or offers first today; for a fallback, the matcher's first
    closest: str | None
    score: float
    tapped: Mapping[str, int]
    refused: Mapping[str, int] = field(default_factory=dict)

    @property
    def belongs_to(self) -> str | None:
        """The fact this phrasing should be added to: what users chose, else the closest."""
        if self.tapped:
            return max(self.tapped.items(), key=lambda item: (item[1], item[0]))[0]
        return None


def explain(gaps: Sequence[AskedGap], responder: Responder, now: datetime) -> list[GapEntry]:
    """The gaps with their closest facts as of `now`; not the words that steer a
    conversation ("আরও বলো" logged before a context began): no example can teach those."""
    entries = []
    for gap in gaps:
        if steers(gap.text):
            continue
        ranked = [
            r
            for r in responder.matcher.match(gap.text).ranked
            if r.intent_id in responder.knowledge.facts
        ]
        best = ranked[0] if ranked else None
        closest, score = (best.intent_id, best.score) if best else (None, 0.0)
        # The matcher's first may be one the bot's own checks set aside (another company
        # named): the report names what users were offered, the fact to teach.
        answer = responder.ask(gap.text, now)
        if answer.kind in (AnswerKind.FACT, AnswerKind.SUGGEST, AnswerKind.NOT_IN_ARTICLE):
            offered = answer.fact_id or next(iter(answer.suggestions), None)
            if offered is not None and offered != closest:
                closest = offered
                score = next((r.score for r in ranked if r.intent_id == offered), answer.score)
        entries.append(
            GapEntry(
                gap.text,
                gap.count,
                closest,
                score,
                dict(gap.tapped),
                dict(gap.refused),
            )
        )
    return entries


def format_report(entries: Sequence[GapEntry]) -> str:
    """Most frequent first, with the closest fact and the users' own choices."""
    if not entries:
        return "No unanswered questions logged yet."
    lines = []
    for number, entry in enumerate(entries, 1):
        closest = (
            f"closest: {entry.closest} ({entry.score:.0f})" if entry.closest else "closest: none"
        )
        taps, refused = _counts(entry.tapped), _counts(entry.refused)
        lines.append(
            f"{number}. ×{entry.count} “{entry.text}” — {closest}"
            + (f"; users chose: {taps}" if taps else "")
            + (f"; turned down: {refused}" if refused else "")
        )
    return "\n".join(lines)


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{fact} ×{n}" for fact, n in sorted(counts.items(), key=lambda i: -i[1]))


def suggested_yaml(entries: Sequence[GapEntry]) -> str:
    """Example questions to paste under each fact's `questions:`, from what users tapped."""
    by_fact: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.belongs_to:
            by_fact[entry.belongs_to].append(entry.text)
    if not by_fact:
        return ""
    blocks = []
    for fact, questions in sorted(by_fact.items()):
        items = "\n".join(f'      - "{q.replace(chr(34), "")}"' for q in questions)
        blocks.append(f"# facts.yaml, under `questions:` of {fact}:\n{items}")
    return "\n".join(blocks)
