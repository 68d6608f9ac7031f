"""Matching keys for Bengali, romanized Bengali and English text.

Three layers, each computed once per knowledge-base example at load time and
once per incoming question:

* `clean`: NFKC (NFC for Bengali), invisible characters removed, digits to ASCII, punctuation to
  spaces, lower case. Safe to show and to log.
* `fold`: a Bengali spelling-fold key, so that common variant spellings
  (ী/ি, শ/ষ/স, ড়/র, doubled letters...) compare equal.
* `skeleton`: a script-independent Latin consonant skeleton, so that
  "lama kotobar download hoyeche" meets "লামা কতবার ডাউনলোড হয়েছে".
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from bot.core.function_words import ENGLISH_FUNCTION_WORDS

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_BENGALI_DIGITS = {ord("০") + i: str(i) for i in range(10)}
# Python's `\w` does not cover Bengali vowel signs, so the word class is explicit.
_NOT_WORD = re.compile(r"[^0-9a-z\u0980-\u09e3\u09e6-\u09f1]+")  # no ৳, ৷ and other signs
_BENGALI = re.compile(r"[\u0980-\u09ff]")
# Markup people paste (formatting, links, scripts); "<price>" stays a word.
_TAG = re.compile(
    r"</?(?:a|b|i|u|s|em|strong|code|pre|br|p|div|span|blockquote|script|style|tg-spoiler)"
    r"(?:\s[^<>]{0,200})?/?>",
    re.IGNORECASE,
)
_HASANTA = "\u09cd"
# A Bengali case ending on a Latin word ("Meta-র", "AI-তে", "Llamaকে"): grammar, not a word.
_LATIN_CASE_ENDING = re.compile(
    r"(?<=[A-Za-z0-9])[-\u2010\u2011]?(?:এর|ের|র|এ|তে|কে|রা|য়|ও)(?![\u0980-\u09ff])")

# Order matters: য় is protected before য→জ, and multi-letter rules come first.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("য়", "\ue000"),
    ("ী", "ি"),
    ("ূ", "ু"),
    ("শ", "স"),
    ("ষ", "স"),
    ("ণ", "ন"),
    ("য", "জ"),
    ("ড়", "র"),
    ("ঢ়", "র"),
    ("ৎ", "ত"),
    ("ঙ", "ং"),
    ("ঁ", ""),
    (_HASANTA, ""),
    ("\ue000", "য়"),
)
_DOUBLED = re.compile(r"(.)\1+")

# Latin digraphs folded the same way for transliterated Bengali and typed Banglish/English.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    # "dicche", "korcchi": চ্ছ, one sound, not a k before it.
    ("cchh", "C"),
    ("cch", "C"),
    ("chh", "C"),
    ("ch", "C"),
    ("sh", "s"),
    ("ph", "f"),
    ("bh", "b"),
    ("v", "b"),
    ("kh", "k"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("jh", "j"),
    ("wh", "w"),
    ("ck", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "j"),
    ("c", "k"),
    ("C", "c"),
)
_VOWELS = frozenset("aeiouyw")
_SOFT_C = re.compile(r"c(?=[eiy])")  # English "face", "city": a soft c sounds like s


_CURRENCY_ALONE = re.compile(r"[$৳€£₹¥]+(?![$৳€£₹¥\s]*\d)")
# A figure's scale written short: "80bn", "$65B", "$10m". A bare "70B" stays as written: a
# model's size in parameters, not a sum.
_SCALES = {"bn": "billion", "b": "billion", "mn": "million", "m": "million", "k": "thousand"}
# After a currency sign, read before the sign goes; "bn" and "mn" after any figure, read on
# the cleaned text (so cleaning twice changes nothing).
_SCALED_SUM = re.compile(r"(?<=[$৳€£₹¥])(\s*\d+(?:[.,]\d+)?)\s*([bmk])\b", re.IGNORECASE)
_SCALED = re.compile(r"(?<=\d) ?(bn|mn)\b")


def _sum(match: re.Match[str]) -> str:
    return f"{match.group(1)} {_SCALES[match.group(2).lower()]}"


def _scaled(match: re.Match[str]) -> str:
    return " " + _SCALES[match.group(1)]


@lru_cache(maxsize=1024)
def clean(text: str) -> str:
    """Return `text` in NFKC, lower case, with only letters, digits and single spaces."""
    # Cached: a message's text is cleaned by each reading of it (a number? a nod? its key).
    # Pasted HTML: "<b>লামা</b> &amp; meta" asks about লামা and meta, not "b" or "amp".
    text = html.unescape(_TAG.sub(" ", text))
    # Invisible characters go before NFC: the signs they separated must compose and sort.
    text = text.replace("ত্\u200d", "ৎ").translate(_INVISIBLE).translate(_BENGALI_DIGITS)
    # NFKC: full-width and styled letters ("ｌａｍａ", "𝐋𝐥𝐚𝐦𝐚") are the letters they show;
    # for Bengali it is NFC.
    text = _LATIN_CASE_ENDING.sub("", unicodedata.normalize("NFKC", text))
    # "how much $$?": a currency sign of its own says money; before a figure ("$65") the
    # figure says it.
    text = _CURRENCY_ALONE.sub(" money ", _SCALED_SUM.sub(_sum, text))
    return _SCALED.sub(_scaled, " ".join(_NOT_WORD.sub(" ", text.lower()).split()))


# Letters of a word that matching reads: "Donaudampfschifffahrt" has 21; Bengali compounds fewer.
MAX_WORD = 48
# Per-word caches: real questions reuse a small vocabulary, and each word passes through
# these a few times per question (bounded, so odd input cannot grow memory without limit).
_YA_PHALA = _HASANTA + "য"


@lru_cache(maxsize=16384)
def fold_word(word: str) -> str:
    """Fold one cleaned word's Bengali spelling variants to a single key."""
    if _YA_PHALA in word:
        # After a word's first letter ya-phala is said (and often typed) as এ: ব্যবহার and
        # বেবহার, ব্যাপার and বেপার. Elsewhere it only doubles its consonant: সত্য, বিদ্যা.
        if word[1:3] == _YA_PHALA:
            word = word[0] + "ে" + word[4:] if word[3:4] == "া" else word[0] + "ে" + word[3:]
        word = word.replace(_YA_PHALA, "")
    for old, new in _FOLDS:
        word = word.replace(old, new)
    return _DOUBLED.sub(r"\1", word)


@lru_cache(maxsize=65536)
def phonetic_word(word: str) -> str:
    """Return one cleaned word in any script as folded Latin letters, vowels kept."""
    if _BENGALI.search(word):
        # Fold first: typed Banglish writes ড় as r and য as j, as the fold does; ং is "ng".
        folded = fold_word(word).replace("ং", "ng").replace("ঃ", "")
        latin = anyascii(folded).lower().replace("'", "")
        # anyascii writes চ as "c"; typed Banglish writes "ch", which the digraphs fold to c.
        latin = latin.replace("ch", "C").replace("c", "C")
        if latin.startswith("oy"):  # ওয়ার, ওয়েব: Bengali spells an initial w this way
            latin = "w" + latin[2:]
    else:
        latin = word
    latin = _SOFT_C.sub("s", latin)
    for old, new in _DIGRAPHS:
        latin = latin.replace(old, new)
    return _DOUBLED.sub(r"\1", latin)


# Case endings and classifiers, longest first: লামার, মেটাকে, ডিপসিকের, lamar, metake.
# The formal plural -সমূহ also as spelling folds it (-সমুহ).
_BENGALI_SUFFIXES = ("সমূহের", "সমূহে", "সমূহ", "সমুহের", "সমুহে", "সমুহ", "গুলোর", "গুলোতে",
                     "গুলিতে", "গুলির", "গুলো", "গুলি", "গুলা", "েরটা", "েরটি", "এরটা", "রটা",
                     "রটি", "দের", "য়ের", "টার", "টির",
                     "কে", "তে", "ের", "এর", "টা", "টি", "রা", "র", "ে", "ত")
_EMPHATIC = ("ই", "ও")
_LATIN_SUFFIXES = ("gulor", "gulo", "guli", "gula", "erta", "rta", "der", "yer", "ke", "te", "er",
                   "ta", "ti", "r")


@lru_cache(maxsize=16384)
def stem_word(word: str) -> str:
    """Strip one inflection so লামার meets লামা; short words are left alone.

    A Bengali emphatic -ই/-ও goes first: কামেই is কাম, লামাও is লামা.
    """
    word = _without_emphatic(word)
    suffixes = _BENGALI_SUFFIXES if _BENGALI.search(word) else _LATIN_SUFFIXES
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(word: str) -> list[str]:
    """Every way of stripping one inflection from `word`: ব্যয়ের is ব্যয় + ের, not ব্য + য়ের;
    an emphatic -ই/-ও alone is one too (ফিচারও is ফিচার)."""
    plain = _without_emphatic(word)
    suffixes = _BENGALI_SUFFIXES if _BENGALI.search(plain) else _LATIN_SUFFIXES
    emphatic = [plain] if plain != word else []
    return emphatic + [plain[: -len(s)] for s in suffixes
                       if plain.endswith(s) and len(plain) - len(s) >= 3]


def _without_emphatic(word: str) -> str:
    """A Bengali word without its emphatic -ই/-ও: কামেই is কামে, লামাও is লামা."""
    if _BENGALI.search(word) and word.endswith(_EMPHATIC) and len(word) > 4:
        return word[:-1]
    return word


@lru_cache(maxsize=16384)
def skeleton_word(word: str) -> str:
    """Return the vowel-less Latin skeleton of one cleaned word in any script."""
    latin = phonetic_word(word)
    if not latin:
        return ""
    # Letters that meet only once vowels are gone stay apart: গুগল is "ggl", not গুলো's "gl".
    return latin[0] + "".join(ch for ch in latin[1:] if ch not in _VOWELS)


# Sadhu bhasha's verb endings in the spoken (chalit) form everyone else writes, longest first:
# করিয়াছে is করেছে, চালাইতেছে is চালাচ্ছে, হইবে is হবে. Verbs only: the endings are
# those of finite verbs, so nouns (মিডিয়া, দলিল) keep their spelling. Each ending with its
# spoken form, and that form after a one-letter root, which keeps its vowel (দিয়াছে is
# দিয়েছে, পাইয়াছে পেয়েছে; None: the word is spoken as it is, দিবে).
_PERSON_TAILS = ("েন", "িলেন", "িল", "ে")
_SADHU_ENDINGS: tuple[tuple[str, str, str | None], ...] = tuple(
    (sadhu + tail, chalit + tail, None if short is None else short + tail)
    for sadhu, chalit, short in (
        ("াইয়াছ", "িয়েছ", "েয়েছ"),  # চালাইয়াছে, জানাইয়াছেন; পাইয়াছে
        ("ইয়াছ", "য়েছ", "য়েছ"),  # হইয়াছে
        ("িয়াছ", "েছ", "িয়েছ"),  # করিয়াছে, বলিয়াছিলেন; দিয়াছে
        ("াইতেছ", "াচ্ছ", "াচ্ছ"),  # চালাইতেছে; পাইতেছে
        ("ইতেছ", "চ্ছ", "চ্ছ"),  # হইতেছে
        ("িতেছ", "ছ", "িচ্ছ"),  # করিতেছে; দিতেছে
    )
    for tail in _PERSON_TAILS
) + (("াইবেন", "াবেন", "াবেন"), ("াইবে", "াবে", "াবে"), ("ইবেন", "বেন", "বেন"),
     ("ইবে", "বে", "বে"), ("িবেন", "বেন", None), ("িবে", "বে", None))
# (not -িবার: কোটিবার is "crore times")


# Sadhu pronouns and question words in their spoken forms: "কাহারা" asks who as "কারা" does.
_SADHU_PRONOUNS = {
    "কাহারা": "কারা", "কাহার": "কার", "কাহাকে": "কাকে", "কাহাদের": "কাদের", "তাহারা": "তারা",
    "তাহার": "তার", "তাহাকে": "তাকে", "তাহাদের": "তাদের", "যাহা": "যা", "যাহার": "যার",
    "ইহার": "এর", "উহার": "ওর", "ইহাদের": "এদের", "উহাদের": "ওদের",
    # ...and Dhaka and eastern speech's "who": "কেডা কেডা ইউজ করে?"
    "কেডা": "কে", "কেডায়": "কে", "কেঠা": "কে", "keda": "ke", "kedaye": "ke",
}


@lru_cache(maxsize=16384)
def chalit_word(word: str) -> str:
    """A sadhu verb form or pronoun of one cleaned word in its spoken form; other words as
    they are."""
    if word in _SADHU_PRONOUNS:
        return _SADHU_PRONOUNS[word]
    for sadhu, chalit, after_one_letter in _SADHU_ENDINGS:
        if word.endswith(sadhu):
            root = word[: -len(sadhu)]
            if len(root) > 1:
                return root + chalit
            return word if after_one_letter is None else root + after_one_letter
    return word


# The progressive of Dhaka and rural speech in the spoken standard's form: দেখতেছে,
# করতাছে, চলতেসে are দেখছে, করছে, চলছে; after a vowel sign the standard doubles চ
# (বানাতেছে is বানাচ্ছে). Not a sadhu form: `in_sadhu` must not call these formal.
_PROGRESSIVE = re.compile(r"(?:(?<=[\u0995-\u09b9\u09ce\u09dc-\u09df\u09be-\u09cc])|(?<=াই))"
                          r"ত(?:েছ|াছ|েস|াস)(?=(?:ে|েন|ি|িস|ো|িলাম|িল|িলে|িলেন)$)")
_VOWEL_SIGN = re.compile(r"[\u09be-\u09cc]$")


@lru_cache(maxsize=16384)
def spoken_word(word: str) -> str:
    """One cleaned word with a dialect's progressive ending in the spoken standard's form;
    other words as they are."""
    found = _PROGRESSIVE.search(word)
    if found is None or found.start() < 2:
        return word
    root = word[: found.start()]
    if root.endswith("াই"):  # চালাইতাছে: the sadhu stem, spoken as চালাচ্ছে
        root = root[:-1]
    return root + ("চ্ছ" if _VOWEL_SIGN.search(root) else "ছ") + word[found.end():]


# Words only sadhu bhasha uses, beside its verbs and the pronouns it has a spoken form for
# (`chalit_word`): pronouns and the set phrases of a formal request ("জানাইলে বাধিত হইব").
_SADHU_WORDS = frozenset(
    "তাহা ইহা উহা তাঁহার তাঁহাদের হইতে হইলে হইব করিব থাকিব বলিয়া করিয়া হইয়া জানাইলে করিলে অনুগ্রহপূর্বক বাধিত "
    "কৃতজ্ঞ কৃতার্থ নিমিত্ত নিমিত্তে সহিত".split())


# Words of the formal register in spoken (chalit) Bengali too: "আলোকপাত করুন", "অদ্যাবধি".
_FORMAL_WORDS = frozenset(
    "আলোকপাত অবহিত বিবৃত উল্লিখিত প্রদান পরিলক্ষিত প্রতীয়মান বস্তুত প্রকৃতপক্ষে প্রেক্ষাপটে "
    "সংক্রান্ত উদ্দেশে কর্তৃক মর্মে সংক্ষিপ্ত অদ্যাবধি বিষয়ক অভিপ্রায় সম্পর্কিত উদ্ভূত "
    "প্রসঙ্গে অনুমিত বিবেচ্য লিখুন ব্যতিরেকে সামগ্রিকভাবে স্বরূপ আলোকে দৃষ্টান্ত প্রদত্ত কতিপয় স্বীয় "
    "বিশদ উপস্থাপন কীরূপে কীরূপ পশ্চাতে অধিকতর অন্যতম উত্থাপিত সংশ্লিষ্ট পরিপ্রেক্ষিতে তাৎপর্য "
    "নিরূপণ বিশ্লেষণ".split())


# Learned (tatsama) word endings of the formal register: "-সমূহ" plurals, "গুরুত্ব",
# "প্রক্রিয়াকরণ", "পরীক্ষামূলক", "বুদ্ধিমত্তা", "সক্ষমতা"; not "-তা" alone ("কলকাতা").
_FORMAL_ENDINGS = ("সমূহ", "সমূহের", "সমূহে", "ত্ব", "ত্বের", "করণ", "মূলক", "শীল", "প্রসূত",
                   "ভিত্তিক", "মত্তা", "মত্তার", "মত্তায়", "ক্ষমতা", "ক্ষমতার", "প্রবণতা")
_FORMAL_ENDING_WORD = 6  # letters and signs: a short word ending so is an everyday one


def in_sadhu(cleaned: str) -> bool:
    """Whether a cleaned text is written in sadhu bhasha (one of its verbs or words)."""
    return any(w in _SADHU_WORDS or chalit_word(w) != w for w in cleaned.split())


def formal(cleaned: str) -> bool:
    """Whether a cleaned text is formal Bengali: sadhu, a word of the formal register, or a
    formal plural ("মডেলসমূহ")."""
    return in_sadhu(cleaned) or any(
        w in _FORMAL_WORDS or (len(w) >= _FORMAL_ENDING_WORD and w.endswith(_FORMAL_ENDINGS))
        for w in cleaned.split())


@dataclass(frozen=True)
class Key:
    """The matching keys of one text."""

    cleaned: str
    folded: str
    skeleton: tuple[str, ...]  # one entry per word, in order
    surface: tuple[str, ...]  # the folded word behind each skeleton entry
    phonetic: tuple[str, ...]  # the same word in Latin letters with its vowels
    stems: tuple[str, ...]  # the skeleton of the word without its case ending

    @property
    def is_empty(self) -> bool:
        return not self.cleaned


# Begins the key of an English grammar word; no skeleton begins with it.
ENGLISH_MARK = "="


def phrases(text: str) -> frozenset[str]:
    """Each "|"-separated phrase as cleaned, and as spelling-folded the way keys hold its
    words: a set a message's cleaned text, or a key's words, can be looked up in."""
    cleaned = {clean(p) for p in text.split("|")}
    return frozenset(cleaned | {" ".join(map(surface_word, p.split())) for p in cleaned})


@lru_cache(maxsize=16384)
def surface_word(word: str) -> str:
    """The spelling-folded form of one cleaned word, used to recognise function words."""
    return fold_word(word) if _BENGALI.search(word) else word


def make_key(text: str, rewrite: Callable[[list[str]], list[str]] | None = None,
             split: Callable[[str], tuple[str, ...]] | None = None) -> Key:
    """Compute every matching key of `text` in one pass.

    `split` cuts a cleaned word into the words it joins (a matcher's formal compounds);
    `rewrite` then maps the words (the knowledge base's synonym groups).
    """
    cleaned = clean(text)
    # No word is longer: a "word" of thousands of letters is junk, and each form of it would
    # sit in the per-word caches below.
    words = [w[:MAX_WORD] for w in cleaned.split()]
    if split is not None:
        words = [part for word in words for part in split(word)]
    words = [spoken_word(chalit_word(w)) for w in words]
    if rewrite is not None:
        words = rewrite(words)
    folded = " ".join(fold_word(w) for w in words)
    kept = [w for w in words if skeleton_word(w)]
    skeletons = tuple(_word_skeleton(w) for w in kept)
    return Key(
        cleaned=cleaned,
        folded=folded,
        skeleton=skeletons,
        surface=tuple(surface_word(w) for w in kept),
        phonetic=tuple(phonetic_word(w) for w in kept),
        stems=tuple(s if s.startswith(ENGLISH_MARK) else skeleton_word(stem_word(w))
                    for s, w in zip(skeletons, kept, strict=True)),
    )


def _word_skeleton(word: str) -> str:
    """An English grammar word keyed as itself: its consonants spell Bengali words by
    coincidence ("can" and কোন are both "kn", "does" and দেশ "ds")."""
    if word in ENGLISH_FUNCTION_WORDS:
        return ENGLISH_MARK + word
    return skeleton_word(word)


def normalize_for_log(text: str) -> str:
    """The form a question is logged and grouped under: cleaned, at most 200 characters."""
    return log_form(clean(text))


def log_form(cleaned: str) -> str:
    """`normalize_for_log` of text already cleaned (a matching key's `cleaned`)."""
    return cleaned[:200]
