"""Synonym groups from the knowledge base, applied to every text before it is keyed.

"ব্যয়", "খরচ", "বিনিয়োগ" and "invest" are one idea: a group maps each of its
words (or phrases) to the group's first word, on the examples at load time and
on every question, so that the matcher meets them as one word at no cost per
example. Words are compared in their spelling-folded form (see `normalize`),
and a word with a case ending ("খরচের") meets its group through its stem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from bot.core.normalize import clean, phonetic_word, skeleton_word, stems, surface_word


def _form(word: str) -> str:
    return surface_word(word)


STEM_CACHE = 16384
# A word in Latin letters that no group lists meets a group's Bengali word when it sounds like
# it: "banano" is বানানো, "biniyog" বিনিয়োগ. Same consonants, most of the vowels (not
# "khoroch" for খরচ, which sounds "krc": reading the unwritten vowels in as well met the
# wrong groups far more often than the right ones).
MIN_SOUND_SKELETON = 3
SOUND_SIMILARITY = 85.0
# A verb's perfect and its past perfect say the same thing here: "বাজারে এসেছে" written in a
# group is also "বাজারে এসেছিল", "বানিয়েছিলেন"; in speech "বের হইসে" is also "বের হইসিল",
# and in Latin letters "ber hoise" is "ber hoisilo".
_PERFECTS = (
    ("েছিলেন", "েছিলো", "েছিল", "েছেন", "েছে"),
    ("ইছিলো", "ইছিল", "ইসিলো", "ইসিল", "ইছে", "ইসে"),
    ("echilo", "echhilo", "echhe", "eche"),
    ("ichilo", "isilo", "iche", "ise"),
)


def _tenses(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`words`, and when its last word is a verb's perfect, that verb in the other forms."""
    if not words:
        return []
    last = words[-1]
    for endings in _PERFECTS:
        ending = next((e for e in endings if last.endswith(e) and len(last) > len(e)), None)
        if ending is not None:
            base = last[: -len(ending)]
            forms = dict.fromkeys([last, *(_form(base + e) for e in endings)])
            return [(*words[:-1], form) for form in forms]
    return [words]


class Synonyms:
    """Rewrites the words of a cleaned text to their group's first word."""

    def __init__(self, groups: Iterable[Sequence[str]] = (),
                 phrases: Iterable[tuple[str, str]] = ()) -> None:
        """`phrases`: (phrase, words) pairs that rewrite one phrase to the words as the groups
        rewrite them; unlike a group's words, a phrase's are not met by their sound."""
        # first folded word -> [(folded phrase words, replacement words)], longest first
        self._phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        # skeleton -> [(how a group's Bengali word sounds, the group's first words)]
        self._sounds: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for group in groups:
            canonical = tuple(clean(group[0]).split())
            itself = tuple(_form(w) for w in canonical)
            for member in group[1:]:
                for words in _tenses(tuple(_form(w) for w in clean(member).split())):
                    if words and words != itself:
                        self._phrases.setdefault(words[0], []).append((words, canonical))
            # By how they sound: a group's Bengali words, read in Latin letters.
            for member in group:
                words = tuple(clean(member).split())
                if len(words) == 1 and not words[0].isascii():
                    form = _form(words[0])
                    if len(skeleton := skeleton_word(form)) >= MIN_SOUND_SKELETON:
                        self._sounds.setdefault(skeleton, []).append(
                            (phonetic_word(form), canonical))
        self._stem_cache: dict[str, tuple[str, ...] | None] = {}
        for options in self._phrases.values():
            options.sort(key=lambda option: -len(option[0]))
        rewritten = [(tuple(_form(w) for w in clean(phrase).split()),
                      tuple(self.rewrite(clean(words).split()))) for phrase, words in phrases]
        for words, replacement in rewritten:
            if words:
                self._phrases.setdefault(words[0], []).append((words, replacement))
        for options in self._phrases.values():
            options.sort(key=lambda option: -len(option[0]))
        self._stem_cache.clear()

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def rewrite(self, words: list[str]) -> list[str]:
        """`words` (cleaned) with every synonym replaced by its group's first word."""
        if not self._phrases:
            return words
        forms = [_form(w) for w in words]
        out: list[str] = []
        i = 0
        while i < len(words):
            replaced = self._replace_at(forms, i) or self._inflected_at(words, forms, i)
            if replaced is None:
                out.extend(self._stemmed(words[i]) or (words[i],))
                i += 1
            else:
                length, replacement = replaced
                out.extend(replacement)
                i += length
        return out

    def _stemmed(self, word: str) -> tuple[str, ...] | None:
        """The group word for `word` with a case ending ("খরচের"), if its stem is in a group."""
        if word in self._stem_cache:
            return self._stem_cache[word]
        found = next((replacement for stem in stems(word)
                      for phrase, replacement in self._phrases.get(_form(stem), ())
                      if len(phrase) == 1), None)
        if found is None and word.isascii():
            found = self._sounding(word)
        if len(self._stem_cache) >= STEM_CACHE:  # real questions reuse a small vocabulary
            self._stem_cache.clear()
        self._stem_cache[word] = found
        return found

    def _sounding(self, word: str) -> tuple[str, ...] | None:
        """The group whose Bengali word `word` (in Latin letters) sounds like; None when none
        does, or words of two groups do."""
        sound = phonetic_word(word)
        groups = {replacement for heard, replacement in self._sounds.get(skeleton_word(word), ())
                  if fuzz.ratio(sound, heard) >= SOUND_SIMILARITY}
        return groups.pop() if len(groups) == 1 else None

    def _replace_at(self, forms: list[str], i: int) -> tuple[int, tuple[str, ...]] | None:
        for phrase, replacement in self._phrases.get(forms[i], ()):
            if tuple(forms[i : i + len(phrase)]) == phrase:
                return len(phrase), replacement
        return None

    def _inflected_at(self, words: list[str], forms: list[str],
                      i: int) -> tuple[int, tuple[str, ...]] | None:
        """A phrase whose last word has a case ending ("প্রধান নির্বাহীর" for "প্রধান
        নির্বাহী"), as a one-word member meets its group through its stem."""
        for phrase, replacement in self._phrases.get(forms[i], ()):
            end = i + len(phrase) - 1
            if (len(phrase) > 1 and end < len(words)
                    and tuple(forms[i:end]) == phrase[:-1]
                    and any(_form(stem) == phrase[-1] for stem in stems(words[end]))):
                return len(phrase), replacement
        return None
