"""Turn answers into Telegram HTML: escaped text, a citation block, split under 4096 chars."""

from __future__ import annotations

import html
import unicodedata

from bot.core.answer import Answer, AnswerKind
from bot.core.knowledge import Citation
from bot.core.message_length import MAX_MESSAGE, tg_len
from bot.tg import texts

_MAX_QUOTE = 1000  # a citation longer than this is shortened, never split across messages
# Units a title (a fact's, an article's, a section's, a topic's) may take once escaped.
# Validation allows 200 characters; this holds whatever the knowledge holds, so that a
# title with a citation (two titles and a quote of at most 2,000) fits one message.
MAX_TITLE_SHOWN = 500
_MAX_QUOTE_SHOWN = 2000  # units of the escaped quote ("&" takes 5)
_BREAKS = ("\n\n", "\n", "। ", ". ", "? ", "! ", " ")


def escape(text: str) -> str:
    """Escape user or knowledge text for Telegram HTML (only &, < and > matter)."""
    return html.escape(text, quote=False)


def escape_within(text: str, limit: int) -> str:
    """`text` escaped for HTML, cut with "…" if its escaped form would take more than
    `limit` units (never inside an entity, nor between a letter and its vowel sign)."""
    escaped = escape(text)
    if tg_len(escaped) <= limit:
        return escaped
    return escape(text[:_fitting(text, limit - 1)]) + "…"


def title_html(title: str) -> str:
    """A title as shown (escaped, at most MAX_TITLE_SHOWN units), without its markup."""
    return escape_within(title, MAX_TITLE_SHOWN)


def citation_html(citation: Citation) -> str:
    """The source, the section and the quote: at most about 3,100 units, whatever they hold."""
    quote = citation.quote
    if len(quote) > _MAX_QUOTE:
        quote = quote[: _MAX_QUOTE - 1] + "…"
    head = texts.CITATION.format(title=title_html(citation.source_title),
                                 section=title_html(citation.shown_section))
    if citation.section == citation.source_title:  # the headline itself is quoted
        head = head.split("\n", 1)[0]
    return f"{head}\n<blockquote>{escape_within(quote, _MAX_QUOTE_SHOWN)}</blockquote>"


def render_answer(answer: Answer) -> list[str]:
    """The answer as one or more HTML messages; buttons belong on the last one."""
    parts = split_plain(answer.text, MAX_MESSAGE)
    if answer.kind is AnswerKind.FACT and answer.title is not None:
        parts.insert(0, f"<b>{title_html(answer.title)}</b>")
    chunks = join_chunks(parts, MAX_MESSAGE)
    if answer.citation is not None:
        chunks = append_block(chunks, citation_html(answer.citation))
    if answer.kind is AnswerKind.FACT and answer.suggestions:
        chunks = append_block(chunks, f"<i>{texts.RELATED}</i>")
    return chunks


def split_plain(text: str, limit: int) -> list[str]:
    """Split plain text into escaped HTML pieces of at most `limit` units each.

    Splits at paragraph, line, sentence, then word boundaries; a single overlong word is
    cut hard. Escaping happens per piece, so no entity (&amp;) is ever cut in half.
    """
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if tg_len(escape(rest)) <= limit:
            pieces.append(escape(rest))
            break
        cut = _cut_point(rest, limit)
        pieces.append(escape(rest[:cut].rstrip()))
        rest = rest[cut:].lstrip()
    return [p for p in pieces if p]


def _cut_point(text: str, limit: int) -> int:
    fits = _longest_prefix(text, limit)
    for separator in _BREAKS:
        at = text.rfind(separator, 0, fits)
        if at > fits // 2:  # only break early when it keeps chunks reasonably full
            return at + len(separator)
    return _unmarked(text, fits)


def _longest_prefix(text: str, limit: int) -> int:
    """The longest prefix whose escaped form fits (escaping grows & < > up to 5x); at
    least 1 character, so that splitting always moves on."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if tg_len(escape(text[:mid])) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def _unmarked(text: str, fits: int) -> int:
    """A hard cut at `fits`, moved back off a Bengali vowel sign or hasanta (a mark never
    stands without its letter)."""
    while 1 < fits < len(text) and unicodedata.category(text[fits]).startswith("M"):
        fits -= 1
    return fits


def _fitting(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` units once escaped (0 if none)."""
    if not text or tg_len(escape(text[:1])) > limit:
        return 0
    return _unmarked(text, _longest_prefix(text, limit))


def join_chunks(parts: list[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Pack HTML pieces (each already ≤ limit) into as few messages as possible."""
    chunks: list[str] = []
    for part in parts:
        if chunks and tg_len(chunks[-1] + separator + part) <= limit:
            chunks[-1] += separator + part
        else:
            chunks.append(part)
    return chunks or [""]


def append_block(chunks: list[str], block: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Add a block to the last message if it fits, else start a new message with it."""
    if chunks and chunks[-1] and tg_len(chunks[-1] + "\n\n" + block) <= limit:
        return chunks[:-1] + [chunks[-1] + "\n\n" + block]
    return [c for c in chunks if c] + [block]


def report_chunks(header: str, lines: list[str], limit: int = MAX_MESSAGE,
                  most: int | None = None) -> list[str]:
    """An HTML header followed by plain-text lines (escaped here), packed into messages;
    into at most `most` of them if given, the last saying how much was left out."""
    chunks = _packed(header, lines, limit)
    if most is None or len(chunks) <= most:
        return chunks
    # Packed again with room kept for the note, so the note fits after any cut.
    note = "… (cut here: the rest would take {} more messages)"
    room = tg_len(note) + 8
    chunks = _packed(header, lines, limit - room)
    return [*chunks[:most - 1], chunks[most - 1] + "\n" + note.format(len(chunks) - most)]


def _packed(header: str, lines: list[str], limit: int) -> list[str]:
    parts = [header]
    for line in lines:
        parts.extend(split_plain(line, limit))
    return join_chunks(parts, limit, separator="\n")
