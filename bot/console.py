"""The console adapter: plain-text answers and the interactive `llamabot shell`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType

from bot.core.answer import Answer, AnswerKind, Responder

WELCOME = (
    "লামাবট কনসোল। মেটার লামা নিয়ে প্রশ্ন করুন (বাংলা, Banglish বা English)।\n"
    "প্রস্তাবিত প্রশ্ন বেছে নিতে তার নম্বর লিখুন; বের হতে Ctrl-D বা 'exit'।"
)


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
        if answer.kind is AnswerKind.SUGGEST:
            heading = ""
        lines = [f"  {i}. {choice.label}" for i, choice in enumerate(answer.choices, 1)]
        parts.append("\n".join(filter(None, [heading, *lines])))
    return "\n\n".join(parts)


def suggestion_number(line: str, count: int) -> int | None:
    """The suggestion a typed number picks (1 to `count`), or None when it picks none.

    Decimal digits of any script count ("১" is 1), but not "①" or "²": str.isdigit()
    accepts those and int() refuses them. A long number is a question, not a choice.
    """
    if not line.isdecimal() or len(line) > 3:
        return None
    number = int(line)
    return number if 1 <= number <= count else None


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
    responder: Responder,
    now: Callable[[], datetime],
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> int:
    """Chat on the console until end of input; numbers pick the last suggestions."""
    history = _history_file()
    readline = _load_readline(history)
    write(WELCOME)
    last: tuple[str, ...] = ()
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
            number = suggestion_number(line, len(last))
            if number is not None:
                answer = responder.answer_fact(last[number - 1], now())
            else:
                answer = responder.ask(line, now())
            last = answer.suggestions
            write("\nলামাবট> " + render_plain(answer))
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(history)
