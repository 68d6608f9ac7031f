"""Turn a user's question into one cited Bengali `Answer` (pure: time is passed in)."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.core.articles import article_views
from bot.core.asks import Asked, Asks
from bot.core.events import bengali_number, describe_event
from bot.core.focus import (
    after_a_story,
    asks,
    question_parts,
    requests,
    sentences,
    without_concession,
    without_manner,
)
from bot.core.function_words import ADDRESSED, PERSON_POINTERS, SIGNIFYING, THING_POINTERS
from bot.core.knowledge import Citation, Fact, Knowledge
from bot.core.match import MATCH_CACHE, Matcher, MatchResult, Scored
from bot.core.normalize import (
    Key,
    clean,
    formal,
    log_form,
    make_key,
    normalize_for_log,
    surface_word,
)
from bot.core.subjects import Subjects
from bot.core.synonyms import Synonyms
from bot.core.writing import OTHER_SCRIPT_TEXT, in_other_script

# "r1", "o3", "q4", "gpt4": letters and a number of one or two digits, typed together.
_ATTACHED_VERSION = re.compile(r"[a-z]+\d{1,2}(?:\.\d)?[a-z]?")
# Who, and which of them by name: what `_asked_less` weighs.
_WHO_KINDS = frozenset({Asked.WHO, Asked.NAMES, Asked.LISTED, Asked.WHICH})
_VERSION_NUMBER = re.compile(r"\d{1,2}(?:\.\d)?")
# "জাকারবার্গ নিজে কী বলেছেন?" (what did Zuckerberg himself say): after someone, "নিজে" stresses
# who. Alone it is how an agentic model acts ("নিজে থেকে কাজ করবে"), and a person or a
# company is not that model; after Llama it may still be ("লামা নিজে কাজ করবে?").
_STRESSING = ("নিজে", "নিজেই", "nije", "nijei", "himself", "herself", "itself")
_STRESSED_KINDS = ("person", "company")
_STRESSED_PRONOUNS = ("উনি", "তিনি", "সে", "he", "she", "uni", "tini")


def _stressed_names(knowledge: Knowledge) -> list[tuple[str, str]]:
    """Phrases that read "X নিজে" as X, for each person's and company's name."""
    names = [alias for e in knowledge.entities.values() if e.kind in _STRESSED_KINDS
             for alias in e.aliases]
    return [(f"{name} {word}", name) for name in (*names, *_STRESSED_PRONOUNS)
            for word in _STRESSING]


# Words that make a number after a name a count ("লামা ১ বিলিয়ন"), not a version.
_QUANTITIES = ("বিলিয়ন", "billion", "কোটি", "koti", "মিলিয়ন", "million", "লাখ", "lakh", "হাজার",
               "thousand", "শতাংশ", "percent", "বার", "bar", "times", "জন", "jon", "ডলার",
               "dollar", "টাকা", "taka", "সাল", "বছর", "year", "মাস", "month", "দিন", "day",
               # a date: "LlamaCon 29 April"
               "জানু", "ফেব্রু", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টে", "অক্টো",
               "নভে", "ডিসে", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
               "nov", "dec")

class AnswerKind(StrEnum):
    FACT = "fact"  # a cited answer from the knowledge base
    SMALLTALK = "smalltalk"  # greeting, thanks, who are you, help: no citation
    SUGGEST = "suggest"  # unsure: "did you mean" one of `suggestions`
    FALLBACK = "fallback"  # out of scope: polite Bengali note, `suggestions` lists what we know
    # On topic, but asks a detail the article does not give: `suggestions` has the closest facts.
    NOT_IN_ARTICLE = "not_in_article"
    EMPTY = "empty"  # nothing to read in the message (empty, emoji-only, control characters)
    # Turns of a conversation (see `conversation`): "none of these" after a "did you mean",
    # and "tell me more" with nothing left to tell. Both offer what else there is.
    REJECTED = "rejected"
    NO_MORE = "no_more"
    # A number typed beyond the questions on offer ("৪" under three): which numbers can be
    # chosen; `choices` are the questions still on offer.
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class Choice:
    """A fact offered with an answer (a button, a numbered line)."""

    fact_id: str
    label: str  # the fact's canonical question


@dataclass(frozen=True)
class Answer:
    """All an adapter shows or logs of one reply. Nothing is looked up again in a `Knowledge`:
    a reload may replace it while the reply is being sent, and one reply must not mix two."""

    question: str
    kind: AnswerKind
    fact_id: str | None  # only for FACT
    score: float  # 0-100, best match score
    text: str  # Bengali body, plain text without markup
    citation: Citation | None  # only for FACT
    # related (FACT), did-you-mean (SUGGEST), closest (NOT_IN_ARTICLE), samples (FALLBACK)
    choices: tuple[Choice, ...]
    intent_id: str | None = None  # the fact or small-talk id that was matched
    title: str | None = None  # the fact's title, only for FACT
    # The question as logged and grouped (`normalize_for_log`); set by `Responder`.
    normalized: str = ""
    # A fact answer's lead over the best other intent (score points): a narrow win is
    # worth an admin's look. None when the ranking does not say (a button, a definition).
    margin: float | None = None

    @property
    def suggestions(self) -> tuple[str, ...]:
        """The fact ids of `choices`."""
        return tuple(c.fact_id for c in self.choices)

    @property
    def leading_fact(self) -> str | None:
        """The fact answered, or the first one a "did you mean" offers; else None."""
        if self.kind is AnswerKind.FACT:
            return self.fact_id
        if self.kind is AnswerKind.SUGGEST and self.choices:
            return self.choices[0].fact_id
        return None


@dataclass(frozen=True)
class Policy:
    """When the best match is good enough to answer, to suggest, or neither."""

    answer_at: float = 60.0  # best score needed to answer outright
    margin: float = 3.0  # lead over the runner-up needed to answer outright
    suggest_at: float = 40.0  # best score needed to offer "did you mean"
    # Share of the question's weight the knowledge base must recognise at all: words it has
    # never seen ("password", "Baidu") mean the question is about something else. Subjects it
    # knows by name are refused by entity instead, so one odd word ("family") may pass.
    min_known_share: float = 0.6
    # Share the winning intent's own examples must explain: a question mixing one fact's
    # words with another subject's ("o3-mini" + "price") is not about that fact.
    min_coverage: float = 0.5
    # A decline intent this close to the best fact wins ("লামা প্রাণী" is the animal even
    # when a fact about Llama's age scores a few points higher); closer still when the
    # decline explains more of the question than the fact does.
    decline_tie: float = 3.0
    decline_explains_tie: float = 8.0
    # A "did you mean" drawn from part of a long message needs more of it recognised.
    min_part_known_share: float = 0.9
    # Of several articles, those holding this much less of a question's words than another
    # one are not asked (`Responder._ask_articles`).
    article_share_gap: float = 0.25
    # ...and once the one holding most answers a fact this surely, no other is asked.
    article_sure_at: float = 80.0
    # Small talk in words its examples lack is told by its own words in a short message.
    max_small_talk_words: int = 12
    # The question found in a long message is short and to the point: it is answered from a
    # lower score when it leads by more.
    part_answer_at: float = 55.0
    # A question of what a fact shows takes the fact that reads it within this of the best.
    reading_window: float = 20.0
    part_margin: float = 8.0
    # Any question is answered from a lower score still when it leads by far: what it asks
    # is plain though its other words are its own ("llama r future kemon lagtese?").
    lead_answer_at: float = 55
    lead_margin: float = 12
    # A fact that tells what is asked ("when?") goes before one this close that cannot.
    asks_window: float = 8.0
    # A formal question is sure of its best candidate leading the next by this much.
    formal_lead: float = 8.0
    # A fact about the place a question names goes before one this close that is not.
    place_window: float = 12.0
    # A question to the bot ("এই বট কী কাজ করে?") is small talk scoring this close to a fact.
    bot_talk_window: float = 6.0
    max_suggestions: int = 3
    max_question_chars: int = 1000  # longer messages are matched on their start


# A formal question sure of its lone candidate knows all but this many of its words.
MAX_FORMAL_UNKNOWN = 3
# ...and opens with no "it" ("উহাতে কী আছে?" asks of something said before); one later on
# points within the sentence ("লাইসেন্সের আপত্তি কী, তাহা জানাইবেন").
FORMAL_POINTER_WORDS = 2
# A message to the bot of this many words at most, naming no subject, asks what it is.
SHORT_TO_THE_BOT = 4
SUGGEST_TEXT = "ঠিক বুঝতে পারিনি। আপনি কি নিচের কোনো প্রশ্ন জানতে চেয়েছিলেন?"
NOT_IN_ARTICLE_TEXT = (
    "প্রতিবেদনে এই তথ্যটি দেওয়া নেই, তাই নিশ্চিত করে বলতে পারছি না। "
    "এ বিষয়ে প্রতিবেদনে যা আছে, তা নিচে দেখতে পারেন।"
)
REJECTED_TEXT = (
    "দুঃখিত, ঠিক ধরতে পারিনি। প্রশ্নটি একটু অন্যভাবে লিখে দেখুন। "
    "যেসব বিষয়ে জিজ্ঞেস করতে পারেন: {topics}।"
)
NO_MORE_TEXT = (
    "এ বিষয়ে প্রতিবেদনে আর কিছু বলা নেই, যা ছিল সবই বলেছি। "
    "অন্য বিষয়ে জানতে চাইলে: {topics}।"
)
NOTHING_BEGUN_TEXT = "কোন বিষয়ে আরও জানতে চান? আমি বলতে পারি: {topics}।"
ACKNOWLEDGED_TEXT = "👍 আর কিছু জানতে চাইলে লিখুন, অথবা নিচের কোনো প্রশ্ন বেছে নিন।"
NOTHING_REFUSED_TEXT = "ঠিক আছে। অন্য কিছু জানতে চাইলে প্রশ্নটি লিখুন, অথবা নিচের কোনো প্রশ্ন বেছে নিন।"
NOTHING_ACCEPTED_TEXT = ("এখন হ্যাঁ বলার মতো কোনো প্রস্তাব খোলা নেই (আগের প্রস্তাব কিছুক্ষণ পর আর থাকে না)।"
                         " প্রশ্নটি লিখে পাঠান, অথবা নিচের কোনো প্রশ্ন বেছে নিন।")
OUT_OF_RANGE_TEXT = "এই নম্বরের কোনো প্রশ্ন নেই। ১ থেকে {last}-এর মধ্যে একটি নম্বর লিখুন।"
ONLY_ONE_TEXT = "এই নম্বরের কোনো প্রশ্ন নেই। প্রশ্ন একটিই, সেটি জানতে ১ লিখুন।"
NOTHING_TO_PICK_TEXT = ("এখন নম্বর দিয়ে বেছে নেওয়ার মতো কোনো প্রশ্ন নেই। প্রশ্নটি লিখে পাঠান;"
                        " যেসব বিষয়ে জিজ্ঞেস করতে পারেন: {topics}।")
MORE_PREFIX = "আরও একটি তথ্য: "
# The fallback and the empty-message texts speak of the article: they are the knowledge
# base's own (bot.yaml, see bot.core.bot_texts).


# Of several articles' answers: an answer (a fact, or small talk) over the honest "the report
# does not say", over "did you mean", over the fallback; then the higher score.
_PREFERENCE = {AnswerKind.FACT: 0, AnswerKind.SMALLTALK: 0, AnswerKind.NOT_IN_ARTICLE: 1,
               AnswerKind.SUGGEST: 2, AnswerKind.FALLBACK: 3}


class Responder:
    """Answers questions from one immutable `Knowledge`; build a new one to reload."""

    def __init__(
        self,
        knowledge: Knowledge,
        policy: Policy | None = None,
        cache_size: int = MATCH_CACHE,
        *,
        deferred: bool = False,
        subjects: Subjects | None = None,
    ) -> None:
        """With `deferred`, run `self.steps()` to the end before asking anything; `subjects`:
        the entity index when a responder of the same entities has one."""
        self.knowledge = knowledge
        self.policy = policy or Policy()
        synonyms = Synonyms(knowledge.synonyms, _stressed_names(knowledge))
        # Which subjects a question names; several articles share one index (same entities).
        named = {e for f in knowledge.facts.values() for e in f.about}
        # The subjects every fact is about (Llama, Meta): none of them is a subject of its own.
        self._general = frozenset(e for e in named
                                  if all(e in f.about for f in knowledge.facts.values()))
        self.subjects = subjects or Subjects(
            ((e.id, alias) for e in knowledge.entities.values() for alias in e.aliases),
            synonyms.rewrite,
            frozenset(knowledge.entities) - named,
        )
        # Several articles: each one's own responder (bot.core.articles); none for one.
        self.articles = tuple(Responder(view, self.policy, cache_size, deferred=deferred,
                                        subjects=self.subjects)
                              for view in article_views(knowledge))
        # Each article's subjects and own intents (its facts, the declines of their details).
        self._article_subjects = [
            frozenset(e for f in a.knowledge.facts.values() for e in (*f.entities, *f.mentions))
            for a in self.articles
        ]
        self._article_intents = [
            frozenset(a.knowledge.facts) | {i for i, d in a.knowledge.declines.items() if d.about}
            for a in self.articles
        ]
        self.matcher = Matcher(
            knowledge.examples(own_words=True), cache_size, deferred=deferred,
            synonyms=synonyms,
        )
        self.asks = Asks(synonyms.rewrite if synonyms else None)
        # What each fact's answer can tell: a date (its text, or an event), an amount.
        self._gives = {f.id: self._tells(f) for f in knowledge.facts.values()}
        self._quantities = tuple(make_key(w).surface[0] for w in _QUANTITIES)  # as folded
        self._addressed = frozenset(make_key(w).surface[0] for w in ADDRESSED)
        # What each fact's example questions ask (who...), for `_asked_less`: learned by
        # `_learn` once the matcher has its index.
        self._example_asks: dict[str, frozenset[Asked]] | None = None
        # Which fact tells what each fact means (`readings`): learned as `_example_asks` is.
        self._readings: dict[str, str] | None = None
        # ...and for a first question, the related fact that reads a fact by its title's words
        self._read_by_title: dict[str, str] | None = None
        self._title_words: dict[str, tuple[str, ...]] | None = None  # see `title_words`
        # The versions each fact names ("R1", "o3-mini"), for `_unversioned`.
        self._versions = {f.id: self.versions(make_key(f.answer)) for f in knowledge.facts.values()}
        # The subjects each decline's examples name, for `_named_elsewhere`: learned as
        # `_example_asks` is.
        self._decline_subjects: dict[str, frozenset[str]] | None = None
        # The kinds each fact lists (two or more of one: companies, apps), for `_unlisted`.
        self._listed_kinds = {f.id: self._kinds_listed(f) for f in knowledge.facts.values()}
        # Learned as `_example_asks` is.
        self._talk_words: dict[str, frozenset[str]] | None = None
        voice = knowledge.voice
        self._fallback_text = voice.render("fallback")
        self._empty_text = voice.render("empty")
        self._other_script_text = voice.fill(OTHER_SCRIPT_TEXT)
        if not deferred:
            # Now, not on first use: the first question needing them waited 50 ms.
            _run(self._learn())

    def steps(self) -> Generator[None, None, None]:
        """Build the indexes of a `deferred` responder, pausing (yielding) between steps."""
        yield from self.matcher.steps()
        yield from self._learn()
        for article in self.articles:
            yield from article.steps()

    def ask(self, question: str, now: datetime, key: Key | None = None, *,
            clause: bool = False) -> Answer:
        """Answer `question` as of `now` (which decides event countdowns); `key`: its matching
        key, when a responder with the same synonyms has made it (one of several articles);
        `clause`: one clause of a message asking several things, answered only when sure."""
        question = without_manner(question[: self.policy.max_question_chars])
        if self.articles:
            return self._ask_articles(question, now, clause)
        result = self.matcher.match(question, key)
        answer = self._ask(question, result, now, clause)
        # Logged in the form the matcher has already cleaned: not cleaned a second time.
        return replace(answer, normalized=log_form(result.key.cleaned),
                       margin=_margin(answer, result))

    def _ask_articles(self, question: str, now: datetime, clause: bool) -> Answer:
        """The best of each article's answer; the fallback and the empty-message note speak
        of the whole knowledge base (all topics, every article)."""
        key = self.matcher.key(clean(question))
        answers: list[Answer] = []
        for article in self.articles_for(key):
            answer = article.ask(question, now, key, clause=clause)
            answers.append(answer)
            if answer.kind is AnswerKind.FACT and answer.score >= self.policy.article_sure_at:
                break  # the article holding most of the question answers it surely
        best = min(answers, key=lambda a: (_PREFERENCE.get(a.kind, 4), -a.score))
        if best.kind is AnswerKind.FALLBACK:
            samples = self.knowledge.sample_facts(self.policy.max_suggestions)
            return replace(best, text=self._fallback_text, choices=self._choices(samples))
        if best.kind is AnswerKind.EMPTY:
            text = self._other_script_text if in_other_script(question) else self._empty_text
            return replace(best, text=text)
        return best

    def articles_for(self, key: Key) -> list[Responder]:
        """The articles worth asking: those whose facts are about a subject the question
        names ("লামা", "Shruti"); else those holding nearly as much of its words as the one
        holding most. The others could only give what all articles share (small talk,
        declines of other subjects, the fallback): on 978 questions of both packs, leaving
        them out changes no fact answered and turns 3 refusals into other refusals."""
        named = self.subjects.named(key)
        about = [a for a, subjects in zip(self.articles, self._article_subjects, strict=True)
                 if not named.isdisjoint(subjects)]
        if len(about) == 1:
            return about
        shares = self.matcher.shares(key, self._article_intents)
        most = max(shares)
        held = sorted(((share, i) for i, share in enumerate(shares)), reverse=True)
        return [self.articles[i] for share, i in held
                if share >= most - self.policy.article_share_gap or not most]

    def _ask(self, question: str, result: MatchResult, now: datetime, clause: bool) -> Answer:
        if result.key.is_empty or not result.key.skeleton:
            text = self._other_script_text if in_other_script(question) else self._empty_text
            return Answer(question, AnswerKind.EMPTY, None, 0.0, text, None, ())
        answer = self._decide(question, result, now)
        if answer.kind is AnswerKind.FACT and (read := self._reading(result, answer)):
            return self._fact_answer(question, self.knowledge.facts[read], answer.score, now)
        if answer.kind in (AnswerKind.FACT, AnswerKind.SMALLTALK):
            return answer
        if answer.kind in (AnswerKind.FALLBACK, AnswerKind.SUGGEST):
            if (talk := self._small_talk_by_its_words(result)) is not None:
                return self._smalltalk(question, talk, answer.score)
        if (conceded := without_concession(question)) is not None:
            # "এত সমালোচনার পরও কোন কোম্পানি লামা চালায়?": the criticism is what it concedes.
            found = self._decide(question, self.matcher.match(conceded), now)
            if found.kind is AnswerKind.FACT:
                return found
        # A long message: the story around the question must not veto it, but the subjects
        # it names still count ("my friend works at Google... so how much will they spend?").
        # A part naming subjects of its own is read with those ("...my mom uses Instagram.
        # So what does Meta's assistant run on?").
        named = self.subjects.named(result.key)
        declined: Answer | None = None
        parts = question_parts(question)
        tails = ({t for s in sentences(question) if (t := after_a_story(s)) is not None}
                 if self._declined(answer) else set())
        missing, asked = self._missing_in_questions(question, answer, parts, now)
        # The subjects a message of questions alone names ("messenger e ache? naki shudhu
        # whatsapp te?": Messenger, though the second question names only WhatsApp); a story
        # around the question may name any app.
        asking = (named if all(s.endswith("?") for s in sentences(question))
                  else frozenset())
        for part in parts:
            part_result = self.matcher.match(part)
            found = self._decide(question, part_result, now, part=True)
            if found.kind is not AnswerKind.FACT and (
                    pointed := self._pointed_at(part, part_result.key, named)):
                names = " ".join(self.knowledge.entities[e].name for e in pointed)
                part_result = self.matcher.match(f"{names} {part}")
                found = self._decide(question, part_result, now, part=True)
            if found.kind is AnswerKind.FACT and found.fact_id is not None:
                if self._declined(answer) and part in tails:
                    # "..., what did Zuckerberg say about its cost?": the clause after a
                    # comma read alone loses the detail the whole message asks and lacks.
                    continue
                if self._declined(answer) and not asks(part) and any(asks(p) for p in parts):
                    # "Llama install korbo kivabe? step by step bolo": how to answer a question
                    # the article has no answer to, not a question of its own.
                    continue
                if found.fact_id in missing or not asked <= self._gives[found.fact_id]:
                    continue  # "Who sued? What are their names?": the names are still missing
                fact = self.knowledge.facts[found.fact_id]
                if self._unlisted(asking - fact.about, fact.id):
                    continue
                if self._agrees(self.subjects.named(part_result.key) or named, found.fact_id):
                    return found
            elif self._declined(found) and not self._declined(answer):
                if "?" in part and not any(w in _IT for w in part_result.key.surface):
                    return found
                # A sentence of the story ("I just want to be sure.") is no question to
                # decline, and a question pointing back ("...a conference for developers.
                # What's its name and when?") asks of what the story told: a later part may
                # say which fact. Declined only when no part is answered.
                declined = declined or found
            elif (found.kind is AnswerKind.SUGGEST and answer.kind is AnswerKind.FALLBACK
                  and part_result.known_share >= self.policy.min_part_known_share):
                answer = found
        answer = declined or answer
        if not clause and (told := self._told_around_a_story(question, answer, result, asked)):
            return self._fact_answer(question, self.knowledge.facts[told], answer.score, now)
        return answer

    def _told_around_a_story(self, question: str, answer: Answer, result: MatchResult,
                             asked: frozenset[Asked]) -> str | None:
        """The one fact left to suggest for a message that tells a story and then asks ("...my
        boss sets up war rooms too. What were Meta's war rooms for?"): the story's own words
        are what made the bot unsure, not the question. On the blind development sets such a
        lone candidate was the answer 19 times in 21 (none out of scope); of questions alone,
        without a story, it was mostly a detail the article lacks. A clause of a message
        asking several things is not sure of it: another clause may be the story's question."""
        if answer.kind is not AnswerKind.SUGGEST or len(answer.suggestions) != 1:
            return None
        said = sentences(question)
        if not any(asks(s) for s in said) or all(asks(s) for s in said):
            return None
        lone = answer.suggestions[0]
        gives = self._gives[lone]
        return lone if asked <= gives and self.asks.asked(result.key) <= gives else None

    def _pointed_at(self, part: str, key: Key, named: frozenset[str]) -> list[str]:
        """The subjects of a long message that one of its questions points at: "...a student
        mentioned Llama. Who makes it and what is it?" asks about what the story named; "...I
        missed the earnings call. What did he say about Llama?" about the person it named."""
        entities = self.knowledge.entities
        own = self.subjects.named(key)
        if part.rstrip().endswith("?") and not own and any(w in _IT for w in key.surface):
            return [e for e in sorted(named) if e in entities]
        if any(w in _HE for w in key.surface):
            return [e for e in sorted(named - own)
                    if getattr(entities.get(e), "kind", "") == "person"]
        return []

    def _missing_in_questions(
        self, question: str, answer: Answer, parts: list[str], now: datetime
    ) -> tuple[frozenset[str], frozenset[Asked]]:
        """When the whole message asks a detail the article lacks: the facts said to lack
        it, and what its sentences that ask ("...? দাম কত?") ask for. No part is answered
        with those facts, nor with one that cannot tell what is asked; a story's words
        ("প্রতিদিন মিটিংয়ে...") ask nothing."""
        if answer.kind is not AnswerKind.NOT_IN_ARTICLE:
            return frozenset(), frozenset()
        missing = self._lacking(answer)
        asking = [p for p in parts if "?" in p]
        # "কোন কোন লেখক?" asks for names here: the whole message already lacked a detail.
        asked = frozenset().union(*(self.asks.asked(self.matcher.key(p), bare=True)
                                    for p in asking))
        found = {f for f in missing if not asked <= self._gives[f]}
        for part in asking:
            found |= missing & self._lacking(self._decide(question, self.matcher.match(part), now))
        return frozenset(found), asked

    def _lacking(self, answer: Answer) -> frozenset[str]:
        """The facts a "not in the article" answer says lack what was asked."""
        if answer.kind is not AnswerKind.NOT_IN_ARTICLE:
            return frozenset()
        intent = answer.intent_id or ""
        if intent in self.knowledge.facts:
            return frozenset({intent})
        decline = self.knowledge.declines.get(intent)
        return frozenset(decline.about) if decline is not None else frozenset()

    def _declined(self, answer: Answer) -> bool:
        return answer.kind is AnswerKind.NOT_IN_ARTICLE or (
            answer.kind is AnswerKind.FALLBACK and answer.intent_id in self.knowledge.declines
        )

    def _definition(self, result: MatchResult, spans: list[tuple[str, int, int]]) -> str | None:
        """"লামা কী?", "deepseek?": a question naming a subject and nothing else asks what it is.

        The fact is the one the entity points at; of several subjects, the last one named
        ("Meta's Llama", "মেটার লামা": the head comes last). `spans`: the subjects named.
        """
        if not self._only_what_it_is(result, spans, _THING_KINDS):
            return None
        words = result.key.surface
        # A name inside another ("মেটা" of "মেটার এআই") is no second subject.
        outer = {e for e, start, end in spans if not any(
            s <= start and end <= t and (s, t) != (start, end) for _, s, t in spans)}
        if len(outer) > 1 and not _RELATING.isdisjoint(words):
            return None  # "what did Meta do about DeepSeek?" asks what passed between them
        entities = self.knowledge.entities
        defined = next((entities[e].fact for e, _, _ in reversed(spans) if entities[e].fact), None)
        fact = self.knowledge.facts.get(defined) if defined else None
        # "Meta's Llama" is Llama; "ইউরোপে লামা ... কেন?" asks about something else.
        if fact is None or not {e for e, _, _ in spans} <= fact.about:
            return None
        best = result.ranked[0].intent_id if result.ranked else fact.id
        if best != fact.id and best in self.knowledge.facts and self.matcher.spells_example(
                result.key, best, loosely=True):
            # "লামা দিয়ে কী কী করা যায়?", "llama diye ki ki kora jay": grammar words, as
            # another fact's example ("লামা দিয়া কী কী করা যায়?") however they are spelled
            return None
        return fact.id

    def _only_what_it_is(self, result: MatchResult, spans: list[tuple[str, int, int]],
                         kinds: frozenset[str]) -> bool:
        """Whether a question names subjects and otherwise only asks what they are: its
        other content words define ("মানে") or are `kinds` of thing ("অ্যাপ", "কোম্পানি")."""
        if not spans:
            return False
        named = {i for _, start, end in spans for i in range(start, end)}
        words = result.key.surface
        return not any(i not in named and words[i] not in _DEFINING and words[i] not in kinds
                       for i in self.matcher.content_positions(result.key))

    def _undefined(self, result: MatchResult, spans: list[tuple[str, int, int]]
                   ) -> tuple[str, ...]:
        """The facts that only mention what a question asks to be told of ("What is DoorDash?",
        "ডোরড্যাশ কিসের কোম্পানি?"): subjects with no fact of their own, which no fact is
        about. Empty when the question asks more than what they are."""
        if not self._only_what_it_is(result, spans, _KINDS_OF_THING):
            return ()
        if _WHAT.isdisjoint(result.key.surface):
            return ()  # "আর ডোরড্যাশ?" asks the last question of DoorDash, not what it is
        subjects = {e for e, _, _ in spans}
        entities, facts = self.knowledge.entities, self.knowledge.facts.values()
        if any(entities[e].kind != "company" or entities[e].fact
               or any(e in f.entities for f in facts) for e in subjects):
            return ()
        mentioning = {f.id for f in facts if subjects & set(f.mentions)}
        # The closest first: the users' own fact, not the launch's that names one in passing.
        ranked = [s.intent_id for s in result.ranked if s.intent_id in mentioning]
        return tuple(dict.fromkeys([*ranked, *sorted(mentioning)]))

    def _chat_elsewhere(self, best: Scored | None, ranked: tuple[Scored, ...],
                        named: frozenset[str]) -> frozenset[str]:
        """The declines in `ranked` that are chat about another subject, with `best` the fact
        about the one the question names (`_named_elsewhere`)."""
        if best is None or best.intent_id not in self.knowledge.facts:
            return frozenset()
        declines = self.knowledge.declines
        return frozenset(s.intent_id for s in ranked if s.intent_id in declines
                         and self._named_elsewhere(s, ranked, named) is best)

    def _named_elsewhere(self, decline: Scored, ranked: tuple[Scored, ...],
                         named: frozenset[str]) -> Scored | None:
        """The fact close behind a decline of another subject's chat (no facts of its own)
        that is about a subject the question names by name and no example of the decline
        names."""
        if self.knowledge.declines[decline.intent_id].about:
            return None
        entities = self.knowledge.entities
        # A person, company or place; not an event, whose details are declines of their own.
        own = frozenset(e for e in named - self._general
                        if getattr(entities.get(e), "kind", "") in _NAMED_KINDS)
        assert self._decline_subjects is not None, "a deferred responder's steps are not done"
        if not own or not own.isdisjoint(self._decline_subjects[decline.intent_id]):
            return None
        facts = self.knowledge.facts
        return next((s for s in ranked if s.intent_id in facts
                     and decline.score - s.score <= self.policy.decline_explains_tie
                     and not own.isdisjoint(facts[s.intent_id].about)), None)

    def _decline_wins(self, decline: Scored, best: Scored | None, key: Key) -> bool:
        if best is None or decline is best:
            return True
        if self.knowledge.declines[decline.intent_id].about:
            # A detail of a fact must outscore the fact itself: its words are the fact's too;
            # unless the question says it wants the detail ("What exactly does Spotify use
            # it for?") and the detail is as close as a tie.
            # "What exactly is the lawsuit about?" insists on what the fact tells.
            # What the fact's own subject is for ("what exactly do the war rooms do?") is
            # what it tells; what a company it lists does with Llama is not.
            return (best.intent_id in self.knowledge.declines[decline.intent_id].about
                    and self.asks.exact(key) and bool(key.surface)
                    and (not self.asks.purpose(key) or self.purpose_of_listed(key, best.intent_id))
                    and key.surface[-1] not in _ABOUT_END
                    and decline.score >= best.score - self.policy.decline_explains_tie)
        tie = self.policy.decline_tie
        if decline.coverage > best.coverage:
            tie = self.policy.decline_explains_tie
        return decline.score >= best.score - tie

    def _asked_less(self, asked: frozenset[Asked], best: Scored | None, rival: Scored) -> bool:
        """Whether `rival` is no rival for a question asking `asked`: `best`'s example
        questions ask it and `rival`'s never do."""
        if not asked or not asked <= _WHO_KINDS or best is None:
            return False
        example_asks = self._learned_example_asks()
        if best.intent_id not in example_asks or rival.intent_id not in example_asks:
            return False
        return (asked <= self._gives[rival.intent_id] and asked <= example_asks[best.intent_id]
                and not asked & example_asks[rival.intent_id])

    def _learn(self) -> Generator[None, None, None]:
        """What the answers need besides the matcher's index, made from it."""
        yield from self._learn_talk_words()
        yield from self._learn_example_asks()
        yield from self._learn_readings()
        yield from self._learn_decline_subjects()

    def _learned_example_asks(self) -> dict[str, frozenset[Asked]]:
        assert self._example_asks is not None, "a deferred responder's steps are not done"
        return self._example_asks

    def _learn_example_asks(self) -> Generator[None, None, None]:
        """What each fact's example questions ask, keyed as questions are; a step per
        example."""
        learned = {}
        for fact in self.knowledge.facts.values():
            kinds: set[Asked] = set()
            for question in fact.questions:
                kinds |= self.asks.asked(self.matcher.key(question))
                yield
            learned[fact.id] = frozenset(kinds)
        self._example_asks = learned

    def _learn_decline_subjects(self) -> Generator[None, None, None]:
        """The subjects each decline's examples name; a step per decline."""
        learned = {}
        for decline in self.knowledge.declines.values():
            learned[decline.id] = frozenset().union(
                *(self.subjects.named(self.matcher.key(q)) for q in decline.questions))
            yield
        self._decline_subjects = learned

    def _detail_of(self, intent_id: str, best: Scored | None) -> bool:
        """Whether `intent_id` declines a detail of the fact `best`."""
        decline = self.knowledge.declines.get(intent_id)
        return decline is not None and best is not None and best.intent_id in decline.about

    def _giving_first(
        self, ranked: tuple[Scored, ...], asked: frozenset[Asked]
    ) -> tuple[Scored, ...]:
        """`ranked` with the first fact that tells what is asked (a year, an amount...) put
        first, if it scores within `asks_window` of a best fact that cannot tell it."""
        best = ranked[0]
        if asked <= self._gives[best.intent_id]:
            return ranked
        giving = next((s for s in ranked[1:]
                       if s.score >= best.score - self.policy.asks_window
                       and s.intent_id in self.knowledge.facts
                       and asked <= self._gives[s.intent_id]), None)
        return ranked if giving is None else (giving, *(s for s in ranked if s is not giving))

    def _places(self, named: frozenset[str]) -> set[str]:
        """The places among the subjects a question names."""
        entities = self.knowledge.entities
        return {e for e in named if e in entities and entities[e].kind == "place"}

    def _the_place_fact(self, named: frozenset[str], fact_id: str, asked: frozenset[Asked],
                        result: MatchResult) -> bool:
        """Whether `fact_id`, the one candidate left, is the one fact about a place the
        question names and can tell what it asks: "ইউরোপে কী ধরনের বাধা এসেছে?" (what
        obstacles came up in Europe?) has only Europe's fact to be about."""
        return (not result.unknown and not self.asks.asks_a_detail(result.key)
                and self._fact_there(named, asked) == fact_id)

    def _placed_first(self, ranked: tuple[Scored, ...],
                      named: frozenset[str]) -> tuple[Scored, ...] | None:
        """`ranked` with the first fact about a place the question names moved to the front,
        when the best fact is about none of them and that one scores within
        `Policy.place_window` of it; else None."""
        facts = self.knowledge.facts
        places = self._places(named)
        if not places or not places.isdisjoint(facts[ranked[0].intent_id].about):
            return None
        placed = next((s for s in ranked[1:] if s.intent_id in facts
                       and not places.isdisjoint(facts[s.intent_id].about)), None)
        if placed is None or placed.score < ranked[0].score - self.policy.place_window:
            return None
        return (placed, *(s for s in ranked if s is not placed))

    def _fact_there(self, named: frozenset[str], asked: frozenset[Asked]) -> str | None:
        """The one fact about the places a question names, when it tells what is asked: all
        the article says of the place ("can people in the EU use Llama?": its hurdles there,
        not what Llama can be used for, which is no place's)."""
        facts = self.knowledge.facts
        places = self._places(named)
        there = [f for f in facts.values() if places and places <= set(f.about)]
        if len(there) != 1:
            return None
        found = there[0]
        return (found.id if asked <= self._gives[found.id]
                and self._agrees(named, found.id) else None)

    def _places_of(self, named: frozenset[str], fact_id: str) -> frozenset[str]:
        """The places a question names that the fact `fact_id` is about."""
        fact = self.knowledge.facts.get(fact_id)
        return frozenset() if fact is None else frozenset(self._places(named) & set(fact.about))

    def _agrees(self, named: frozenset[str], fact_id: str) -> bool:
        """Whether a question naming `named` can be about the fact `fact_id`.

        A subject the fact is not about ("অ্যামাজন") rules it out, unless the question
        names one of the fact's own subjects too ("মেটা কি অ্যামাজনের চেয়ে বেশি খরচ করছে?").
        """
        fact = self.knowledge.facts[fact_id]
        if not named or not fact.entities:
            return True
        if named.isdisjoint(fact.entities):
            # "Meta AI কোন মডেলে চলে?": a subject with a fact of its own, and none of this
            # fact's subjects, asks about that subject (Llama's fact only mentions Meta AI).
            # Unless it also names one this fact mentions and those facts do not ("is
            # WhatsApp's chatbot Llama?": the assistant's fact names WhatsApp, Llama's not).
            entities, facts = self.knowledge.entities, self.knowledge.facts
            own = {f for e in named if e in entities
                   and (f := entities[e].fact) is not None and f != fact_id}
            if own and not any(
                    e in fact.mentions and all(e not in facts[o].about for o in own if o in facts)
                    for e in named):
                return False
        foreign = named - fact.about
        if not foreign:
            return True
        if self._unlisted(foreign, fact_id):
            return False
        return not named.isdisjoint(fact.entities)

    def _elsewhere(self, named: frozenset[str], fact_id: str) -> bool:
        """Whether the question places its subject where the fact does not: a place that
        neither the fact nor a fact it relates to names ("বাংলাদেশ থেকে কতগুলো ডাউনলোড?";
        but Europe's privacy troubles are the "data privacy" of the ethics fact)."""
        places = self._places(named)
        if not places:
            return False
        facts = self.knowledge.facts
        fact = facts[fact_id]
        for near in (fact, *(facts[f] for f in fact.related if f in facts)):
            places.difference_update(near.entities, near.mentions)
        return bool(places)

    def purpose_of_listed(self, key: Key, fact_id: str) -> bool:
        """Whether the question asks what a company the fact only names as an example does
        with it ("What does Spotify use Llama for?": the fact lists adopters, not their
        uses)."""
        fact = self.knowledge.facts[fact_id]
        entities = self.knowledge.entities
        listed = any(e in fact.mentions and e not in fact.entities and e in entities
                     and entities[e].kind == "company" for e in self.subjects.named(key))
        # Read as written only then: "use" is a synonym, and the key costs a few µs.
        return listed and self.asks.purpose(make_key(key.cleaned))

    def _unversioned(self, key: Key, fact_id: str) -> bool:
        """Whether the question names a version the fact does not ("Llama 4", "GPT-4o")."""
        return not self.versions(key) <= self._versions[fact_id]

    def versions(self, key: Key) -> frozenset[str]:
        """The model versions a text names, as they sound: "r1", "o3", "lama4" (a name
        followed by a number: "লামা ৪", "llama 4"; not "লামা ১ বিলিয়ন", a count)."""
        words, sounds = key.surface, key.phonetic
        spans = self.subjects.spans(key)
        named = {i for _, start, end in spans for i in range(start, end)}
        # A version that is a subject's own name ("R1" is DeepSeek's) is the subjects' affair.
        found = {sounds[i] for i, w in enumerate(words)
                 if i not in named and _ATTACHED_VERSION.fullmatch(w)}
        for i in {end - 1 for _, _, end in spans}:
            if i + 1 < len(words) and _VERSION_NUMBER.fullmatch(words[i + 1]) and not (
                    i + 2 < len(words) and words[i + 2].startswith(self._quantities)):
                found.add(f"{sounds[i]}{words[i + 1]}")
        return frozenset(found)

    def _unlisted(self, foreign: Iterable[str], fact_id: str) -> bool:
        """"Does Netflix use Llama too?", "Is Meta AI on Messenger?": a fact that names several
        of a kind (Spotify, AT&T, DoorDash) names all it knows of; another of that kind, among
        the subjects it does not name (`foreign`), is not in the article, though the fact's own
        subject is named."""
        listed = self._listed_kinds[fact_id]
        entities = self.knowledge.entities
        return bool(listed) and any(e in entities and entities[e].kind in listed for e in foreign)

    def _kinds_listed(self, fact: Fact) -> frozenset[str]:
        entities = self.knowledge.entities
        kinds = [entities[e].kind for e in fact.mentions if e in entities and entities[e].kind]
        return frozenset(k for k in kinds if kinds.count(k) >= 2)

    def _decide(self, question: str, result: MatchResult, now: datetime,
                part: bool = False) -> Answer:
        ranked = result.ranked
        passed_over = False  # a decline of a detail, closest, that the question did not ask
        if ranked and (top := self.knowledge.declines.get(ranked[0].intent_id)) is not None and (
                top.about and not self.asks.asks_a_detail(result.key)):
            # A detail the article lacks must be asked for: "মামলাটা ঠিক কী?" is what the
            # lawsuit is, though its words are those of "who filed the lawsuit?".
            ranked = ranked[1:]
            passed_over = True
        facts = self.knowledge.facts
        asked = self.asks.asked(result.key)
        promoted = False
        if asked and ranked and ranked[0].intent_id in facts:
            first = ranked[0]
            ranked = self._giving_first(ranked, asked)
            promoted = ranked[0] is not first
        best = ranked[0] if ranked else None
        score = best.score if best else 0.0
        spans = self.subjects.spans(result.key)
        named = (frozenset(e for e, _, _ in spans)
                 - {e for e, start, end in spans if _compared(result.key, start, end)})
        if (best is not None and best.intent_id in self.knowledge.declines
                and (named_fact := self._named_elsewhere(best, ranked, named)) is not None):
            # "Zuck ki bole?" sounds like "ekta joke bolo": chat about nothing the question
            # names yields to the fact about the one it names, close behind.
            ranked = (named_fact, *(s for s in ranked if s is not named_fact and s is not best))
            best, score = named_fact, named_fact.score
        if best is not None and best.intent_id in facts and (
                placed := self._placed_first(ranked, named)) is not None:
            # "ইইউ দেশগুলো কী নিয়ে আপত্তি তুলেছিল?": the objections raised in Europe, not the
            # license's critics, whose words are a little closer.
            ranked = placed
            best, score = ranked[0], ranked[0].score
        # A rival fact about another subject than the one named is no rival ("EU-তে কী
        # problem?": the license's troubles are not Europe's), nor, once a fact that tells
        # what is asked went first, one that cannot tell it.
        # Nor is a detail of the best fact, for a question asking nothing particular ("mamla
        # ta ki niye?": what the lawsuit is about, not who filed it).
        plain = best is not None and not self.asks.asks_a_detail(result.key)
        # A place named and the best fact about it: a fact about no place named is no rival
        # ("What regulatory problems did Llama face in the EU?": not Llama's future).
        places = self._places_of(named, best.intent_id) if best is not None else frozenset()
        # Chat about nothing the question names is no rival, nor decline, of the fact about
        # what it names.
        chat = self._chat_elsewhere(best, ranked, named)
        # Nor, for a question asking who, a fact no example of which asks that,
        # behind one whose examples do ("Who uses Llama?": the adopters, not versatility).
        runner_up = next((s.score for s in ranked[1:]
                          if not (plain and self._detail_of(s.intent_id, best))
                          and s.intent_id not in chat
                          and not (places and s.intent_id in facts
                                   and places.isdisjoint(facts[s.intent_id].about))
                          and not self._asked_less(asked, best, s)
                          and (s.intent_id not in facts or (self._agrees(named, s.intent_id) and (
                              not promoted or asked <= self._gives[s.intent_id])))), 0.0)
        lead = score - runner_up
        clear = score >= self.policy.answer_at and lead >= self.policy.margin
        if part:  # the question found in a long message: a lower bar with a wider lead
            clear = clear or (score >= self.policy.part_answer_at
                              and lead >= self.policy.part_margin)
        if not clear and not passed_over and score >= self.policy.lead_answer_at and not (
                asked or result.unknown or self.asks.asks_a_detail(result.key)):
            # Ahead of every other intent by far, agreeing or not, and asking nothing particular.
            clear = score - max((s.score for s in ranked[1:]), default=0.0) >= (
                self.policy.lead_margin)
        confident = (
            best is not None
            and clear
            and result.known_share >= self.policy.min_known_share
            and best.coverage >= self.policy.min_coverage
        )
        if not named and (talk := self._about_the_bot(result, ranked)) is not None:
            return self._smalltalk(question, talk, score)
        if best is not None and not result.has_content:
            # Grammar and fillers alone ("ঠিক আছে", "why?") name no fact, and are small talk
            # only in that small talk's own words: the closest one so said ("hi there" is a
            # greeting, whatever "there" comes close to).
            talk = next((s.intent_id for s in ranked if self._small_talk_in_its_words(
                result, s.intent_id, alone=True)), None)
            if talk is not None:
                return self._smalltalk(question, talk, score)
            return self._fallback(question, score)
        # A subject's name and nothing else ("meta ai ta ki bolo to?") asks what it is, however
        # close a decline's words come.
        if mentioned := self._undefined(result, spans):
            # "ডোরড্যাশ কিসের কোম্পানি?": the article names DoorDash among Llama's users and
            # says nothing of what it is.
            return self._not_in_article(question, max(score, self.policy.answer_at),
                                        mentioned, mentioned[0])
        if (defined := self._definition(result, spans)) is not None:
            score = max(score, self.policy.answer_at)
            if not asked <= self._gives[defined] or self._unversioned(result.key, defined):
                return self._not_in_article(question, score, (defined,), defined)
            return self._fact_answer(question, facts[defined], score, now)
        if (home := self._home_of(named, asked, result)) is not None:
            return self._fact_answer(question, facts[home], max(score, self.policy.answer_at),
                                     now)
        decline = next((s for s in ranked if s.intent_id in self.knowledge.declines
                        and s.intent_id not in chat), None)
        if decline is not None and self._decline_wins(decline, best, result.key):
            # Recognised as outside the article ("ChatGPT downloads", "the verdict's date").
            return self._declined_answer(question, score, decline, named)
        if best is not None and best.intent_id in facts and not self._agrees(named, best.intent_id):
            # The same words about someone else; unless a subject named has a fact of its own
            # close behind ("Meta AI kon model e chole?": Meta AI's, not Llama's).
            own = {self.knowledge.entities[e].fact for e in named if e in self.knowledge.entities}
            behind = next((s for s in ranked if s.intent_id in own and s.intent_id in facts), None)
            if (behind is not None and behind.score >= self.policy.answer_at
                    and self._agrees(named, behind.intent_id)):
                if not asked <= self._gives[behind.intent_id]:
                    # "Meta AI er user koto jon?": its own fact, which has no number.
                    return self._not_in_article(question, behind.score, (behind.intent_id,),
                                                behind.intent_id)
                return self._fact_answer(question, facts[behind.intent_id], behind.score, now)
            # Else at most a "did you mean" of facts about what it names ("EU privacy
            # issues?": Europe's fact, behind the ethics fact that names no place).
            confident = False
        candidates = tuple(
            s.intent_id for s in ranked
            if s.intent_id in facts and s.score >= self.policy.suggest_at
            and self._agrees(named, s.intent_id)
        )[: self.policy.max_suggestions]
        if (not confident and best is not None and candidates[:1] == (best.intent_id,)
                and self._leads_the_others(best, candidates, ranked)
                and self._formal_and_lone(question, result)):
            confident = True
        if (not confident and best is not None and candidates == (best.intent_id,)
                and self._the_place_fact(named, best.intent_id, asked, result)):
            confident = True
        if confident and best is not None:
            if best.intent_id in self.knowledge.smalltalk:
                if self._small_talk_in_its_words(result, best.intent_id, alone=False):
                    return self._smalltalk(question, best.intent_id, score)
                return self._fallback(question, score)
            if (self._elsewhere(named, best.intent_id)
                    and (there := self._fact_there(named, asked))):
                # "What challenges did Llama face in the EU?": the challenges ahead are no
                # place's; the one fact about the EU tells what happened there.
                return self._fact_answer(question, facts[there], score, now)
            # An admin's own example is answered by its fact, whatever it seems to ask.
            if not self.matcher.is_example(result.key, best.intent_id) and (
                    not asked <= self._gives[best.intent_id]
                    or self._elsewhere(named, best.intent_id)
                    or self._unversioned(result.key, best.intent_id)
                    or self.purpose_of_listed(result.key, best.intent_id)):
                # "When is the verdict?" of a fact that gives no date, "Is Meta AI available
                # in Bangladesh?" of one that names no country, "Llama 4?" of one that names
                # no version: the article does not say.
                return self._not_in_article(question, score, (best.intent_id,), best.intent_id)
            return self._fact_answer(question, facts[best.intent_id], score, now)
        if candidates and result.known_share >= self.policy.min_known_share:
            return Answer(question, AnswerKind.SUGGEST, None, score, SUGGEST_TEXT, None,
                          self._choices(candidates), best.intent_id if best else None)
        return self._fallback(question, score)

    def _home_of(self, named: frozenset[str], asked: frozenset[Asked],
                 result: MatchResult) -> str | None:
        """The fact of the one subject of its own a question names (not Llama or Meta, which
        every fact is about) when the question asks only where it is from and that fact
        places it ("ডিপসিক কোন দেশের প্রতিষ্ঠান?": the Chinese lab), whatever other
        company's country a decline's words ask."""
        if asked != {Asked.WHERE} or result.unknown:
            return None
        entities, facts = self.knowledge.entities, self.knowledge.facts
        own = [entities[e] for e in named - self._general if e in entities]
        if len(own) != 1 or own[0].kind == "place" or own[0].fact not in facts:
            return None
        fact = facts[own[0].fact or ""]
        places = any(getattr(entities.get(e), "kind", "") == "place" for e in fact.about)
        return fact.id if places and self._agrees(named, fact.id) else None

    def _about_the_bot(self, result: MatchResult, ranked: tuple[Scored, ...]) -> str | None:
        """The small talk a question to the bot about itself gets ("এই বট কী কাজ করে?", "are
        you human?"), naming no subject: the bot's own identity or help when it scores about
        as high as the best fact, whose words ("কাজ") are not what is asked."""
        if not self._addressed & set(result.key.surface) or not ranked:
            return None
        spelled = [t for t in self.knowledge.smalltalk
                   if self.matcher.spells_example(result.key, t)]
        if spelled:
            # "hello bot, kemon acho?" greets in so many words; "what are you exactly, some
            # kind of AI?" asks who the bot is in them, whatever a fact's words add.
            return max(spelled, key=lambda t: next(
                (s.score for s in ranked if s.intent_id == t), 0.0))
        talk = next((s for s in ranked if s.intent_id in self.knowledge.smalltalk), None)
        if talk is None and len(result.key.surface) <= SHORT_TO_THE_BOT and (
                "identity" in self.knowledge.smalltalk):
            return "identity"  # "apnar kaj ki?", "তুমি কি বাংলা বোঝো?": what the bot is
        if (talk is None or talk.score < self.policy.suggest_at
                or talk.score < ranked[0].score - self.policy.bot_talk_window):
            return None
        return talk.intent_id

    def _leads_the_others(self, best: Scored, candidates: tuple[str, ...],
                          ranked: tuple[Scored, ...]) -> bool:
        """Whether `best` is the only candidate, or leads the next by `Policy.formal_lead`."""
        if len(candidates) < 2:
            return True
        second = next((s.score for s in ranked if s.intent_id == candidates[1]), best.score)
        return best.score - second >= self.policy.formal_lead

    def _formal_and_lone(self, question: str, result: MatchResult) -> bool:
        """Whether a formal question (sadhu, or the formal register) is sure of the one fact
        it leaves as a candidate (or that leads the others by `Policy.formal_lead`). Formal
        words are not our examples' ("প্রদান করিবেন", "অভিপ্রায়", "আলোকপাত করুন"): fewer of
        them are known, and on the blind development sets such a lone candidate was the
        answer 20 times in 20. A few unknown words at most
        (an exam's "স্বরূপ নিরূপণ করুন" brings several), a question or a formal request (not a
        story's sentence), and no "উহাতে" (in what?) opening it.
        What it asks is then checked as for any sure answer."""
        cleaned = result.key.cleaned
        return (len(result.unknown) <= MAX_FORMAL_UNKNOWN and formal(cleaned)
                and (asks(question) or requests(cleaned))
                and not any(w in _IT for w in result.key.surface[:FORMAL_POINTER_WORDS])
                and result.known_share >= self.policy.min_known_share)

    def _declined_answer(
        self, question: str, score: float, decline: Scored, named: frozenset[str]
    ) -> Answer:
        """A detail the article lacks gets an honest note and its facts; another subject, the
        fallback."""
        about = tuple(
            f for f in self.knowledge.declines[decline.intent_id].about
            if f in self.knowledge.facts and self._agrees(named, f)
        )
        if not about:
            return self._fallback(question, score, decline.intent_id)
        return self._not_in_article(question, score, about, decline.intent_id)

    def _tells(self, fact: Fact) -> frozenset[Asked]:
        """What a fact's answer can tell: a date (its text or an event), an amount, a place;
        who (it names someone besides its own subjects); names (two or more of them, or the
        name of the subject it defines: "the name of Meta's developer conference")."""
        named = self.subjects.named(make_key(fact.answer))
        others = named - set(fact.entities)
        # Names it lists are those it mentions, not those it compares with ("like OpenAI's
        # o3-mini" names no new model).
        listed = others & set(fact.mentions)
        defines = self.knowledge.defines(fact.id)
        entities = self.knowledge.entities
        person = any(entities[e].kind == "person" for e in named if e in entities)
        return (self.asks.given(fact.answer)
                | ({Asked.WHEN, Asked.MONTH, Asked.DAY, Asked.UPCOMING}
                   if self.knowledge.events_for_fact(fact.id)
                   else set())
                | ({Asked.PERSON} if person else set())
                | ({Asked.WHO} if others or self.asks.names_people(fact.answer) else set())
                | ({Asked.NAMES, Asked.WHICH} if len(listed) >= 2 or defines else set())
                | ({Asked.LISTED} if len(listed) >= 3 else set()))

    def example_asks(self, fact_id: str) -> frozenset[Asked]:
        """What the fact's example questions ask (who, when...): what the fact is for."""
        return self._learned_example_asks().get(fact_id, frozenset())

    @property
    def general(self) -> frozenset[str]:
        """The subjects every fact is about (Llama, Meta): none is a subject of its own."""
        return self._general

    def gives(self, fact_id: str) -> frozenset[Asked]:
        """What the fact's answer can tell: a date, an amount, a place."""
        return self._gives[fact_id]

    def not_in_article(self, question: str, closest: tuple[str, ...]) -> Answer:
        """The honest "the report does not say", offering the `closest` facts."""
        answer = self._not_in_article(question, 0.0, closest, closest[0] if closest else "")
        return replace(answer, normalized=normalize_for_log(question))

    def _not_in_article(
        self, question: str, score: float, closest: tuple[str, ...], intent_id: str
    ) -> Answer:
        return Answer(question, AnswerKind.NOT_IN_ARTICLE, None, score, NOT_IN_ARTICLE_TEXT, None,
                      self._choices(closest[: self.policy.max_suggestions]), intent_id)

    def _small_talk_in_its_words(self, result: MatchResult, intent_id: str, alone: bool) -> bool:
        """Whether a message is `intent_id`'s small talk in its own words, not a lookalike.

        Fuzzy credit is right for facts but lets "বই" (book) pass for "বাই" (bye) and
        "tickets" for "thanks": the message must spell an example out, or use only words of
        that small talk's examples (its content words; every word, two or more, when the
        message is all grammar: "কী কী জিজ্ঞেস করা যায়?").
        """
        if intent_id not in self.knowledge.smalltalk:
            return False
        key = result.key
        if self.matcher.spells_example(key, intent_id):
            return True
        if alone:
            # In any script ("ekhane" is "এখানে"); two words at least, not one said twice:
            # "কী কী?" asks which, it greets no one.
            words = self.matcher.vocabulary(intent_id, sounds=True)
            return len(set(key.phonetic)) >= 2 and set(key.phonetic) <= words
        sounds = self.matcher.vocabulary(intent_id, sounds=True)
        return all(key.phonetic[i] in sounds for i in self.matcher.content_positions(key))

    def _learned_talk_words(self) -> dict[str, frozenset[str]]:
        assert self._talk_words is not None, "a deferred responder's steps are not done"
        return self._talk_words

    def _learn_talk_words(self) -> Generator[None, None, None]:
        """Each small talk's own words: in its examples and in no other intent's ("ধন্যবাদ",
        "বট", "bye"), and the words of every intent of the article (`""`); a step per intent."""
        sounds = {}
        for intent in (*self.knowledge.smalltalk, *self.knowledge.facts, *self.knowledge.declines):
            sounds[intent] = self.matcher.content_sounds(intent)
            yield
        own = {}
        for talk in self.knowledge.smalltalk:
            others = set().union(*(v for k, v in sounds.items() if k != talk))
            own[talk] = sounds[talk] - others
        own[""] = frozenset().union(*(sounds[f] for f in self.knowledge.facts))
        self._talk_words = own

    def _small_talk_by_its_words(self, result: MatchResult) -> str | None:
        """"থ্যাংকু, এবার পরিষ্কার হলো", "bye bye, take care!": a short message with words of
        one small talk alone, and at most one word of the article's facts, is that small talk
        even in words its examples do not have."""
        key = result.key
        if len(key.surface) > self.policy.max_small_talk_words:
            return None
        own = self._learned_talk_words()
        heard = [key.phonetic[i] for i in self.matcher.content_positions(key)]
        hits = {t: sum(w in words for w in heard) for t, words in own.items() if t}
        best = max(hits, key=lambda t: hits[t], default=None)
        if best is None or not hits[best] or sorted(hits.values())[-2:] == [hits[best]] * 2:
            return None
        # Half of the words known here at least: "ঢাকা মেট্রোরেল সকাল কয়টা থেকে চলে?"
        # greets no one with its "সকাল".
        known = sum(w not in result.unknown for w in heard)
        if 2 * hits[best] < known:
            return None
        if sum(w in own[""] and w not in own[best] for w in heard) > 1:
            return None
        return best

    def _smalltalk(self, question: str, intent_id: str, score: float) -> Answer:
        talk = self.knowledge.smalltalk[intent_id]
        return Answer(question, AnswerKind.SMALLTALK, None, score, talk.answer, None, (), talk.id)

    def answer_fact(self, fact_id: str, now: datetime, *, continuation: bool = False) -> Answer:
        """The answer for a fact chosen directly (a button), as if asked perfectly.

        With `continuation`, it is said as the next part of what was said before.
        """
        fact = self.knowledge.facts[fact_id]
        answer = self._fact_answer(fact.canonical_question, fact, 100.0, now)
        text = MORE_PREFIX + answer.text if continuation else answer.text
        return replace(answer, text=text, normalized=normalize_for_log(fact.canonical_question))

    def rejected_answer(self, question: str) -> Answer:
        """After "none of these": sorry, and what the bot can talk about."""
        return self._offer(question, AnswerKind.REJECTED, REJECTED_TEXT)

    def nothing_more_answer(self, question: str) -> Answer:
        """"Tell me more" when everything on the subject has been said."""
        return self._offer(question, AnswerKind.NO_MORE, NO_MORE_TEXT)

    def nothing_begun_answer(self, question: str) -> Answer:
        """"Tell me more" when nothing has been said yet: what the bot can tell."""
        return self._offer(question, AnswerKind.NO_MORE, NOTHING_BEGUN_TEXT)

    def acknowledged_answer(self, question: str, offered: tuple[str, ...],
                            said: str = ACKNOWLEDGED_TEXT) -> Answer:
        """"ok", "বুঝলাম" with nothing asked: a nod and what to ask next (`offered`, else
        a fact of each topic); small talk that names no intent, so it is no gap. `said`:
        the words of the nod."""
        samples = offered or self.knowledge.sample_facts(self.policy.max_suggestions)
        return Answer(question, AnswerKind.SMALLTALK, None, 0.0, said, None,
                      self._choices(samples[: self.policy.max_suggestions]),
                      normalized=normalize_for_log(question))

    def out_of_range_answer(self, question: str, offered: tuple[str, ...]) -> Answer:
        """A number beyond the `offered` facts: which numbers can be chosen (offered again)."""
        text = (OUT_OF_RANGE_TEXT.format(last=bengali_number(len(offered)))
                if len(offered) > 1 else ONLY_ONE_TEXT)
        return Answer(question, AnswerKind.OUT_OF_RANGE, None, 0.0, text, None,
                      self._choices(offered), normalized=normalize_for_log(question))

    def nothing_to_pick_answer(self, question: str) -> Answer:
        """A number ("২", "তৃতীয়টা") with no numbered questions on offer: no question of its
        own, but what to ask (a fact of each topic offered)."""
        return self._offer(question, AnswerKind.OUT_OF_RANGE, NOTHING_TO_PICK_TEXT)

    def _offer(self, question: str, kind: AnswerKind, template: str) -> Answer:
        topics = ", ".join(t.title for t in self.knowledge.topics)
        samples = self.knowledge.sample_facts(self.policy.max_suggestions)
        return Answer(question, kind, None, 0.0, template.format(topics=topics), None,
                      self._choices(samples), normalized=normalize_for_log(question))

    @property
    def readings(self) -> dict[str, str]:
        """The fact that tells what each fact means: its own answer when that says what it
        shows, else the first related fact that does and shares a subject of its own
        (Zuckerberg's hopes are read in the open-collaboration fact: "his optimism shows...");
        else itself."""
        assert self._readings is not None, "a deferred responder's steps are not done"
        return self._readings

    def _learn_readings(self) -> Generator[None, None, None]:
        """`readings`, a step per fact (each answer keyed as a question is)."""
        facts = self.knowledge.facts
        reads, answers = {}, {}
        for fact in facts.values():
            answers[fact.id] = self.matcher.key(fact.answer).surface
            reads[fact.id] = not SIGNIFIES.isdisjoint(answers[fact.id])
            yield
        abouts = [frozenset(f.about) for f in facts.values()]
        everywhere = frozenset.intersection(*abouts) if abouts else frozenset()
        titles = {fact.id: self._own_title_words(fact) for fact in facts.values()}
        self._title_words = titles

        def reader(fact: Fact) -> str:
            own = set(fact.about) - everywhere
            return fact.id if reads[fact.id] else next(
                (r for r in fact.related if reads.get(r) and not own.isdisjoint(facts[r].about)),
                fact.id)

        def by_title(fact: Fact) -> str:
            # A related fact whose answer reads this one by its title's words ("এক বিলিয়ন
            # ডাউনলোড ... আগ্রহের লক্ষণ" of the downloads) reads it, whatever its own says.
            title = titles[fact.id]
            return next((r for r in fact.related if reads.get(r) and title and all(
                holds_word(answers[r], w) for w in title)), reader(fact))

        self._readings = {fact.id: reader(fact) for fact in facts.values()}
        self._read_by_title = {fact.id: by_title(fact) for fact in facts.values()}

    def _own_title_words(self, fact: Fact) -> tuple[str, ...]:
        key = self.matcher.key(fact.title)
        named = {i for e, start, end in self.subjects.spans(key) if e in self._general
                 for i in range(start, end)}
        return tuple(key.surface[i] for i in self.matcher.content_positions(key)
                     if i not in named and not key.surface[i].isdigit())

    def title_words(self, fact_id: str) -> tuple[str, ...]:
        """A fact's title's own words, keyed as a question's: not the subjects every fact is
        about, nor numbers ("ডাউনলোড", "বিলিয়ন" of "১ বিলিয়ন ডাউনলোড"). Learned with
        `readings`."""
        assert self._title_words is not None, "a deferred responder's steps are not done"
        return self._title_words.get(fact_id, ())

    def _reading(self, result: MatchResult, answer: Answer) -> str | None:
        """"জাকারবার্গের এই মনোভাব কী ইঙ্গিত দেয়?": what his hopes show is told by the fact
        that reads them, when its words come nearly as close as those of the hopes' own."""
        if SIGNIFIES.isdisjoint(result.key.surface):
            return None
        assert self._read_by_title is not None, "a deferred responder's steps are not done"
        # What it shows, asked of nothing particular ("which companies show that?" asks names)
        reads = self.readings if self.asks.asked(result.key, bare=True) else self._read_by_title
        read = reads.get(answer.fact_id or "", answer.fact_id)
        if read == answer.fact_id:
            return None
        score = next((s.score for s in result.ranked if s.intent_id == read), 0.0)
        return read if answer.score - score <= self.policy.reading_window else None

    def _fact_answer(self, question: str, fact: Fact, score: float, now: datetime) -> Answer:
        lines = [fact.answer]
        lines += [describe_event(e, now) for e in self.knowledge.events_for_fact(fact.id)]
        return Answer(question, AnswerKind.FACT, fact.id, score, "\n".join(lines), fact.citation,
                      self._choices(self.related(fact.id)), fact.id, fact.title)

    def related(self, fact_id: str) -> tuple[str, ...]:
        """The related questions shown under `fact_id`'s answer, in order."""
        return self.knowledge.neighbours(fact_id)[: self.policy.max_suggestions]

    def _fallback(self, question: str, score: float, intent_id: str | None = None) -> Answer:
        samples = self.knowledge.sample_facts(self.policy.max_suggestions)
        return Answer(question, AnswerKind.FALLBACK, None, score, self._fallback_text, None,
                      self._choices(samples), intent_id)

    def _choices(self, fact_ids: Iterable[str]) -> tuple[Choice, ...]:
        facts = self.knowledge.facts
        return tuple(Choice(f, facts[f].canonical_question) for f in fact_ids if f in facts)


# "o3-mini-এর মতো", "like o3-mini": a subject named as a comparison is not what is asked about.
_LIKE_AFTER = frozenset({"মতো", "মত", "মতন", "moto", "mto", "moton", "mot"})
_LIKE_BEFORE = frozenset({"like", "than", "unlike"})


_GENITIVE = frozenset({"এর", "er", "র", "r"})  # "o3-mini er moto": the ending typed apart


# Words that ask what a thing is: "লামা বলতে কী বোঝায়?", "what is meant by Llama?".
_DEFINING = frozenset(make_key(w).surface[0] for w in (
    "বলতে", "বোঝায়", "বোঝানো", "মানে", "স্বরূপ", "পরিচিতি", "সংজ্ঞা", "mean", "meant",
    "means", "meaning", "definition", "mane", "bolte", "bojhay",
    # sadhu and spoken: "লামা বলিতে কী বুঝায়?"
    "বলিতে", "বুঝায়", "বুঝানো", "বোঝাইয়া", "bujhay", "define"))
# Kinds of thing a subject may be taken for: "লামা কি একটা অ্যাপ?", "is Llama a chatbot or a
# program?" asks what it is, which its defining fact tells.
_THING_KINDS = frozenset(make_key(w).surface[0] for w in (
    "অ্যাপ", "app", "apps", "application", "অ্যাপ্লিকেশন", "সফটওয়্যার", "সফটওয়ার", "software",
    "প্রোগ্রাম", "program", "চ্যাটবট", "chatbot", "টুল", "tool", "ওয়েবসাইট", "website",
    "সার্ভিস", "service", "প্রোডাক্ট", "product", "মডেল", "model", "ভাষা", "language", "llm",
    "এলএলএম"))
_NAMED_KINDS = frozenset({"person", "company", "place"})
# What a company or a product mentioned in passing may be asked to be: "ডোরড্যাশ কিসের কোম্পানি?"
_KINDS_OF_THING = _THING_KINDS | frozenset(make_key(w).surface[0] for w in (
    "কোম্পানি", "company", "প্রতিষ্ঠান", "firm", "business", "ব্যবসা", "জিনিস", "thing"))
_WHAT = frozenset(make_key(w).surface[0] for w in (
    "কী", "কি", "কিসের", "কীসের", "what", "what's", "whats", "ki", "kiser", "kisher", "কিতা"))
# A question ending in these asks what something is about: "...ঠিক কী নিয়ে?", "exactly about?"
_ABOUT_END = frozenset(make_key(w).surface[0] for w in ("about", "niye", "নিয়ে", "নিয়া", "niya"))
# Words relating one subject to another: "Meta ... about DeepSeek", "ডিপসিক নিয়ে মেটা".
_RELATING = frozenset(make_key(w).surface[0] for w in (
    "about", "against", "versus", "vs", "নিয়ে", "বিরুদ্ধে", "niye", "biruddhe", "প্রতি"))
# "it" and "he" as the matcher's keys spell them.
_IT = frozenset({*THING_POINTERS, *(surface_word(w) for w in THING_POINTERS)})
_HE = frozenset({*PERSON_POINTERS, *(surface_word(w) for w in PERSON_POINTERS)})
# The words of meaning as keys hold them, for the conversation's follow-ups too.
SIGNIFIES = frozenset(surface_word(w) for w in SIGNIFYING)


def _run(steps: Iterable[None]) -> None:
    """Take every step of a build at once."""
    for _ in steps:
        pass


def _compared(key: Key, start: int, end: int) -> bool:
    words = key.surface
    if end < len(words) and words[end] in _GENITIVE:
        end += 1
    return (end < len(words) and words[end] in _LIKE_AFTER
            or start > 0 and words[start - 1] in _LIKE_BEFORE)


def _margin(answer: Answer, result: MatchResult) -> float | None:
    """How far the fact answered led the best other intent for the whole question."""
    if answer.kind is not AnswerKind.FACT:
        return None
    own = next((s.score for s in result.ranked if s.intent_id == answer.intent_id), None)
    if own is None:
        return None
    rival = next((s.score for s in result.ranked if s.intent_id != answer.intent_id), 0.0)
    return own - rival


def holds_word(words: tuple[str, ...], word: str) -> bool:
    """Whether `words` (an answer's key) hold `word` as written or inflected: "উদ্দেশ্যে" of
    "উদ্দেশ্য", "ভবিষ্যতে" of "ভবিষ্যৎ" (a stem of four letters or more, either way)."""
    return any(a == word or len(a) >= 4 and (word.startswith(a) or a.startswith(word)
                                             and len(word) >= 4) for a in words)
