"""Read and check the `bot:` section (bot.yaml): the bot's name, texts and event command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import yaml

from bot.core.bot_texts import (
    COMMAND,
    MAX_DESCRIPTION,
    MAX_EXAMPLES,
    MAX_LABEL,
    MAX_NAME,
    RESERVED_COMMANDS,
    SPECS,
    BotTexts,
    EventCommand,
    length_problem,
    template_problems,
)
from bot.core.knowledge import Knowledge, Site
from bot.core.message_length import tg_len
from bot.core.yamlnodes import Located, NodeReader

_WORDS = ("name", "subject")
# The key of the bot's example questions in `Knowledge.question_sites` (no intent has it).
EXAMPLES = "bot.examples"
_EVENT_REQUIRED = ("id", "command", "description", "button", "subscribe_button")


def with_bot_texts(
    knowledge: Knowledge, entries: list[Located], readers: Mapping[str, NodeReader],
    complete: bool, events_written: frozenset[str] = frozenset(),
) -> Knowledge:
    """`knowledge` with the bot's texts of the folder's `bot:` section (the generic ones
    without it); every problem goes to the reader of the file it is in.

    `complete` is False when some file could not be parsed: the event named may be in it.
    `events_written`: the ids of every event as written, of those with a problem of their
    own too (already reported where it is: the command naming one is no second mistake).
    """
    if not entries:
        return knowledge
    first, *others = entries
    for other in others:
        readers[other.file].problem(
            other.node,
            f"a second `bot:` section (the first is at {first.file}:"
            f"{first.node.start_mark.line + 1})",
            "keep one bot.yaml in the folder; for several articles, write one that names them all",
        )
    reader = readers[first.file]
    fields = reader.mapping(first.node, "the bot section", (),
                            (*_WORDS, "examples", *SPECS, "event"))
    if fields is None:
        return knowledge
    values: dict[str, Any] = {}
    for word in _WORDS:
        if (text := _text(reader, fields, word)) is not None:
            values[word] = text
            if tg_len(text) > MAX_NAME:
                reader.problem(fields[word], f"the bot's {word} is longer than {MAX_NAME} units",
                               "it is said inside sentences: keep it to a few words")
    examples = reader.text_list(fields.get("examples"), "the bot's examples")
    if "examples" in fields and not examples:
        reader.problem(fields["examples"], "the bot's examples are empty",
                       "list one to five questions the bot answers, or leave `examples` out")
    elif len(examples) > MAX_EXAMPLES:
        reader.problem(fields["examples"], f"more than {MAX_EXAMPLES} examples",
                       "users read one or two: keep the best")
    if examples:
        values["examples"] = tuple(e for e, _ in examples)
    event, command = _event(reader, fields.get("event"), knowledge,
                            complete, events_written)
    # The command as written, even when refused: a text naming it is not a second mistake.
    commands = RESERVED_COMMANDS | ({command} if command else set())
    for field in SPECS:
        if (template := _text(reader, fields, field)) is not None:
            values[field] = template
            for problem, fix in template_problems(field, template, frozenset(commands)):
                reader.problem(fields[field], problem, fix)
    texts = BotTexts(**values, event=event)
    sites = {(EXAMPLES, e): Site(reader.file, n.start_mark.line + 1, n.start_mark.column + 1)
             for e, n in examples}
    shown = replace(knowledge, bot=texts, question_sites={**knowledge.question_sites, **sites})
    for field in SPECS:
        if field in fields and (too_long := length_problem(shown.voice, field)):
            reader.problem(fields[field], too_long, "shorten it")
    return shown


def _text(reader: NodeReader, fields: dict[str, yaml.Node], field: str) -> str | None:
    return reader.text(fields.get(field), f"the bot's {field}") if field in fields else None


def _event(reader: NodeReader, node: yaml.Node | None, knowledge: Knowledge,
           complete: bool, events_written: frozenset[str],
           ) -> tuple[EventCommand | None, str | None]:
    """The event command, if it is right, and the command as written."""
    if node is None:
        return None, None
    fields = reader.mapping(node, "the bot's event", _EVENT_REQUIRED, ("description_en",))
    if fields is None:
        return None, None
    found = {name: _text(reader, fields, name) for name in (*_EVENT_REQUIRED, "description_en")}
    event_id, command = found["id"], found["command"]
    written = command.lstrip("/") if command else None
    events = {e.id for e in knowledge.events}
    if (event_id is not None and complete and event_id not in events
            and event_id not in events_written):
        reader.problem(fields["id"], f"unknown event {event_id!r}",
                       f"use one of: {', '.join(sorted(events)) or '(no events defined)'}")
    if command is not None:
        if command.startswith("/"):
            reader.problem(fields["command"], f"command {command!r} starts with /",
                           f"write it without: {command.lstrip('/')}")
            command = None
        elif not COMMAND.match(command):
            reader.problem(fields["command"], f"command {command!r} is not a Telegram command",
                           "use 1-32 of a-z, 0-9 and _")
            command = None
        elif command in RESERVED_COMMANDS:
            reader.problem(fields["command"], f"/{command} is one of the bot's own commands",
                           "choose another name, such as the event's")
            command = None
    for name, limit in (("description", MAX_DESCRIPTION), ("description_en", MAX_DESCRIPTION),
                        ("button", MAX_LABEL), ("subscribe_button", MAX_LABEL)):
        text = found[name]
        if text is not None and tg_len(text) > limit:
            reader.problem(fields[name], f"the event's {name} is longer than {limit} units",
                           "shorten it")
    description, button = found["description"], found["button"]
    subscribe = found["subscribe_button"]
    if not (event_id and command and description and button and subscribe):
        return None, written
    return EventCommand(event_id, command, description, found["description_en"] or description,
                        button, subscribe), written
