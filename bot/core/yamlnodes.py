"""Read YAML as nodes that remember their line and column, for precise admin errors."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from bot.core.message_length import control_character

# libyaml's parser when PyYAML was built with it (the wheels are): several times faster,
# and it reports the same line and column marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a knowledge file, located for an admin."""

    file: str
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str = ""
    warning: bool = False  # worth a look, but the folder is served (an event in the past)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" + (": warning" if self.warning else "")
        return f"{where}: {self.message}" + (f" (fix: {self.hint})" if self.hint else "")

    def within(self, *folders: str) -> Problem:
        """Files named as the admin knows them (facts.yaml:12:5), not by a server path under
        any of `folders` (the knowledge folder as given, its real path, a scratch copy)."""
        def local(text: str) -> str:
            for folder in sorted({f.rstrip(os.sep) for f in folders if f}, key=len,
                                 reverse=True):
                text = text.replace(folder + os.sep, "").replace(folder, "the knowledge folder")
            return text

        return replace(self, file=local(self.file), message=local(self.message),
                       hint=local(self.hint))


# Problems listed per file: past these, the file is broken throughout (an admin fixes the
# first ones and checks again), and a report of thousands would be thousands of messages.
MAX_PROBLEMS = 100


class NodeReader:
    """Typed access to a composed YAML document; every failure becomes a `Problem`."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.found = 0  # problems found, listed or not

    def problem(self, node: yaml.Node | None, message: str, hint: str = "") -> None:
        self.problem_at(node.start_mark if node else None, message, hint)

    def problem_at(self, mark: yaml.Mark | None, message: str, hint: str = "") -> None:
        self.found += 1
        if self.found <= MAX_PROBLEMS:
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            self.problems.append(Problem(self.file, line, column, message, hint))

    def unlisted(self) -> list[Problem]:
        """One problem saying how many were found beyond those listed, if any were."""
        if self.found <= MAX_PROBLEMS:
            return []
        more = self.found - MAX_PROBLEMS
        return [
            Problem(
                self.file,
                1,
                1,
                f"{more} more problems in this file are not listed",
                "correct the ones listed and check again",
            )
        ]

    def compose(self, text: str) -> Generator[None, None, yaml.Node | None]:
        """Compose `text` as `yaml.compose` does, pausing (yielding) after every node."""
        try:
            return (yield from _compose(_LOADER(text)))
        except _Refused as refused:
            self.problem_at(refused.mark, refused.message, refused.hint)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            opened = _open_quote(text, err.context_mark, mark)
            self.problem_at(
                mark,
                f"YAML syntax error: {err.problem or err.context or 'invalid YAML'}",
                # PyYAML calls a tab only "a character that cannot start any token".
                "a tab: indent with spaces, not tabs" if _tab_before(text, mark)
                # A forgotten closing quote runs the text on to the next quote, and YAML
                # gives up lines further on: name the line to mend.
                else f'the quote opened on line {opened} is not closed: end the text with "'
                if opened is not None
                else "check indentation and quote text that contains ':' or '#'",
            )
        except yaml.reader.ReaderError as err:
            self.problem_at(_mark_of(text, err), *_unreadable(err.character))
        except yaml.YAMLError as err:
            self.problems.append(Problem(self.file, 1, 1, f"YAML error: {err}"))
        return None

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> dict[str, yaml.Node] | None:
        """Return the fields of a mapping node, reporting unknown, missing and repeated keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of fields", "write `field: value` lines")
            return None
        fields: dict[str, yaml.Node] = {}
        allowed = required + optional
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                self.problem(
                    key_node,
                    f"unknown field {key!r} in {what}",
                    f"allowed fields: {', '.join(allowed)}",
                )
                continue
            if key in fields:
                self.problem(key_node, f"field {key!r} appears twice in {what}", "keep one")
                continue
            fields[key] = value_node
        for name in required:
            if name not in fields:
                self.problem(node, f"{what} is missing required field {name!r}", f"add `{name}:`")
        return fields

    def text(self, node: yaml.Node | None, what: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.problem(node, f"{what} must be text", 'write it as a quoted string: "..."')
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, f"{what} is empty", "write the text")
            return None
        # YAML refuses a raw one, but makes one of an escape in double quotes ("\e[2J",
        # "\x1b", "\0"): a terminal's escape sequence in what the shell prints and Telegram
        # shows.
        if (at := control_character(value)) is not None:
            self.problem(node, f"{what} holds a control character (U+{ord(value[at]):04X})",
                         "delete it: in quotes, an escape such as \\e, \\x1b or \\u001b")
            return None
        return value

    def text_list(self, node: yaml.Node | None, what: str) -> list[tuple[str, yaml.Node]]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list", "write one `- item` per line")
            return []
        items = []
        for item in node.value:
            value = self.text(item, f"an item of {what}")
            if value is not None:
                items.append((value, item))
        return items

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list", "start each entry with `- `")
            return []
        return list(node.value)


# PyYAML's composer (yaml/composer.py), over the same parser's events, written as generators:
# composing a long file at once would hold the event loop for milliseconds. Unlike PyYAML's,
# it bounds what a file may expand to. An alias shares one composed node, but every reader
# walks it once per use: a 300 KiB upload reusing a list of 20,000 questions 1,000 times took
# a minute and 5 GB to check. And each level of nesting is one more generator frame.
MAX_DEPTH = 20  # levels of lists and mappings; knowledge files need 4
MAX_REPEATED = 10_000  # nodes that aliases may repeat in one file: sharing, not multiplying
# Values per file, aliases expanded: facts.yaml holds about 1,500. Each value may be checked
# and reported on its own, so this also bounds the work and the problems of one file.
MAX_NODES = 50_000
_ALIAS_HINT = "write the entries out instead of reusing them with *alias"


class _Refused(Exception):
    """The document is valid YAML but more than a knowledge file may be."""

    def __init__(self, mark: yaml.Mark, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.hint = hint


def _compose(events: Any) -> Generator[None, None, yaml.Node | None]:
    """The single document of a stream of parser `events`, or None for an empty stream."""
    try:
        events.get_event()  # the stream's start
        document = None
        if not events.check_event(StreamEndEvent):
            events.get_event()  # the document's start
            document, _ = yield from _Composer(events).node(1)
            events.get_event()  # the document's end
        if not events.check_event(StreamEndEvent):
            raise ComposerError(
                "expected a single document in the stream",
                document.start_mark if document else None,
                "but found another document",
                events.get_event().start_mark,
            )
        return document
    finally:
        events.dispose()


class _Composer:
    def __init__(self, events: Any) -> None:
        self.events = events
        self.anchors: dict[str, yaml.Node] = {}
        self.sizes: dict[str, int] = {}  # anchor -> nodes it expands to, once composed
        self.repeated = 0  # nodes repeated through aliases so far
        self.total = 0  # nodes so far, aliases expanded

    def node(self, depth: int) -> Generator[None, None, tuple[yaml.Node, int]]:
        """The next node and the number of nodes it expands to, aliases counted in full."""
        events = self.events
        if events.check_event(AliasEvent):
            return self.alias(events.get_event())
        is_scalar = events.check_event(ScalarEvent)
        is_sequence = events.check_event(SequenceStartEvent)
        event = events.get_event()
        self.count(1, event.start_mark)
        anchor = event.anchor
        if anchor in self.anchors:
            raise ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        tag = event.tag
        if is_scalar:
            if tag is None or tag == "!":
                tag = events.resolve(yaml.ScalarNode, event.value, event.implicit)
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            if anchor is not None:
                self.anchors[anchor], self.sizes[anchor] = node, 1
            return node, 1
        if depth > MAX_DEPTH:
            raise _Refused(
                event.start_mark,
                f"YAML nested more than {MAX_DEPTH} levels deep",
                "a knowledge file needs 4: the file, a section's list, an entry, its fields",
            )
        kind = yaml.SequenceNode if is_sequence else yaml.MappingNode
        if tag is None or tag == "!":
            tag = events.resolve(kind, None, event.implicit)
        collection = kind(tag, [], event.start_mark, None, event.flow_style)
        if anchor is not None:
            self.anchors[anchor] = collection  # its size is known only once it ends
        size = 1
        end = SequenceEndEvent if is_sequence else MappingEndEvent
        while not events.check_event(end):
            yield
            item, item_size = yield from self.node(depth + 1)
            size += item_size
            if is_sequence:
                collection.value.append(item)
            else:
                value, value_size = yield from self.node(depth + 1)
                size += value_size
                collection.value.append((item, value))
        collection.end_mark = events.get_event().end_mark
        if anchor is not None:
            self.sizes[anchor] = size
        return collection, size

    def alias(self, event: Any) -> tuple[yaml.Node, int]:
        if event.anchor not in self.anchors:
            raise ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )
        size = self.sizes.get(event.anchor)
        if size is None:  # a collection containing itself: endless to every reader
            raise _Refused(
                event.start_mark,
                f"alias *{event.anchor} is used inside the collection it names",
                _ALIAS_HINT,
            )
        self.repeated += size
        if self.repeated > MAX_REPEATED:
            raise _Refused(
                event.start_mark,
                f"aliases in this file repeat more than {MAX_REPEATED} YAML nodes",
                _ALIAS_HINT,
            )
        self.count(size, event.start_mark)
        return self.anchors[event.anchor], size

    def count(self, nodes: int, mark: yaml.Mark) -> None:
        self.total += nodes
        if self.total > MAX_NODES:
            raise _Refused(
                mark,
                f"more than {MAX_NODES} YAML values in one file",
                "split it into several files in the knowledge folder",
            )


# What PyYAML's constructors raise on untrusted text besides YAMLError: ValueError
# (2024-02-30), OverflowError (5,000 digits), and for an empty "!!timestamp", "!!bool" or
# "!!int" AttributeError, KeyError or IndexError.
CONSTRUCT_ERRORS = (ValueError, OverflowError, AttributeError, KeyError, IndexError, TypeError)


def scalar(node: yaml.Node) -> Any:
    """The plain value of a scalar node (for `version:`)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except (yaml.YAMLError, *CONSTRUCT_ERRORS):  # !!binary x, 2024-02-30, !!timestamp
        return node.value  # as written, for the problem message


@dataclass(frozen=True)
class Located:
    """One entry of a section and the file it was written in."""

    file: str
    node: yaml.Node


def _mark_of(text: str, err: yaml.reader.ReaderError) -> yaml.Mark:
    """Where the character YAML refused stands. The reader stops at the first it cannot
    take, so that is its first occurrence; libyaml's `position` counts UTF-8 bytes, not
    characters, and would put a Bengali file's problem several columns too far."""
    at = text.find(chr(err.character)) if isinstance(err.character, int) else -1
    if at < 0:
        at = min(err.position, len(text))
    line = text.count("\n", 0, at)
    column = at - (text.rfind("\n", 0, at) + 1)
    return yaml.Mark("", at, line, column, None, 0)


def _unreadable(character: object) -> tuple[str, str]:
    """The problem and its fix for a character YAML does not allow, in plain words."""
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    if unicodedata.category(chr(code)) == "Cc":
        what = "a control character (U+0000, NUL)" if code == 0 else \
            f"a control character (U+{code:04X})"
    else:
        what = f"the character U+{code:04X}"
    return (f"{what} is not allowed in a YAML file",
            "delete it and save the file as plain UTF-8 text")


def _open_quote(text: str, start: yaml.Mark | None, end: yaml.Mark | None) -> int | None:
    """The first line (1-based) from `start` to just before `end`, the span a syntax error
    names, that opens a double-quoted text and does not close it; None if there is none."""
    if start is None or end is None or start.line >= end.line:
        return None
    lines = text.splitlines()
    for number in range(start.line, min(end.line, len(lines))):
        line = lines[number].replace('\\\\', "").replace('\\"', "")
        if line.lstrip().startswith("#"):
            continue
        if line.count('"') % 2:
            return number + 1
    return None


def _tab_before(text: str, mark: yaml.Mark | None) -> bool:
    """Whether the line of a syntax error has a tab up to the error's column."""
    if mark is None:
        return False
    lines = text.splitlines()
    return mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]
