"""Load and validate the knowledge directory into one `Knowledge`, or report every problem."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Generator
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from bot.core.files import read_bounded
from bot.core.knowledge import Knowledge
from bot.core.validate import build_knowledge
from bot.core.yamlnodes import Located, NodeReader, Problem, scalar

SUPPORTED_VERSIONS = (1,)
SECTIONS = (
    "sources", "topics", "facts", "smalltalk", "decline", "events", "synonyms", "entities"
)
BOT_SECTION = "bot"  # one mapping, not a list: the bot's name and texts (bot.yaml)


class KnowledgeError(Exception):
    """The knowledge directory cannot be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Loader:
    def __init__(self, directory: Path, tz: tzinfo) -> None:
        self.directory = directory
        self.tz = tz
        self.problems: list[Problem] = []
        self.entries: dict[str, list[Located]] = {
            name: [] for name in (*SECTIONS, BOT_SECTION)}
        self.hasher = hashlib.sha256()
        self.files: list[str] = []
        self.readers: dict[str, NodeReader] = {}

    def read_files(self) -> Generator[None, None, None]:
        # Not hidden files: an editor's lock (".#facts.yaml", often a dangling link) or a
        # macOS "._facts.yaml" is no knowledge, and the folder watcher ignores them too.
        paths = [p for pattern in ("*.yaml", "*.yml") for p in sorted(self.directory.glob(pattern))
                 if not p.name.startswith(".")]
        if not paths:
            # An admin checking the file just edited, or a folder's name mistyped.
            problem, fix = (
                ("this is a file, not a knowledge folder", "validate the folder that holds it,"
                 f" with every file it refers to: llamabot kb validate {self.directory.parent}")
                if self.directory.is_file() else
                ("no .yaml files found", "point at knowledge/") if self.directory.is_dir() else
                ("no such folder", "point at the knowledge folder, e.g. knowledge/"))
            self.problems.append(Problem(str(self.directory), 1, 1, problem, fix))
        for path in paths:
            yield from self.read_file(path)

    def read_file(self, path: Path) -> Generator[None, None, None]:
        name = str(path)
        self.files.append(name)
        reader = NodeReader(name)
        # Problems quote what they refuse: a link to /etc/shadow named shadow.yaml would show
        # its lines to whoever reads the report (an admin chat, on a refused reload). As for
        # sources (`validate`), realpath leaves a loop of links for reading to report.
        folder = os.path.realpath(self.directory)
        if not Path(os.path.realpath(path)).is_relative_to(folder):
            reader.problem(None, "cannot read file: it is a link to a file outside the"
                           " knowledge folder", "put the file itself in the knowledge folder")
            self.problems.extend(reader.problems)
            return
        try:
            raw = read_bounded(path)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reader.problem(None, f"cannot read file: {err}", "save it as UTF-8 text")
            self.problems.extend(reader.problems)
            return
        self.hasher.update(path.name.encode() + b"\0" + raw)
        root = yield from reader.compose(text)
        if root is not None:
            fields = reader.mapping(root, "the file", ("version",), (*SECTIONS, BOT_SECTION))
            if fields is not None:
                version = scalar(fields["version"]) if "version" in fields else None
                # 1.0 and true equal 1 in Python; neither is what `version: 1` means.
                if "version" in fields and (type(version) is not int
                                            or version not in SUPPORTED_VERSIONS):
                    reader.problem(
                        fields["version"], f"unsupported version {version!r}", "write `version: 1`"
                    )
                for section in SECTIONS:
                    for item in reader.sequence(fields.get(section), section):
                        self.entries[section].append(Located(name, item))
                if BOT_SECTION in fields:
                    self.entries[BOT_SECTION].append(Located(name, fields[BOT_SECTION]))
        elif not reader.problems:
            reader.problem(None, "the file is empty", "start it with `version: 1`")
        self.problems.extend(reader.problems)
        reader.problems = []  # later checks add to a clean list
        self.readers[name] = reader


def load_knowledge(directory: Path, tz: tzinfo) -> Knowledge:
    """Load every `*.yaml` file of `directory`; raise `KnowledgeError` listing all problems."""
    steps = load_steps(directory, tz)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            knowledge: Knowledge = done.value
            return knowledge


def load_steps(directory: Path, tz: tzinfo) -> Generator[None, None, Knowledge]:
    """`load_knowledge` in small steps: it pauses (yields) after every YAML node and entry.

    A running bot reloads this way between replies (see `bot.tg.services`).
    """
    loader = _Loader(Path(directory), tz)
    yield from loader.read_files()
    knowledge, problems = yield from build_knowledge(
        loader.entries, loader.readers, tz, loader.directory, complete=not loader.problems
    )
    # Thousands of YAML nodes: dropped entry by entry, not all at once when loading ends.
    for located in loader.entries.values():
        while located:
            located.pop()
            yield
    problems = loader.problems + problems
    problems += [p for reader in loader.readers.values() for p in reader.unlisted()]
    if problems or knowledge is None:
        raise KnowledgeError(sorted(problems, key=lambda p: (p.file, p.line, p.column)))
    return replace(knowledge, version=loader.hasher.hexdigest()[:12], files=tuple(loader.files))
