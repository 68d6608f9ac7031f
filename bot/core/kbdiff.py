"""What an edit changes in the knowledge base, in words an admin can check before applying it.

Every section is compared: an emptied file (a `decline.yaml` holding only `version: 1`)
changes how the bot answers as surely as an edited fact, and must not read as "no change".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from bot.core.knowledge import Knowledge

# Where a staged copy was read from, not what it says: it differs for every preview.
_IGNORED_FIELDS = frozenset({"path"})
# Ids named per line: an upload of 4,500 entries listed every one, in some 70 messages to
# each admin, the Apply button under the last. The admin checks the kind and the count.
MAX_LISTED = 20


@dataclass(frozen=True)
class SectionDiff:
    """The entries of one section added, removed or changed, by id."""

    name: str  # as admins read it: "facts", "small talk", "declines", ...
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # id -> what to say about it: its example questions, or the fields that changed
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def lines(self, listed: int = MAX_LISTED) -> list[str]:
        """One line per kind of change: `facts changed (1): llamacon (answer)`; past
        `listed` ids, how many more (`… and 4,480 more`)."""
        kinds = {"added": self.added, "changed": self.changed, "removed": self.removed}
        found = []
        for verb, ids in kinds.items():
            if ids:
                described = [f"{i} ({self.notes[i]})" if self.notes.get(i) else i
                             for i in ids[:listed]]
                if len(ids) > listed:
                    described.append(f"… and {len(ids) - listed:,} more")
                found.append(f"{self.name} {verb} ({len(ids):,}): {', '.join(described)}")
        return found


@dataclass(frozen=True)
class KnowledgeDiff:
    sections: tuple[SectionDiff, ...]

    @property
    def empty(self) -> bool:
        return all(s.empty for s in self.sections)

    def section(self, name: str) -> SectionDiff:
        return next(s for s in self.sections if s.name == name)

    def lines(self) -> list[str]:
        """English lines for admins, section by section."""
        found = [line for s in self.sections for line in s.lines()]
        names = [s.name for s in self.sections]
        return found or [f"no change to {', '.join(names[:-1])} or {names[-1]}"]


def diff_knowledge(old: Knowledge, new: Knowledge) -> KnowledgeDiff:
    return KnowledgeDiff(
        (
            _diff("facts", old.facts, new.facts),
            _diff("small talk", old.smalltalk, new.smalltalk),
            _diff("declines", old.declines, new.declines),
            _diff("topics", _by_id(old.topics), _by_id(new.topics)),
            _diff("sources", old.sources, new.sources),
            _diff("events", _by_id(old.events), _by_id(new.events)),
            _diff("entities", old.entities, new.entities),
            _diff("synonym groups", _groups(old.synonyms), _groups(new.synonyms)),
            # One entry, the bot's texts (bot.yaml): which of them an edit changes.
            _diff("bot texts", {"bot": old.bot}, {"bot": new.bot}),
        )
    )


@dataclass(frozen=True)
class _Group:
    words: tuple[str, ...]


def _groups(synonyms: Iterable[tuple[str, ...]]) -> dict[str, _Group]:
    """Synonym groups by their first word, the word that stands for the group."""
    return {group[0]: _Group(group) for group in synonyms}


def _by_id(entries: Iterable[Any]) -> dict[str, Any]:
    return {entry.id: entry for entry in entries}


def _diff(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> SectionDiff:
    notes = {i: _size(new[i]) for i in new.keys() - old.keys()}
    notes |= {i: _size(old[i]) for i in old.keys() - new.keys()}
    changed = []
    for i in sorted(old.keys() & new.keys()):
        if what := _changed_fields(old[i], new[i]):
            changed.append(i)
            notes[i] = what
    return SectionDiff(
        name,
        added=tuple(sorted(new.keys() - old.keys())),
        changed=tuple(changed),
        removed=tuple(sorted(old.keys() - new.keys())),
        notes=notes,
    )


def _size(entry: Any) -> str:
    """How many example questions an intent has (the matcher's weight); nothing otherwise."""
    questions = getattr(entry, "questions", None)
    if questions is None:
        return ""
    return f"{len(questions)} question{'' if len(questions) == 1 else 's'}"


def _changed_fields(old: Any, new: Any) -> str:
    """The names of the fields that differ, with the count of example questions."""
    found = []
    for f in fields(old):
        before, after = getattr(old, f.name), getattr(new, f.name)
        if f.name in _IGNORED_FIELDS or before == after:
            continue
        if f.name == "questions":
            found.append(f"questions {len(before)} -> {len(after)}")
        else:
            found.append(f.name)
    return ", ".join(found)
