"""The console adapter: plain-text answers and the interactive `llamabot shell`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import ModuleType

from bot.core.answer import Answer, AnswerKind, Choice
from bot.core.choices import typed_number
from bot.core.conversation import Context, Conversation, Turn
from bot.core.events import describe_event, upcoming_and_past
from bot.core.knowledge import Knowledge

# Under the knowledge base's own banner (bot.yaml's console_banner).
# {event}: the event's command and what it shows (bot.yaml's `event:`), when there is one.
USAGE = ("প্রস্তাবিত প্রশ্ন বেছে নিতে তার নম্বর লিখুন; /topics বিষয়ের তালিকা, {event}/source"
         " প্রতিবেদন, /help সাহায্য; বের হতে Ctrl-D বা 'exit'।")


def render_plain(answer: Answer) -> str:
    """Render an answer as plain text, numbering the suggested questions."""
    parts = [answer.text]
    if answer.citation is not None:
        c = answer.citation
        where = c.source_title
        if c.section != c.source_title:
            where += f" — {c.shown_section}"
        parts.append(f"সূত্র: {where}\n“{c.quote}”")
    if answer.choices:
        heading = "আরও জানতে পারেন:" if answer.kind is AnswerKind.FACT else "যেমন:"
        if answer.kind in (AnswerKind.SUGGEST, AnswerKind.OUT_OF_RANGE):
            heading = ""  # the text above says what they are
        lines = [f"  {i}. {choice.label}" for i, choice in enumerate(answer.choices, 1)]
        parts.append("\n".join(filter(None, [heading, *lines])))
    return "\n\n".join(parts)


# The questions offered after an answer of several parts: a screenful, not every related one.
MAX_TURN_CHOICES = 5


def turn_choices(turn: Turn) -> tuple[Choice, ...]:
    """What a turn offers next: its answer's choices or, for several parts, the "did you mean"
    choices first, then the related questions, none of them a fact just answered."""
    if len(turn.answers) == 1:
        return turn.answer.choices
    answered = {a.fact_id for a in turn.answers}
    parts = sorted(turn.answers, key=lambda a: a.kind is not AnswerKind.SUGGEST)
    offered: dict[str, Choice] = {}
    for part in parts:
        for choice in part.choices:
            if choice.fact_id not in answered:
                offered.setdefault(choice.fact_id, choice)
    return tuple(offered.values())[:MAX_TURN_CHOICES]


def render_turn(turn: Turn) -> str:
    """Render a turn as plain text: one section per part, then the numbered choices."""
    if len(turn.answers) == 1:
        return render_plain(turn.answer)
    sections = []
    for part in turn.answers:
        text = render_plain(replace(part, choices=()))
        sections.append(f"▸ {part.title}\n{text}" if part.title else text)
    choices = turn_choices(turn)
    if choices:
        lines = [f"  {i}. {choice.label}" for i, choice in enumerate(choices, 1)]
        sections.append("\n".join(["আরও জানতে পারেন:", *lines]))
    return "\n\n".join(sections)


UNKNOWN_COMMAND = "এই কমান্ডটি এখানে নেই: /topics, {event}/source বা /help লিখুন, অথবা প্রশ্ন করুন।"


def usage(knowledge: Knowledge) -> str:
    """How to use the console, the event's command (/llamacon) among the others."""
    event = knowledge.bot.event
    return USAGE.format(event=f"/{event.command} {event.description}, " if event else "")


def console_command(line: str, knowledge: Knowledge, now: datetime
                    ) -> tuple[str, tuple[Choice, ...]] | None:
    """What a command the answers mention shows on the console ("/topics", "/source",
    "/help", the event's), and the questions it offers by number; None for any other line."""
    command = line.strip().lower().lstrip("/").split("@")[0] if line.startswith("/") else ""
    if command == "topics":
        choices: list[Choice] = []
        sections = ["বিষয় ধরে প্রশ্ন (নম্বর লিখে বেছে নিন):"]
        for topic in knowledge.topics:
            lines = [topic.title]
            for fact in knowledge.facts_in_topic(topic.id):
                choices.append(Choice(fact.id, fact.canonical_question))
                lines.append(f"  {len(choices)}. {fact.canonical_question}")
            sections.append("\n".join(lines))
        return "\n\n".join(sections), tuple(choices)
    if command == "source":
        parts = []
        for source in knowledge.sources.values():
            headings = "\n".join(f"  • {source.section_title(s)}" for s in source.sections)
            parts.append(f"{source.title}\n{headings}")
        return "\n\n".join(["যে প্রতিবেদন থেকে উত্তর দিই:", *parts]), ()
    if command in ("help", "start"):
        examples = "\n".join(f"  • {e}" for e in knowledge.voice.examples)
        return f"যেকোনো প্রশ্ন লিখুন, যেমন:\n{examples}\n\n{usage(knowledge)}", ()
    event = knowledge.bot.event
    if event is not None and command == event.command:
        ahead, held = upcoming_and_past(knowledge.events, now)
        return "\n".join(describe_event(e, now) for e in (*ahead, *held)), ()
    if command and len(line.split()) == 1:
        return UNKNOWN_COMMAND.format(event=f"/{event.command}, " if event else ""), ()
    return None


def suggestion_number(line: str, count: int) -> int | None:
    """The suggestion a typed number picks (1 to `count`), or None when it picks none.

    Decimal digits of any script count ("১" is 1), but not "①" or "²": str.isdigit()
    accepts those and int() refuses them. A long number is a question, not a choice.
    """
    if not line.isdecimal() or len(line) > 3:
        return None
    number = int(line)
    return number if 1 <= number <= count else None


def console_turn(conversation: Conversation, line: str, context: Context,
                 offered: tuple[Choice, ...], now: datetime) -> Turn:
    """The turn a console line makes: a number, in digits or words, picks what the last turn
    offered, as the console numbered it (`/topics` numbers dozens), and one past those is
    told which numbers there are; anything else is asked."""
    number = suggestion_number(line.strip(), len(offered))
    if number is not None:
        return conversation.choose(offered[number - 1].fact_id, context, now)
    typed = typed_number(line)
    if offered and typed is not None and 1 <= typed <= len(offered):
        # "তৃতীয়টা", "second": in words, as in digits (after a fallback too, whose
        # questions the conversation itself does not number)
        return conversation.choose(offered[typed - 1].fact_id, context, now)
    if offered and typed is not None:
        return conversation.out_of_range(line, tuple(c.fact_id for c in offered), context, now)
    return conversation.reply(line, context, now)


def _history_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "llamabot" / "history"


def _load_readline(history: Path) -> ModuleType | None:
    """Line editing and history for input(), where the platform has readline."""
    try:
        import readline
    except ImportError:
        return None
    with contextlib.suppress(OSError):
        history.parent.mkdir(parents=True, exist_ok=True)
        readline.read_history_file(history)
    return readline


def run_shell(
    conversation: Conversation,
    now: Callable[[], datetime],
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> int:
    """Chat on the console until end of input, as one conversation; numbers pick the last
    suggestions."""
    history = _history_file()
    readline = _load_readline(history)
    knowledge = conversation.responder.knowledge  # the shell never reloads
    write(knowledge.voice.render("console_banner") + "\n" + usage(knowledge))
    context = Context()
    offered: tuple[Choice, ...] = ()
    try:
        while True:
            try:
                line = read("\nআপনি> ").strip()
            except EOFError:
                write("")
                return 0
            except KeyboardInterrupt:
                write("\nবিদায়!")
                return 0
            if line.lower() in {"exit", "quit", "বিদায়"}:
                write("বিদায়!")
                return 0
            shown = console_command(line, conversation.responder.knowledge, now())
            if shown is not None:
                text, offered = shown
                write(f"\n{knowledge.voice.name}> {text}")
                continue
            turn = console_turn(conversation, line, context, offered, now())
            context, offered = turn.context, turn_choices(turn)
            write(f"\n{knowledge.voice.name}> " + render_turn(turn))
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history)
