"""The bot's own voice: its name and every text that speaks of the article, as knowledge.

A knowledge folder says who the bot is in a `bot:` section (by convention its own file,
bot.yaml): its name, what users ask about, example questions, the welcome, help, fallback
and empty-message texts, the group greeting, the console banner, and the event that gets a
command and buttons of its own. Texts hold placeholders (`{topics}`) filled from the same
knowledge, so they stay true when topics or sources change. A folder without the section,
or a section leaving a text out, gets the generic texts below. Texts that say nothing of
the article (errors, admin messages, "I read text") stay with the adapters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.markup import html_problem
from bot.core.message_length import MAX_MESSAGE, tg_len

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# "/topics" in a text, not "https://x/y" or "@bot/…": commands users would tap.
_COMMAND_MENTION = re.compile(r"(?<![\w/:.@<])/([A-Za-z0-9_]+)")
COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")  # Telegram's rule for a command name
# The bot's own commands, and `back`, a menu code like an event's (`m:<command>`).
RESERVED_COMMANDS = frozenset({
    "start", "help", "topics", "source", "subscribe", "unsubscribe", "stats", "gaps",
    "reload", "rollback", "broadcast", "review", "stopall", "back",
})
MAX_NAME = 64  # the bot's name and subject are short words, said inside sentences
MAX_LABEL = 60  # a button label: Telegram shows about this much
MAX_DESCRIPTION = 256  # a command's description in the menu (Telegram's limit)
MAX_EXAMPLES = 5
MAX_USERNAME = 32  # Telegram usernames; texts with {username} must fit with the longest


@dataclass(frozen=True)
class TextSpec:
    """How one text is sent: as Telegram HTML or plain, and which placeholders it may use."""

    html: bool  # tags checked when loaded; placeholder values escaped when filled
    listed: bool  # {topics} and {sources} as bullet lines, not one comma-separated run
    placeholders: frozenset[str]


_COMMON = frozenset({"name", "subject", "example", "examples", "topics", "sources"})
SPECS: Mapping[str, TextSpec] = {
    "welcome": TextSpec(html=True, listed=True, placeholders=_COMMON),
    "help": TextSpec(html=True, listed=True, placeholders=_COMMON | {"username"}),
    "fallback": TextSpec(html=False, listed=False, placeholders=_COMMON),
    "empty": TextSpec(html=False, listed=False, placeholders=_COMMON),
    "group_greeting": TextSpec(html=True, listed=False, placeholders=_COMMON | {"username"}),
    "console_banner": TextSpec(html=False, listed=False, placeholders=_COMMON),
}


@dataclass(frozen=True)
class EventCommand:
    """The event that gets a command (/llamacon), a button under /start, and the label of
    the subscribe button."""

    event_id: str
    command: str  # without the slash
    description: str  # the Bengali command menu
    description_en: str  # the default command menu
    button: str  # opens the events from /start
    subscribe_button: str


@dataclass(frozen=True)
class BotTexts:
    name: str = "সংবাদবট"
    subject: str = "প্রতিবেদন"  # what users ask about, as it reads before "নিয়ে"
    # Example questions shown to users; none: the first facts' questions are shown.
    examples: tuple[str, ...] = ()
    welcome: str = (
        "আসসালামু আলাইকুম, নমস্কার! আমি <b>{name}</b>।\n"
        "এই প্রতিবেদন থেকে আমি বাংলায় উত্তর দিই, প্রতিটি উত্তরের সঙ্গে সূত্র উল্লেখ করে:\n"
        "{sources}\n\n"
        "যেসব বিষয়ে জানি:\n{topics}\n\n"
        "বাংলা, Banglish বা English-এ প্রশ্ন লিখুন, অথবা নিচের বোতাম চাপুন।"
    )
    help: str = (
        "<b>কীভাবে ব্যবহার করবেন</b>\n"
        "যেকোনো প্রশ্ন লিখে পাঠান, যেমন: {examples}\n\n"
        "/topics — বিষয় ধরে প্রশ্ন বেছে নিন\n"
        "/source — যে প্রতিবেদন থেকে উত্তর দিই\n"
        "/subscribe — অনুষ্ঠানের রিমাইন্ডার পান; /unsubscribe — বন্ধ করুন\n"
        "/help — এই সাহায্য\n\n"
        "যেকোনো চ্যাটে <code>@{username} প্রশ্ন</code> লিখেও উত্তর পাঠাতে পারেন। "
        "গ্রুপে আমাকে মেনশন করুন বা আমার বার্তার উত্তর দিন।"
    )
    fallback: str = (
        "দুঃখিত, এই প্রশ্নের উত্তর আমার জানা নেই। আমি শুধু এই প্রতিবেদনের তথ্য থেকে উত্তর দিই: "
        "{sources}। যেসব বিষয়ে জিজ্ঞেস করতে পারেন: {topics}।"
    )
    empty: str = (
        "আপনার বার্তায় পড়ার মতো কোনো লেখা পাইনি। {subject} নিয়ে একটি প্রশ্ন লিখুন, যেমন: {example}"
    )
    group_greeting: str = (
        "সবাইকে শুভেচ্ছা! আমি {name}। {subject} নিয়ে প্রশ্ন করতে আমাকে মেনশন করুন "
        "(@{username} প্রশ্ন) বা আমার বার্তার উত্তর দিন।"
    )
    console_banner: str = "{name} কনসোল। {subject} নিয়ে প্রশ্ন করুন (বাংলা, Banglish বা English)।"
    event: EventCommand | None = None


@dataclass(frozen=True)
class Voice:
    """A knowledge base's bot texts, with the values their placeholders are filled with."""

    texts: BotTexts
    topics: tuple[str, ...]  # topic titles, in order
    sources: tuple[str, ...]  # source titles, in order
    examples: tuple[str, ...]  # the example questions shown (never empty in a loaded base)

    @property
    def name(self) -> str:
        return self.texts.name

    def fill(self, template: str, *, html_text: bool = False, listed: bool = False,
             username: str = "") -> str:
        """`template` with its placeholders filled; values escaped for an HTML text.

        Unknown placeholders are left as written: the validator refuses them in knowledge,
        and the adapters' own templates are tested.
        """
        escape = _escape if html_text else _same

        def items(titles: tuple[str, ...]) -> str:
            if listed:
                return "\n".join(f"• {escape(title)}" for title in titles)
            return ", ".join(escape(title) for title in titles)

        shown = [f"<i>{escape(e)}</i>" if html_text else escape(e) for e in self.examples]
        values = {
            "name": escape(self.texts.name),
            "subject": escape(self.texts.subject),
            "example": escape(self.examples[0]) if self.examples else "",
            "examples": _either(shown),
            "topics": items(self.topics),
            "sources": items(self.sources),
            "username": escape(username),
        }
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)

    def render(self, field: str, username: str = "") -> str:
        """The bot text `field` (a key of `SPECS`), ready to send."""
        spec = SPECS[field]
        template: str = getattr(self.texts, field)
        return self.fill(template, html_text=spec.html, listed=spec.listed, username=username)


def template_problems(
    field: str, template: str, commands: frozenset[str]
) -> list[tuple[str, str]]:
    """What is wrong with the bot text `field`, as (problem, fix): unknown placeholders, HTML
    Telegram would refuse, a command the bot does not have (`commands`: those it has)."""
    spec = SPECS[field]
    problems = []
    for found in _PLACEHOLDER.finditer(template):
        if found.group(1) not in spec.placeholders:
            allowed = ", ".join(f"{{{p}}}" for p in sorted(spec.placeholders))
            problems.append((f"unknown placeholder {found.group(0)} in {field}",
                             f"use {allowed}"))
    # A brace left over once the placeholders are taken out ("{subject নিয়ে", "{name}}")
    # is a placeholder mistyped: users would read it as written.
    rest = _PLACEHOLDER.sub("", template)
    for brace, does in (("{", "opens"), ("}", "closes")):
        if brace in rest:
            problems.append((f"{field} has a {brace!r} that {does} no placeholder",
                             "write placeholders as {name}: one brace on each side, nothing"
                             " else in them"))
    if spec.html and (problem := html_problem(template)):
        problems.append((f"{field} is not valid Telegram HTML: {problem}",
                         "Telegram's tags only (<b>, <i>, <code>, <a href=\"...\">), closed"))
    for mention in _COMMAND_MENTION.finditer(template):
        if mention.group(1) not in commands:
            problems.append((f"{field} mentions /{mention.group(1)}, which is not a command of"
                             " this bot", "give the event its command under `event:`, or"
                             " remove the mention"))
    return problems


def length_problem(voice: Voice, field: str) -> str | None:
    """Whether the text `field`, filled for this knowledge base, fits one Telegram message."""
    filled = voice.render(field, username="x" * MAX_USERNAME)
    if tg_len(filled) > MAX_MESSAGE:
        return (f"{field} is {tg_len(filled)} units long once filled in, more than one Telegram"
                f" message ({MAX_MESSAGE})")
    return None


def _either(items: list[str]) -> str:
    """"ক", "ক বা খ", "ক, খ বা গ"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " বা " + items[-1]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _same(text: str) -> str:
    return text
