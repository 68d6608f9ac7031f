"""What an edit changes in the knowledge base, in words an admin can check before applying it.

Every section is compared: an emptied file (a `decline.yaml` holding only `version: 1`)
changes how the bot answers as surely as an edited fact, and must not read as "no change".
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.knowledge import Knowledge
from bot.core.message_length import shorten

# Where a staged copy was read from, not what it says: it differs for every preview.
_IGNORED_FIELDS = frozenset({"path"})
# Ids named per line: an upload of 4,500 entries listed every one, in some 70 messages to
# each admin, the Apply button under the last. The admin checks the kind and the count.
MAX_LISTED = 20
# Example questions, synonyms or aliases named per changed entry, added and removed each: a
# reworded question read `questions 34 -> 34`, and nothing said which word left a group.
MAX_DETAILED = 3
_SHOWN = 80  # characters of one named question; longer ones are cut with "…"
# The new values of what users read, for every admin: a stolen admin account swapping in a
# phishing link was told to the others as "llamacon (url)". A link is shown whole (up to
# _LINK_SHOWN), a changed text by its start; so many that, with a report's header, they
# fit its first message (4,096 units), ahead of anything a long report cuts.
MAX_LINKS = 10
MAX_TEXTS = 5
_LINK_SHOWN = 220
_TEXT_SHOWN = 120
_ID_SHOWN = 60  # ids have no length limit
# What users can follow: an address, a Telegram link, an @username, and a domain written
# without https:// ("llama-free.com/get"), which Telegram links as well: in any letters
# ("লামা.рф", Bengali's vowel signs included) or under a punycode top-level domain
# ("evil.xn--p1ai"). A domain starts a word (else every letter would start a search).
_MARK = r"[\u0981-\u0983\u09bc\u09be-\u09cd\u09d7]"
_LETTER = rf"(?:[^\W_]|{_MARK})"  # or digit
_LABEL = rf"{_LETTER}(?:(?:{_LETTER}|-)*{_LETTER})?"
_LINK = re.compile(r"(?:https?://|tg://|www\.|t\.me/)[^\s\"'<>]+|(?<![\w@/])@[A-Za-z]\w{3,}"
                   rf"|(?<![\w@./\u0981-\u09d7-])(?:{_LABEL}\.)+"
                   rf"(?:xn--[a-z0-9-]{{1,59}}|(?:[^\W\d_]|{_MARK}){{2,24}})"
                   r"(?![\w-])(?:/[^\s\"'<>]*)?", re.IGNORECASE)
# Latin letters glued to a Bengali word ("দেখুনllama-free.com") start a word of their own.
_GLUED = re.compile(r"(?<=[\u0980-\u09ff])(?=[A-Za-z0-9])")
# An <a href>'s target, whatever it looks like: Telegram opens what it can ("tg:resolve?…"
# without "//", "ton://…", a domain in Bengali letters), link-shaped or not.
# Never past the next "<" or ">": a text of unclosed "<a href=\"" stays one pass.
_HREF = re.compile(r"""<a\s[^<>]*?\bhref\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'<>]+))""",
                   re.IGNORECASE)
# Read from the files a source names, not written in the YAML: never echoed.
_NOT_SHOWN = frozenset({"text"})


@dataclass(frozen=True)
class SectionDiff:
    """The entries of one section added, removed or changed, by id."""

    name: str  # as admins read it: "facts", "small talk", "declines", ...
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # id -> what to say about it: its example questions, or the fields that changed
    notes: Mapping[str, str] = field(default_factory=dict)
    # The new links (whole) and texts (their start) of the entries added or changed
    links: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()

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

    def value_lines(self) -> list[str]:
        """The new links, then the start of the new texts, an edit brings: a few lines, to
        go before `lines` (so that no cut of a long report can hide a changed link)."""
        links = [line for s in self.sections for line in s.links]
        texts = [line for s in self.sections for line in s.texts]
        return [*_capped(links, MAX_LINKS, "new links"), *_capped(texts, MAX_TEXTS, "new texts")]


def _capped(lines: list[str], most: int, what: str) -> list[str]:
    more = len(lines) - most
    return lines[:most] + ([f"… and {more:,} more {what}: see the file"] if more > 0 else [])


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
            _diff("bot texts", {"bot": old.bot}, {"bot": new.bot}, named=False),
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


def _diff(name: str, old: Mapping[str, Any], new: Mapping[str, Any], *,
          named: bool = True) -> SectionDiff:
    """`named`: values are told with the entry's id (a section of one entry has none)."""
    notes = {i: _size(new[i]) for i in new.keys() - old.keys()}
    notes |= {i: _size(old[i]) for i in old.keys() - new.keys()}
    changed = []
    links: list[str] = []
    texts: list[str] = []
    for i in sorted(new.keys()):
        before = old.get(i)
        if before is not None:
            if not (what := _changed_fields(before, new[i])):
                continue
            changed.append(i)
            notes[i] = what
        where = f"{name} {shorten(i, _ID_SHOWN)}" if named else name
        for is_link, line in _new_values(where, before, new[i]):
            (links if is_link else texts).append(line)
    return SectionDiff(
        name,
        added=tuple(sorted(new.keys() - old.keys())),
        changed=tuple(changed),
        removed=tuple(sorted(old.keys() - new.keys())),
        notes=notes,
        links=tuple(links),
        texts=tuple(texts),
    )


def _new_values(where: str, old: Any, new: Any) -> Iterator[tuple[bool, str]]:
    """(whether it is a link, the line) for each text field of `new` that `old` (None: an
    entry added) did not have, nested entries too (a fact's citation, the bot's event)."""
    if not is_dataclass(new):
        return
    for f in fields(new):
        if f.name in _IGNORED_FIELDS or f.name in _NOT_SHOWN:
            continue
        before = getattr(old, f.name, None) if old is not None else None
        after = getattr(new, f.name)
        if before == after:
            continue
        label = f"{where} {f.name}"
        if is_dataclass(after):
            yield from _new_values(label, before if is_dataclass(before) else None, after)
        elif isinstance(after, str):
            yield from _text_values(label, f.name, before if isinstance(before, str) else None,
                                    after)
        elif isinstance(after, tuple) and all(isinstance(item, str) for item in after):
            # The bot's examples, a fact's questions: /help shows them, Telegram links what
            # they hold. Told by their new links only (the summary counts the questions).
            had = before if isinstance(before, tuple) else ()
            yield from _new_links(label, "\n".join(had), "\n".join(after))


def _text_values(label: str, name: str, before: str | None, after: str
                 ) -> Iterator[tuple[bool, str]]:
    """A url whole; a changed text by its start (an added entry's texts, by their links
    only: the preview names the entry), then each link it did not have, whole."""
    if name == "url":
        yield True, f"🔗 {label} → {shorten(after, _LINK_SHOWN)}"
        return
    if before is not None:
        yield False, f'✏️ {label} → "{shorten(" ".join(after.split()), _TEXT_SHOWN)}"'
    yield from _new_links(label, before or "", after)


def _new_links(label: str, before: str, after: str) -> Iterator[tuple[bool, str]]:
    """Each link of `after` that `before` did not have, whole. Read as Telegram reads the
    HTML texts (welcome, help): `&#104;ttps://…` in an href is a link there."""
    had = set(_links(before))
    for link in dict.fromkeys(_links(after)):
        if link not in had:
            yield True, f"🔗 {label}, new link → {shorten(link, _LINK_SHOWN)}"


def _links(text: str) -> list[str]:
    """The links of a text as Telegram reads it (character references decoded): each
    <a href>'s target, then whatever reads as a link."""
    targets = (html.unescape("".join(found.groups(""))).strip() for found in _HREF.finditer(text))
    return [*filter(None, targets), *_LINK.findall(_GLUED.sub(" ", html.unescape(text)))]


def _size(entry: Any) -> str:
    """How many example questions an intent has (the matcher's weight); when an event
    starts (a mistyped year shows); nothing otherwise."""
    starts_at = getattr(entry, "starts_at", None)
    if isinstance(starts_at, datetime):
        return _value(starts_at)
    questions = getattr(entry, "questions", None)
    if questions is None:
        return ""
    return f"{len(questions)} question{'' if len(questions) == 1 else 's'}"


def _changed_fields(old: Any, new: Any) -> str:
    """The names of the fields that differ, with the count of example questions and the
    questions, words and aliases added and removed, and an event's old and new time."""
    found = []
    for f in fields(old):
        before, after = getattr(old, f.name), getattr(new, f.name)
        if f.name in _IGNORED_FIELDS or before == after:
            continue
        if f.name == "questions":
            found.append(f"questions {len(before)} -> {len(after)}"
                         + _added_and_removed(before, after, quoted=True))
        elif f.name in ("words", "aliases"):
            found.append(f.name + _added_and_removed(before, after))
        elif f.name in ("starts_at", "remind_before"):
            found.append(f"{f.name} {_value(before)} -> {_value(after)}")
        else:
            found.append(f.name)
    return ", ".join(found)


def _added_and_removed(before: tuple[str, ...], after: tuple[str, ...], *,
                       quoted: bool = False) -> str:
    """`: + "new", - "old"`, at most MAX_DETAILED of each, then how many more."""
    items = []
    for sign, these, others in (("+", after, before), ("-", before, after)):
        elsewhere = set(others)
        differ = [x for x in dict.fromkeys(these) if x not in elsewhere]
        for text in differ[:MAX_DETAILED]:
            text = shorten(text, _SHOWN)
            items.append(f'{sign} "{text}"' if quoted else f"{sign} {text}")
        if len(differ) > MAX_DETAILED:
            items.append(f"{sign} {len(differ) - MAX_DETAILED:,} more")
    return ": " + ", ".join(items) if items else ""


def _value(value: Any) -> str:
    """An event's time or reminder offsets as `events.yaml` writes them."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return ", ".join(_duration(d) for d in value) or "none"


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
