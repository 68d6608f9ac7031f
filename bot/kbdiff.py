"""What an edit changes in the knowledge base, in words an admin can check before applying it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Knowledge


@dataclass(frozen=True)
class KnowledgeDiff:
    facts_added: tuple[str, ...]
    facts_removed: tuple[str, ...]
    facts_changed: tuple[str, ...]
    smalltalk_changed: tuple[str, ...]  # added, removed or edited
    events_added: tuple[str, ...]
    events_removed: tuple[str, ...]
    events_moved: tuple[str, ...]  # new start time or reminder offsets

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)

    def lines(self) -> list[str]:
        """One English line per kind of change, for admins."""
        labels = (
            ("facts added", self.facts_added),
            ("facts changed", self.facts_changed),
            ("facts removed", self.facts_removed),
            ("small talk changed", self.smalltalk_changed),
            ("events added", self.events_added),
            ("events moved", self.events_moved),
            ("events removed", self.events_removed),
        )
        found = [f"{label}: {', '.join(ids)}" for label, ids in labels if ids]
        return found or ["no change to facts, small talk or events"]


def diff_knowledge(old: Knowledge, new: Knowledge) -> KnowledgeDiff:
    old_events = {e.id: e for e in old.events}
    new_events = {e.id: e for e in new.events}
    talk_ids = set(old.smalltalk) | set(new.smalltalk)
    return KnowledgeDiff(
        facts_added=tuple(sorted(set(new.facts) - set(old.facts))),
        facts_removed=tuple(sorted(set(old.facts) - set(new.facts))),
        facts_changed=tuple(
            sorted(i for i in set(old.facts) & set(new.facts) if old.facts[i] != new.facts[i])
        ),
        smalltalk_changed=tuple(
            sorted(i for i in talk_ids if old.smalltalk.get(i) != new.smalltalk.get(i))
        ),
        events_added=tuple(sorted(set(new_events) - set(old_events))),
        events_removed=tuple(sorted(set(old_events) - set(new_events))),
        events_moved=tuple(
            sorted(
                i
                for i in set(old_events) & set(new_events)
                if (old_events[i].starts_at, old_events[i].remind_before)
                != (new_events[i].starts_at, new_events[i].remind_before)
            )
        ),
    )
