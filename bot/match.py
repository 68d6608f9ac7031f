"""Score a question against every intent's example questions.

Each example is reduced to its set of skeleton words (see `normalize`). A
question word meets an example word when their skeletons are equal or close
(rapidfuzz `ratio`, so typos and spelling variants still meet). Words are
weighted by how few intents use them, so "লামা", which every fact mentions,
decides little, while "ডিপসিক" decides a lot. An example's score is how much
of the question's weight it explains, blended with how much of the example
the question covers.

Question words the knowledge base has never seen count against every
example: a question about "গুগল জেমিনি" that shares "কতবার ডাউনলোড" with a
fact should not get that fact.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.function_words import FUNCTION_WORDS
from bot.normalize import Key, make_key, skeleton_word

# Weight of a question word that no example uses and that is not grammar.
UNKNOWN_WEIGHT = 2.0
# Weight of a function word the examples never use.
FUNCTION_WEIGHT = 0.15
# Floor so that words every intent uses still count a little.
WEIGHT_FLOOR = 0.1
QUERY_SHARE = 0.75  # blend of question coverage and example coverage
# An example with so many postings it is a stop word: not used to find candidates.
MAX_POSTINGS_FOR_CANDIDATES = 20_000


@dataclass(frozen=True)
class Example:
    intent_id: str
    text: str
    words: frozenset[str]
    weight: float  # sum of its words' weights


@dataclass(frozen=True)
class Scored:
    intent_id: str
    score: float  # 0-100
    example: str


@dataclass(frozen=True)
class MatchResult:
    ranked: tuple[Scored, ...]  # best example per intent, best first
    known_share: float  # share of the question's weight the knowledge base knows
    key: Key


def _min_similarity(word: str) -> float:
    # Short skeletons are too easily confused: "kt" (কত) vs "kb" (কবে).
    return 100.0 if len(word) <= 3 else 75.0


class Matcher:
    """An index over example questions; build once per knowledge base, then `match` often."""

    def __init__(self, examples: Iterable[tuple[str, str]]) -> None:
        """Index `(intent_id, example question)` pairs."""
        keyed = [(intent, text, make_key(text)) for intent, text in examples]
        intents_by_word: dict[str, set[str]] = defaultdict(set)
        for intent, _, key in keyed:
            for word in key.skeleton:
                intents_by_word[word].add(intent)
        n_intents = len({intent for intent, _, _ in keyed}) or 1
        self._weights: dict[str, float] = {
            word: WEIGHT_FLOOR + math.log((n_intents + 1) / (len(intents) + 0.5))
            for word, intents in intents_by_word.items()
        }
        self._examples: list[Example] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for intent, text, key in keyed:
            words = frozenset(key.skeleton)
            if not words:
                continue
            index = len(self._examples)
            weight = sum(self._weights[w] for w in words)
            self._examples.append(Example(intent, text, words, weight))
            for word in words:
                self._postings[word].append(index)
        # Fuzzy look-ups only compare words that start with the same letter.
        self._vocab_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self._weights:
            self._vocab_by_initial[word[0]].append(word)
        self._function_skeletons = frozenset(skeleton_word(w) for w in FUNCTION_WORDS)

    @property
    def example_count(self) -> int:
        return len(self._examples)

    def _similar_words(self, word: str) -> list[tuple[str, float]]:
        """Known words close to `word`, with a similarity in 0..1."""
        if word in self._weights:
            exact = [(word, 1.0)]
            if len(word) <= 3:
                return exact
        else:
            exact = []
            if len(word) <= 3:
                return exact
        candidates = self._vocab_by_initial.get(word[0], ())
        found = process.extract(
            word,
            candidates,
            scorer=fuzz.ratio,
            score_cutoff=_min_similarity(word),
            limit=6,
        )
        close = [(choice, (score / 100.0) ** 2) for choice, score, _ in found if choice != word]
        return exact + close

    def match(self, question: str) -> MatchResult:
        """Rank intents by their best example for `question`."""
        key = make_key(question)
        query_words = list(dict.fromkeys(key.skeleton))
        query_weight = 0.0
        known_weight = 0.0
        covered: dict[int, float] = defaultdict(float)  # question weight explained, per example
        touched: dict[int, float] = defaultdict(float)  # example weight met, per example
        for word in query_words:
            similar = self._similar_words(word)
            if not similar:
                weight = FUNCTION_WEIGHT if word in self._function_skeletons else UNKNOWN_WEIGHT
                query_weight += weight
                continue
            weight = max(self._weights[w] for w, _ in similar)
            query_weight += weight
            known_weight += weight
            best: dict[int, tuple[float, str]] = {}
            for known, similarity in similar:
                postings = self._postings.get(known, ())
                if len(postings) > MAX_POSTINGS_FOR_CANDIDATES:
                    continue
                for index in postings:
                    if index not in best or similarity > best[index][0]:
                        best[index] = (similarity, known)
            for index, (similarity, known) in best.items():
                covered[index] += weight * similarity
                touched[index] += self._weights[known] * similarity
        ranked = self._rank(covered, touched, query_weight)
        known_share = known_weight / query_weight if query_weight else 0.0
        return MatchResult(ranked=ranked, known_share=known_share, key=key)

    def _rank(
        self, covered: dict[int, float], touched: dict[int, float], query_weight: float
    ) -> tuple[Scored, ...]:
        best: dict[str, Scored] = {}
        if query_weight <= 0:
            return ()
        for index, explained in covered.items():
            example = self._examples[index]
            query_cover = min(1.0, explained / query_weight)
            example_cover = min(1.0, touched[index] / example.weight)
            score = 100.0 * (QUERY_SHARE * query_cover + (1 - QUERY_SHARE) * example_cover)
            current = best.get(example.intent_id)
            if current is None or score > current.score:
                best[example.intent_id] = Scored(example.intent_id, score, example.text)
        return tuple(sorted(best.values(), key=lambda s: -s.score))


def build_matcher(intents: Sequence[tuple[str, Sequence[str]]]) -> Matcher:
    """Build a matcher from `(intent_id, examples)` groups."""
    return Matcher((intent, q) for intent, questions in intents for q in questions)
