"""Knowledge base model: facts, sources, topics, small talk, events and the bot's texts, as
frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from itertools import zip_longest

from bot.core.bot_texts import BotTexts, Voice
from bot.core.yamlnodes import Problem


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    text: str
    sections: tuple[str, ...]  # headings exactly as they stand in `text`
    path: str
    # heading -> the title users see, where admins corrected a misprint in the source
    section_titles: Mapping[str, str] = field(default_factory=dict)

    def section_title(self, heading: str) -> str:
        return self.section_titles.get(heading, heading)


@dataclass(frozen=True)
class Citation:
    source_id: str
    source_title: str
    section: str  # the heading as it stands in the source; the quote stands under it
    quote: str  # verbatim from the source
    section_title: str = ""  # the heading as users see it, when admins corrected it

    @property
    def shown_section(self) -> str:
        return self.section_title or self.section


@dataclass(frozen=True)
class Topic:
    id: str
    title: str


@dataclass(frozen=True)
class Fact:
    id: str
    topic: str
    title: str
    answer: str
    questions: tuple[str, ...]
    citation: Citation
    related: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()  # who or what the fact is about (entity ids)
    mentions: tuple[str, ...] = ()  # entities it names without being about them

    @property
    def canonical_question(self) -> str:
        """The question shown on buttons: the first example, written as formal Bengali."""
        return self.questions[0]

    @cached_property  # asked of every ranked fact, per message
    def about(self) -> frozenset[str]:
        """Every entity the fact names: those it is about and those it mentions."""
        return frozenset((*self.entities, *self.mentions))


@dataclass(frozen=True)
class SmallTalk:
    id: str
    answer: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Decline:
    """Questions the bot should recognise as outside the article, and not answer with a fact.

    With `about`, they ask a detail of those facts that the article does not give ("when
    is the verdict?"): the bot says so and offers the facts. Without, they are about
    another subject and get the fallback.
    """

    id: str
    questions: tuple[str, ...]
    about: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    """A subject a question can name: a company, product, person or place."""

    id: str
    name: str
    aliases: tuple[str, ...]  # spellings in Bengali, romanized Bengali and English
    fact: str | None = None  # the fact that says what it is: "লামা কী?", "deepseek?"
    kind: str = ""  # "person", "company", "product", "place"; "উনি" points at a person


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    starts_at: datetime  # always timezone-aware
    remind_before: tuple[timedelta, ...]
    fact_id: str
    url: str | None = None


@dataclass(frozen=True)
class Site:
    """Where something was written in a knowledge file (1-based)."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Knowledge:
    sources: Mapping[str, Source]
    topics: tuple[Topic, ...]
    facts: Mapping[str, Fact]
    smalltalk: Mapping[str, SmallTalk]
    events: tuple[Event, ...]
    version: str = ""
    files: tuple[str, ...] = field(default=())
    declines: Mapping[str, Decline] = field(default_factory=dict)
    entities: Mapping[str, Entity] = field(default_factory=dict)
    # Groups of words that mean the same; the first word of each stands for the group.
    synonyms: tuple[tuple[str, ...], ...] = ()
    # (intent id, example question) -> where it was written; for admin reports only.
    question_sites: Mapping[tuple[str, str], Site] = field(default_factory=dict, compare=False)
    # event id -> where its `starts_at` was written; for admin reports only.
    event_sites: Mapping[str, Site] = field(default_factory=dict, compare=False)
    # What validation found worth a look that does not stop the folder (a title in “…”).
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    bot: BotTexts = field(default_factory=BotTexts)  # the bot's name and texts (bot.yaml)

    def examples(self, *, own_words: bool = False) -> list[tuple[str, str]]:
        """Every intent's (id, example question): facts, then small talk, then declines.

        With `own_words`, each fact's answer and quote follow the facts' questions: the
        matcher takes them as examples (readers ask in the words they read), while checks
        of what admins wrote (collisions) look at the questions alone.
        """
        pairs = [(f.id, q) for f in self.facts.values() for q in f.questions]
        if own_words:
            pairs += [(f.id, t) for f in self.facts.values() for t in (f.answer, f.citation.quote)]
        pairs += [(s.id, q) for s in self.smalltalk.values() for q in s.questions]
        pairs += [(d.id, q) for d in self.declines.values() for q in d.questions]
        return pairs

    def facts_in_topic(self, topic_id: str) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts.values() if f.topic == topic_id)

    def neighbours(self, fact_id: str) -> tuple[str, ...]:
        """The facts next to `fact_id`: its related facts, then the rest of its topic."""
        fact = self.facts[fact_id]
        near = [r for r in fact.related if r in self.facts and r != fact_id]
        near += [f.id for f in self.facts_in_topic(fact.topic)
                 if f.id != fact_id and f.id not in near]
        return tuple(near)

    def sample_facts(self, count: int) -> tuple[str, ...]:
        """The first fact of each topic: a broad sample of what the bot knows, taking each
        source's in turn (with several articles, the first buttons show all of them)."""
        by_source: dict[str, list[str]] = {}
        for topic in self.topics:
            if facts := self.facts_in_topic(topic.id):
                by_source.setdefault(facts[0].citation.source_id, []).append(facts[0].id)
        found = [f for turn in zip_longest(*by_source.values()) for f in turn if f is not None]
        return tuple(found[:count])

    @property
    def voice(self) -> Voice:
        """The bot's texts with what fills their placeholders: topics, sources, examples."""
        examples = self.bot.examples or tuple(
            self.facts[f].canonical_question for f in self.sample_facts(2))
        return Voice(self.bot, tuple(t.title for t in self.topics),
                     tuple(s.title for s in self.sources.values()), examples)

    def defined_by(self, fact_id: str) -> tuple[Entity, ...]:
        """The subjects `fact_id` is the fact of ("লামা কী?" is Llama's fact)."""
        return tuple(e for e in self.entities.values() if e.fact == fact_id)

    def defines(self, fact_id: str) -> bool:
        """Whether `fact_id` is the fact a subject points at."""
        return bool(self.defined_by(fact_id))

    def events_for_fact(self, fact_id: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.fact_id == fact_id)

    def topic_title(self, topic_id: str) -> str:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic.title
        return topic_id
