"""Draft a new source from an article's text, for `llamabot kb import`.

An admin adds an article by finishing a draft instead of typing YAML from scratch. The
article's headline and section headings are found; each paragraph (or each claim
sentence) becomes a fact that already quotes one sentence verbatim under the heading it
stands under, with a topic per section and seed example questions made from the
sentence's own key terms, in Bengali and romanized. Only the answer is left, as `TODO`,
which `kb validate` refuses: a draft is never served by accident.

Pure: text in, text out. `bot/kbimport.py` reads the article and writes the files.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from anyascii import anyascii

from bot.core.function_words import FUNCTION_WORDS
from bot.core.knowledge import Topic
from bot.core.normalize import clean, fold_word, stem_word, surface_word
from bot.core.sentences import sentence_spans
from bot.core.validate import DRAFT_ANSWER

Each = Literal["paragraph", "sentence"]

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")  # it names files, so no '/' or '.'
ID_SHOWN = 70  # characters of a refused id told back
MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 100
MAX_TITLE_CHARS = 30  # a fact's title is a button label
TERMS_PER_FACT = 3
# A line ending in one of these (before closing quotes) is a sentence, not a heading.
_SENTENCE_END = "।॥৷.?!:;,…"
_CLOSING = "”’\"')]"
_LETTERS = r"\u0980-\u09e3\u09e6-\u09efA-Za-z0-9\u200c\u200d"
_TOKEN = re.compile(rf"[{_LETTERS}]+(?:['’-][{_LETTERS}]+)*")
_BENGALI = re.compile(r"[\u0980-\u09ff]")
_DIGITS = re.compile(r"^[0-9\u09e6-\u09ef]+$")
# A case ending written after a hyphen or an apostrophe: AI-এর, Meta's.
_JOINED_ENDING = re.compile(r"['’-](?:এর|র|কে|তে|এ|ে|য়|রা|দের|s)$")
# Finite verbs say what happened, not what it is about: they make poor question terms.
_VERB_ENDINGS = ("েছে", "েছেন", "েছিল", "েছিলেন", "চ্ছে", "চ্ছেন", "চ্ছিল", "ছিল", "ছিলেন",
                 "বেন", "লেন", "য়েছে", "য়েছেন", "িয়ে")
# Case endings stripped from a term shown in a question (লামার -> লামা), longest first:
# plural markers always, the others only when the article itself uses the word without
# them (ব্যবহার keeps its র and মেটা its টা, but মেটার is মেটা).
_PLURAL_ENDINGS = ("গুলোর", "গুলোতে", "গুলো", "গুলির", "গুলিতে", "গুলি", "গুলা", "দের")
_CASE_ENDINGS = ("টির", "টার", "য়ের", "ের", "টি", "টা", "কে", "তে", "য়", "র", "ে", "এ")
# Words that are not grammar, so the matcher weighs them, but say nothing a question would
# be about: adverbs of time and manner, quantities, reporting verbs.
_WEAK_WORDS = """
হিসাবে হিসেবে বর্তমানে ছাড়া ছাড়াও মাধ্যমে কারণে বিভিন্ন প্রায় মোট নতুন বড় ছোট প্রথম দ্বিতীয়
শেষ সহ যেমন অনুযায়ী অনুসারে বলেন জানান বলেছেন জানিয়েছেন উল্লেখ্য ইতিমধ্যে ইতোমধ্যে সম্প্রতি
গত আগামী চলতি বছর বছরের সালে সাল দিন মাস সপ্তাহ এখনই তখন যখন যেখানে পাশাপাশি বিশেষ
ঘিরে বিশেষত প্রধানত মূলত সাধারণত অবশ্য অবশেষে ফলে ফলে এছাড়া এছাড়াও তবুও যদিও কারণ প্রতিটি
সকল সমস্ত অন্য অন্যান্য নিজস্ব নিজের একই বেশ প্রতিবেদন প্রতিবেদনে প্রতিবেদনের তা দিকে
জানায় জানানো জানানোর বলছে বলেছে বলেছেন দাবি শুনে দেখে জেনে পেয়ে রেখে এসে গিয়ে হয়ে
একজন কয়েক কয়েকটি কয়েকজন বেশির ভাগ
"""
# Numbers in words count as numbers: asked with "কত?", never as a question's subject.
# (Not এক and নয়, which are mostly "a" and "is not".)
_NUMBER_WORDS = frozenset("""
দুই তিন চার পাঁচ ছয় সাত আট দশ বিশ ত্রিশ চল্লিশ পঞ্চাশ একশ শত শো হাজার লাখ লক্ষ কোটি
অর্ধেক দ্বিগুণ শতাংশ শতকরা million billion thousand hundred percent
""".split())
_COUNTERS = ("জন", "টি", "টা", "ের", "র", "ে", "এ")
_CONSONANTS = re.compile(r"[\u0995-\u09b9\u09dc-\u09df]")
_YA_PHALA = "\u09cd\u09af"
_NASALS = frozenset("ংঃ")  # said after a vowel: সংখ্যা is songkhya
# Where anyascii's letters are not what people type: ড় is r, ং is ng, চ is ch. The
# matcher's skeleton comes out the same, so a romanized seed matches its Bengali word.
_ROMAN = {"অ": "o", "চ": "ch", "ছ": "ch", "শ": "sh", "ষ": "sh", "ং": "ng", "ঃ": "h", "ঁ": "",
          "ৃ": "ri", "ঋ": "ri", "ৎ": "t", "ৈ": "oi", "ঐ": "oi", "ৌ": "ou", "ঔ": "ou", "্": "",
          "\u200c": "", "\u200d": ""}
_NUKTA = {"\u09a1\u09bc": "r", "\u09a2\u09bc": "rh", "\u09af\u09bc": "y"}  # ড় ঢ় য়


class ArticleError(ValueError):
    """The article cannot be drafted; the message says why, for an admin."""


@dataclass(frozen=True)
class DraftFact:
    id: str
    topic: str
    title: str
    questions: tuple[str, ...]
    section: str  # the heading the quote stands under (the source title before the first)
    quote: str  # one sentence, exactly as it stands in the article
    others: tuple[str, ...]  # the paragraph's other sentences, which could be quoted instead


@dataclass(frozen=True)
class Draft:
    source_id: str
    title: str
    file: str  # the article's copy, relative to the knowledge folder
    text: str  # the article as copied: NFC, one paragraph per line
    sections: tuple[str, ...]
    topics: tuple[Topic, ...]
    facts: tuple[DraftFact, ...]

    def yaml(self) -> str:
        """The draft as a knowledge file: the source entry, its topics and draft facts."""
        return render_draft(self)


@dataclass(frozen=True)
class _Term:
    shown: str  # as the question writes it
    key: str  # as the matcher reads it, inflection stripped: one key per word
    index: int  # which word of the sentence it is


@dataclass(frozen=True)
class _Unit:
    """What one fact is drafted from: a sentence and where it stands."""

    section: str
    quote: str
    others: tuple[str, ...]
    paragraph: int


def normalize_article(raw: str) -> str:
    """The text as the knowledge folder keeps it: NFC, no BOM, trimmed lines, `\\n` ends.

    Headings are checked as whole lines and quotes as substrings, so spaces around a line
    or Windows line ends would make an exact heading fail; nothing inside a line changes.
    """
    text = unicodedata.normalize("NFC", raw.removeprefix("\ufeff"))
    lines = [line.strip() for line in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept) + "\n" if kept else ""


def is_heading_like(line: str) -> bool:
    """A short line with a letter and no sentence-ending punctuation."""
    words = line.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(line) > MAX_HEADING_CHARS:
        return False
    if not any(ch.isalpha() for ch in line):
        return False
    return not line.rstrip(_CLOSING).endswith(tuple(_SENTENCE_END))


def draft_article(
    raw: str, source_id: str, title: str | None = None, each: Each = "paragraph"
) -> Draft:
    """Draft the source entry and one fact per paragraph (or claim sentence) of `raw`."""
    if not SOURCE_ID.match(source_id):
        # Its start only: an id of any length is told back in one line.
        shown = source_id if len(source_id) <= ID_SHOWN else f"{source_id[:ID_SHOWN]}…"
        raise ArticleError(
            f"the source id {shown!r} must be lowercase letters, digits, '-' and '_'"
            " (at most 60; it names the files)"
        )
    text = normalize_article(raw)
    lines = text.split("\n")[:-1] if text else []
    filled = [i for i, line in enumerate(lines) if line]
    if not any(any(ch.isalpha() for ch in lines[i]) for i in filled):
        raise ArticleError("the article has no text")
    title = " ".join(title.split()) if title else None
    first = lines[filled[0]]
    headline = first if len(filled) > 1 and is_heading_like(first) else None
    if title is None:
        if headline is None:
            raise ArticleError(
                "its first line is not a headline (a short line without a full stop):"
                " give the title with --title"
            )
        title = headline
    body = filled[1:] if headline is not None else filled
    # A heading is a heading-like line with text after it; the last line is text.
    sections = _unique(
        lines[i] for i in body[:-1] if is_heading_like(lines[i]) and lines[i] != title
    )
    units = _units(text, lines, headline, title, set(sections), each)
    if not units:
        raise ArticleError("the article has no sentence to quote")
    slug = _slug(source_id)
    topic_of: dict[str, Topic] = {}
    for unit in units:
        if unit.section not in topic_of:
            topic_of[unit.section] = Topic(f"{slug}_part{len(topic_of) + 1}", unit.section)
    facts = _facts(text, units, slug, topic_of)
    return Draft(
        source_id=source_id,
        title=title,
        file=f"sources/{source_id}.bn.txt",
        text=text,
        sections=tuple(sections),
        topics=tuple(topic_of.values()),
        facts=facts,
    )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _slug(source_id: str) -> str:
    """The source id as the start of snake_case fact and topic ids."""
    slug = re.sub(r"[^a-z0-9]+", "_", source_id).strip("_") or "article"
    return slug if slug[0].isalpha() else f"article_{slug}"


def _units(
    text: str, lines: Sequence[str], headline: str | None, title: str, headings: set[str],
    each: Each,
) -> list[_Unit]:
    """The sentences to draft facts from, each under its section as the validator finds it."""
    units: list[_Unit] = []
    section = title
    offset = 0
    for number, line in enumerate(lines):
        start = offset
        offset += len(line) + 1
        if line in headings:  # as the validator reads sections: the last heading line above
            section = line
            continue
        if not line:
            continue
        if line == headline and start == 0:
            # A headline is a sentence without a full stop; a fact only if it says something.
            spans = [(0, len(line))] if _is_claim(line) else []
        else:
            spans = [(start + a, start + b) for a, b in sentence_spans(line)]
        # Only a sentence found first where it stands is a quote the validator places here.
        sentences = [text[a:b] for a, b in spans if text.find(text[a:b]) == a]
        quotable = [s for s in sentences if len(s.split()) >= 2]
        claims = [s for s in quotable if _is_claim(s)]
        if each == "sentence":
            units.extend(_Unit(section, s, (), number) for s in claims)
            continue
        if chosen := (claims or quotable)[:1]:
            others = tuple(s for s in sentences if s != chosen[0])
            units.append(_Unit(section, chosen[0], others, number))
    return units


def _is_claim(sentence: str) -> bool:
    """A statement of at least three words: what a fact can rest on (not a question)."""
    return len(sentence.split()) >= 3 and not sentence.rstrip(_CLOSING).endswith("?")


def _facts(
    text: str, units: Sequence[_Unit], slug: str, topic_of: dict[str, Topic]
) -> tuple[DraftFact, ...]:
    stop = frozenset(surface_word(clean(w)) for w in (*FUNCTION_WORDS, *_WEAK_WORDS.split()))
    vocabulary = frozenset(clean(token) for token in _TOKEN.findall(text))
    terms = [_terms(unit.quote, stop, vocabulary) for unit in units]
    # How many paragraphs use each key: the rarer a term, the better it tells facts apart.
    spread: Counter[str] = Counter()
    seen: set[tuple[int, str]] = set()
    for unit, found in zip(units, terms, strict=True):
        for term in found:
            if (unit.paragraph, term.key) not in seen:
                seen.add((unit.paragraph, term.key))
                spread[term.key] += 1
    width = max(2, len(str(len(units))))
    used: set[str] = set()
    facts = []
    for number, (unit, found) in enumerate(zip(units, terms, strict=True), 1):
        best = sorted(found, key=lambda t: (spread[t.key], t.index))[:TERMS_PER_FACT]
        chosen = [t.shown for t in sorted(best, key=lambda t: t.index)]
        main = _noun_phrase(best[0], found) if best else ""
        questions = seed_questions(chosen, main, _has_number(unit.quote))
        fresh = []
        for question in questions:
            if clean(question) not in used:
                used.add(clean(question))
                fresh.append(question)
        if not fresh:  # every seed is another fact's: the sentence itself, as people read it
            fresh.append(unit.quote.rstrip(_SENTENCE_END + _CLOSING + " "))
        facts.append(
            DraftFact(
                id=f"{slug}_{number:0{width}d}",
                topic=topic_of[unit.section].id,
                title=_title(chosen, unit.quote),
                questions=tuple(fresh),
                section=unit.section,
                quote=unit.quote,
                others=unit.others,
            )
        )
    return tuple(facts)


def _terms(sentence: str, stop: frozenset[str], vocabulary: frozenset[str]) -> list[_Term]:
    """The sentence's content words, once each, in order: no grammar, verbs or numbers."""
    found: dict[str, _Term] = {}
    for index, match in enumerate(_TOKEN.finditer(sentence)):
        token = _JOINED_ENDING.sub("", match.group())
        cleaned = clean(token)
        words = cleaned.split()
        if not words or _DIGITS.match(token) or len(cleaned) < 2 or _is_number_word(cleaned):
            continue
        if all(surface_word(w) in stop or surface_word(stem_word(w)) in stop for w in words):
            continue
        if _BENGALI.search(token) and token.endswith(_VERB_ENDINGS):
            continue
        shown = _shown(token, vocabulary)
        key = " ".join(fold_word(stem_word(w)) for w in clean(shown).split())
        if key and key not in found:
            found[key] = _Term(shown, key, index)
    return list(found.values())


def _noun_phrase(term: _Term, terms: Sequence[_Term]) -> str:
    """`term` with the content words right after it: a Bengali noun phrase ends with its
    noun (মূল প্রযুক্তি, বৃহৎ ভাষা মডেল), so "<phrase> কী?" asks about a thing."""
    at = {t.index: t for t in terms}
    words = [term.shown]
    while len(words) < TERMS_PER_FACT and term.index + len(words) in at:
        words.append(at[term.index + len(words)].shown)
    return " ".join(words)


def _shown(token: str, vocabulary: frozenset[str]) -> str:
    """A term as a question writes it: without its case ending when that is safe."""
    if not _BENGALI.search(token):
        return token
    for ending in _PLURAL_ENDINGS:
        if token.endswith(ending) and len(token) > len(ending) + 1:
            return token[: -len(ending)]
    for ending in _CASE_ENDINGS:
        stem = token[: -len(ending)]
        if token.endswith(ending) and len(stem) >= 2 and clean(stem) in vocabulary:
            return stem
    return token


def _has_number(sentence: str) -> bool:
    """Digits or a number word: the sentence can answer "how much?"."""
    return any(ch.isdigit() for ch in sentence) or any(
        _is_number_word(clean(word)) for word in _TOKEN.findall(sentence)
    )


def _is_number_word(cleaned: str) -> bool:
    """পাঁচ, and counted or inflected: পাঁচজন, লাখে, হাজারের."""
    if cleaned in _NUMBER_WORDS:
        return True
    return any(cleaned.endswith(e) and cleaned[: -len(e)] in _NUMBER_WORDS for e in _COUNTERS)


def seed_questions(terms: Sequence[str], main: str, number: bool) -> list[str]:
    """Example questions from a sentence's key terms (in sentence order), Bengali first.

    `main` is the term that tells this sentence from the others best.
    """
    if not terms:
        return []
    phrase = " ".join(terms[:2])
    whole = " ".join(terms)
    roman_main = " ".join(romanize(w) for w in main.split())
    roman_phrase = " ".join(romanize(w) for w in phrase.split())
    roman_whole = " ".join(romanize(w) for w in whole.split())
    questions = [
        f"{main} কী?",
        f"{phrase} নিয়ে প্রতিবেদনে কী বলা হয়েছে?",
        f"{whole} সম্পর্কে কী জানা যায়?",
        f"{roman_main} ki?",
        f"{roman_phrase} niye ki bola hoyeche?",
        f"{roman_whole} somporke ki jana jay?",
    ]
    if number:
        questions[3:3] = [f"{phrase} কত?"]
        questions.append(f"{roman_phrase} koto?")
    return _unique(questions)


def romanize(word: str) -> str:
    """A Bengali word in the Latin letters people type (মডেল -> model, ঢাকা -> dhaka).

    anyascii's letters, a few written as people type them (ড় is r, ং is ng, চ is ch), and
    the inherent vowel `o` after a consonant followed by another consonant or ং, except
    between two written vowels (ডাউনলোড is daunlod) and at the end of the word. The
    matcher's skeleton drops vowels, so the seed still meets its Bengali word. Other
    scripts come out as anyascii writes them.
    """
    if not _BENGALI.search(word):
        return anyascii(word)
    word = unicodedata.normalize("NFC", word)
    if word[1:3] == _YA_PHALA:  # said এ after a first letter, as the matcher reads it: bebohar
        word = word[0] + "ে" + word[4:] if word[3:4] == "া" else word[0] + "ে" + word[3:]
    letters = _letters(word)
    kinds = [kind for _, kind in letters] + ["end", "end"]
    out: list[str] = []
    for k, (latin, kind) in enumerate(letters):
        out.append(latin)
        if kind != "consonant" or kinds[k + 1] not in ("consonant", "nasal"):
            continue
        between_vowels = k > 0 and kinds[k - 1] in ("vowel", "sign") and kinds[k + 2] == "sign"
        # Not before h, which would read as bh, kh...: ব্যবহার is bebohar.
        if not (between_vowels and kinds[k + 1] == "consonant" and letters[k + 1][0] != "h"):
            out.append("o")
    return "".join(out).lower().replace("'", "")


def _letters(word: str) -> list[tuple[str, str]]:
    """Each letter of a Bengali word in Latin letters, with its kind."""
    letters: list[tuple[str, str]] = []
    i = 0
    while i < len(word):
        char, pair = word[i], word[i : i + 2]
        if pair in _NUKTA:  # ড় and য় are a letter and a nukta once in NFC
            letters.append((_NUKTA[pair], "consonant"))
            i += 2
            continue
        if _CONSONANTS.match(char):
            kind = "consonant"
        elif "\u0985" <= char <= "\u0994":
            kind = "vowel"
        elif "\u09be" <= char <= "\u09cc" or char == "\u09d7":
            kind = "sign"
        else:
            kind = "nasal" if char in _NASALS else "other"
        latin = _ROMAN.get(char, anyascii(char))
        if char == "য" and word[i - 1 : i] != "\u09cd":
            latin = "j"  # যদি is jodi; only a ya-phala (্য) is y
        letters.append((latin, kind))
        i += 1
    return letters


def _title(terms: Sequence[str], quote: str) -> str:
    """A button label: the key terms, or the quote's first words, within 30 characters."""
    words = list(terms) or quote.rstrip(_SENTENCE_END + _CLOSING).split()
    title = ""
    for word in words:
        longer = f"{title} {word}".strip()
        if len(longer) > MAX_TITLE_CHARS:
            break
        title = longer
    return title or words[0][:MAX_TITLE_CHARS]


def render_draft(draft: Draft) -> str:
    """The draft knowledge file, commented for the admin who finishes it."""
    lines = [
        f"# Draft of source {draft.source_id!r}, made by `llamabot kb import` from the article"
        f" {draft.file}.",
        "# Finish every fact before the bot can serve this folder (`kb validate` refuses",
        f"# `answer: {DRAFT_ANSWER}`): write the answer in your own words (2-4 Bengali sentences),",
        "# check the title and topic, add example questions (Bengali, romanized, English) and",
        "# `entities:` for its subjects (entities.yaml); delete facts nobody would ask about.",
        "# Quotes and sections are already checked; another sentence of the paragraph (listed",
        "# under each fact) may be quoted instead, copied exactly.",
        "version: 1",
        "",
        "sources:",
        f"  - id: {_quoted(draft.source_id)}",
        f"    title: {_quoted(draft.title)}",
        f"    file: {_quoted(draft.file)}",
        "    language: bn",
    ]
    if draft.sections:
        lines.append("    sections:")
        lines.extend(f"      - {_quoted(heading)}" for heading in draft.sections)
    else:
        lines.append("    sections: []")
    lines += ["", "topics:"]
    for topic in draft.topics:
        lines += [f"  - id: {topic.id}", f"    title: {_quoted(topic.title)}"]
    lines += ["", "facts:"]
    for fact in draft.facts:
        lines += [
            f"  - id: {fact.id}",
            f"    topic: {fact.topic}",
            f"    title: {_quoted(fact.title)}",
            f"    answer: {_quoted(DRAFT_ANSWER)}",
            "    questions:",
            *(f"      - {_quoted(q)}" for q in fact.questions),
            "    citation:",
            f"      source: {_quoted(draft.source_id)}",
            f"      section: {_quoted(fact.section)}",
            f"      quote: {_quoted(fact.quote)}",
        ]
        if fact.others:
            lines.append("    # the paragraph's other sentences:")
            lines.extend(f"    #   {_quoted(other)}" for other in fact.others)
        lines.append("")
    return "\n".join(lines)


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back exactly."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code <= 0x9F or char in "\u2028\u2029\ufeff\ufffe\uffff":
            out.append(f"\\u{code:04x}")  # line breaks and characters YAML does not print
        else:
            out.append(char)
    out.append('"')
    return "".join(out)
