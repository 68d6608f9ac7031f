"""Turn located YAML entries into knowledge values, checking every rule an admin can break."""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Callable, Generator, Mapping
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import yaml
from rapidfuzz import fuzz, process

from bot.core.bot_section import with_bot_texts
from bot.core.events import EventValueError, parse_duration, parse_starts_at
from bot.core.files import read_bounded
from bot.core.knowledge import (
    Citation,
    Decline,
    Entity,
    Event,
    Fact,
    Knowledge,
    Site,
    SmallTalk,
    Source,
    Topic,
)
from bot.core.normalize import make_key
from bot.core.sentences import split_sentences
from bot.core.yamlnodes import MAX_PROBLEMS, Located, NodeReader, Problem

MAX_ANSWER_CHARS = 3000  # leaves room in a 4096-character message for the citation and markup
# An event's title and link go into /llamacon and every reminder, several events to a message.
MAX_EVENT_TITLE = 200
MAX_URL = 500
# A fact's, a topic's, an article's and a section's title: shown above answers, in every
# citation (two titles each), on /source and inline results. A real one is a few words;
# thousands of letters passed, and every answer citing them was then refused by Telegram.
MAX_TITLE = 200
DRAFT_ANSWER = "TODO"  # what `kb import` writes for the admin to replace
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# Characters of an id a mistyped fact_id is compared with ("did you mean"): the
# comparison grows with their square, and a typo is of an id of a typical length.
_LIKELY_ID = 64
T = TypeVar("T")


# What an entity is, when it matters: "উনি কী বলেছেন?" (what did he say?) points at a person.
ENTITY_KINDS = ("person", "company", "product", "place")


class _Builder:
    def __init__(self, readers: Mapping[str, NodeReader], tz: tzinfo, directory: Path) -> None:
        self.readers = readers
        self.tz = tz
        self.directory = directory
        self.seen_ids: dict[tuple[str, str], tuple[str, int]] = {}
        self.intent_kinds: dict[str, str] = {}  # intent id -> fact, small talk or decline
        self.question_sites: dict[tuple[str, str], Site] = {}
        self.event_sites: dict[str, Site] = {}
        self.warnings: list[Problem] = []
        self.shared_names: dict[str, str] = {}  # entity id -> its name
        # Files whose `topics:` list runs on into facts (the `facts:` line deleted): told once.
        self.facts_in_topics: set[str] = set()
        # A fact's related ids where they are written: an unknown one is reported there.
        self.related_nodes: dict[str, list[tuple[str, yaml.Node]]] = {}
        # Each event's fact_id where it is written (file, event, node, id), checked even
        # when the event has another mistake: every problem is told at once.
        self.event_facts: list[tuple[str, str | None, yaml.Node, str]] = []

    def reader(self, entry: Located) -> NodeReader:
        return self.readers[entry.file]

    def curly(self, reader: NodeReader, node: yaml.Node | None, value: str | None,
              what: str) -> None:
        """Warn of a value wrapped whole in curly quotes: “…” typed for YAML's "…" (phones and
        word processors do it) is text to YAML, and users would read the quotes on every
        button. Quotes inside a text are Bengali punctuation, and pass."""
        if node is not None and value is not None and _wrapped_in_curly_quotes(value):
            mark = node.start_mark
            self.warnings.append(Problem(
                reader.file, mark.line + 1, mark.column + 1,
                f"{what} is wrapped in curly quotes “…”: users would see them",
                'write straight quotes "…" around it, or none', warning=True))

    def entry_id(self, entry: Located, fields: dict[str, yaml.Node], kind: str,
                 shared_as: str | None = None) -> str | None:
        """The entry's id, checked; `shared_as`: the name under which an entry may be listed
        again (a subject two articles share), merged afterwards."""
        reader = self.reader(entry)
        value = reader.text(fields.get("id"), f"the {kind} id")
        if value is None:
            return None
        node = fields["id"]
        if not _ID.match(value) and kind != "source":
            reader.problem(node, f"{kind} id {value!r} is not snake_case", "use a-z, 0-9 and _")
        # Facts and small talk share one namespace: both are answers the matcher picks.
        space = "intent" if kind in ("fact", "small talk", "decline") else kind
        earlier = self.seen_ids.get((space, value))
        if earlier and shared_as is not None and self.shared_names.get(value) == shared_as:
            return value
        if earlier:
            named = " under another name" if shared_as is not None else ""
            reader.problem(
                node,
                f"duplicate {kind} id {value!r}{named} (first defined at {earlier[0]}:"
                f"{earlier[1]})",
                "give each entry its own id" + (
                    "; one subject listed by two articles keeps one name" if named else ""),
            )
            return None
        self.seen_ids[(space, value)] = (entry.file, node.start_mark.line + 1)
        if shared_as is not None:
            self.shared_names[value] = shared_as
        if space == "intent":
            self.intent_kinds[value] = kind
        return value

    def source(self, entry: Located) -> Source | None:
        reader = self.reader(entry)
        fields = reader.mapping(
            entry.node, "a source", ("id", "title", "file", "sections"), ("language", "url")
        )
        if fields is None:
            return None
        source_id = self.entry_id(entry, fields, "source")
        title = reader.text(fields.get("title"), "the source title")
        _check_title(reader, fields.get("title"), title, "the source title",
                     "the article's headline, as users read it in every citation")
        file = reader.text(fields.get("file"), "the source file")
        sections = self.sections(reader, fields.get("sections"))
        if source_id is None or title is None or file is None:
            return None
        path = self.source_path(reader, fields["file"], file)
        if path is None:
            return None
        try:
            text = read_bounded(path).decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reader.problem(
                fields["file"],
                f"cannot read source file {file!r}: {err}",
                "give a path relative to the knowledge folder",
            )
            return None
        for heading, _, node in sections:
            if heading not in text.splitlines():
                reader.problem(
                    node,
                    f"section heading {heading!r} is not a line of {file}",
                    "copy the heading exactly as it stands in the source",
                )
        headings = tuple(heading for heading, _, _ in sections)
        titles = {heading: shown for heading, shown, _ in sections if shown}
        return Source(source_id, title, text, headings, str(path), titles)

    def sections(
        self, reader: NodeReader, node: yaml.Node | None
    ) -> list[tuple[str, str | None, yaml.Node]]:
        """A source's headings, each with the title shown to users if admins corrected it.

        Citations quote the source verbatim, misprints included; a heading is shown to
        users, so `- heading: ...` with `title: ...` may correct it.
        """
        found: list[tuple[str, str | None, yaml.Node]] = []
        for item in reader.sequence(node, "sections"):
            if isinstance(item, yaml.MappingNode):
                fields = reader.mapping(item, "a section", ("heading", "title")) or {}
                heading = reader.text(fields.get("heading"), "the section heading")
                shown = reader.text(fields.get("title"), "the section title")
                _check_title(reader, fields.get("title"), shown, "the section title",
                             "users read it in citations and /source: a few words")
                if heading:  # kept without its title: one mistake, one problem
                    found.append((heading, shown, fields["heading"]))
            elif isinstance(item, yaml.ScalarNode):
                if heading := reader.text(item, "a section heading"):
                    # Shown as it stands when no `title:` corrects it.
                    _check_title(reader, item, heading, "the section heading",
                                 "add `title:` with a shorter title shown to users")
                    found.append((heading, None, item))
            else:
                reader.problem(
                    item,
                    "a section must be a heading or a mapping",
                    'write "heading as in the source", or `heading:` with `title:`',
                )
        return found

    def source_path(self, reader: NodeReader, node: yaml.Node, file: str) -> Path | None:
        """`file` resolved inside the knowledge folder, or None with a problem.

        A source's text is quoted back to admins (the closest sentence to a wrong quote) and
        to users, and an upload may name any path: anything outside the folder, through an
        absolute path, '..' or a link, would be read and shown to whoever sent the file.
        """
        written = Path(file)
        if any(c in file for c in "\0\n\r") or not file.isprintable():
            reason = "holds a control character"  # the OS cannot open it (NUL), nor show it
        elif written.is_absolute():
            reason = "is an absolute path"
        elif ".." in written.parts:
            reason = "leaves the knowledge folder with '..'"
        elif any(part.startswith(".") for part in written.parts):
            reason = "is a hidden file"  # .env, .git, .history: settings and copies, not text
        else:
            # realpath, not Path.resolve: a loop of links is left for reading to report.
            folder = Path(os.path.realpath(self.directory))
            path = Path(os.path.realpath(folder / written))
            if path.is_relative_to(folder):
                return path  # the path checked is the path read
            reason = "is a link to a file outside the knowledge folder"
        reader.problem(
            node,
            f"source file {file!r} {reason}",
            "give a path inside the knowledge folder, relative to it, such as sources/article.txt",
        )
        return None

    def topic(self, entry: Located) -> Topic | None:
        reader = self.reader(entry)
        if found := _fact_fields(entry.node):
            # Without its `facts:` line, a file's facts are read as topics: each of their
            # fields would be "unknown in a topic", and every reference to them unknown.
            if entry.file not in self.facts_in_topics:
                self.facts_in_topics.add(entry.file)
                named = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
                reader.problem(
                    entry.node,
                    f"this topic has a fact's fields ({named}): the `facts:` line seems to"
                    " be missing above it",
                    "write `facts:` on a line of its own, not indented, before the first fact",
                )
            return None
        fields = reader.mapping(entry.node, "a topic", ("id", "title"))
        if fields is None:
            return None
        topic_id = self.entry_id(entry, fields, "topic")
        title = reader.text(fields.get("title"), "the topic title")
        _check_title(reader, fields.get("title"), title, "the topic title",
                     "a few words, shown on its button and above its questions")
        self.curly(reader, fields.get("title"), title, f"the title of topic {topic_id!r}")
        return Topic(topic_id, title) if topic_id and title else None

    def questions(
        self, reader: NodeReader, fields: dict[str, yaml.Node], what: str, intent_id: str | None
    ) -> tuple[str, ...]:
        items = reader.text_list(fields.get("questions"), f"the questions of {what}")
        if "questions" in fields and not items:
            reader.problem(
                fields["questions"],
                f"{what} has no example questions",
                "add at least one question a user would ask",
            )
        if items and intent_id and what.startswith("fact"):
            # The first is the fact's button and its line in /topics.
            self.curly(reader, items[0][1], items[0][0],
                       f"the first question of {what} (its button)")
        kept = []
        for question, node in items:
            # Punctuation, a zero-width space: no user's words can ever match it.
            if not make_key(question).skeleton:
                reader.problem(node, f"example question {question!r} has no letters to match",
                               "write the question in words, as a user would ask it")
                continue
            kept.append(question)
            if intent_id:
                mark = node.start_mark
                self.question_sites[(intent_id, question)] = Site(
                    reader.file, mark.line + 1, mark.column + 1
                )
        return tuple(kept)

    def answer_text(
        self, reader: NodeReader, fields: dict[str, yaml.Node], what: str
    ) -> str | None:
        answer = reader.text(fields.get("answer"), f"the answer of {what}")
        if answer is not None and answer.strip().startswith(DRAFT_ANSWER):
            # `kb import` drafts facts with this answer: a draft is never served by accident.
            reader.problem(
                fields["answer"],
                f"answer is still {DRAFT_ANSWER} in {what}",
                "write the answer in your own words, from the quoted sentence",
            )
            return None
        if answer is not None and len(answer) > MAX_ANSWER_CHARS:
            reader.problem(
                fields["answer"],
                f"the answer of {what} has {len(answer)} characters, more than {MAX_ANSWER_CHARS}",
                "shorten it so it fits one Telegram message with its citation",
            )
        return answer

    def citation(
        self, reader: NodeReader, node: yaml.Node | None, sources: Mapping[str, Source], what: str
    ) -> Citation | None:
        if node is None:
            return None
        fields = reader.mapping(node, f"the citation of {what}", ("source", "section", "quote"))
        if fields is None:
            return None
        source_id = reader.text(fields.get("source"), "the citation source")
        section = reader.text(fields.get("section"), "the citation section")
        quote = reader.text(fields.get("quote"), "the citation quote")
        if source_id is None or section is None or quote is None:
            return None
        source = sources.get(source_id)
        if source is None:
            reader.problem(
                fields["source"],
                f"unknown source {source_id!r}",
                f"use one of: {', '.join(sorted(sources)) or '(no sources defined)'}",
            )
            return None
        if section != source.title and section not in source.sections:
            reader.problem(
                fields["section"],
                f"section {section!r} is not a heading of {source_id}",
                f"use one of the `sections` listed for {source_id}",
            )
            return None
        at = source.text.find(quote)
        if at < 0:
            # Phones and word processors turn "…" into “…”: the sentence then looks verbatim.
            curly = (quote[:1] in "“‘" and quote[-1:] in "”’" and len(quote) > 2
                     and quote[1:-1] in source.text)
            reader.problem(
                fields["quote"],
                f"quote not found verbatim in source {source_id}",
                'it is wrapped in curly quotes “…”: write straight quotes "…" around it'
                if curly else
                _copy_hint(quote, closest_sentence(quote, source.text)),
            )
            return None
        under = _section_at(source, at)
        if under != section:
            reader.problem(
                fields["section"],
                f"the quote stands under section {under!r}, not {section!r}",
                f'write `section: "{under}"`',
            )
        return Citation(source.id, source.title, section, quote, source.section_title(section))

    def fact(self, entry: Located, sources: Mapping[str, Source]) -> tuple[Fact, Located] | None:
        reader = self.reader(entry)
        fields = reader.mapping(
            entry.node,
            "a fact",
            ("id", "topic", "title", "answer", "questions", "citation"),
            ("related", "entities", "mentions"),
        )
        if fields is None:
            return None
        fact_id = self.entry_id(entry, fields, "fact")
        what = f"fact {fact_id!r}" if fact_id else "a fact"
        topic = reader.text(fields.get("topic"), f"the topic of {what}")
        title = reader.text(fields.get("title"), f"the title of {what}")
        _check_title(reader, fields.get("title"), title, f"the title of {what}",
                     "a few words, shown above the answer")
        self.curly(reader, fields.get("title"), title, f"the title of {what}")
        answer = self.answer_text(reader, fields, what)
        self.curly(reader, fields.get("answer"), answer, f"the answer of {what}")
        questions = self.questions(reader, fields, what, fact_id)
        related_nodes = reader.text_list(fields.get("related"), f"related of {what}")
        related = tuple(r for r, _ in related_nodes)
        if fact_id:
            self.related_nodes[fact_id] = related_nodes
        citation = self.citation(reader, fields.get("citation"), sources, what)
        entities, mentions = (
            tuple(e for e, _ in reader.text_list(fields.get(name), f"{name} of {what}"))
            for name in ("entities", "mentions")
        )
        if not (fact_id and topic and title and answer and questions and citation):
            return None
        fact = Fact(fact_id, topic, title, answer, questions, citation, related, entities, mentions)
        return fact, entry

    def entity(self, entry: Located) -> tuple[Entity, Located] | None:
        reader = self.reader(entry)
        fields = reader.mapping(entry.node, "an entity", ("id", "name", "aliases"),
                                ("fact", "kind"))
        if fields is None:
            return None
        name = reader.text(fields.get("name"), "the entity name")
        # Articles share subjects (Meta, Google): each pack may list them, under one name.
        entity_id = self.entry_id(entry, fields, "entity", shared_as=name or "")
        aliases = reader.text_list(fields.get("aliases"), "the aliases of an entity")
        if "aliases" in fields and not aliases:
            reader.problem(fields["aliases"], "an entity needs at least one alias",
                           "list how people write its name: Bengali, romanized and English")
        for alias, node in aliases:
            if entity_id and not make_key(alias).skeleton:
                reader.problem(node, f"alias {alias!r} has no letters to match",
                               "write the name in letters")
        fact = reader.text(fields.get("fact"), "the entity's fact") if "fact" in fields else None
        kind = reader.text(fields.get("kind"), "the entity's kind") if "kind" in fields else ""
        if kind and kind not in ENTITY_KINDS:
            reader.problem(fields["kind"], f"unknown entity kind {kind!r}",
                           f"write one of: {', '.join(ENTITY_KINDS)}")
            kind = ""
        if not (entity_id and name and aliases):
            return None
        return Entity(entity_id, name, tuple(a for a, _ in aliases), fact, kind or ""), entry

    def synonym_group(self, entry: Located) -> tuple[tuple[str, ...], Located] | None:
        reader = self.reader(entry)
        words = reader.text_list(entry.node, "a synonym group")
        if len(words) < 2:
            reader.problem(entry.node, "a synonym group needs at least two words",
                           "write the words that mean the same, e.g. [খরচ, ব্যয়, spend]")
            return None
        kept = []
        for word, node in words:
            # "৳" is no word to the matcher: it would rewrite nothing, and every such
            # synonym would be the same empty word, "in two groups".
            if make_key(word).skeleton:
                kept.append(word)
            else:
                reader.problem(node, f"synonym {word!r} has no letters to match",
                               "write the word in letters, or take it out of the group")
        return tuple(kept), entry

    def smalltalk(self, entry: Located) -> SmallTalk | None:
        reader = self.reader(entry)
        fields = reader.mapping(entry.node, "a small-talk entry", ("id", "answer", "questions"))
        if fields is None:
            return None
        intent_id = self.entry_id(entry, fields, "small talk")
        what = f"small talk {intent_id!r}" if intent_id else "small talk"
        answer = self.answer_text(reader, fields, what)
        questions = self.questions(reader, fields, what, intent_id)
        if not (intent_id and answer and questions):
            return None
        return SmallTalk(intent_id, answer, questions)

    def decline(self, entry: Located) -> tuple[Decline, Located] | None:
        reader = self.reader(entry)
        fields = reader.mapping(entry.node, "a decline entry", ("id", "questions"), ("about",))
        if fields is None:
            return None
        intent_id = self.entry_id(entry, fields, "decline")
        what = f"decline {intent_id!r}"
        questions = self.questions(reader, fields, what, intent_id)
        about = tuple(a for a, _ in reader.text_list(fields.get("about"), f"about of {what}"))
        return (Decline(intent_id, questions, about), entry) if intent_id and questions else None

    def event(self, entry: Located) -> tuple[Event, Located] | None:
        reader = self.reader(entry)
        fields = reader.mapping(
            entry.node,
            "an event",
            ("id", "title", "starts_at", "fact_id"),
            ("remind_before", "url"),
        )
        if fields is None:
            return None
        event_id = self.entry_id(entry, fields, "event")
        title = reader.text(fields.get("title"), "the event title")
        fact_id = reader.text(fields.get("fact_id"), "the event fact_id")
        if fact_id is not None:
            self.event_facts.append((entry.file, event_id, fields["fact_id"], fact_id))
        url = reader.text(fields.get("url"), "the event url") if "url" in fields else None
        if title is not None and len(title) > MAX_EVENT_TITLE:
            reader.problem(fields["title"], f"the event title is {len(title)} characters long;"
                           f" at most {MAX_EVENT_TITLE}",
                           "a few words: it stands in the event's countdown and every reminder")
            title = None
        if url is not None and (problem := _url_problem(url)):
            reader.problem(fields["url"], problem,
                           "write the event's page, such as https://example.org/event")
            url = None
        starts_at = None
        raw = reader.text(fields.get("starts_at"), "starts_at")
        if raw is not None:
            try:
                starts_at = parse_starts_at(raw, self.tz)
                if event_id:
                    mark = fields["starts_at"].start_mark
                    self.event_sites[event_id] = Site(reader.file, mark.line + 1, mark.column + 1)
            except EventValueError as err:
                reader.problem(fields["starts_at"], err.message, err.hint)
        offsets = []
        for text, node in reader.text_list(fields.get("remind_before"), "remind_before"):
            try:
                offsets.append(parse_duration(text))
            except EventValueError as err:
                reader.problem(node, err.message, err.hint)
        if not (event_id and title and fact_id and starts_at):
            return None
        return Event(
            event_id, title, starts_at, tuple(sorted(set(offsets), reverse=True)), fact_id, url
        ), entry


def _check_title(reader: NodeReader, node: yaml.Node | None, title: str | None, what: str,
                 hint: str) -> None:
    """Report a title longer than MAX_TITLE characters (the value is kept: the folder is
    refused all the same, and the entries citing it report nothing more)."""
    if node is not None and title is not None and len(title) > MAX_TITLE:
        reader.problem(node, f"{what} is {len(title)} characters long; at most {MAX_TITLE}",
                       hint)


def _wrapped_in_curly_quotes(value: str) -> bool:
    """“…” or ‘…’ around the whole value and nowhere inside it (“এক” ও “দুই” is two quotes)."""
    for opening, closing in ("“”", "‘’"):
        inner = value[1:-1]
        if (len(value) > 2 and value[0] == opening and value[-1] == closing
                and opening not in inner and closing not in inner):
            return True
    return False


def _fact_fields(node: yaml.Node) -> list[str]:
    """The fields only a fact has, among those of a mapping `node`."""
    if not isinstance(node, yaml.MappingNode):
        return []
    keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
    return [key for key in keys if key in _FACT_ONLY]


_FACT_ONLY = ("topic", "answer", "questions", "citation", "related", "entities", "mentions")


def _url_problem(url: str) -> str | None:
    """Why an event's link cannot be shown as a link; None when it can."""
    if len(url) > MAX_URL:
        return f"the event url is {len(url)} characters long; at most {MAX_URL}"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(
            c.isspace() for c in url):
        return "the event url must be a web address (https://...), without spaces"
    return None


def _check_lexicon(
    builder: _Builder,
    entities: list[tuple[Entity, Located]],
    synonyms: list[tuple[tuple[str, ...], Located]],
    facts: list[tuple[Fact, Located]],
    complete: bool,
) -> None:
    """Entity ids on facts exist; no alias names two entities; no word is in two groups;
    no alias is a synonym of another word (the group would rewrite the name)."""
    owner: dict[tuple[str, ...], tuple[str, Located]] = {}
    for entity, entry in entities:
        for alias in entity.aliases:
            other, there = owner.setdefault(make_key(alias).phonetic, (entity.id, entry))
            if other != entity.id:
                builder.reader(entry).problem(
                    _alias_node(entry.node, alias),
                    f"alias {alias!r} of entity {entity.id!r} also names entity {other!r}"
                    f" ({_place(there)})",
                    "keep each spelling under one entity",
                )
    known = {entity.id for entity, _ in entities}
    for fact, entry in facts if complete else ():
        for ref in (*fact.entities, *fact.mentions):
            if ref not in known:
                builder.reader(entry).problem(
                    entry.node,
                    f"fact {fact.id!r} names unknown entity {ref!r}",
                    f"use one of: {', '.join(sorted(known)) or '(no entities defined)'}",
                )
    group_of: dict[str, tuple[str, Located]] = {}  # a word's group (its first word) and entry
    for group, entry in synonyms:
        for word in group:
            first, there = group_of.setdefault(make_key(word).folded, (group[0], entry))
            if first != group[0]:
                builder.reader(entry).problem(
                    entry.node,
                    # Groups are named by their first word: both named, either way round,
                    # and the other one's place (often a file the admin did not touch).
                    f"synonym {word!r} of the group of {group[0]!r} is also in the group of"
                    f" {first!r} ({_place(there)})",
                    "put each word in one group; merge the groups if they mean the same",
                )
    # A group rewrites its words to its first: an alias in it ("শ্রুতি" among the words for
    # audio) stops naming its entity, which then no longer tells its facts from lookalikes.
    for entity, _ in entities:
        names = {make_key(alias).folded for alias in entity.aliases}
        for alias in entity.aliases:
            found = group_of.get(make_key(alias).folded)
            if found is not None and make_key(found[0]).folded not in names:
                head, entry = found
                builder.reader(entry).problem(
                    entry.node,
                    f"synonym {alias!r} of the group of {head!r} is an alias of entity"
                    f" {entity.id!r}",
                    "take the name out of the group, or list the group's first word as an"
                    " alias of the entity too",
                )


def _place(entry: Located) -> str:
    """Where an entry is written, as `file:line`."""
    return f"{entry.file}:{entry.node.start_mark.line + 1}"


def _alias_node(node: yaml.Node, alias: str) -> yaml.Node:
    """The item of an entity's `aliases:` that spells `alias` (else the entity itself)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "aliases" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    if isinstance(item, yaml.ScalarNode) and item.value == alias:
                        return item
    return node


def _merged_entities(
    builder: _Builder, located: list[tuple[Entity, Located]]
) -> dict[str, Entity]:
    """An entity listed in several files (packs sharing a subject) is one: its aliases
    united in the order written, its `fact` the one given."""
    merged: dict[str, Entity] = {}
    for entity, entry in located:
        first = merged.get(entity.id)
        if first is None:
            merged[entity.id] = entity
            continue
        if first.fact and entity.fact and first.fact != entity.fact:
            builder.reader(entry).problem(
                entry.node,
                f"entity {entity.id!r} points at fact {entity.fact!r} here and at"
                f" {first.fact!r} where it is listed first",
                "give `fact:` in one place only",
            )
        aliases = first.aliases + tuple(a for a in entity.aliases if a not in first.aliases)
        merged[entity.id] = replace(first, aliases=aliases, fact=first.fact or entity.fact)
    return merged


def _section_at(source: Source, offset: int) -> str:
    """The heading whose line comes last before `offset` (the title before any heading)."""
    current = source.title
    position = 0
    for line in source.text.splitlines(keepends=True):
        if position > offset:
            break
        if line.strip() in source.sections:
            current = line.strip()
        position += len(line)
    return current


def _each(
    build: Callable[[Located], T | None], entries: list[Located]
) -> Generator[None, None, list[T]]:
    """`build` every entry, pausing after each; the entries that were built."""
    built = []
    for entry in entries:
        value = build(entry)
        if value is not None:
            built.append(value)
        yield
    return built


def build_knowledge(
    entries: Mapping[str, list[Located]],
    readers: Mapping[str, NodeReader],
    tz: tzinfo,
    directory: Path,
    complete: bool = True,
) -> Generator[None, None, tuple[Knowledge | None, list[Problem]]]:
    """Build `Knowledge` from every entry, with the problems found in cross-references.

    Pauses (yields) after every entry. `complete` is False when some file could not be
    parsed: references into it cannot be checked.
    """
    builder = _Builder(readers, tz, directory)
    sources = {s.id: s for s in (yield from _each(builder.source, entries["sources"]))}
    topics = tuple((yield from _each(builder.topic, entries["topics"])))
    facts_located = yield from _each(lambda e: builder.fact(e, sources), entries["facts"])
    smalltalk = {s.id: s for s in (yield from _each(builder.smalltalk, entries["smalltalk"]))}
    events_located = yield from _each(builder.event, entries["events"])
    declines_located = yield from _each(builder.decline, entries["decline"])
    declines = {d.id: d for d, _ in declines_located}
    entities_located = yield from _each(builder.entity, entries["entities"])
    synonyms_located = yield from _each(builder.synonym_group, entries["synonyms"])
    entities = _merged_entities(builder, entities_located)
    synonyms = tuple(group for group, _ in synonyms_located)
    _check_lexicon(builder, entities_located, synonyms_located, facts_located, complete)
    facts = {fact.id: fact for fact, _ in facts_located}
    # Refer to ids as written, even of entries that failed, so one mistake is reported once.
    kinds = builder.intent_kinds

    def not_a_fact(ref: str) -> str | None:
        """What `ref` names instead of a fact; None for a fact (or when it cannot be told)."""
        kind = kinds.get(ref)
        if not complete or kind == "fact" or builder.facts_in_topics:
            return None
        # Only a fact's answer shows related buttons and an event's countdown.
        return f"unknown fact {ref!r}" if kind is None else f"{kind} {ref!r}, not a fact"

    topic_ids = {t.id for t in topics}
    for fact, entry in facts_located:
        reader = builder.reader(entry)
        if fact.topic not in topic_ids:
            reader.problem(
                entry.node,
                f"fact {fact.id!r} has unknown topic {fact.topic!r}",
                f"use one of: {', '.join(sorted(topic_ids)) or '(no topics defined)'}",
            )
        for other, node in builder.related_nodes[fact.id]:
            if wrong := not_a_fact(other):
                reader.problem(
                    node,
                    f"fact {fact.id!r} lists as related {wrong}",
                    "use the id of an existing fact",
                )
    for decline, entry in declines_located:
        for ref in decline.about:
            if wrong := not_a_fact(ref):
                builder.reader(entry).problem(
                    entry.node,
                    f"decline {decline.id!r} is about {wrong}",
                    "list in `about` the facts whose details it asks",
                )
    for entity, entry in entities_located:
        if entity.fact is not None and (wrong := not_a_fact(entity.fact)):
            builder.reader(entry).problem(
                entry.node,
                f"entity {entity.id!r} points at {wrong}",
                "set `fact` to the id of the fact that says what it is",
            )
    # The fact each unknown fact_id likely meant: a typo of an id, so ids of a typo's
    # length, and only as many as a report lists (each lookup compares with every fact).
    fact_ids = [f for f, k in kinds.items() if k == "fact" and len(f) <= _LIKELY_ID]
    guesses = MAX_PROBLEMS
    for file, event_id, node, fact_id in builder.event_facts:
        if wrong := not_a_fact(fact_id):
            likely = None
            if guesses > 0 and len(fact_id) <= _LIKELY_ID:
                guesses -= 1
                likely = process.extractOne(fact_id, fact_ids, scorer=fuzz.ratio,
                                            score_cutoff=60)
            builder.readers[file].problem(
                node,
                f"event {event_id or '(no id)'!r} points at {wrong}",
                "set fact_id to the id of an existing fact"
                + (f": did you mean {likely[0]!r}?" if likely else ""),
            )
    if not facts and complete and not any(r.problems for r in readers.values()):
        problem = Problem(
            str(directory), 1, 1, "the knowledge base has no facts", "add a facts file"
        )
        return None, [problem]
    knowledge = Knowledge(
        sources=sources,
        topics=topics,
        facts=facts,
        smalltalk=smalltalk,
        events=tuple(e for e, _ in events_located),
        question_sites=builder.question_sites,
        event_sites=builder.event_sites,
        warnings=tuple(builder.warnings),
        declines=declines,
        entities=entities,
        synonyms=synonyms,
    )
    written = frozenset(value for space, value in builder.seen_ids if space == "event")
    knowledge = with_bot_texts(knowledge, list(entries.get("bot", ())), readers, complete,
                               written)
    problems = [p for r in readers.values() for p in r.problems]
    return knowledge, problems


def _copy_hint(quote: str, closest: str) -> str:
    """Copy the closest sentence; when the quote misses it by a character or two (a straight
    quote for a curly one, a no-break space from a web page), say where: the two look alike.
    A word written differently shows itself, and is left to the closest sentence."""
    hint = f"closest is: {closest}"
    edits = [op for op in difflib.SequenceMatcher(None, quote, closest, autojunk=False)
             .get_opcodes() if op[0] != "equal"]
    if not closest or not 1 <= len(edits) <= 2 or any(
            max(i2 - i1, j2 - j1) > 2 for _, i1, i2, j1, j2 in edits):
        return f"copy the exact sentence; {hint}"
    _, i1, i2, j1, j2 = edits[0]
    before = quote[max(0, i1 - 20):i1]
    if i1 > 20 and " " in before:
        before = before[before.index(" ") + 1:]  # from a word's start
    after = f', after "{before}"' if before else ""
    wrote, has = _named(quote[i1:i2]), _named(closest[j1:j2])
    differs = (f"the source has {has} where you wrote {wrote}" if wrote and has
               else f"the source has {has} that you left out" if has
               else f"you wrote {wrote}, which the source does not have")
    again = " (and once more further on)" if len(edits) > 1 else ""
    return f"copy the exact sentence: at character {i1 + 1}{after}: {differs}{again}; {hint}"


def _named(text: str) -> str:
    """Characters with their Unicode names: ' and ‘, or two spaces, look alike."""
    return ", ".join(f"{c} ({unicodedata.name(c, hex(ord(c)))})" for c in text)


def closest_sentence(quote: str, source_text: str) -> str:
    found = process.extractOne(quote, split_sentences(source_text), scorer=fuzz.ratio)
    return found[0] if found else ""
