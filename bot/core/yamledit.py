"""Add example questions to an intent in its knowledge file as a person would: new lines
after the last question, written like it, and not one other byte of the file changed.

A round-trip YAML library re-emits the whole file (indents, line widths, quoting, comment
spacing all move a little); here the file is only parsed to locate the `questions:` list,
and the new items are spliced in as text at that spot. The result is parsed again and
must hold exactly the old list plus the new questions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import yaml

from bot.core.yamlnodes import CONSTRUCT_ERRORS

# What YAML refuses to read even inside quotes (its reader's NON_PRINTABLE): escaped.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class YamlEditError(ValueError):
    """The file cannot be edited this way; the message says why, for an admin."""


def append_questions(text: str, section: str, intent_id: str, questions: Sequence[str]) -> str:
    """`text` with `questions` appended to the `questions:` list of the entry `intent_id`
    of `section` ("facts", "decline", "smalltalk")."""
    if not questions:
        return text
    node = _questions_node(text, section, intent_id)
    before = _questions(_load(text), section, intent_id)
    if node.flow_style:
        edited = _append_flow(text, node, questions)
    else:
        edited = _append_block(text, node, questions)
    try:
        after = _questions(_load(edited), section, intent_id)
    except YamlEditError:
        after = []
    if after != [*before, *questions]:  # never write what does not read back as meant
        raise YamlEditError(f"cannot add the questions to {intent_id!r} without changing"
                            " other lines: add them by hand")
    return edited


def _load(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise YamlEditError(f"the file is not valid YAML: {err}") from None
    # PyYAML's constructors fail on some values with plain Python errors ("2024-02-30",
    # an empty "!!timestamp")
    except (*CONSTRUCT_ERRORS, RecursionError):
        raise YamlEditError("the file holds a value YAML cannot build (a date that does not"
                            " exist, an empty value with a !!tag?)") from None


def _questions_node(text: str, section: str, intent_id: str) -> yaml.SequenceNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise YamlEditError(f"the file is not valid YAML: {err}") from None
    entries = _value(root, section)
    if not isinstance(entries, yaml.SequenceNode):
        raise YamlEditError(f"the file has no `{section}:` list")
    for entry in entries.value:
        if _scalar(_value(entry, "id")) == intent_id:
            found = _value(entry, "questions")
            if isinstance(found, yaml.SequenceNode) and found.value and all(
                isinstance(item, yaml.ScalarNode) for item in found.value
            ):
                return found
            raise YamlEditError(f"{intent_id!r} has no `questions:` list of texts to add to")
    raise YamlEditError(f"no {intent_id!r} under `{section}:` in this file")


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if _scalar(k) == key:
            return v  # type: ignore[no-any-return]
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _questions(data: object, section: str, intent_id: str) -> list[object]:
    entries = data.get(section) if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and str(entry.get("id")) == intent_id:
            found = entry.get("questions")
            return list(found) if isinstance(found, list) else []
    return []


def _append_block(text: str, node: yaml.SequenceNode, questions: Sequence[str]) -> str:
    lines = text.splitlines(keepends=True)
    last = node.value[-1]
    end = last.end_mark
    # The last line of the last item (a block scalar ends at the start of the next line).
    index = end.line if end.column > 0 or end.line == last.start_mark.line else end.line - 1
    first = node.value[0].start_mark
    dash = node.start_mark.column
    gap = first.column - dash - 1 if first.line == node.start_mark.line else 1
    prefix = " " * dash + "-" + " " * max(gap, 1)
    newline = "\r\n" if "\r\n" in text else "\n"
    added = "".join(f"{prefix}{_render(q, last.style)}{newline}" for q in questions)
    head = "".join(lines[: index + 1])
    if not head.endswith("\n"):  # the item was the file's last line, with no newline
        head += newline
    return head + added + "".join(lines[index + 1 :])


def _append_flow(text: str, node: yaml.SequenceNode, questions: Sequence[str]) -> str:
    # end_mark is just past the closing bracket; the items go in before it.
    close = node.end_mark.index - 1
    if text[close] != "]":
        raise YamlEditError("cannot find the end of the `questions:` list")
    style = node.value[-1].style
    head = text[:close].rstrip(" ")
    return head + "".join(f", {_render(q, style)}" for q in questions) + text[len(head):]


def _render(question: str, style: str | None) -> str:
    """`question` quoted as its neighbour is: "double", 'single' or plain when it can be."""
    if style == "'" and "\n" not in question:
        rendered = "'" + question.replace("'", "''") + "'"
    elif style is None and _plain_ok(question):
        rendered = question
    else:
        # JSON strings are YAML strings; YAML also wants its non-printables escaped.
        rendered = _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}",
                                      json.dumps(question, ensure_ascii=False))
    return rendered


def _plain_ok(question: str) -> bool:
    """Whether `question` reads back as itself unquoted, in a block list and in a flow one."""
    if not question or question != question.strip() or any(c in question for c in ",[]{}#"):
        return False
    try:
        return bool(yaml.safe_load(f"- {question}") == [question])
    except yaml.YAMLError:
        return False
