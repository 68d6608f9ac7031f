"""Stage, apply and roll back edits to knowledge files, never leaving a half-written file.

An uploaded file is validated together with the rest of the knowledge folder in a
temporary copy; applying it writes a temporary file beside the target and renames it
over (atomic on POSIX), after saving the previous version under `.history/`.

An apply goes ahead only if the target is still the file its preview was made against
(a content digest taken at preview time): an upload never silently overwrites a hand
edit or another admin's apply. The check, the validation and the write happen under one
lock on the folder, so two applies (threads, or replicas sharing the folder) cannot both
pass the check. History entries are numbered, so /rollback undoes the latest apply
whatever the wall clock or the time zone did in between.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from bot.core.files import write_atomically
from bot.core.kbdiff import KnowledgeDiff, diff_knowledge
from bot.core.knowledge import Knowledge, Site
from bot.core.loader import KnowledgeError, load_knowledge
from bot.watch import digest

MAX_UPLOAD_BYTES = 512 * 1024
# The knowledge folder's own bounds, so that a stolen admin account cannot fill the disk
# with new files (each with KEPT_PER_FILE history copies): knowledge files (*.yaml, *.yml)
# in the folder, and their total size (.history and the articles under sources/ not counted).
# The shipped folder holds 9 files of about 200 KiB in all.
MAX_FILES = 32
MAX_FOLDER_BYTES = 8 * 1024 * 1024
# And its history's: KEPT_PER_FILE copies of MAX_FILES files of MAX_UPLOAD_BYTES would be
# 320 MiB. Past this total of copies the oldest applies of any file go as past
# KEPT_PER_FILE of one (`_bound_history`).
MAX_HISTORY_BYTES = 64 * 1024 * 1024
# Characters of a knowledge file's name: its history entry adds about 30 to it, and a name
# must stay under the file system's 255 bytes.
MAX_NAME = 100
HISTORY = ".history"
# Applies of one file that /rollback can undo: each keeps a full copy of the file, and a
# folder edited daily for years would otherwise fill its disk. Older entries are deleted.
KEPT_PER_FILE = 20
ABSENT = "absent"  # the fingerprint of a file that does not exist
_LOCK = ".lock"  # inside HISTORY, where the folder watcher does not look
_NOTES = "notes.jsonl"  # inside HISTORY: who made each entry's apply, when, and what it did
_ABSENT = ".absent"  # history marker: the file did not exist before
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml")  # whole names: fullmatch
# A file written this many seconds after its apply was written by it (clocks, file systems).
_CLOCK_SLACK = 2.0
# History entries: `<sequence>-<UTC time>--<file>`; before numbering, `<local time>--<file>`.
_ENTRY = re.compile(r"^(?:(?P<seq>\d+)-\d{8}T\d{6}Z|(?P<stamp>\d{8}T\d{12}))--(?P<name>.+)$")


class EditError(Exception):
    """The upload or rollback cannot be done; the message says why, for an admin."""


class StaleEdit(EditError):
    """The target file changed since the upload was previewed; a fresh preview is needed."""


@dataclass(frozen=True)
class StagedEdit:
    name: str  # file name inside the knowledge folder
    content: bytes
    knowledge: Knowledge  # the whole knowledge base as it would be after applying
    diff: KnowledgeDiff
    base: str  # fingerprint of the file the preview replaces; `apply` insists on it


@dataclass(frozen=True)
class Change:
    """One apply that /rollback can undo, latest last in `history`."""

    name: str  # the knowledge file
    at: str  # ISO 8601 UTC
    by: str  # who applied it ("" if not recorded)
    what: str  # what it did ("" if not recorded)
    key: str = ""  # names this apply for `rollback(expect=...)`: a digest of its entry


@dataclass(frozen=True)
class Applied:
    kept: Path | None  # the history entry that undoes the apply (None: nothing changed)
    knowledge: Knowledge  # the folder as written, validated: no need to load it again
    digest: str  # `bot.watch.digest` of the folder as written


def check_file(name: str, size: int) -> None:
    """Refuse what cannot be a knowledge file from its name and size alone."""
    if not _NAME.fullmatch(name) or len(name) > MAX_NAME:
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


def check_room(directory: Path, name: str, size: int) -> None:
    """Refuse an upload of `size` bytes as `name` that would take the folder past MAX_FILES
    knowledge files or MAX_FOLDER_BYTES of them. An upload that does not grow the folder
    passes even past them (a folder deployed bigger): an admin can always make room."""
    files = _knowledge_files(directory)
    if name not in files and len(files) >= MAX_FILES:
        raise EditError(f"{name} would be a new knowledge file, and the folder already holds"
                        f" {len(files)} knowledge files: the limit is {MAX_FILES}. Send a"
                        " file already there under its name to replace it, or have one"
                        " removed on the server")
    now = sum(files.values())
    after = now - files.get(name, 0) + size
    if after > MAX_FOLDER_BYTES and after > now:
        raise EditError(f"with {name} the knowledge files would take {after // 1024} KiB;"
                        f" the limit is {MAX_FOLDER_BYTES // 1024} KiB for all of them:"
                        " make the files smaller first")


def _knowledge_files(directory: Path) -> dict[str, int]:
    """The knowledge files the loader reads (not hidden ones), by name, with their sizes: a
    link's own (an upload replaces a link by a file) and a folder's or a pipe's as 0."""
    files = {}
    for path in directory.iterdir():
        if path.suffix in (".yaml", ".yml") and not path.name.startswith("."):
            try:
                info = path.lstat()
            except OSError:  # deleted meanwhile
                continue
            files[path.name] = info.st_size if stat.S_ISREG(info.st_mode) else 0
    return files


def fingerprint(path: Path) -> str:
    """A digest of the file's bytes, or ABSENT."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ABSENT


def same_file(directory: Path, name: str, content: bytes) -> bool:
    """Whether `directory/name` already holds exactly `content` (applying it writes nothing)."""
    target = directory / name
    try:
        return target.is_file() and target.read_bytes() == content
    except OSError:
        return False


def stage(directory: Path, name: str, content: bytes, current: Knowledge, tz: tzinfo) -> StagedEdit:
    """Validate `directory` with `name` replaced by `content`; raises KnowledgeError if invalid."""
    # Both are read: an edited facts.yaml saved as facts.yml would sit beside it, every id
    # a duplicate, instead of replacing it.
    stem, _, extension = name.rpartition(".")
    twin = directory / f"{stem}.{'yml' if extension == 'yaml' else 'yaml'}"
    if not (directory / name).exists() and twin.is_file():
        raise EditError(f"{name} would be a second file beside {twin.name}: to replace"
                        f" {twin.name}, send it named {twin.name}")
    check_room(directory, name, len(content))  # before a scratch copy is written
    checked = _validate(directory, name, content, tz)
    return StagedEdit(name, content, checked.knowledge,
                      diff_knowledge(current, checked.knowledge), checked.base)


def apply(directory: Path, name: str, content: bytes, base: str, tz: tzinfo,
          now: datetime, *, by: str = "", what: str = "",
          taught: tuple[str, ...] = ()) -> Applied:
    """Write `content` as `directory/name` if that file is still the one previewed (`base`)
    and the folder as it is now accepts it; return the history entry kept for undo and
    the knowledge as written. `by` and `what` say who did it and what it did (`history`);
    `taught`, the reviewed questions it was made for (a rollback hands them back).

    Raises StaleEdit if the file changed since the preview, KnowledgeError if the rest
    of the folder changed so that the upload is no longer valid.
    """
    check_upload(name, content)
    target = directory / name
    with _locked(directory) as history:
        if fingerprint(target) != base:
            raise StaleEdit(
                f"{name} changed since its preview (edited by hand or by another upload)"
            )
        # Again, under the lock: files deployed or applied since the preview count too.
        check_room(directory, name, len(content))
        checked = _validate(directory, name, content, tz)
        if same_file(directory, name, content):
            # The same bytes again: nothing to write, and no history entry, which would make
            # the next /rollback restore what is already there.
            return Applied(None, _moved(checked.knowledge, checked.copy, directory),
                           checked.digest)
        sequence = _next_sequence(history)
        stamp = f"{sequence:06d}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        # A new file: undoing it means removing it.
        kept = history / (f"{stamp}--{name}" if target.exists() else f"{stamp}--{name}{_ABSENT}")
        try:
            if kept.name.endswith(_ABSENT):
                kept.touch()
            else:
                shutil.copy2(target, kept)
        except OSError as err:
            # A full disk: the cut copy left behind would be the latest entry, the version
            # /rollback offers to restore.
            kept.unlink(missing_ok=True)
            raise EditError(f"cannot keep the earlier version of {name} in {HISTORY}:"
                            f" {err.strerror or err}") from None
        # The note before the file: a full disk refuses the apply before anything changed
        # (the digest it records is what /rollback checks the file against).
        note: dict[str, object] = {"entry": kept.name, "at": _iso(now), "by": by, "what": what,
                                   "wrote": hashlib.sha256(content).hexdigest()}
        if taught:
            note["taught"] = list(taught)
        try:
            noted = _note(history, note)
        except OSError as err:
            kept.unlink(missing_ok=True)  # nothing was applied: nothing to roll back
            raise EditError(f"cannot write {name}: {err.strerror or err}") from None
        try:
            write_atomically(target, content)
        except OSError as err:
            _take_back(history, noted)  # no note of an apply that did not happen
            kept.unlink(missing_ok=True)
            raise EditError(f"cannot write {name}: {err.strerror or err}") from None
        _prune(history, name)
        _bound_history(history)
    return Applied(kept, _moved(checked.knowledge, checked.copy, directory), checked.digest)


@dataclass(frozen=True)
class RolledBack:
    name: str  # the file restored, or removed when the apply had created it
    knowledge: Knowledge  # the folder as written, validated
    digest: str  # `bot.watch.digest` of the folder as written
    taught: tuple[str, ...] = ()  # the reviewed questions the apply was made for


def rollback(directory: Path, tz: tzinfo, now: datetime, *, by: str = "",
             expect: str | None = None) -> RolledBack:
    """Undo the most recent `apply`, if the file is still what that apply wrote and the
    folder accepts the earlier version; record who did it. `expect`: the `Change.key` of
    the apply an admin was shown; any other latest apply is refused (StaleEdit), so a
    confirmation tapped twice, or after another apply, undoes nothing it did not name.

    Raises StaleEdit if the file changed since (a rollback would silently undo that
    change too), KnowledgeError if the folder would not load after it (another file came
    to rely on what the apply added), EditError if there is nothing to undo.
    """
    if not (directory / HISTORY).is_dir():
        raise EditError("nothing to roll back: no earlier version is kept")
    with _locked(directory) as history:
        entries = _entries(history)
        if not entries:
            raise EditError("nothing to roll back: no earlier version is kept")
        latest = entries[-1]
        if expect is not None and _key(latest.path.name) != expect:
            raise StaleEdit("the last apply is no longer the one shown (rolled back already,"
                            " or another apply came since): send /rollback again")
        created = latest.name.endswith(_ABSENT)
        name = latest.name.removesuffix(_ABSENT)
        _check_entry(latest.path, name)
        notes = _notes(history)
        note = notes.get(latest.path.name, {})
        wrote = note.get("wrote")
        if wrote is not None and fingerprint(directory / name) != wrote or (
                wrote is None and _changed_since(directory / name, note, latest)):
            raise StaleEdit(f"{name} changed since that upload was applied (by hand or by"
                            " another edit): rolling back would undo that change too; edit"
                            f" {name} instead")
        earlier = None if created else latest.path.read_bytes()
        checked = _validate(directory, name, earlier, tz)
        target = directory / name
        # The note before the file, as for an apply: a full disk refuses the rollback
        # before anything changed, not after the file was restored.
        try:
            noted = _note(history, {"rolled_back": latest.path.name, "at": _iso(now),
                                    "by": by})
        except OSError as err:
            raise EditError(f"cannot record the rollback in {HISTORY}:"
                            f" {err.strerror or err}") from None
        try:
            if earlier is None:
                target.unlink(missing_ok=True)
            else:
                write_atomically(target, earlier)
        except OSError as err:
            _take_back(history, noted)  # nothing was rolled back
            raise EditError(f"cannot write {name}: {err.strerror or err}") from None
        latest.path.unlink()
    return RolledBack(name, _moved(checked.knowledge, checked.copy, directory), checked.digest,
                      _taught(note, notes))


def _check_entry(path: Path, name: str) -> None:
    """Refuse a history entry no apply made (edited by hand, a link, a directory): one
    naming another file would delete or overwrite it, a link would be read where it leads."""
    if not _NAME.fullmatch(name) or len(name) > MAX_NAME or not stat.S_ISREG(
            path.lstat().st_mode):
        raise EditError(f"the last history entry, .history/{path.name}, was not written by an"
                        " apply (a link, a folder, or not a knowledge file's name): remove it")


def _changed_since(target: Path, note: dict[str, object], entry: _Entry) -> bool:
    """For an entry from before applies recorded what they wrote: whether `target` was
    written after the apply (a hand edit since), by its time; unknown times are no change."""
    at = note.get("at")
    stamp = entry.path.name.partition("-")[2].partition("--")[0]  # "20250401T100000Z"
    try:
        applied = (datetime.fromisoformat(str(at)) if at
                   else datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))
        return target.stat().st_mtime > applied.timestamp() + _CLOCK_SLACK
    except (ValueError, OSError):
        return False


def _key(entry: str) -> str:
    """A history entry's name as a button may carry it (64 bytes hold a file name of 100)."""
    return hashlib.sha256(entry.encode()).hexdigest()[:16]


def _iso(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def _note(history: Path, note: dict[str, object]) -> int:
    """Append one line to the folder's record of applies and rollbacks; return the
    record's size before it (`_take_back`). On a full disk, the line cut short is taken
    back: left without its newline, it would swallow the next."""
    line = (json.dumps(note, ensure_ascii=False) + "\n").encode("utf-8")
    with open(history / _NOTES, "ab", buffering=0) as notes:  # no buffer to fail on close
        size = notes.seek(0, os.SEEK_END)
        try:
            written = 0
            while written < len(line):  # a short write, then the error
                written += notes.write(line[written:])
        except OSError:
            notes.truncate(size)
            raise
    return size


def _take_back(history: Path, size: int) -> None:
    """Remove the notes written since the record was `size` bytes long."""
    with open(history / _NOTES, "r+b") as notes:
        notes.truncate(size)


def _notes(history: Path) -> dict[str, dict[str, object]]:
    """Each apply's note, by the name of its history entry."""
    try:
        lines = (history / _NOTES).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    notes: dict[str, dict[str, object]] = {}
    for line in lines:
        try:
            note = json.loads(line)
        except ValueError:  # a line cut short by a crash: that entry's note is lost
            continue
        if isinstance(note, dict) and "entry" in note:
            notes[str(note["entry"])] = {str(k): v for k, v in note.items()}
    return notes


def history(directory: Path) -> list[Change]:
    """The applies /rollback can still undo, oldest first, with who made them and why."""
    folder = directory / HISTORY
    if not folder.is_dir():
        return []
    notes = _notes(folder)
    changes = []
    for entry in _entries(folder):
        note = notes.get(entry.path.name, {})
        changes.append(Change(entry.name.removesuffix(_ABSENT), str(note.get("at", entry.stamp)),
                              str(note.get("by", "")), str(note.get("what", "")),
                              _key(entry.path.name)))
    return changes


@dataclass(frozen=True)
class _Checked:
    knowledge: Knowledge  # the folder with the edit, read from `copy`
    copy: Path  # the scratch copy it was read from (deleted since)
    base: str  # fingerprint of the file the edit replaces
    digest: str  # of the folder with the edit


def _validate(directory: Path, name: str, content: bytes | None, tz: tzinfo) -> _Checked:
    """The knowledge base with `name` replaced by `content` (None: removed); the fingerprint
    of the file it replaces and the digest of the result are taken from the same copy that
    was validated."""
    if content is not None:
        check_upload(name, content)
    with _scratch(name) as scratch:
        copy = scratch / "knowledge"
        try:
            _copy_folder(directory, copy)
            # The copy took the folder's mode: a read-only folder (a deploy's) would refuse
            # the edit here, in a scratch copy, instead of where it is applied, in words.
            copy.chmod(0o700)
            base = fingerprint(copy / name)
            (copy / name).unlink(missing_ok=True)  # if it is a link, never write through it
            if content is not None:
                (copy / name).write_bytes(content)
        except OSError as err:  # a full disk: checked whole, or not at all
            raise EditError(f"cannot check {name}: the scratch copy of the knowledge folder"
                            f" it is checked in cannot be written: {err.strerror or err}") from None
        try:
            knowledge = load_knowledge(copy, tz)
        except KnowledgeError as err:
            raise KnowledgeError([p.within(str(copy)) for p in err.problems]) from None
        return _Checked(knowledge, copy, base, digest(copy))


@contextmanager
def _scratch(name: str) -> Iterator[Path]:
    """A temporary folder, deleted after; EditError if none can be made (a full disk)."""
    try:
        made = tempfile.TemporaryDirectory(prefix="llamabot-stage-")
    except OSError as err:
        raise EditError(f"cannot check {name}: no scratch folder to check it in:"
                        f" {err.strerror or err}") from None
    with made as scratch:
        yield Path(scratch).resolve()


def _copy_folder(directory: Path, copy: Path) -> None:
    """Copy the knowledge folder to check an edit in. Links stay links: copied as files, a
    link out of the folder would pass as inside it. A file that cannot be read (unreadable,
    a pipe) is left out, and the loader says so if it needed it; one cut short where it was
    written (a full disk) is an OSError: the loader would read the fragment and blame a
    file the edit never touched."""
    try:
        shutil.copytree(directory, copy, symlinks=True, ignore=shutil.ignore_patterns(HISTORY))
    except shutil.Error as err:
        for _, written, why in err.args[0]:
            if Path(written).is_file():  # opened for writing, then the write failed
                # `why` names both paths: the server's folders are no business of an admin.
                cause = str(why).partition(": ")[0]  # "[Errno 28] No space left on device"
                raise OSError(f"{Path(written).relative_to(copy)} was copied only in part"
                              f" ({cause})") from None


def _moved(knowledge: Knowledge, copy: Path, directory: Path) -> Knowledge:
    """`knowledge` read from `copy` as if read from `directory`: an applied edit is served
    as the folder's, and its file names must not point into a deleted scratch copy."""
    def named(file: str) -> str:  # as the loader names them: directory / name
        return str(Path(directory) / Path(file).relative_to(copy))

    def real(path: str) -> str:  # source paths are real paths (links resolved)
        return str(Path(os.path.realpath(directory)) / Path(path).relative_to(copy))

    return replace(
        knowledge,
        files=tuple(named(f) for f in knowledge.files),
        sources={i: replace(s, path=real(s.path)) for i, s in knowledge.sources.items()},
        question_sites={key: Site(named(site.file), site.line, site.column)
                        for key, site in knowledge.question_sites.items()},
        event_sites={key: Site(named(site.file), site.line, site.column)
                     for key, site in knowledge.event_sites.items()},
        warnings=tuple(replace(w, file=named(w.file)) for w in knowledge.warnings),
    )


@contextmanager
def _locked(directory: Path) -> Iterator[Path]:
    """Hold the folder's edit lock (one apply or rollback at a time); yield the history folder."""
    history = directory / HISTORY
    try:
        history.mkdir(exist_ok=True)
        fd = os.open(history / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:  # a read-only folder, a file named .history
        raise EditError(f"cannot edit the knowledge folder: {HISTORY}: "
                        f"{err.strerror or err}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # freed when the descriptor closes
        yield history
    finally:
        os.close(fd)


@dataclass(frozen=True)
class _Entry:
    path: Path
    name: str  # the knowledge file, ending in _ABSENT if the apply created it
    sequence: int  # 0 for entries from before numbering
    stamp: str  # their local time: the best order there is among them


def _entries(history: Path) -> list[_Entry]:
    """History entries, oldest first. Entries from before numbering carry a local time,
    which can go backwards (DST, a new time zone): they count as older than any numbered
    entry."""
    found = []
    for path in history.iterdir():
        if match := _ENTRY.match(path.name):
            found.append(_Entry(path, match["name"], int(match["seq"] or 0), match["stamp"] or ""))
    return sorted(found, key=lambda entry: (entry.sequence, entry.stamp))


def _next_sequence(history: Path) -> int:
    """The number of the next apply: past every entry kept and every apply ever noted. An
    entry rolled back is deleted; its number given again (with the same second and file)
    made the same name, so a confirmation of the undone apply, tapped again, undid the new
    one."""
    noted = (_ENTRY.match(name) for name in _notes(history))
    return 1 + max([*(entry.sequence for entry in _entries(history)),
                    *(int(m["seq"]) for m in noted if m is not None and m["seq"])], default=0)


def _prune(history: Path, name: str) -> None:
    """Keep KEPT_PER_FILE history entries of the knowledge file `name`, and among them the
    file as it was last deployed or edited by hand (its notes stay in notes.jsonl: a line
    each, the record of who did what).

    Deleting the oldest entries alone let a stolen admin account push that version out of
    /rollback's reach with 21 uploads. So entries older than the last version no apply
    wrote (the file from disk) go first; once it is the oldest, the entry after it is
    folded into it instead: undoing it then undoes those applies at once."""
    own = _own(_entries(history), name)
    notes = _notes(history)  # read once: `_fold` keeps it current
    while len(own) > KEPT_PER_FILE:
        _drop(history, own, _going(own, notes), notes)


def _bound_history(history: Path) -> None:
    """Keep the history copies of all files within MAX_HISTORY_BYTES: drop the oldest of
    the entries `_prune` would drop next in each file, until they fit or each file keeps
    only its version from disk. Never the latest entry: /rollback undoes the apply just
    made, whatever its size."""
    entries = [e for e in _entries(history) if e.path.is_file()]
    sizes = {e.path: _size(e.path) for e in entries}
    total = sum(sizes.values())
    if total <= MAX_HISTORY_BYTES:
        return
    latest = entries[-1]
    files = {name: _own(entries, name) for name in {e.name.removesuffix(_ABSENT) for e in entries}}
    notes = _notes(history)
    going = {name: _going(own, notes) for name, own in files.items()}
    while total > MAX_HISTORY_BYTES:
        ready = [(own[going[name]], name) for name, own in files.items()
                 if len(own) > 1 and own[going[name]] is not latest]
        if not ready:
            return
        _, name = min(ready, key=lambda pair: (pair[0].sequence, pair[0].stamp))
        own = files[name]
        total -= sizes[_drop(history, own, going[name], notes).path]
        going[name] = _going(own, notes)


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:  # deleted meanwhile, by hand
        return 0


def _own(entries: list[_Entry], name: str) -> list[_Entry]:
    """The entries of the knowledge file `name`, oldest first. Only files: a folder named
    like an entry, put there by hand, is no version to keep (rollback refuses it as an
    entry made by hand)."""
    return [e for e in entries if e.name.removesuffix(_ABSENT) == name and e.path.is_file()]


def _going(own: list[_Entry], notes: dict[str, dict[str, object]]) -> int:
    """Which of `own` (one file's entries, at least two) goes first: the oldest, if older
    than the last version no apply wrote; else, that version being the oldest, the next."""
    return 0 if _from_disk(own, notes) > 0 else 1


def _drop(history: Path, own: list[_Entry], index: int,
          notes: dict[str, dict[str, object]]) -> _Entry:
    """Remove `own[index]` (`_going`) from `own` and from the history: delete the oldest,
    or fold the next into the oldest. Return it."""
    gone = own.pop(index)
    if index == 0:
        gone.path.unlink(missing_ok=True)
    else:
        _fold(history, own[0], gone, notes)
    return gone


def _from_disk(own: list[_Entry], notes: dict[str, dict[str, object]]) -> int:
    """The index of the latest of `own` holding a version no apply wrote: not the bytes
    the apply before it wrote (a hand edit, a deploy, a file deleted by hand). The oldest
    counts as one: what came before it is not known."""
    for index in range(len(own) - 1, 0, -1):
        wrote = notes.get(own[index - 1].path.name, {}).get("wrote")
        if own[index].name.endswith(_ABSENT) or wrote != fingerprint(own[index].path):
            return index
    return 0


def _fold(history: Path, base: _Entry, later: _Entry,
          notes: dict[str, dict[str, object]]) -> None:
    """Make `base` undo the apply of `later` too, then delete `later`: `later` holds what
    `base`'s apply wrote, so `base` restored over what `later`'s apply wrote is the same
    step back, two applies at once. The note first: a crash between the two leaves a
    rollback refused as stale, never a wrong version written. `notes` is updated with
    what is written."""
    first, then = notes.get(base.path.name, {}), notes.get(later.path.name, {})
    applies = _count(first.get("applies", 1)) + 1
    since = first.get("since", first.get("at", base.stamp))
    name = base.name.removesuffix(_ABSENT)
    note: dict[str, object] = {
        "entry": base.path.name, "at": then.get("at", later.stamp), "by": then.get("by", ""),
        "applies": applies, "since": since,
        "what": f"{applies} applies of {name} since {since}, undone at once (the versions"
                f" between are not kept), back to {name} as it was before them; the latest:"
                f" {then.get('what', '?')}"}
    if "wrote" in then:
        note["wrote"] = then["wrote"]
    # The questions taught stay in their own apply's note: `base` keeps its own and links
    # `later`'s, which links the one folded before it (`_taught` walks them). Copied into
    # each fold, they made notes.jsonl grow with the square of the applies since a deploy.
    if "taught" in first:
        note["taught"] = first["taught"]
    note["folded"] = later.path.name
    if "folded" in first:
        linked = {**then, "entry": later.path.name, "folded": first["folded"]}
        _note(history, linked)
        notes[later.path.name] = linked
    _note(history, note)
    notes[base.path.name] = note  # as `_notes` would read it back: the last note wins
    later.path.unlink(missing_ok=True)


def _taught(note: dict[str, object], notes: dict[str, dict[str, object]]) -> tuple[str, ...]:
    """The questions an apply taught, and those of every apply folded into it, oldest
    first."""
    chain, seen = [note], set()
    while isinstance(folded := chain[-1].get("folded"), str) and folded not in seen:
        seen.add(folded)
        chain.append(notes.get(folded, {}))
    ordered = [note, *reversed(chain[1:])]
    return tuple(dict.fromkeys(q for n in ordered for q in _listed(n.get("taught"))))


def _count(value: object) -> int:
    return value if isinstance(value, int) else 1


def _listed(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


