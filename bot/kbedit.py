"""Stage, apply and roll back edits to knowledge files, never leaving a half-written file.

An uploaded file is validated together with the rest of the knowledge folder in a
temporary copy; applying it writes a temporary file beside the target and renames it
over (atomic on POSIX), after saving the previous version under `.history/`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path

from bot.kbdiff import KnowledgeDiff, diff_knowledge
from bot.knowledge import Knowledge
from bot.loader import KnowledgeError, load_knowledge

MAX_UPLOAD_BYTES = 512 * 1024
HISTORY = ".history"
_ABSENT = ".absent"  # history marker: the file did not exist before
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$")


class EditError(Exception):
    """The upload or rollback cannot be done; the message says why, for an admin."""


@dataclass(frozen=True)
class StagedEdit:
    name: str  # file name inside the knowledge folder
    content: bytes
    knowledge: Knowledge  # the whole knowledge base as it would be after applying
    diff: KnowledgeDiff


def check_file(name: str, size: int) -> None:
    """Refuse what cannot be a knowledge file from its name and size alone."""
    if not _NAME.match(name):
        raise EditError(
            f"{name!r} is not a knowledge file name: send a .yaml file such as facts.yaml"
        )
    if size > MAX_UPLOAD_BYTES:
        raise EditError(
            f"{name} is {size // 1024} KiB; the limit is {MAX_UPLOAD_BYTES // 1024} KiB"
        )


def check_upload(name: str, content: bytes) -> None:
    """Refuse what cannot be a knowledge file before parsing anything."""
    check_file(name, len(content))
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{name} is not UTF-8 text: save it as UTF-8 and send it again") from None


def stage(directory: Path, name: str, content: bytes, current: Knowledge, tz: tzinfo) -> StagedEdit:
    """Validate `directory` with `name` replaced by `content`; raises KnowledgeError if invalid."""
    check_upload(name, content)
    with tempfile.TemporaryDirectory(prefix="llamabot-stage-") as scratch:
        copy = Path(scratch) / "knowledge"
        # Links stay links: copied as files, a link out of the folder would pass as inside it.
        shutil.copytree(directory, copy, symlinks=True, ignore=shutil.ignore_patterns(HISTORY))
        (copy / name).write_bytes(content)
        try:
            staged = load_knowledge(copy, tz)
        except KnowledgeError as err:  # name the admin's folder, not the scratch copy
            raise KnowledgeError(
                [replace(p, file=p.file.replace(str(copy), str(directory))) for p in err.problems]
            ) from None
    return StagedEdit(name, content, staged, diff_knowledge(current, staged))


def apply(directory: Path, name: str, content: bytes, now: datetime) -> Path:
    """Write `content` as `directory/name` atomically; return the history entry kept for undo."""
    check_upload(name, content)
    target = directory / name
    history = directory / HISTORY
    history.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    if target.exists():
        kept = history / f"{stamp}--{name}"
        shutil.copy2(target, kept)
    else:  # a new file: undoing it means removing it
        kept = history / f"{stamp}--{name}{_ABSENT}"
        kept.touch()
    _write_atomically(target, content)
    return kept


def rollback(directory: Path) -> str:
    """Undo the most recent `apply`; return the name of the file restored or removed."""
    history = directory / HISTORY
    entries = sorted(history.glob("*--*")) if history.is_dir() else []
    if not entries:
        raise EditError("nothing to roll back: no earlier version is kept")
    latest = entries[-1]
    name = latest.name.split("--", 1)[1]
    if name.endswith(_ABSENT):
        name = name.removesuffix(_ABSENT)
        (directory / name).unlink(missing_ok=True)
    else:
        _write_atomically(directory / name, latest.read_bytes())
    latest.unlink()
    return name


def _write_atomically(target: Path, content: bytes) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
