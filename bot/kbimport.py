"""`llamabot kb import`: read an article, draft it (bot.core.article_import), write the files.

Two new files go into the knowledge folder, never over an existing one: the article's
copy under `sources/` and `facts-<id>.yaml` with its source entry, topics and draft facts.
Everything is checked before anything is written, and the copy is written first: a
folder watcher that sees it alone finds nothing that refers to it yet.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.article_import import ArticleError, Draft, Each, draft_article
from bot.core.files import read_bounded
from bot.core.yamlnodes import CONSTRUCT_ERRORS

MAX_ARTICLE_BYTES = 1024 * 1024  # an article, not a book: about 150,000 Bengali words
_NAMED = ("sources", "topics", "facts", "smalltalk", "decline")


class ImportFailed(Exception):
    """The article cannot be imported; the message says why, in one line."""


@dataclass(frozen=True)
class Imported:
    draft: Draft
    article: Path  # the copy in the knowledge folder
    facts: Path  # the draft knowledge file


def import_article(
    article: Path, source_id: str, title: str | None, folder: Path, each: Each = "paragraph"
) -> Imported:
    """Draft `article` as source `source_id` into `folder`; raise ImportFailed if it cannot."""
    raw = _read(article)
    try:
        draft = draft_article(raw, source_id, title, each)
    except ArticleError as err:
        raise ImportFailed(f"{article}: {err}") from None
    if folder.exists() and not folder.is_dir():
        raise ImportFailed(f"{folder} is not a folder")
    _check_ids(folder, draft)
    copy, facts = folder / draft.file, folder / f"facts-{source_id}.yaml"
    for path in (copy, facts):
        if path.exists() or path.is_symlink():  # a dangling link too: nothing is replaced
            raise ImportFailed(f"{path} already exists: choose another --id, or remove it first")
    # `sources/` may be a link: the copy must land in the folder, where the loader reads it.
    if not Path(os.path.realpath(copy.parent)).is_relative_to(os.path.realpath(folder)):
        raise ImportFailed(f"{copy.parent} is a link out of the knowledge folder: make it a"
                           " folder of its own")
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        _write(copy, draft.text)
    except OSError as err:
        raise ImportFailed(f"cannot write {copy}: {err.strerror or err}") from None
    try:
        _write(facts, draft.yaml())
    except OSError as err:
        copy.unlink(missing_ok=True)  # no half import: the copy alone is of no use
        raise ImportFailed(f"cannot write {facts}: {err.strerror or err}") from None
    return Imported(draft, copy, facts)


def _read(article: Path) -> str:
    try:
        if article.is_dir():
            raise ImportFailed(f"{article} is a folder, not an article's text file")
        # Read up to the bound, not by the size the file states: a pipe or a device
        # ("<(iconv ...)", /dev/zero) states none and may never end.
        with article.open("rb") as stream:
            raw = stream.read(MAX_ARTICLE_BYTES + 1)
        if len(raw) > MAX_ARTICLE_BYTES:
            raise ImportFailed(
                f"{article} has more than {MAX_ARTICLE_BYTES:,} bytes: import one article"
            )
    except FileNotFoundError:
        raise ImportFailed(f"{article}: no such file") from None
    except OSError as err:
        raise ImportFailed(f"cannot read {article}: {err.strerror or err}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ImportFailed(
            f"{article} is not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}):"
            " save it as UTF-8"
        ) from None


def _check_ids(folder: Path, draft: Draft) -> None:
    """Refuse a source, topic or fact id the folder's files already define.

    Files that do not parse are skipped: `kb validate` reports them, and a duplicate id
    there would be reported too.
    """
    wanted = {
        "source": {draft.source_id},
        "topic": {t.id for t in draft.topics},
        "fact": {f.id for f in draft.facts},
    }
    paths = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    real = os.path.realpath(folder)
    for path in paths:
        # The files the loader reads, as it reads them: not hidden, not a link out of the
        # folder, a regular file within the bound (a pipe would wait forever for a writer,
        # a link to /dev/zero fill the memory).
        if path.name.startswith(".") or not Path(os.path.realpath(path)).is_relative_to(real):
            continue
        try:
            data = yaml.safe_load(read_bounded(path).decode("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError, *CONSTRUCT_ERRORS):
            continue  # unreadable here: `kb validate` says why, with its line
        if not isinstance(data, dict):
            continue
        for section in _NAMED:
            entries = data.get(section)
            kind = {"sources": "source", "topics": "topic"}.get(section, "fact")
            for entry in entries if isinstance(entries, list) else ():
                found = entry.get("id") if isinstance(entry, dict) else None
                if isinstance(found, str) and found in wanted[kind]:
                    raise ImportFailed(
                        f"{kind} id {found!r} already exists in {path}: choose another --id"
                    )


def _write(path: Path, text: str) -> None:
    """Write `text` whole or not at all: a temporary file beside `path`, renamed over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
