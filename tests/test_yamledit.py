"""Appending example questions to a knowledge file changes nothing but the added lines."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.yamledit import YamlEditError, append_questions

ROOT = Path(__file__).resolve().parent.parent


def changes(before: str, after: str) -> list[str]:
    """The diff's changed lines, marked + or -."""
    return [line for line in difflib.ndiff(before.splitlines(keepends=True),
                                           after.splitlines(keepends=True))
            if line.startswith(("+ ", "- "))]


def test_the_real_facts_file_gains_only_the_added_lines() -> None:
    before = (ROOT / "knowledge" / "facts.yaml").read_text(encoding="utf-8")
    after = append_questions(before, "facts", "downloads_milestone",
                             ["llama ki free", 'say "hi"', "a: b # not a comment"])
    assert changes(before, after) == [
        '+       - "llama ki free"\n',
        '+       - "say \\"hi\\""\n',
        '+       - "a: b # not a comment"\n',
    ]
    added = yaml.safe_load(after)["facts"][0]["questions"][-3:]
    assert added == ["llama ki free", 'say "hi"', "a: b # not a comment"]


def test_the_real_decline_file_keeps_its_comments_and_blank_lines() -> None:
    before = (ROOT / "knowledge" / "decline.yaml").read_text(encoding="utf-8")
    after = append_questions(before, "decline", "unrelated_chat", ["ajke brishti hobe"])
    assert changes(before, after) == ['+       - "ajke brishti hobe"\n']
    lines = after.splitlines()
    index = lines.index('      - "ajke brishti hobe"')
    assert lines[index - 1] == '      - "একটা প্রেমের কবিতা লিখে দাও"' and lines[index + 1] == ""


def test_plain_and_single_quoted_lists_are_written_as_they_are() -> None:
    before = ("facts:  # the facts\n"
              "- id: x\n"
              "  questions:\n"
              "  -   plain one   # a comment stays\n"
              "  -   plain two\n"
              "  answer: y\n"
              "- id: z\n"
              "  questions:\n"
              "    - 'single'\n"
              "  answer: w\n")
    after = append_questions(before, "facts", "x", ["three", "it's: odd", "# hash"])
    after = append_questions(after, "facts", "z", ["it's"])
    assert changes(before, after) == [
        "+   -   three\n",
        '+   -   "it\'s: odd"\n',  # not plain: it would read as a mapping
        '+   -   "# hash"\n',
        "+     - 'it''s'\n",
    ]


def test_flow_lists_get_the_questions_before_the_bracket() -> None:
    before = "version: 1\nfacts:\n- id: x\n  questions: [one, \"two\"]   # c\n  answer: y\n"
    after = append_questions(before, "facts", "x", ["three", "four"])
    assert after == ('version: 1\nfacts:\n- id: x\n'
                     '  questions: [one, "two", "three", "four"]   # c\n  answer: y\n')


def test_crlf_files_and_a_missing_last_newline_are_kept() -> None:
    before = "facts:\r\n- id: x\r\n  answer: y\r\n  questions:\r\n  - \"one\""
    after = append_questions(before, "facts", "x", ["two"])
    assert after == before + '\r\n  - "two"\r\n'


def test_block_scalar_questions_are_followed_not_split() -> None:
    before = "facts:\n- id: x\n  questions:\n  - one\n  - |\n    two\n    lines\n  answer: y\n"
    after = append_questions(before, "facts", "x", ["three"])
    assert yaml.safe_load(after)["facts"][0]["questions"] == ["one", "two\nlines\n", "three"]
    assert changes(before, after) == ['+   - "three"\n']  # a one-line question: quoted


@pytest.mark.parametrize("text, intent, message", [
    ("facts: []\n", "x", "no 'x' under `facts:`"),
    ("version: 1\n", "x", "no `facts:` list"),
    ("facts:\n- id: x\n  answer: y\n", "x", "no `questions:` list"),
    ("facts:\n- id: x\n  questions: [[a]]\n", "x", "no `questions:` list of texts"),
    ("facts: [\n", "x", "not valid YAML"),
])
def test_files_it_cannot_edit_are_refused(text: str, intent: str, message: str) -> None:
    with pytest.raises(YamlEditError, match=message.replace("[", r"\[")):
        append_questions(text, "facts", intent, ["q"])


QUESTION = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(QUESTION, min_size=1, max_size=3),
       st.sampled_from(['"one"', "'one'", "one"]), st.booleans())
def test_any_question_reads_back_as_written_or_is_refused(
    questions: list[str], first: str, flow: bool
) -> None:
    if flow:
        before = f"# head\nfacts:\n  - id: x\n    questions: [{first}]\n    answer: y\n"
    else:
        before = f"# head\nfacts:\n  - id: x\n    questions:\n      - {first}\n    answer: y\n"
    try:
        after = append_questions(before, "facts", "x", questions)
    except YamlEditError:
        return  # refused whole: never a file that reads back otherwise
    assert yaml.safe_load(after)["facts"][0]["questions"] == ["one", *questions]
    if not flow:
        assert all(line.startswith("+ ") for line in changes(before, after))


@pytest.mark.parametrize("value", ["!!timestamp", "!!bool", "2024-02-30"])
def test_a_value_yaml_cannot_build_is_refused_in_a_sentence(value: str) -> None:
    text = f"version: 1\nnote: {value}\nfacts:\n  - id: a\n    questions:\n      - \"x\"\n"
    with pytest.raises(YamlEditError, match="cannot build"):
        append_questions(text, "facts", "a", ["y"])
