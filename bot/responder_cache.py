"""A knowledge folder's built responder, kept on disk so that the next process starts at once.

Reading, validating and indexing the folder is most of `llamabot ask`'s start (0.4 s of 0.7).
What it builds depends only on the folder's files, the time zone, llamabot's code and the
libraries it keys words with, so it is pickled under a digest of all of them and read back
while they stay the same. Reading a pickle runs code: the cache is a folder only this user
can write, and a file or folder that anyone else can write is never read.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import stat
import sys
from datetime import tzinfo
from pathlib import Path

import anyascii
import rapidfuzz
import yaml

from bot.core.answer import Responder
from bot.core.files import write_atomically
from bot.core.loader import load_knowledge
from bot.watch import digest

log = logging.getLogger(__name__)

KEPT = 4  # files kept, most recently used: a few folders (`kb eval --against`), code versions
_PREFIX = "responder-"
_CODE = Path(__file__).resolve().parent


class ResponderCache:
    """Build a folder's `Responder`, or read the one built from the same files before.

    `folder` None: no cache, every call builds.
    """

    def __init__(self, folder: Path | None, code: Path = _CODE) -> None:
        self.folder = folder
        self.code = code

    def responder(self, directory: Path, tz: tzinfo, folder_digest: str | None = None) -> Responder:
        """The responder of `directory`; raises `KnowledgeError` as `load_knowledge` does.

        `folder_digest`: `watch.digest(directory)`, when the caller has taken it already.
        """
        folder = self._folder()
        if folder is None:
            return Responder(load_knowledge(directory, tz))
        before = folder_digest or digest(directory)
        path = folder / _name(directory, tz, self.code, before)
        cached = _read(path)
        if cached is not None:
            with contextlib.suppress(OSError):  # kept as recently used: pruned last
                os.utime(path)
            return cached
        responder = Responder(load_knowledge(directory, tz))
        # Edited while it was read, the folder holds other files than the name says.
        if digest(directory) == before:
            self._write(path, responder)
        return responder

    def _folder(self) -> Path | None:
        """The cache folder, made if missing; None when there is none this user alone writes."""
        if self.folder is None:
            return None
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = self.folder.lstat()
        except OSError as exc:  # a read-only home in a container: build every time
            log.debug("no responder cache in %s: %s", self.folder, exc.strerror)
            return None
        if not stat.S_ISDIR(info.st_mode) or not _private(info):
            log.warning("responder cache %s is not a folder only this user can write: not used",
                        self.folder)
            return None
        return self.folder

    def _write(self, path: Path, responder: Responder) -> None:
        try:
            data = pickle.dumps(responder, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError) as exc:
            log.debug("responder not cached: %s", exc)
            return
        try:
            write_atomically(path, data)  # a reader never sees half a file
        except OSError as exc:
            log.debug("responder not cached: %s", exc.strerror)
            return
        _prune(path.parent)


def _name(directory: Path, tz: tzinfo, code: Path, folder_digest: str) -> str:
    """The file name of what `directory` builds into: a digest of everything it depends on."""
    hasher = hashlib.sha256()
    # The folder as given too: a loaded knowledge base names its files so.
    for part in (sys.version, str(directory), str(directory.resolve()), str(tz),
                 folder_digest, _code_digest(code), *_libraries()):
        hasher.update(f"{len(part)}:{part}".encode())
    return f"{_PREFIX}{hasher.hexdigest()[:32]}.pickle"


def _private(info: os.stat_result) -> bool:
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path) -> Responder | None:
    try:
        # Not through a link: another file than the one this user wrote.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        if not _private(os.fstat(fd)):
            log.warning("responder cache file %s can be written by others: not read", path)
            return None
        try:
            responder = pickle.load(file)
        except Exception as exc:  # noqa: BLE001 - a damaged file: build again, and replace it
            log.debug("responder cache file %s unreadable: %s", path, type(exc).__name__)
            return None
    return responder if isinstance(responder, Responder) else None


def _code_digest(code: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(code.rglob("*.py")):
        hasher.update(f"{path.relative_to(code)}\0".encode() + path.read_bytes())
    return hasher.hexdigest()


def _libraries() -> tuple[str, ...]:
    """The libraries whose data or code shape a built index: a new anyascii spells words anew."""
    return tuple(f"{module.__name__} {getattr(module, '__version__', '')} {module.__file__}"
                 for module in (anyascii, rapidfuzz, yaml))


def _prune(folder: Path) -> None:
    try:
        files = sorted(folder.glob(f"{_PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime_ns,
                       reverse=True)
        for old in files[KEPT:]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # another process pruned the same file meanwhile
        log.debug("responder cache not pruned: %s", exc)
