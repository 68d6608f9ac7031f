"""Which subjects (companies, products, people, places) a question names.

"অ্যামাজন এআইতে কত খরচ করবে?" shares every other word with Meta's investment
fact; only its subject differs. Entities and their aliases (Bengali, romanized,
English) are data in the knowledge base; a fact says which entities it is
about, and `named` finds the entities a question names so the answer policy
can refuse a fact about someone else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.function_words import FUNCTION_WORDS
from bot.core.normalize import Key, make_key, phonetic_word, skeleton_word, stem_word, stems

# How alike an alias and a question word must sound ("জাকারবার্গ", "zuckerberg",
# "জুকারবার্গ"): close enough for spelling variants, not for other names.
ALIAS_SIMILARITY = 85.0
# Short words are spelled out exactly: "us" is not "usa", "ken" (কেন) is not "qwen".
SHORT_ALIAS = 4


@dataclass(frozen=True)
class _Alias:
    entity: str
    phonetic: tuple[str, ...]  # one entry per word
    surface: tuple[str, ...]


class Subjects:
    """An index of entity aliases; build once per knowledge base."""

    def __init__(self, aliases: Iterable[tuple[str, str]],
                 rewrite: Callable[[list[str]], list[str]] | None = None,
                 foreign: frozenset[str] = frozenset()) -> None:
        """Index `(entity id, alias)` pairs, keyed as questions are (`rewrite`: the knowledge
        base's synonym groups, which make a question's "AI" "এআই": "Stability AI" too).

        `foreign`: the entities no fact names. Their name hides the names within it: "Meta
        Connect" is another event, not Meta (where "Meta AI", which a fact is about, also names
        Meta: "মেটা এআই-তে কত খরচ" asks what Meta spends on AI)."""
        self._foreign = foreign
        self._by_skeleton: dict[str, list[_Alias]] = {}
        for entity, alias in aliases:
            key = make_key(alias, rewrite)
            if key.skeleton:
                entry = _Alias(entity, key.phonetic, key.surface)
                self._by_skeleton.setdefault(key.skeleton[0], []).append(entry)
        # The last key asked about: a question is read by several steps (and, with several
        # articles, by each article asked), all with the same key.
        self._last: tuple[Key, list[tuple[str, int, int]]] | None = None

    def named(self, key: Key) -> frozenset[str]:
        """The entities whose aliases `key`'s words spell (with or without case endings)."""
        return frozenset(entity for entity, _, _ in self.spans(key))

    def spans(self, key: Key) -> list[tuple[str, int, int]]:
        """Each entity named, with the words (start, end) that name it, in order."""
        last = self._last  # read once: another thread may be asking too
        if last is not None and last[0] is key:
            return list(last[1])
        found = self._spans(key)
        self._last = (key, found)
        return list(found)

    def _spans(self, key: Key) -> list[tuple[str, int, int]]:
        if not self._by_skeleton:
            return []
        found: list[tuple[str, int, int]] = []
        # Every way of taking a case ending off: "ভারতে" is ভারত + -এ as well as ভার + -তে.
        endings = [(stem_word(surface), *stems(surface)) for surface in key.surface]
        words = [
            (phonetic, tuple(dict.fromkeys(phonetic_word(s) for s in stripped)))
            for phonetic, stripped in zip(key.phonetic, endings, strict=True)
        ]
        for i, (skeleton, stem) in enumerate(zip(key.skeleton, key.stems, strict=True)):
            candidates = self._by_skeleton.get(skeleton, [])
            for other in dict.fromkeys((stem, *(skeleton_word(s) for s in endings[i][1:]))):
                if other != skeleton:
                    candidates = candidates + self._by_skeleton.get(other, [])
            # Every alias starting here, shortest first: "meta ai" names Meta AI and Meta
            # ("মেটা এআই-তে কত খরচ" is Meta's spending on AI).
            # An alias of several words ends on grammar only as spelled: "লামা কোন" (which
            # Llama) is not "লামা কন" (LlamaCon), though both sound alike.
            spelled = sorted((a for a in candidates if _spells(a.phonetic, words[i:])
                              and _ends_as_spelled(a, key.surface[i : i + len(a.phonetic)])),
                             key=lambda a: len(a.phonetic))
            for alias in spelled:
                span = (alias.entity, i, i + len(alias.phonetic))
                if span not in found:
                    found.append(span)
        if self._foreign:
            found = [span for span in found if not any(
                other[0] in self._foreign and other[1] <= span[1] and span[2] <= other[2]
                and other[2] - other[1] > span[2] - span[1] for other in found)]
        return found


def _spells(alias: tuple[str, ...], words: list[tuple[str, tuple[str, ...]]]) -> bool:
    if len(words) < len(alias):
        return False
    return all(_same_word(part, form) or any(
        _same_word(part, stem) and _declined(part, form) for stem in stems_of)
        for part, (form, stems_of) in zip(alias, words, strict=False))


def _declined(alias: str, form: str) -> bool:
    """Whether `form` is a short `alias` with a case ending ("চীনের", "চীনে"), not another
    word that begins with its letters ("চিনতে", to recognise; "chinta", a thought)."""
    if len(alias) > SHORT_ALIAS:
        return True
    ending = form[len(alias):]
    # "-তে" (in) follows a vowel: "লামাতে", but "চিনতে" is a verb, not "চীনে".
    return ending in _SHORT_ENDINGS or ending == "te" and alias.endswith(_VOWELS)


# Case endings of a name, as they sound: of (-er, -r; -yer after a vowel: "এআইয়ের"), in
# (-e, -ye), to (-ke), plural.
_SHORT_ENDINGS = frozenset({"", "e", "er", "r", "re", "ke", "ra", "der", "yer", "ye"})
_VOWELS = ("a", "e", "i", "o", "u")


def _same_word(alias: str, word: str) -> bool:
    if len(alias) <= SHORT_ALIAS or len(word) <= SHORT_ALIAS:
        return alias == word
    return fuzz.ratio(alias, word) >= ALIAS_SIMILARITY


def _ends_as_spelled(alias: _Alias, words: tuple[str, ...]) -> bool:
    last = words[-1]
    return len(alias.surface) == 1 or last not in FUNCTION_WORDS or last == alias.surface[-1]
