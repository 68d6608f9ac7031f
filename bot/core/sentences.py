"""Split Bengali and English text into sentences, as slices of the text itself.

A citation quotes one sentence character for character, so a sentence is never rebuilt:
it is `text[start:end]`. A sentence ends at `।` (or `॥`, or `৷` typed for it), and at `?`,
`!` or `.` followed by a space or the end of the line, after any closing quotes or
brackets. It does not end inside a quotation or brackets (a quoted speech with several
sentences stays one sentence with its attribution), after an abbreviation (ড., মো., Dr.,
U.S., e.g.) or an initial (এ. কে. ফজলুল হক), or in a number (৩.৫). No sentence crosses a
line break: an article keeps one paragraph per line.
"""

from __future__ import annotations

import re
import unicodedata

_DANDA = "।॥৷"  # always a sentence end, even with no space after it
_ENDS = _DANDA + "?!."
_PAIRS = {"“": "”", "‘": "’", "(": ")", "[": "]", '"': '"', "'": "'"}
_CLOSERS = frozenset(_PAIRS.values())
# Compared in lower case, with their final dot. Single letters are initials anyway.
ABBREVIATIONS = frozenset(
    """
    ড. ডা. মি. মো. মোহা. মু. মুহা. মোসা. সা. রা. খ্রি. খ্রিঃ. পৃ. বি.দ্র. কি.মি. সে.মি. মি.মি.
    কি.গ্রা. প্রফে. অধ্যা. অধ্যাপক. সং. নং.
    dr. mr. mrs. ms. prof. st. jr. sr. vs. e.g. i.e. u.s. u.k. u.n. inc. ltd. co. corp. no.
    fig. approx. jan. feb. mar. apr. aug. sep. sept. oct. nov. dec. mt. ft. gen. gov. rev.
    """.split()
)
_SHORT_WORDS = frozenset("না নি কি কী ও যা তা সে দে নে গে হ্যাঁ".split())
_WORD_BEFORE = re.compile(r"[^\s“‘(\[\"']+$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every sentence of `text`, in order, without surrounding spaces."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        for start, end in _line_spans(body, quotes=True):
            spans.append((offset + start, offset + end))
        offset += len(line)
    return spans


def split_sentences(text: str) -> list[str]:
    """Every sentence of `text`, each exactly as it stands in it."""
    return [text[start:end] for start, end in sentence_spans(text)]


def _line_spans(line: str, quotes: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    open_marks: list[str] = []  # the closing marks awaited, innermost last
    start: int | None = None
    i = 0
    while i < len(line):
        char = line[i]
        if start is None:
            if char.isspace():
                i += 1
                continue
            start = i
        if quotes and (char in _PAIRS or char in _CLOSERS):
            _quote_mark(line, i, open_marks)
        elif char in _ENDS and _ends_here(line, i):
            j = i + 1
            while j < len(line) and line[j] in _ENDS:
                j += 1
            while j < len(line) and line[j] in _CLOSERS:
                if quotes:
                    _quote_mark(line, j, open_marks)
                j += 1
            after_ok = j == len(line) or line[j].isspace() or char in _DANDA
            if after_ok and not open_marks:
                spans.append((start, j))
                start = None
                i = j
                continue
            i = j
            continue
        i += 1
    if start is not None:
        end = len(line.rstrip())
        if open_marks:
            # A quotation left open would swallow the rest of the paragraph: the rest is
            # split as if it had no quotation marks at all.
            rest = _line_spans(line[start:end], quotes=False)
            spans.extend((start + a, start + b) for a, b in rest)
        elif end > start:
            spans.append((start, end))
    return spans



def _quote_mark(line: str, i: int, open_marks: list[str]) -> None:
    """Open or close a quotation or bracket at `line[i]`; apostrophes are neither."""
    char = line[i]
    before = line[i - 1] if i > 0 else " "
    after = line[i + 1] if i + 1 < len(line) else " "
    if char in ("'", "’") and before.isalnum() and after.isalnum():
        return  # Meta's, don't, মেটা'র
    if open_marks and open_marks[-1] == char:
        open_marks.pop()
        return
    if char in _PAIRS and char not in ("”", "’") and not after.isspace():
        opening_place = before.isspace() or before in _PAIRS or not before.isalnum()
        if char not in ("'", '"') or opening_place:
            open_marks.append(_PAIRS[char])
    # Anything else is a closing mark nobody opened (users' data): ignored.


def _ends_here(line: str, i: int) -> bool:
    """Whether the mark at `line[i]` may end a sentence (a dot is often something else)."""
    if line[i] != ".":
        return True
    after = line[i + 1] if i + 1 < len(line) else " "
    if after == "." or (i > 0 and line[i - 1] == "."):
        return False  # an ellipsis: the sentence goes on
    if after.isdigit():
        return False  # ৩.৫, 2.0
    word = _WORD_BEFORE.search(line, 0, i)
    if word is None:
        return True
    token = word.group()
    if (token + ".").lower() in ABBREVIATIONS or _is_initial(token):
        return False
    return True


def _is_initial(token: str) -> bool:
    """One letter, with its vowel signs (এ, কে, J): the initial of a name.

    Not the one-letter words a Bengali sentence typed with a full stop may end with.
    """
    if token in _SHORT_WORDS:
        return False
    if len(token) == 1:
        return token.isalpha() and (token.isupper() or not token.isascii())
    base, marks = token[0], token[1:]
    return (
        not base.isascii()
        and base.isalpha()
        and all(unicodedata.category(m) in ("Mn", "Mc") for m in marks)
    )
