"""Read a file that an admin, or whoever holds an admin's phone, may have swapped for a pipe,
a device or something huge: regular files only, and never more than a bound. Write one whole
or not at all."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

MAX_KNOWLEDGE_FILE = 8 << 20  # a knowledge file or an article: far above any real one


class UnreadableFile(OSError):
    """Not a regular file, or larger than the bound; the message says which."""


def read_bounded(path: Path | str, limit: int = MAX_KNOWLEDGE_FILE) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; raises UnreadableFile
    (or the OSError of opening it). A pipe is refused before it is opened: opening one
    waits for a writer."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise UnreadableFile("not a regular file (a pipe, a device or a folder)")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(f"larger than {limit:,} bytes")
    return data


def write_atomically(target: Path, content: bytes) -> None:
    """Write `target` whole or not at all: a temporary file beside it (mode 0600), renamed over
    it; on any failure (a full disk) the temporary file is removed and the error raised."""
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
