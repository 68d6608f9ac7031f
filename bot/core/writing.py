"""Which writing systems the bot reads: Bengali and Latin (English, romanized Bengali).

A message written only in another script (Hindi, Arabic, Russian...) has nothing the
matcher can read; its sender is told which languages to use, not that it was empty.
"""

from __future__ import annotations

import unicodedata

# {subject} and {example} are the knowledge base's (bot.yaml; see bot.core.bot_texts).
OTHER_SCRIPT_TEXT = (
    "দুঃখিত, আমি শুধু বাংলা আর ইংরেজি (English) লেখা পড়তে পারি। {subject} নিয়ে আপনার প্রশ্নটি "
    "বাংলায় বা ইংরেজিতে লিখুন, যেমন: {example}"
)


def in_other_script(text: str) -> bool:
    """True if `text` has letters of a script other than Bengali and Latin."""
    return any(_other_letter(char) for char in text)


def _other_letter(char: str) -> bool:
    if not char.isalpha() or "\u0980" <= char <= "\u09ff":
        return False
    return "LATIN" not in unicodedata.name(char, "")  # also fullwidth Latin
