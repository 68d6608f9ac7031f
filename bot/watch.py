"""Notice when the knowledge folder changes, once it has settled.

Polling a handful of small files twice a second costs nothing and needs no
dependency or inotify support (containers, network mounts). An editor's save, or a
burst of edits, triggers one reload after the folder has stopped changing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from bot.core.files import UnreadableFile, read_bounded

log = logging.getLogger(__name__)

Fingerprint = frozenset[tuple[str, int, int]]


def _visible_files(directory: Path) -> Iterator[tuple[str, str]]:
    """(path relative to `directory`, path) of every file an edit of the folder can touch;
    not the edit history, hidden files, or editors' backup and temporary files."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # .history, editors' folders
        for name in sorted(files):
            if name.startswith(".") or name.endswith(("~", ".swp", ".tmp")):
                continue
            path = os.path.join(root, name)
            yield os.path.relpath(path, directory), path


def fingerprint(directory: Path) -> Fingerprint:
    """Name, size and modification time of every visible file below `directory`."""
    found = set()
    for relative, path in _visible_files(directory):
        try:
            stat = os.stat(path)
        except OSError:  # deleted between listing and stat: the next poll sees it
            continue
        found.add((relative, stat.st_size, stat.st_mtime_ns))
    return frozenset(found)


def digest(directory: Path) -> str:
    """A digest of the names and bytes of every visible file below `directory`.

    Equal digests mean equal folders whatever the modification times say: the bot tells
    a file it wrote itself (and has loaded already) from an edit it has not seen.
    """
    hasher = hashlib.sha256()
    for relative, path in _visible_files(directory):
        try:
            content = read_bounded(path)
        except UnreadableFile as exc:  # a pipe or a link to /dev/zero: never read it
            content = f"unreadable: {exc}".encode()
        except OSError as exc:  # a load would report it: the state still counts as seen
            content = f"unreadable: {exc.errno}".encode()
        hasher.update(f"{len(relative)}:{relative}:{len(content)}:".encode() + content)
    return hasher.hexdigest()


class KnowledgeWatcher:
    """Call `on_change` after `directory` changed and then stayed unchanged for `settle` s."""

    def __init__(
        self,
        directory: Path,
        on_change: Callable[[], Awaitable[object]],
        interval: float = 0.5,
        settle: float = 0.3,
        seen: Fingerprint | None = None,
    ) -> None:
        """`seen`: the folder as the live knowledge was loaded from it (taken before the load);
        an edit made since, even before `run` starts, is then a change."""
        self.directory = directory
        self.on_change = on_change
        self.interval = interval
        self.settle = settle
        self.seen = seen

    async def run(self) -> None:
        """Watch until cancelled."""
        seen = self.seen
        if seen is None:
            seen = await asyncio.to_thread(fingerprint, self.directory)
        while True:
            await asyncio.sleep(self.interval)
            current = await asyncio.to_thread(fingerprint, self.directory)
            if current == seen:
                continue
            while True:  # wait for the burst of writes to end
                await asyncio.sleep(self.settle)
                latest = await asyncio.to_thread(fingerprint, self.directory)
                if latest == current:
                    break
                current = latest
            seen = current
            try:
                await self.on_change()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed reload must not stop the watching
                log.exception("reloading after a knowledge change failed")
