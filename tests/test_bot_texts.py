"""bot.yaml: the bot's name and texts as knowledge, checked like the rest (file:line)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.answer import AnswerKind, Responder
from bot.core.bot_texts import Voice
from bot.core.loader import KnowledgeError, load_knowledge
from bot.core.markup import html_problem

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 10, 0, tzinfo=TZ)
LLAMABOT = str(Path(sys.executable).parent / "llamabot")



def edit_bot(kb: Path, old: str, new: str) -> Path:
    path = kb / "bot.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def problems(kb: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb, TZ)
    return [str(p) for p in err.value.problems]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if needle in line)


def test_a_folder_without_bot_yaml_speaks_generically_of_its_sources(kb: Path) -> None:
    (kb / "bot.yaml").unlink()
    knowledge = load_knowledge(kb, TZ)
    assert knowledge.bot.event is None
    voice = knowledge.voice
    source = knowledge.sources["llama-1b-downloads"].title
    assert f"• {source}" in voice.render("welcome")
    assert source in voice.render("fallback")
    # The examples shown are facts' own questions, so the bot answers them.
    responder = Responder(knowledge)
    assert voice.examples and all(
        responder.ask(q, NOW).kind is AnswerKind.FACT for q in voice.examples)
    assert voice.examples[0] in responder.ask("😀", NOW).text


def test_unknown_placeholders_are_refused_with_their_line(kb: Path) -> None:
    path = edit_bot(kb, "যেসব বিষয়ে জানি:\n    {topics}", "যেসব বিষয়ে জানি:\n    {topic}")
    edit_bot(kb, "{subject} নিয়ে একটি প্রশ্ন", "{username} নিয়ে একটি প্রশ্ন")  # not in plain texts
    found = problems(kb)
    assert any(p.startswith(f"{path}:{line_of(path, 'welcome:')}:") and
               "unknown placeholder {topic} in welcome" in p for p in found), found
    assert any(f"{path}:{line_of(path, 'empty:')}:" in p and "{username} in empty" in p
               for p in found), found


@pytest.mark.parametrize(("new", "says"), [
    ("{subject নিয়ে একটি প্রশ্ন", "a '{' that opens no placeholder"),
    ("{subject}} নিয়ে একটি প্রশ্ন", "a '}' that closes no placeholder"),
])
def test_a_mistyped_placeholder_brace_is_refused_not_sent(kb: Path, new: str, says: str) -> None:
    """"{subject নিয়ে" (a brace forgotten) would reach users as written: refused, there."""
    path = edit_bot(kb, "{subject} নিয়ে একটি প্রশ্ন", new)
    result = subprocess.run([LLAMABOT, "kb", "validate", str(kb)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1, result.stdout
    [line] = [x for x in result.stdout.splitlines() if "placeholder" in x]
    assert line.startswith(f"{path}:{line_of(path, 'empty:')}:"), line
    assert f"empty has {says}" in line and "(fix: write placeholders as {name}" in line, line


@pytest.mark.parametrize(("old", "new", "says"), [
    ("<b>{name}</b>", "<b>{name}", "<b> is never closed"),
    ("<b>{name}</b>", "<blink>{name}</blink>", "<blink> is not a tag Telegram knows"),
    ("<b>{name}</b>", "{name} & co", "an & that is not an entity"),
    ("<b>{name}</b>", "{name} <3", "a < or > that is not part of a tag"),
])
def test_html_telegram_would_refuse_is_refused(kb: Path, old: str, new: str, says: str) -> None:
    path = edit_bot(kb, old, new)
    found = problems(kb)
    assert [p for p in found if "welcome is not valid Telegram HTML" in p and says in p
            and p.startswith(f"{path}:{line_of(path, 'welcome:')}:")], found


def test_html_checker_accepts_what_the_bot_sends() -> None:
    assert html_problem('<b>ক</b> <i>খ</i> <code>@x প্রশ্ন</code> &amp; <a href="https://t.me">গ</a>'
                        " <blockquote>ঘ</blockquote> &lt;3") is None
    assert html_problem("<i><b>ক</i></b>") == "</i> closes no open <i>"


def test_lengths_are_counted_as_telegram_does(kb: Path) -> None:
    """2,100 emoji are 2,100 characters but 4,200 UTF-16 units: more than one message."""
    edit_bot(kb, "  empty:", '  empty: "' + "😀" * 2100 + '"\n  old_empty:')
    edit_bot(kb, "  old_empty:", "  # old_empty:")
    path = kb / "bot.yaml"
    found = problems(kb)
    assert any(p.startswith(f"{path}:{line_of(path, '  empty:')}:")
               and "empty is 4200 units long once filled in" in p for p in found), found


def test_the_event_command_is_checked(kb: Path) -> None:
    path = edit_bot(kb, "id: llamacon   ", "id: llamacom   ")
    edit_bot(kb, "command: llamacon ", "command: help ")
    found = problems(kb)
    assert any(p.startswith(f"{path}:{line_of(path, 'id: llamacom')}:")
               and "unknown event 'llamacom'" in p for p in found), found
    assert any("/help is one of the bot's own commands" in p for p in found), found
    # The help text's /llamacon is a command no longer: said where it is mentioned.
    assert any("help mentions /llamacon" in p for p in found), found


def test_help_naming_a_command_the_bot_lacks_is_refused(kb: Path) -> None:
    text = (kb / "bot.yaml").read_text(encoding="utf-8")
    (kb / "bot.yaml").write_text(text[: text.index("  # The event with")], encoding="utf-8")
    found = problems(kb)
    assert any("help mentions /llamacon, which is not a command of this bot" in p
               for p in found), found


def test_one_bot_section_per_folder(kb: Path) -> None:
    (kb / "more.yaml").write_text('version: 1\nbot:\n  name: "অন্য"\n', encoding="utf-8")
    found = problems(kb)
    assert any(p.startswith(f"{kb / 'more.yaml'}:3:") and "a second `bot:` section" in p
               and f"{kb / 'bot.yaml'}:" in p for p in found), found


def test_kb_validate_refuses_an_example_the_bot_does_not_answer(kb: Path) -> None:
    path = edit_bot(kb, '- "llamacon kobe?"', '- "আজ ঢাকার আবহাওয়া কেমন?"')
    result = subprocess.run([LLAMABOT, "kb", "validate", str(kb)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    [line] = [x for x in result.stdout.splitlines() if "example" in x]
    assert line.startswith(f"{path}:{line_of(path, 'আবহাওয়া')}:")
    assert "gets no fact's answer (fallback)" in line


def test_placeholders_are_escaped_in_html_texts_only() -> None:
    from bot.core.bot_texts import BotTexts

    voice = Voice(BotTexts(name="A&B"), ("<t>",), ("s",), ("q<1?", "q2"))
    assert voice.fill("{name} {topics} {examples}", html_text=True) == (
        "A&amp;B &lt;t&gt; <i>q&lt;1?</i> বা <i>q2</i>")
    assert voice.fill("{name} {topics} {example}") == "A&B <t> q<1?"


def _strings_outside_comments(path: Path) -> list[tuple[int, str]]:
    """String literals that are not docstrings, SQL comments left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings):
            text = re.sub(r"--[^\n]*", "", node.value)  # SQL comments
            found.append((node.lineno, text))
    return found


def test_no_article_is_named_in_code_only_in_comments() -> None:
    """The article's words live in knowledge/; bot/ names it in comments and docstrings only
    (the program's own name, llamabot, aside)."""
    named = re.compile(r"llama|লামা", re.IGNORECASE)
    hits = [f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}"
            for path in sorted((ROOT / "bot").rglob("*.py"))
            for line, text in _strings_outside_comments(path)
            if named.search(re.sub(r"llamabot", "", text, flags=re.IGNORECASE))]
    assert hits == []
