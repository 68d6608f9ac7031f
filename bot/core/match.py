"""Score a question against every intent's example questions.

Each example is reduced to its skeleton words (see `normalize`). A question
word meets an example word when their skeletons are equal or close (rapidfuzz
`ratio`, so typos and spelling variants still meet), or when it begins a
longer known word ("insta", "zuck"). Words are weighted by how few intents use
them, so "লামা", which every fact mentions, decides little, while "ডিপসিক"
decides a lot; grammar words weigh almost nothing. An example's score blends
how much of the question's weight it explains with how much of the example
the question covers.

Question words the knowledge base has never seen count against every
example: a question about "গুগল জেমিনি" that shares "কতবার ডাউনলোড" with a
fact should not get that fact. `MatchResult.known_share` says how much of the
question was recognised at all.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import OrderedDict, defaultdict, deque
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from bot.core.function_words import FUNCTION_WORDS
from bot.core.normalize import (
    ENGLISH_MARK,
    Key,
    chalit_word,
    clean,
    make_key,
    phonetic_word,
    skeleton_word,
    stem_word,
    surface_word,
)
from bot.core.synonyms import Synonyms

# Weight of a question word that no example uses and that is not grammar.
UNKNOWN_WEIGHT = 2.0
# An unknown word with a verb ending ("দিতেছে", "kholse") is how something is asked,
# rarely what it is about.
UNKNOWN_VERB_WEIGHT = 0.5
VERB_ENDINGS = (
    "ছে", "ছেন", "ছি", "সে", "তেছে", "তেসে", "ইছে", "ইসে", "বে", "বো", "বেন", "লো", "লাম", "লেন",
    "ছিল", "ছিলো", "ছিলেন", "চ্ছে", "চ্ছেন", "তাম", "তো", "েনি", "য়নি",
    "বা",  # the familiar future: "বলবা", "জানাবা" (will you tell)
    "che", "chhe", "cche", "se", "tese", "teche", "ise", "ice", "iche", "be", "bo", "ben", "lo",
    "lam", "len", "chilo", "silo", "tam", "to", "ing", "ed", "eni", "yni",
)
# The Bengali present of causatives ("লাগায়", "চালায়", "দেখায়"): a verb, as the endings
# above.
_CAUSATIVE_ENDING = "\u09be\u09af\u09bc"
# Weight of a function word ("কি", "hoyeche", "the"): grammar decides little.
FUNCTION_WEIGHT = 0.2
# Floor so that words every intent uses still count a little.
WEIGHT_FLOOR = 0.3
# An intent's score blends its best example (question and example coverage) with how much
# of the question its examples explain together, so words from two examples still add up.
QUERY_SHARE = 0.2
EXAMPLE_SHARE = 0.2
INTENT_SHARE = 0.6
# A question word that begins a longer known word is probably that word, shortened.
PREFIX_SIMILARITY = 0.6
MAX_EXTENSIONS = 3
# Two-letter skeletons ("kt", "bs") collide across unrelated words; their vowels must agree too.
SHORT_SKELETON = 2
_VOWEL_SOUND = re.compile(r"[aeiou]")
MIN_SHORT_SIMILARITY = 0.7
STEM_SIMILARITY = 0.95
# Words in more than max(this, 0.5% of all) examples do not nominate candidates
# (see _cover_examples).
MIN_COMMON_POSTINGS = 200
PRUNE_SHARE = 0.5
# Distinct cleaned questions whose ranking is kept (a few MB at most).
MATCH_CACHE = 4096
# Formal compounds: at least this many characters, each part at least this many.
MIN_COMPOUND = 6
# ...and at most this many: each cut is tried, so the work grows with the square of the
# length, and a word of thousands of letters is no compound but an attack.
MAX_COMPOUND = 40
MIN_COMPOUND_PART = 3
COMPOUND_CACHE = 16384
WORD_CACHE = 16384  # a question word's known neighbours, kept per index
_BENGALI_LETTER = re.compile(r"[\u0980-\u09ff]")
# Signs that belong to the letter before them: a word is never cut before one.
_JOINS_BEFORE = re.compile(r"[\u0981-\u0983\u09bc\u09be-\u09cd\u09d7]")
_VIRAMA = "\u09cd"


@cache
def _function_words() -> frozenset[str]:
    """FUNCTION_WORDS as question words come out of `normalize`, with their emphatic forms.

    Bengali stresses a word with -ই/-ও (কিছুই, সবাই, এটাও): still grammar. (Not in Latin
    letters: "a" + "i" is "ai".)
    """
    words = {surface_word(clean(w)) for w in FUNCTION_WORDS}
    # Short words are left out: বা (or) + ই is বাই (bye).
    emphatic = {w + ending for w in words if not w.isascii() and len(w) > 2
                for ending in ("ই", "ও") if not w.endswith(ending)}
    return frozenset(words | emphatic)


@dataclass(frozen=True)
class Example:
    intent_id: str
    text: str
    word_weights: Mapping[str, float]  # skeleton word -> its weight in this example
    weight: float  # sum of its words' weights


@dataclass(frozen=True)
class Scored:
    intent_id: str
    score: float  # 0-100
    example: str
    coverage: float  # 0-1: share of the question's weight this intent's examples explain


@dataclass(frozen=True)
class MatchResult:
    ranked: tuple[Scored, ...]  # best example per intent, best first
    known_share: float  # 0-1: how much of the question's weight the knowledge base recognised
    key: Key
    unknown: tuple[str, ...] = ()  # content words no example uses (not grammar, not verbs)
    # False when every word is grammar or filler ("ঠিক আছে", "why?", "ভাই"): such a message
    # names no subject, so it can only be small talk spelled out in full.
    has_content: bool = True


# Known words and their similarity (0-1) to one question word.
Similar = tuple[tuple[str, float], ...]


# A plural or case ending typed as a word of its own: "company ra", "meta er".
_CASE_APART = frozenset({"ra", "er", "r", "der", "ke", "te", "রা", "এর", "র", "দের", "কে", "তে"})


@dataclass(frozen=True)
class _QueryWord:
    skeleton: str
    phonetic: str
    stem: str
    stem_phonetic: str
    is_function: bool
    verb_like: bool = False
    bengali: bool = False


def _verb_like(surface: str) -> bool:
    """Whether a question's word looks like a verb, by its ending."""
    return surface.endswith(VERB_ENDINGS) or (
        _BENGALI_LETTER.match(surface) is not None
        and len(surface) > len(_CAUSATIVE_ENDING) + 1 and surface.endswith(_CAUSATIVE_ENDING))


class Matcher:
    """An index over example questions; build once per knowledge base, then `match` often."""

    def __init__(
        self,
        examples: Iterable[tuple[str, str]],
        cache_size: int = MATCH_CACHE,
        *,
        deferred: bool = False,
        synonyms: Synonyms | None = None,
    ) -> None:
        """Index `(intent_id, example question)` pairs; remember `cache_size` rankings.

        `synonyms` rewrite examples and questions alike before they are keyed.

        With `deferred`, nothing is indexed yet: run `steps()` to the end before matching.
        A running bot does that between replies, so a reload never stalls them.
        """
        self.cache_size = cache_size
        self._compounds: dict[str, tuple[str, ...]] | None = None
        self._pending = list(examples)
        self._rewrite = synonyms.rewrite if synonyms else None
        if not deferred:
            for _ in self.steps():
                pass

    def steps(self) -> Generator[None, None, None]:
        """Build the index, pausing (yielding) after every example and every word."""
        examples, self._pending = self._pending, []
        self._function_words = _function_words()
        keyed: deque[tuple[str, str, Key]] = deque()
        for intent, text in examples:
            keyed.append((intent, text, self.key(text)))
            yield
        intents_by_word: dict[str, set[str]] = defaultdict(set)
        self._phonetics: dict[str, set[str]] = defaultdict(set)
        for intent, _, key in keyed:
            for word, phonetic in zip(key.skeleton, key.phonetic, strict=True):
                intents_by_word[word].add(intent)
                self._phonetics[word].add(phonetic)
            yield
        n_intents = len({intent for intent, _, _ in keyed}) or 1
        self._intents_by_word: dict[str, frozenset[str]] = {}
        self._weights: dict[str, float] = {}
        # Popped, here and below, so that the build's scaffolding is freed bit by bit: freed at
        # once when the build ends, it would stall the replies for a millisecond or more.
        for word in list(intents_by_word):
            intents = intents_by_word.pop(word)
            self._intents_by_word[word] = frozenset(intents)
            self._weights[word] = WEIGHT_FLOOR + math.log((n_intents + 1) / (len(intents) + 0.5))
            yield
        self._examples: list[Example] = []
        self._by_intent: dict[str, list[int]] = defaultdict(list)
        self._postings: dict[str, list[int]] = defaultdict(list)
        # word -> {example index: the word's weight there}: what `_add_word` credits.
        self._word_weights: dict[str, dict[int, float]] = defaultdict(dict)
        # Kept, not made again on first use: small talk's own words need every example's key,
        # and keying them all at once stalled the first reply that asked by 25-50 ms.
        keys_by_intent: dict[str, list[Key]] = defaultdict(list)
        while keyed:
            yield
            intent, text, key = keyed.popleft()
            word_weights: dict[str, float] = {}
            for word, surface in zip(key.skeleton, key.surface, strict=True):
                weight = FUNCTION_WEIGHT if surface in self._function_words else self._weights[word]
                word_weights[word] = max(word_weights.get(word, 0.0), weight)
            if not word_weights:
                continue
            index = len(self._examples)
            self._examples.append(Example(intent, text, word_weights, sum(word_weights.values())))
            self._by_intent[intent].append(index)
            keys_by_intent[intent].append(key)
            for word, weight in word_weights.items():
                self._postings[word].append(index)
                self._word_weights[word][index] = weight
        # Fuzzy look-ups only compare words that start with the same letter.
        self._vocab_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self._weights:
            self._vocab_by_initial[word[0]].append(word)
            yield
        self._sorted_vocab = sorted(self._weights)
        # Not functools.lru_cache on a method: that would tie each Matcher into a reference
        # cycle, kept after a reload until a full garbage collection.
        self._recent: OrderedDict[str, MatchResult] = OrderedDict()
        self._keys: OrderedDict[str, Key] = OrderedDict()
        self._keys_by_intent = {intent: tuple(keys) for intent, keys in keys_by_intent.items()}
        self._compounds = {}  # a question's word -> its parts: questions are split now
        self._similar: dict[_QueryWord, Similar] = {}

    def key(self, text: str) -> Key:
        """The matching key of `text` as this index sees it (synonyms applied; once built,
        a compound no example uses split into two words examples use)."""
        if self._compounds is None:  # still building: examples are keyed as written
            return make_key(text, self._rewrite)
        # A conversation keys a message's words several times over (its clauses, what it
        # points at, its subject): each text is keyed once, like `match` ranks it once.
        keys = self._keys
        key = keys.get(text)
        if key is not None:
            keys.move_to_end(text)
            return key
        key = make_key(text, self._rewrite, self._compound_parts)
        if self.cache_size > 0:
            keys[text] = key
            if len(keys) > self.cache_size:
                keys.popitem(last=False)
        return key

    def _compound_parts(self, word: str) -> tuple[str, ...]:
        """A formal compound ("ডাউনলোডসংখ্যা", "প্রয়োগক্ষমতা") as the two known words it
        joins, the longer first part first; the word itself when it is known or not two."""
        if (not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not _BENGALI_LETTER.match(word)
                or word.endswith(VERB_ENDINGS)):
            return (word,)  # a verb's ending ("এসেছিল") is no second word
        known = self._compounds
        assert known is not None  # `key` splits only once the index is built
        parts = known.get(word)
        if parts is None:
            parts = self._split(word)
            if len(known) >= COMPOUND_CACHE:  # real questions reuse their words
                known.clear()
            known[word] = parts
        return parts

    def _split(self, word: str) -> tuple[str, ...]:
        if self._knows(word):
            return (word,)
        for cut in range(len(word) - MIN_COMPOUND_PART, MIN_COMPOUND_PART - 1, -1):
            left, right = word[:cut], word[cut:]
            if (not _JOINS_BEFORE.match(right) and not left.endswith(_VIRAMA)
                    and self._knows(left, content=True) and self._knows(right, content=True)):
                return left, right
        return (word,)

    def _knows(self, word: str, content: bool = False) -> bool:
        """Whether examples use `word` (or its stem), or it is grammar (not if `content`)."""
        chalit = chalit_word(word)
        if surface_word(chalit) in self._function_words:
            return not content
        forms = self._rewrite([chalit]) if self._rewrite else [chalit]
        # Spelled out, vowels and all: skeletons alone would cut "জনসাধারণের" into "জনসা".
        return any(phonetic_word(w) in self._phonetics.get(skeleton_word(w), ())
                   for form in forms for w in (form, stem_word(form))
                   if len(skeleton_word(w)) > SHORT_SKELETON)

    def _similar_words(self, word: _QueryWord) -> Similar:
        """Known words close to `word` or to its stem, with a similarity in 0..1."""
        # Questions never asked before still reuse their words ("লামা", "কবে"): each word's
        # fuzzy look-up is made once per index.
        similar = self._similar.get(word)
        if similar is None:
            similar = tuple(self._find_similar(word))
            if len(self._similar) >= WORD_CACHE:
                self._similar.clear()
            self._similar[word] = similar
        return similar

    def _find_similar(self, word: _QueryWord) -> list[tuple[str, float]]:
        if word.skeleton.startswith(ENGLISH_MARK):  # grammar is itself or nothing: not "who"
            return [(word.skeleton, 1.0)] if word.skeleton in self._weights else []
        found = self._close_words(word)
        if word.stem != word.skeleton and word.stem in self._weights:
            # লামার, metar, ফ্রিতে: the inflection may be new, or spell another word (ferot).
            stem = _QueryWord(word.stem, word.stem_phonetic, word.stem, "", word.is_function)
            found += [(known, similarity * STEM_SIMILARITY)
                      for known, similarity in self._short_match(stem)]
            if len(found) > 1:
                best: dict[str, float] = {}
                for known, similarity in found:
                    best[known] = max(similarity, best.get(known, 0.0))
                found = list(best.items())
        return found

    def _close_words(self, word: _QueryWord) -> list[tuple[str, float]]:
        skeleton = word.skeleton
        if len(skeleton) <= SHORT_SKELETON:
            return self._short_match(word)
        exact = [(skeleton, 1.0)] if skeleton in self._weights else []
        if len(skeleton) == 3:  # one edit in three letters is another word
            return exact + self._extensions(skeleton, set())
        found = process.extract(
            skeleton,
            self._vocab_by_initial.get(skeleton[0], ()),
            scorer=fuzz.ratio,
            score_cutoff=75.0,
            limit=6,
        )
        close = [(c, (score / 100.0) ** 2) for c, score, _ in found if c != skeleton]
        return exact + close + self._extensions(skeleton, {c for c, _ in close})

    def _short_match(self, word: _QueryWord) -> list[tuple[str, float]]:
        """An exact skeleton match whose vowels must agree too: "kt" is কত, not কাটা."""
        forms = self._phonetics.get(word.skeleton)
        if not forms:
            return []
        if not word.bengali and not _VOWEL_SOUND.search(word.phonetic) and (
                word.phonetic not in forms):
            return []  # "cv", "tv": letters for a name, not কবে or টিভি's neighbours
        similarity = max(fuzz.ratio(word.phonetic, form) for form in forms) / 100.0
        if similarity < MIN_SHORT_SIMILARITY and not word.is_function:
            return []
        return [(word.skeleton, max(similarity, MIN_SHORT_SIMILARITY))]

    def _extensions(self, skeleton: str, already: set[str]) -> list[tuple[str, float]]:
        """Longer known words that begin with `skeleton`: "insta" for "instagram"."""
        vocab = self._sorted_vocab
        start = bisect.bisect_left(vocab, skeleton)
        found = []
        for candidate in vocab[start : start + MAX_EXTENSIONS + 1]:
            if not candidate.startswith(skeleton):
                break
            if len(candidate) >= len(skeleton) + 2 and candidate not in already:
                found.append((candidate, PREFIX_SIMILARITY))
        # A prefix shared by many words says nothing about which one was meant.
        return found if len(found) <= MAX_EXTENSIONS else []

    def _query_words(self, key: Key) -> list[_QueryWord]:
        """The question's words, with split compounds joined ("llama con", "war room")."""
        words: list[_QueryWord] = []
        i = 0
        n = len(key.skeleton)
        while i < n:
            if i + 1 < n and (joined := self._joined(key, i)) is not None:
                words.append(joined)
                i += 2
                continue
            surface = key.surface[i]
            words.append(
                _QueryWord(
                    key.skeleton[i],
                    key.phonetic[i],
                    key.stems[i],
                    phonetic_word(stem_word(surface)),
                    surface in self._function_words,
                    _verb_like(surface),
                    _BENGALI_LETTER.match(surface) is not None,
                )
            )
            i += 1
        return words

    def _joined(self, key: Key, i: int) -> _QueryWord | None:
        """Words i and i+1 as one known word, if they spell one ("llama con" is "llamacon")."""
        parts = key.skeleton[i : i + 2]
        # Two words that are each known and distinctive stay two words ("open source").
        if all(p in self._weights and len(p) > SHORT_SKELETON for p in parts):
            return None
        if any(w in self._function_words for w in key.surface[i : i + 2]):  # "লামা কোন" is not লামাকন
            return None
        skeleton = skeleton_word(key.surface[i] + key.surface[i + 1])
        if len(skeleton) < 4 or skeleton not in self._weights:
            return None
        phonetic = key.phonetic[i] + key.phonetic[i + 1]
        # "download hoise" must not become "downloads": the letters must agree, not just the
        # skeleton.
        if max(fuzz.ratio(phonetic, form) for form in self._phonetics[skeleton]) < 80:
            return None
        if key.surface[i + 1] in _CASE_APART:
            # "company ra" (companies, its ending typed apart) is still a company: the stem
            # is the first word's, not another word the two letters spell (কোম্পানির).
            return _QueryWord(skeleton, phonetic, key.stems[i], key.phonetic[i], False)
        return _QueryWord(skeleton, phonetic, skeleton, phonetic, False)

    def match(self, question: str, key: Key | None = None) -> MatchResult:
        """Rank intents by their best example for `question`, whose `key` (`self.key` of its
        cleaned text) a caller may have made already."""
        # The ranking depends only on the cleaned text and this (immutable) index, so a
        # repeated question ("llamacon kobe") is ranked once per knowledge base: a reload
        # builds a new Matcher and with it an empty cache. Least recently used goes first.
        cleaned = key.cleaned if key is not None else clean(question)
        if self.cache_size <= 0:
            return self._rank_question(cleaned, key)
        cache = self._recent
        result = cache.get(cleaned)
        if result is not None:
            cache.move_to_end(cleaned)
            return result
        result = cache[cleaned] = self._rank_question(cleaned, key)
        if len(cache) > self.cache_size:
            cache.popitem(last=False)
        return result

    def _rank_question(self, cleaned: str, key: Key | None) -> MatchResult:
        key = key or self.key(cleaned)
        query_weight = 0.0
        known_weight = 0.0
        matched: list[tuple[float, Similar]] = []
        unknown: list[str] = []
        seen: set[str] = set()
        has_content = False
        for word in self._query_words(key):
            if word.skeleton in seen:
                continue
            seen.add(word.skeleton)
            has_content = has_content or not word.is_function
            similar = self._similar_words(word)
            if word.is_function:
                weight = FUNCTION_WEIGHT
            elif similar:
                weight = max(self._weights[w] for w, _ in similar)
            else:
                weight = UNKNOWN_VERB_WEIGHT if word.verb_like else UNKNOWN_WEIGHT
            query_weight += weight
            if not similar:
                if weight == UNKNOWN_WEIGHT:
                    unknown.append(word.phonetic)
                continue
            known_weight += weight * max(s for _, s in similar)
            matched.append((weight, similar))
        covered, touched = self._cover_examples(matched)
        ranked = self._rank(covered, touched, matched, query_weight)
        known_share = known_weight / query_weight if query_weight else 0.0
        return MatchResult(ranked=ranked, known_share=known_share, key=key, unknown=tuple(unknown),
                           has_content=has_content)

    def shares(self, key: Key, groups: Sequence[frozenset[str]]) -> list[float]:
        """For each group of intents, the share of a question's (`key`'s) content weight that the
        group's examples hold (a word, or one close to it): 0 when none, 1 when all.

        A fraction of `match` (no ranking): what a knowledge base of several articles asks
        first, to leave out the articles that hold little of the question.
        """
        total = 0.0
        held = [0.0] * len(groups)
        for word in self._query_words(key):
            if word.is_function:
                continue
            similar = self._similar_words(word)
            weight = max((self._weights[w] for w, _ in similar), default=UNKNOWN_WEIGHT)
            total += weight
            for i, group in enumerate(groups):
                best = max(
                    (s for w, s in similar if not group.isdisjoint(self._intents_by_word[w])),
                    default=0.0)
                held[i] += weight * best
        return [h / total if total else 0.0 for h in held]

    def content_positions(self, key: Key) -> list[int]:
        """The positions of `key`'s words that are not grammar."""
        return [i for i, surface in enumerate(key.surface) if surface not in self._function_words]

    def content_words(self, key: Key) -> dict[str, float]:
        """`key`'s words that are not grammar, without their case endings, each with the
        weight `match` gives it.

        Without endings, "মেটার শেয়ারের দাম" and "meta share dam" are the same words; a
        word no example uses weighs what an unknown word weighs. Cheap (no fuzzy look-up):
        the admins' review groups thousands of logged questions by these.
        """
        weights = self._weights
        words: dict[str, float] = {}
        for i in self.content_positions(key):
            word, stem = key.skeleton[i], key.stems[i]
            words[stem] = weights.get(stem) or weights.get(word) or UNKNOWN_WEIGHT
        return words

    def vocabulary(self, intent_id: str, *, sounds: bool = False) -> frozenset[str]:
        """Every word of `intent_id`'s examples: as spelled (folded), or as it sounds in Latin
        letters (`sounds`: "টাটা" and "tata" are one word, and so are ভাই and বাই)."""
        keys = self._example_keys(intent_id)
        return frozenset(w for key in keys for w in (key.phonetic if sounds else key.surface))

    def content_sounds(self, intent_id: str) -> frozenset[str]:
        """The words of `intent_id`'s examples that are not grammar, as they sound."""
        return frozenset(key.phonetic[i] for key in self._example_keys(intent_id)
                         for i in self.content_positions(key))

    def spells_example(self, key: Key, intent_id: str, *, loosely: bool = False) -> bool:
        """Whether the question holds every word of one of `intent_id`'s examples, as spelled
        (`loosely`: as they sound, "llama" as "lama", and grammar words by their consonants,
        "দিয়ে" as "দিয়া" or "diye").

        Fuzzy credit is right for content words but lets one grammar word stand for
        another ("ভাই" for "বাই", bye); a message of grammar words alone must spell an
        example out ("hi bhai" holds "hi").
        """
        words = set(key.surface)
        if loosely:
            consonants, sounds = set(key.skeleton), set(key.phonetic)
            grammar = self._function_words
            return any(all(c in consonants if w in grammar else s in sounds
                           for w, c, s in zip(example.surface, example.skeleton,
                                              example.phonetic, strict=True))
                       for example in self._example_keys(intent_id))
        return any(words.issuperset(example.surface) for example in self._example_keys(intent_id))

    def is_example(self, key: Key, intent_id: str) -> bool:
        """Whether the question is one of `intent_id`'s examples, word for word."""
        return any(example.surface == key.surface for example in self._example_keys(intent_id))

    def _example_keys(self, intent_id: str) -> tuple[Key, ...]:
        """The keys of `intent_id`'s examples, as the index was built with them."""
        return self._keys_by_intent.get(intent_id, ())

    def _cover_examples(
        self, matched: list[tuple[float, Similar]]
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Question weight explained and example weight met, per candidate example.

        Candidates come from the question's selective words; words found in many
        examples ("লামা") only add to those candidates, so a large knowledge base
        does not walk every example that mentions Llama.
        """
        limit = max(MIN_COMMON_POSTINGS, len(self._examples) // 200)
        spread = [sum(len(self._postings[k]) for k, _ in similar) for _, similar in matched]
        selective = [m for m, n in zip(matched, spread, strict=True) if n <= limit] or matched
        common = [m for m in matched if not any(m is s for s in selective)]
        covered: dict[int, float] = defaultdict(float)
        touched: dict[int, float] = defaultdict(float)
        for weight, similar in selective:
            self._add_word(weight, similar, covered, touched, only_known=False)
        for weight, similar in common:
            self._add_word(weight, similar, covered, touched, only_known=True)
        return covered, touched

    def _add_word(
        self,
        weight: float,
        similar: Similar,
        covered: dict[int, float],
        touched: dict[int, float],
        only_known: bool,
    ) -> None:
        """Credit every example containing one of `similar` (only candidates if `only_known`)."""
        if len(similar) == 1:
            # The usual case (an exact word): no best-of choice to make, so credit directly.
            known, similarity = similar[0]
            self._credit(weight, similarity, self._word_weights[known], covered, touched,
                         only_known)
            return
        best: dict[int, tuple[float, float]] = {}  # index -> (similarity, example word weight)
        for known, similarity in similar:
            for index, word_weight in self._word_weights[known].items():
                if only_known and index not in covered:
                    continue
                if index not in best or similarity > best[index][0]:
                    best[index] = (similarity, word_weight)
        for index, (similarity, word_weight) in best.items():
            covered[index] += weight * similarity
            touched[index] += word_weight * similarity

    @staticmethod
    def _credit(
        weight: float,
        similarity: float,
        examples: dict[int, float],
        covered: dict[int, float],
        touched: dict[int, float],
        only_known: bool,
    ) -> None:
        """Credit one known word to the examples using it (`examples`: index -> its weight)."""
        gain = weight * similarity
        hits: Iterable[tuple[int, float]]
        if only_known:
            # A common word: walk whichever is smaller, its examples or the candidates.
            if len(covered) < len(examples):
                hits = [(i, examples[i]) for i in covered if i in examples]
            else:
                hits = [(i, w) for i, w in examples.items() if i in covered]
        elif not covered:
            # The first word credited (most questions' most selective one): every entry is
            # 0.0 plus its share, which is the share itself, so the dicts are filled in C,
            # in the same order as the loop below would.
            covered.update(dict.fromkeys(examples, gain))
            touched.update({i: w * similarity for i, w in examples.items()})
            return
        else:
            hits = examples.items()
        for index, word_weight in hits:
            covered[index] += gain
            touched[index] += word_weight * similarity

    def _intent_cover(
        self, intent: str, matched: list[tuple[float, Similar]], query_weight: float
    ) -> float:
        """How much of the question the examples of `intent` explain together (0-1)."""
        explained = 0.0
        by_word = self._intents_by_word
        for weight, similar in matched:
            explained += weight * max((s for w, s in similar if intent in by_word[w]), default=0.0)
        return min(1.0, explained / query_weight)

    def _rank(
        self,
        covered: dict[int, float],
        touched: dict[int, float],
        matched: list[tuple[float, Similar]],
        query_weight: float,
    ) -> tuple[Scored, ...]:
        if query_weight <= 0 or not covered:
            return ()
        # An example explaining less than half of what the best one explains cannot win.
        floor = PRUNE_SHARE * max(covered.values())
        examples = self._examples
        # Per intent: how much of the question its examples explain together (0-1), worked
        # out only for intents with a candidate example: a large base has thousands.
        intent_cover: dict[str, float] = {}
        # Per intent its best score and example so far; made `Scored` once, at the end.
        best: dict[str, tuple[float, str]] = {}
        for index, weight in covered.items():
            if weight < floor:
                continue
            example = examples[index]
            intent = example.intent_id
            cover = intent_cover.get(intent)
            if cover is None:
                cover = intent_cover[intent] = self._intent_cover(intent, matched, query_weight)
            query_cover = weight / query_weight
            example_cover = touched[index] / example.weight
            # Conditionals rather than min(): this loop runs for every candidate example.
            score = 100.0 * (
                QUERY_SHARE * (query_cover if query_cover < 1.0 else 1.0)
                + EXAMPLE_SHARE * (example_cover if example_cover < 1.0 else 1.0)
                + INTENT_SHARE * cover
            )
            current = best.get(intent)
            if current is None or score > current[0]:
                best[intent] = (score, example.text)
        return tuple(sorted((Scored(intent, score, text, intent_cover[intent])
                             for intent, (score, text) in best.items()),
                            key=lambda s: -s.score))
