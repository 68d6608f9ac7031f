"""The admins' review queue: logged questions the bot handled badly, grouped into cards.

A card gathers the phrasings of one question that the bot did not answer, answered
and was voted down for, offered "did you mean" for and heard "none of these", or
answered only narrowly ahead of another fact. Phrasings are grouped by the matcher's
own words (skeletons, inflections folded, grammar left out), weighted as the matcher
weighs them, so "llama ki free" and "lama ki fri naki" meet while "gemini downloads"
stays apart from "llama downloads". No fuzzy look-ups: grouping 10,000 logged
questions takes well under a second. Cards are ordered by how many users they touch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the storage adapter imports `Logged` without loading the matcher
    from bot.core.answer import Responder
    from bot.core.match import Matcher

# A phrasing joins a card when the words they share carry this share of their weight.
SIMILARITY = 0.5
# A fact answer this close to the runner-up (score points) was nearly another fact's.
NARROW_MARGIN = 6.0
# Words used by more cards than this do not nominate candidates ("লামা" is everywhere);
# they still count in the similarity.
COMMON_WORD = 64
CLOSEST = 3  # facts offered on a card
PHRASINGS_MATCHED = 5  # the most asked phrasings decide a card's closest facts


class Signal(StrEnum):
    """Why a logged question needs an admin."""

    UNANSWERED = "unanswered"  # fallback, "did you mean", or "the article does not say"
    DISLIKED = "disliked"  # answered, and the user voted 👎
    REJECTED = "rejected"  # "none of these" after a "did you mean"
    NARROW = "narrow"  # answered, barely ahead of another fact
    PICKED = "picked"  # a "did you mean" choice: which fact the user meant (no card alone)


@dataclass(frozen=True)
class Logged:
    """One logged event about a question, as the review reads it from storage."""

    text: str  # the normalized question
    signal: Signal
    user: int | None  # who asked, voted or tapped (None: logged before users were kept)
    answered: str | None = None  # the fact answered with (DISLIKED, NARROW)
    offered: tuple[str, ...] = ()  # the facts offered instead (did you mean, closest)
    chosen: str | None = None  # PICKED: the fact the user chose
    reason: str | None = None  # DISLIKED: the user's reason chip, if any


@dataclass(frozen=True)
class Phrasing:
    text: str
    count: int  # events that make it a case for review (picks and refusals not counted)


@dataclass(frozen=True)
class Cluster:
    """One card: phrasings of what looks like one question, and what happened to them."""

    phrasings: tuple[Phrasing, ...]  # most asked first
    users: int  # distinct users touched
    signals: Mapping[Signal, int]
    answered: Mapping[str, int] = field(default_factory=dict)  # fact -> times answered with it
    offered: Mapping[str, int] = field(default_factory=dict)  # fact -> times offered
    chosen: Mapping[str, int] = field(default_factory=dict)  # fact -> times users picked it
    reasons: Mapping[str, int] = field(default_factory=dict)  # 👎 reason -> times given

    @property
    def key(self) -> str:
        """The most asked phrasing: names the card."""
        return self.phrasings[0].text

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.phrasings)

    @property
    def count(self) -> int:
        return sum(p.count for p in self.phrasings)


@dataclass(frozen=True)
class Card:
    """A cluster with what an admin can do about it."""

    cluster: Cluster
    closest: tuple[str, ...]  # up to CLOSEST fact ids, users' picks first, then the matcher's
    decline: str | None  # the decline intent "another subject" adds to (None: there is none)


@dataclass
class _Text:
    """What the log says about one phrasing (mutable while the log is read)."""

    text: str
    count: int = 0
    users: set[int] = field(default_factory=set)
    signals: Counter[Signal] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)
    offered: Counter[str] = field(default_factory=Counter)
    chosen: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, item: Logged) -> None:
        if item.user is not None:
            self.users.add(item.user)
        if item.signal is Signal.PICKED:
            if item.chosen:
                self.chosen[item.chosen] += 1
            return
        if item.signal is Signal.REJECTED:
            # A refusal answers a "did you mean" the log holds as a question of its own
            # (UNANSWERED, with its offer): it says what came of it, no second question.
            self.signals[item.signal] += 1
            return
        self.count += 1
        self.signals[item.signal] += 1
        if item.answered:
            self.answered[item.answered] += 1
        self.offered.update(item.offered)
        if item.reason:
            self.reasons[item.reason] += 1


@dataclass
class _Group:
    seed: dict[str, float]  # the words of the most asked phrasing: what joiners are compared to
    members: list[_Text]


Words = Callable[[str], Mapping[str, float]]


def matcher_words(matcher: Matcher) -> Words:
    """A phrasing's words as `matcher` weighs them (see `Matcher.content_words`)."""
    return lambda text: matcher.content_words(matcher.key(text))


def cluster(logged: Iterable[Logged], words: Words,
            similarity: float = SIMILARITY) -> list[Cluster]:
    """Group the logged questions into cards, the most users touched first."""
    texts: dict[str, _Text] = {}
    for item in logged:
        found = texts.get(item.text)
        if found is None:
            found = texts[item.text] = _Text(item.text)
        found.add(item)
    # Most users first: a card's seed is its most widely asked phrasing.
    ordered = sorted((t for t in texts.values() if t.count),
                     key=lambda t: (-len(t.users), -t.count, t.text))
    groups: list[_Group] = []
    by_word: dict[str, list[int]] = {}  # word -> groups whose seed uses it
    for text in ordered:
        weights = dict(words(text.text))
        best, best_share = None, similarity
        for index in _candidates(weights, by_word):
            share = _shared(weights, groups[index].seed)
            if share >= best_share:
                best, best_share = index, share
        if best is not None:
            groups[best].members.append(text)
            continue
        groups.append(_Group(weights, [text]))
        for word in weights:
            by_word.setdefault(word, []).append(len(groups) - 1)
    clusters = [_cluster(group.members) for group in groups]
    return sorted(clusters, key=lambda c: (-c.users, -c.count, c.key))


def _candidates(weights: Mapping[str, float], by_word: Mapping[str, list[int]]) -> set[int]:
    """Groups sharing one of the phrasing's selective words (all of them if none is)."""
    lists = [by_word[w] for w in weights if w in by_word]
    selective = [found for found in lists if len(found) <= COMMON_WORD]
    if selective:
        return {index for found in selective for index in found}
    # Only common words ("লামা কী"): the groups seeded by the fewest of them will do.
    if not lists:
        return set()
    fewest = lists[0]
    for found in lists:
        fewest = found if len(found) < len(fewest) else fewest
    return set(fewest)


def _shared(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Weighted Jaccard: the weight the two have in common over the weight of either."""
    common = total = 0.0
    for word in a.keys() | b.keys():
        x, y = a.get(word, 0.0), b.get(word, 0.0)
        common += x if x < y else y
        total += y if x < y else x
    return common / total if total else 0.0


def _cluster(members: list[_Text]) -> Cluster:
    members.sort(key=lambda t: (-t.count, -len(t.users), t.text))
    users: set[int] = set()
    signals: Counter[Signal] = Counter()
    answered: Counter[str] = Counter()
    offered: Counter[str] = Counter()
    chosen: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for member in members:
        users |= member.users
        signals += member.signals
        answered += member.answered
        offered += member.offered
        chosen += member.chosen
        reasons += member.reasons
    return Cluster(tuple(Phrasing(m.text, m.count) for m in members), len(users),
                   dict(signals), dict(answered), dict(offered), dict(chosen), dict(reasons))


def card(found: Cluster, responder: Responder) -> Card:
    """The facts closest to a cluster (what users picked first) and its decline intent."""
    knowledge = responder.knowledge
    scores: dict[str, float] = {}
    declines: dict[str, float] = {}
    for phrasing in found.phrasings[:PHRASINGS_MATCHED]:
        for scored in responder.matcher.match(phrasing.text).ranked:
            if scored.intent_id in knowledge.facts:
                scores[scored.intent_id] = (scores.get(scored.intent_id, 0.0)
                                            + scored.score * phrasing.count)
            elif scored.intent_id in knowledge.declines:
                declines[scored.intent_id] = (declines.get(scored.intent_id, 0.0)
                                              + scored.score * phrasing.count)
    picked = [f for f, _ in sorted(found.chosen.items(), key=lambda i: (-i[1], i[0]))
              if f in knowledge.facts]
    ranked = [f for f, _ in sorted(scores.items(), key=lambda i: (-i[1], i[0]))]
    # Then what the bot offered them (most often first, else in the order offered): a
    # question the matcher ranks only declines for ("lama er dam koto") was still shown
    # facts, which /gaps names as closest.
    offered = [f for f, _ in sorted(found.offered.items(), key=lambda i: -i[1])
               if f in knowledge.facts]
    closest = tuple(dict.fromkeys(picked + ranked + offered))[:CLOSEST]
    # "Another subject" adds to a decline that sends the fallback (one without `about`):
    # the one the phrasings come closest to, else the first there is.
    others = [d.id for d in knowledge.declines.values() if not d.about]
    near = [d for d, _ in sorted(declines.items(), key=lambda i: (-i[1], i[0])) if d in others]
    return Card(found, closest, next(iter(near or others), None))


def review_queue(logged: Iterable[Logged], responder: Responder) -> list[Cluster]:
    """The cards to review, the most users touched first (closest facts: `card`).

    Not the words that steer a conversation ("আরও বলো", "হ্যাঁ"): no example can teach them,
    and one added would be reported as taught."""
    from bot.core.conversation import steers

    return cluster((item for item in logged if not steers(item.text)),
                   matcher_words(responder.matcher))
