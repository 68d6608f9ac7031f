"""Telegram's message length limit, counted the way Telegram counts: UTF-16 code units;
and whether a text shows anything at all.

An emoji outside the Basic Multilingual Plane is one code point (`len` 1) but two units
to Telegram: a check with `len` lets through a text that Telegram then refuses. Every
check against the limit goes through `tg_len`.
"""

from __future__ import annotations

import unicodedata

MAX_MESSAGE = 4096  # Telegram's limit for one message, in UTF-16 code units
# A callback query's answer (toast or alert): past it Telegram refuses the answer, and the
# tap ends in a generic apology instead of what the bot meant to say.
MAX_ALERT = 200


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    # surrogatepass: a lone surrogate (from undecodable input) counts 1 instead of raising.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` if it fits in `limit` units, else cut to fit with `ellipsis` at the end."""
    if tg_len(text) <= limit:
        return text
    budget, used = limit - tg_len(ellipsis), 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return text[:index] + ellipsis
    return text  # not reached: the whole text did not fit


def shorten_words(text: str, limit: int) -> str:
    """`text` if it fits in `limit` units, else cut after its last whole word that fits,
    with "…": a preview that ends mid-word reads as a typo."""
    cut = shorten(text, limit)
    if cut == text:
        return text
    head = cut[:-1]
    whole = head.rsplit(" ", 1)[0] if " " in head and not text[len(head)].isspace() else head
    return whole.rstrip(" ,;:।") + "…"


def visible(text: str) -> bool:
    """Whether `text` shows a character: not only spaces, controls and format characters
    such as the zero-width space (a message of those reads as empty)."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf") for c in text)


def control_character(text: str) -> int | None:
    """The index of the first control character in `text` other than a line break or a
    tab (a NUL, a terminal's escape), or None: no message should carry one."""
    return next((i for i, c in enumerate(text)
                 if unicodedata.category(c) == "Cc" and c not in "\n\r\t"), None)
