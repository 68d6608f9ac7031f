"""Check text written by admins as Telegram HTML before the bot sends it.

Telegram refuses a whole message whose HTML it cannot parse: a stray `<`, an unknown tag or
one left open would turn the welcome into an error on every /start. Only the tags Telegram
knows, balanced, and `&` only as an entity.
"""

from __future__ import annotations

import re

# Telegram's tags (https://core.telegram.org/bots/api#html-style); only `a` takes an attribute.
TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre",
                  "blockquote", "tg-spoiler", "a"})
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)((?:\s+[a-z]+=\"[^\"<>]*\")*)\s*>")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#[0-9]+|#x[0-9a-fA-F]+);")


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse `text` as HTML, or None when it reads it."""
    open_tags: list[str] = []
    position = 0
    for tag in _TAG.finditer(text):
        if problem := _plain_problem(text[position : tag.start()]):
            return problem
        position = tag.end()
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name not in TAGS:
            return f"<{name}> is not a tag Telegram knows (use {', '.join(sorted(TAGS))})"
        if closing:
            if not open_tags or open_tags[-1] != name:
                return f"</{name}> closes no open <{name}>"
            open_tags.pop()
        elif attributes and name != "a":
            return f"<{name}> takes no attributes"
        elif name == "a" and 'href="' not in attributes:
            return '<a> needs href="..."'
        else:
            open_tags.append(name)
    if problem := _plain_problem(text[position:]):
        return problem
    if open_tags:
        return f"<{open_tags[-1]}> is never closed"
    return None


def _plain_problem(text: str) -> str | None:
    if "<" in text or ">" in text:
        return "a < or > that is not part of a tag (write &lt; or &gt;)"
    if "&" in _ENTITY.sub("", text):
        return "an & that is not an entity (write &amp;)"
    return None
