"""Staging, applying and rolling back knowledge edits on real files; the folder watcher."""

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import kbedit
from bot.core.kbdiff import diff_knowledge
from bot.core.loader import KnowledgeError, load_knowledge
from bot.kbedit import (
    ABSENT,
    MAX_FILES,
    MAX_FOLDER_BYTES,
    MAX_HISTORY_BYTES,
    EditError,
    StaleEdit,
    apply,
    check_upload,
    fingerprint,
    history,
    rollback,
    stage,
)
from bot.watch import KnowledgeWatcher
from bot.watch import fingerprint as folder_state

TZ = ZoneInfo("Asia/Dhaka")
ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 4, 2, tzinfo=TZ)


def undo(kb: Path) -> str:
    """/rollback: the name of the file restored."""
    return rollback(kb, TZ, NOW, by="admin 1").name



def test_stage_summarises_an_edit_without_touching_the_folder(kb: Path) -> None:
    current = load_knowledge(kb, TZ)
    before = (kb / "events.yaml").read_bytes()
    moved = before.replace(b"2025-04-29", b"2025-05-06")
    staged = stage(kb, "events.yaml", moved, current, TZ)
    assert staged.diff.section("events").changed == ("llamacon",)
    assert staged.diff.lines() == [
        "events changed (1): llamacon (starts_at 2025-04-29 00:00+06:00 -> 2025-05-06 00:00+06:00)"]
    assert (kb / "events.yaml").read_bytes() == before


def test_stage_refuses_an_invalid_edit_with_located_problems(kb: Path) -> None:
    current = load_knowledge(kb, TZ)
    broken = (kb / "events.yaml").read_bytes().replace(b"2025-04-29", b"2025-02-30")
    with pytest.raises(KnowledgeError) as caught:
        stage(kb, "events.yaml", broken, current, TZ)
    assert "events.yaml:5:16: invalid date '2025-02-30'" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"x", "not a knowledge file name"),
        ("../facts.yaml", b"x", "not a knowledge file name"),
        (".hidden.yaml", b"x", "not a knowledge file name"),
        ("facts.yaml\n", b"x", "not a knowledge file name"),  # "$" matched before the "\n"
        ("f" * 220 + ".yaml", b"x", "not a knowledge file name"),  # history could not hold it
        ("facts.yaml", b"\xff\xfe", "not UTF-8"),
        ("facts.yaml", b"a" * (600 * 1024), "the limit is 512 KiB"),
    ],
)
def test_uploads_that_cannot_be_knowledge_files(name: str, content: bytes, message: str) -> None:
    with pytest.raises(EditError, match=message):
        check_upload(name, content)


SMALL = 'version: 1\nsmalltalk:\n  - id: bye2\n    answer: "বি"\n    questions: ["tata"]\n'


def fill(kb: Path, files: int = 0, size: int = 0) -> None:
    """Deploy files by hand: `files` more knowledge files in all, then one more padded with a
    comment so that the folder's knowledge files take `size` bytes in all."""
    for n in range(files):
        (kb / f"deployed{n}.yaml").write_text("version: 1\n", encoding="utf-8")
    if size:
        taken = sum(p.stat().st_size for p in [*kb.glob("*.yaml"), *kb.glob("*.yml")])
        (kb / "bulk.yaml").write_text("version: 1\n#" + "x" * (size - taken - 13) + "\n",
                                      encoding="utf-8")
        assert sum(p.stat().st_size for p in kb.glob("*.yaml")) == size


def test_a_new_file_is_refused_when_the_folder_holds_as_many_as_it_may(kb: Path) -> None:
    """Red-team: a stolen admin account could upload new files without end (each up to
    512 KiB, with 20 history copies each) until the disk was full."""
    fill(kb, files=MAX_FILES - len(list(kb.glob("*.yaml"))))
    current = load_knowledge(kb, TZ)
    with pytest.raises(EditError, match=f"already holds {MAX_FILES} knowledge files"):
        stage(kb, "extra.yaml", SMALL.encode(), current, TZ)
    with pytest.raises(EditError, match=f"the limit is {MAX_FILES}"):
        apply(kb, "extra.yaml", SMALL.encode(), ABSENT, TZ, NOW)
    assert not (kb / "extra.yaml").exists() and not list((kb / ".history").glob("*--*"))
    # A file already there is replaced as before.
    edited = (kb / "events.yaml").read_bytes().replace(b"[7d, 1d, 1h]", b"[3d]")
    staged = stage(kb, "events.yaml", edited, current, TZ)
    assert apply(kb, "events.yaml", edited, staged.base, TZ, NOW).kept is not None
    assert (kb / "events.yaml").read_bytes() == edited


def test_an_upload_is_refused_when_the_folder_would_grow_past_its_size(kb: Path) -> None:
    fill(kb, size=MAX_FOLDER_BYTES - 10)
    current = load_knowledge(kb, TZ)
    with pytest.raises(EditError, match="the limit is 8192 KiB"):
        stage(kb, "extra.yaml", SMALL.encode(), current, TZ)
    events = (kb / "events.yaml").read_bytes()
    grown = events + b"# " + b"x" * 20 + b"\n"
    with pytest.raises(EditError, match="the limit is 8192 KiB"):
        stage(kb, "events.yaml", grown, current, TZ)
    # A replacement that keeps within the total still goes through; so does one that makes
    # room (even in a folder deployed past the limit: the admin must be able to shrink it).
    within = events.replace(b"[7d, 1d, 1h]", b"[3d, 1h]")  # 2 bytes fewer
    assert apply(kb, "events.yaml", within, fingerprint(kb / "events.yaml"), TZ, NOW).kept
    (kb / "bulk.yaml").write_bytes((kb / "bulk.yaml").read_bytes() + b"#" * 100 + b"\n")
    with pytest.raises(EditError, match="the limit is 8192 KiB"):  # 2 bytes more: refused
        apply(kb, "events.yaml", events, fingerprint(kb / "events.yaml"), TZ, NOW)
    shrunk = events.replace(b"[7d, 1d, 1h]", b"[3d]")
    assert apply(kb, "events.yaml", shrunk, fingerprint(kb / "events.yaml"), TZ, NOW).kept
    assert not (kb / "extra.yaml").exists()


def test_an_apply_checks_the_bounds_again_with_the_folder_as_it_is_then(kb: Path) -> None:
    """A preview made while there was room: files deployed (or applied) since fill it."""
    staged = stage(kb, "extra.yaml", SMALL.encode(), load_knowledge(kb, TZ), TZ)
    fill(kb, size=MAX_FOLDER_BYTES - 10)
    with pytest.raises(EditError, match="the limit is 8192 KiB"):
        apply(kb, "extra.yaml", SMALL.encode(), staged.base, TZ, NOW)
    assert not (kb / "extra.yaml").exists() and not list((kb / ".history").glob("*--*"))


def test_the_folder_bounds_are_the_ones_the_readmes_give() -> None:
    for readme in (ROOT / "README.md", ROOT / "knowledge" / "README.md"):
        text = " ".join(readme.read_text(encoding="utf-8").split())
        assert f"{MAX_FILES} knowledge files" in text, readme
        assert f"{MAX_FOLDER_BYTES >> 20} MiB" in text, readme
        assert f"{MAX_HISTORY_BYTES >> 20} MiB" in text, readme


def test_apply_and_rollback_round_trip(kb: Path) -> None:
    original = (kb / "events.yaml").read_bytes()
    edited = original.replace(b"[7d, 1d, 1h]", b"[3d]")
    now = datetime(2025, 4, 1, tzinfo=TZ)
    kept = apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ, now).kept
    assert kept is not None
    assert kept.read_bytes() == original and (kb / "events.yaml").read_bytes() == edited
    new_file = (
        'version: 1\nsmalltalk:\n  - id: bye2\n    answer: "বি"\n    questions: ["tata"]\n'
    ).encode()
    apply(kb, "extra.yaml", new_file, ABSENT, TZ, now + timedelta(seconds=1))
    assert "bye2" in load_knowledge(kb, TZ).smalltalk
    assert undo(kb) == "extra.yaml" and not (kb / "extra.yaml").exists()
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original
    with pytest.raises(EditError, match="nothing to roll back"):
        undo(kb)
    assert not list(kb.glob(".*.tmp"))


def test_the_same_bytes_applied_again_leave_no_step_to_roll_back(kb: Path) -> None:
    """Found by the red-team run: an upload identical to the file kept a history entry, so
    the next /rollback "restored" what was there and a second one was needed."""
    original = (kb / "events.yaml").read_bytes()
    edited = original.replace(b"[7d, 1d, 1h]", b"[3d]")
    now = datetime(2025, 4, 1, tzinfo=TZ)
    apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ, now)
    again = apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ, now)
    assert again.kept is None and "llamacon" in {e.id for e in again.knowledge.events}
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original


def test_apply_refuses_a_file_changed_since_its_preview(kb: Path) -> None:
    current = load_knowledge(kb, TZ)
    original = (kb / "events.yaml").read_bytes()
    staged = stage(kb, "events.yaml", original.replace(b"[7d, 1d, 1h]", b"[3d]"), current, TZ)
    by_hand = original.replace(b"[7d, 1d, 1h]", b"[2d]")
    (kb / "events.yaml").write_bytes(by_hand)
    with pytest.raises(StaleEdit, match="events.yaml changed since its preview"):
        apply(kb, "events.yaml", staged.content, staged.base, TZ, datetime(2025, 4, 1, tzinfo=TZ))
    assert (kb / "events.yaml").read_bytes() == by_hand
    with pytest.raises(EditError, match="nothing to roll back"):
        undo(kb)


def test_rollback_follows_the_order_of_applies_not_of_local_clocks(kb: Path) -> None:
    """An apply in Dhaka at 10:00, then one an hour later by a bot moved to UTC (05:00)."""
    original = (kb / "events.yaml").read_bytes()
    first, second = (original.replace(b"[7d, 1d, 1h]", offsets) for offsets in (b"[3d]", b"[2d]"))
    apply(kb, "events.yaml", first, fingerprint(kb / "events.yaml"), TZ,
          datetime(2025, 4, 1, 10, tzinfo=TZ))
    apply(kb, "events.yaml", second, fingerprint(kb / "events.yaml"), TZ,
          datetime(2025, 4, 1, 5, tzinfo=ZoneInfo("UTC")))
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == first
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original


def test_entries_kept_before_numbering_are_older_than_numbered_ones(kb: Path) -> None:
    original = (kb / "events.yaml").read_bytes()
    history = kb / ".history"
    history.mkdir()
    # Written by an earlier version of the bot, named by its local time.
    oldest = original.replace(b"[7d, 1d, 1h]", b"[5d]")
    (history / "20250401T100000000000--events.yaml").write_bytes(oldest)
    (history / "20250401T110000000000--events.yaml").write_bytes(original)
    edited = original.replace(b"[7d, 1d, 1h]", b"[3d]")
    apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ,
          datetime(2025, 3, 1, tzinfo=TZ))  # a clock set back does not matter
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == oldest


def test_history_keeps_the_latest_entries_of_each_file(kb: Path) -> None:
    """Found by the red-team run: every apply kept a full copy of the file, never pruned."""
    original = (kb / "events.yaml").read_bytes()
    history = kb / ".history"
    history.mkdir()
    names = [f"{n:06d}-20250401T{n:06d}Z--events.yaml" for n in range(1, 26)]
    names.insert(3, "000003-20250401T000003Z--smalltalk.yaml")  # another file's: kept
    names.append("20250301T100000000000--events.yaml")  # from before numbering: the oldest
    for name in names:
        (history / name).write_bytes(original)
    edited = original.replace(b"[7d, 1d, 1h]", b"[3d]")
    kept = apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ, NOW).kept
    assert kept is not None
    left = sorted(p.name for p in history.iterdir() if "--" in p.name)
    events = [n for n in left if n.endswith("--events.yaml")]
    assert len(events) == 20 and kept.name in events, left
    assert "000003-20250401T000003Z--smalltalk.yaml" in left
    assert "20250301T100000000000--events.yaml" not in left
    assert "000006-20250401T000006Z--events.yaml" not in left  # the oldest numbered ones
    assert "000007-20250401T000007Z--events.yaml" in left
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original


def test_problems_name_files_relative_to_the_folder(kb: Path) -> None:
    current = load_knowledge(kb, TZ)
    extra = (b"version: 1\nsources:\n  - id: s2\n    title: t\n    file: none.txt\n"
             b"    sections: [a]\n")
    with pytest.raises(KnowledgeError) as caught:
        stage(kb, "extra.yaml", extra, current, TZ)
    [problem] = caught.value.problems
    assert problem.file == "extra.yaml" and (problem.line, problem.column) == (5, 11)
    assert "llamabot-stage" not in str(problem)


def test_diff_of_facts(kb: Path) -> None:
    old = load_knowledge(kb, TZ)
    text = (kb / "facts.yaml").read_text(encoding="utf-8")
    (kb / "facts.yaml").write_text(text.replace("১ বিলিয়ন", "এক বিলিয়ন", 1), encoding="utf-8")
    new = load_knowledge(kb, TZ)
    diff = diff_knowledge(old, new)
    facts = diff.section("facts")
    assert len(facts.changed) == 1 and not facts.added and not facts.removed
    assert diff_knowledge(new, new).empty


def test_watcher_calls_once_after_a_burst_settles(kb: Path) -> None:
    calls: list[float] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()

        async def changed() -> None:
            calls.append(loop.time())

        watcher = KnowledgeWatcher(kb, changed, interval=0.05, settle=0.2)
        task = asyncio.create_task(watcher.run())
        await asyncio.sleep(0.2)
        target = kb / "smalltalk.yaml"
        for i in range(20):  # a burst of saves
            target.write_text(target.read_text(encoding="utf-8") + f"# {i}\n", encoding="utf-8")
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.8)
        (kb / ".history").mkdir()
        (kb / ".history" / "x").write_text("ignored", encoding="utf-8")
        await asyncio.sleep(0.4)
        task.cancel()

    asyncio.run(scenario())
    assert len(calls) == 1


def test_an_edit_made_before_the_watcher_starts_is_still_seen(kb: Path) -> None:
    """The bot loads the folder, then starts (seconds of database and Telegram calls), then
    watches: an edit in between must not become the watcher's starting point."""
    calls: list[str] = []

    async def scenario() -> None:
        async def changed() -> None:
            calls.append("reload")

        loaded = folder_state(kb)  # as the bot loaded it
        target = kb / "smalltalk.yaml"
        target.write_text(target.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        watcher = KnowledgeWatcher(kb, changed, interval=0.05, settle=0.1, seen=loaded)
        task = asyncio.create_task(watcher.run())
        await asyncio.sleep(0.6)
        task.cancel()

    asyncio.run(scenario())
    assert calls == ["reload"]


def test_apply_hands_over_the_folder_as_a_load_of_it_gives_it(kb: Path) -> None:
    """What the bot swaps in after an apply, without loading the folder again."""
    from bot.watch import digest

    edited = (kb / "events.yaml").read_bytes().replace(b"[7d, 1d, 1h]", b"[3d]")
    applied = apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ,
                    datetime(2025, 4, 1, tzinfo=TZ))
    loaded = load_knowledge(kb, TZ)
    assert applied.knowledge == loaded  # file names and source paths included
    assert applied.knowledge.question_sites == loaded.question_sites
    assert applied.digest == digest(kb)


def test_rollback_refuses_to_undo_a_change_made_after_the_apply(kb: Path) -> None:
    """Found by the red-team run: /rollback after a hand edit restored the file from before
    the upload, and the hand edit was gone for good."""
    original = (kb / "events.yaml").read_bytes()
    uploaded = original.replace(b"[7d, 1d, 1h]", b"[3d]")
    apply(kb, "events.yaml", uploaded, fingerprint(kb / "events.yaml"), TZ, NOW)
    by_hand = original.replace(b"[7d, 1d, 1h]", b"[2d]")
    (kb / "events.yaml").write_bytes(by_hand)
    with pytest.raises(StaleEdit, match="events.yaml changed since that upload was applied"):
        undo(kb)
    assert (kb / "events.yaml").read_bytes() == by_hand
    (kb / "events.yaml").write_bytes(uploaded)  # the hand edit undone: rollback goes ahead
    assert undo(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original


def test_rollback_refuses_what_would_leave_the_folder_invalid(kb: Path) -> None:
    """Found by the red-team run: rolling back a file that added a topic another file came
    to use deleted it, said "rolled back", and the next restart failed."""
    topics = b"version: 1\ntopics:\n  - id: extra_topic\n    title: X\n"
    apply(kb, "extra.yaml", topics, ABSENT, TZ, NOW)
    facts = (kb / "facts.yaml").read_text(encoding="utf-8")
    first_topic = facts.split("topic: ", 1)[1].split("\n", 1)[0]
    (kb / "facts.yaml").write_text(facts.replace(f"topic: {first_topic}", "topic: extra_topic",
                                                 1), encoding="utf-8")
    load_knowledge(kb, TZ)  # valid as it is
    with pytest.raises(KnowledgeError, match="extra_topic"):
        undo(kb)
    assert (kb / "extra.yaml").read_bytes() == topics
    load_knowledge(kb, TZ)  # and still valid


def test_a_write_that_fails_leaves_no_step_to_roll_back(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the red-team run: with the folder unwritable, the history entry was kept
    though nothing was written, and the next /rollback "restored" the file as it was."""
    import bot.kbedit

    original = (kb / "events.yaml").read_bytes()

    def refused(target: Path, content: bytes) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(bot.kbedit, "write_atomically", refused)
    edited = original.replace(b"[7d, 1d, 1h]", b"[3d]")
    with pytest.raises(EditError, match="^cannot write events.yaml: Permission denied$"):
        apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ, NOW)
    monkeypatch.undo()
    with pytest.raises(EditError, match="nothing to roll back"):
        undo(kb)


def test_a_folder_that_cannot_hold_its_history_is_one_clear_error(kb: Path) -> None:
    (kb / ".history").write_text("not a folder")
    original = (kb / "events.yaml").read_bytes()
    with pytest.raises(EditError, match="cannot edit the knowledge folder: .history"):
        apply(kb, "events.yaml", original.replace(b"[7d, 1d, 1h]", b"[3d]"),
              fingerprint(kb / "events.yaml"), TZ, NOW)
    assert (kb / "events.yaml").read_bytes() == original


def test_a_file_that_cannot_be_copied_does_not_block_every_upload(kb: Path) -> None:
    """Found by the red-team run: one unreadable non-YAML file in the folder (a root-owned
    draft) made every upload fail with a generic apology. A pipe cannot be copied either."""
    import os

    os.mkfifo(kb / "notes.pipe")
    current = load_knowledge(kb, TZ)
    original = (kb / "events.yaml").read_bytes()
    staged = stage(kb, "events.yaml", original.replace(b"[7d, 1d, 1h]", b"[3d]"), current, TZ)
    assert staged.diff.section("events").changed == ("llamacon",)


def uploads(kb: Path, count: int, start: datetime = NOW) -> list[bytes]:
    """`count` uploads of events.yaml, each with other reminders; what each wrote."""
    before = (kb / "events.yaml").read_bytes()
    wrote = []
    for n in range(count):
        content = re.sub(rb"remind_before: \[.*\]", f"remind_before: [{n + 2}d]".encode(),
                         before)
        apply(kb, "events.yaml", content, fingerprint(kb / "events.yaml"), TZ,
              start + timedelta(minutes=n), by="admin 666 (upload)",
              what="events.yaml uploaded")
        wrote.append(content)
    return wrote


def test_a_burst_of_uploads_cannot_push_the_file_as_deployed_out_of_reach(kb: Path) -> None:
    """Red-team: .history kept the latest 20 entries of a file, so a stolen admin account
    uploading a file 21 times deleted the copy of it as it was before them, and /rollback
    could no longer bring it back. The oldest entry now stays: past 20, the next one is
    folded into it, and undoing it restores the file as it was before all those uploads."""
    original = (kb / "events.yaml").read_bytes()
    wrote = uploads(kb, 25)
    events = [p for p in (kb / ".history").iterdir() if p.name.endswith("--events.yaml")]
    assert len(events) == 20  # still bounded
    changes = history(kb)
    assert [c.what for c in changes[1:]] == ["events.yaml uploaded"] * 19
    assert changes[0].what.startswith("6 applies of events.yaml since 2025-04-01T18:00:00"), (
        changes[0])
    assert changes[0].by == "admin 666 (upload)"
    for n in range(19):  # the latest 19, one at a time
        undo(kb)
        assert (kb / "events.yaml").read_bytes() == wrote[-2 - n]
    undo(kb)  # the first six at once
    assert (kb / "events.yaml").read_bytes() == original
    with pytest.raises(EditError, match="nothing to roll back"):
        undo(kb)


def copies(kb: Path) -> int:
    """The bytes of the history copies in `kb`."""
    return sum(p.stat().st_size for p in (kb / ".history").glob("*--*") if p.is_file())


@pytest.mark.parametrize("bound", [40_000, 0])
def test_the_history_copies_of_all_files_stay_within_their_total(
        kb: Path, monkeypatch: pytest.MonkeyPatch, bound: int) -> None:
    """Red-team: the folder was bounded, not its history: 20 copies of each of 32 files of
    512 KiB, 320 MiB a stolen admin account could fill. Past MAX_HISTORY_BYTES the oldest
    applies of any file are folded as past 20 of one file; the files as deployed stay, and
    so does the latest entry, which undoes the apply just made."""
    monkeypatch.setattr(kbedit, "MAX_HISTORY_BYTES", bound)
    deployed = {name: (kb / name).read_bytes() for name in ("events.yaml", "smalltalk.yaml")}
    wrote: dict[str, list[bytes]] = {name: [] for name in deployed}
    for n in range(12):
        name = ("events.yaml", "smalltalk.yaml")[n % 2]
        content = deployed[name] + f"# upload {n}\n".encode() + b"#" * 3000 * (n % 3) + b"\n"
        apply(kb, name, content, fingerprint(kb / name), TZ, NOW + timedelta(minutes=n),
              by="admin 666 (upload)", what=f"{name} uploaded")
        wrote[name].append(content)
        # Never past the bound, but for the versions deployed and the latest copy.
        least = sum(map(len, deployed.values())) + len((wrote[name][-2:-1] or [deployed[name]])[0])
        assert copies(kb) <= max(bound, least), n
    assert copies(kb) < sum(map(len, deployed.values())) + sum(
        len(c) for w in wrote.values() for c in w[:-1])  # some were folded
    assert undo(kb) == "smalltalk.yaml"  # the apply just made, undone alone
    assert (kb / "smalltalk.yaml").read_bytes() == wrote["smalltalk.yaml"][-2]
    while True:  # the rest, down to the files as deployed
        try:
            undo(kb)
        except EditError as err:
            assert "nothing to roll back" in str(err)
            break
    assert {name: (kb / name).read_bytes() for name in deployed} == deployed


def test_a_version_edited_by_hand_is_the_one_a_burst_cannot_push_out(kb: Path) -> None:
    """The last version not written by an upload (a deploy, a hand edit) is the one kept:
    older entries go as before."""
    uploads(kb, 3)
    by_hand = (kb / "events.yaml").read_bytes().replace(b"[4d]", b"[9d, 3h]")
    assert by_hand != (kb / "events.yaml").read_bytes()
    (kb / "events.yaml").write_bytes(by_hand)
    uploads(kb, 22, NOW + timedelta(hours=1))
    for _ in range(20):
        undo(kb)
    assert (kb / "events.yaml").read_bytes() == by_hand
    with pytest.raises(EditError, match="nothing to roll back"):
        undo(kb)


def test_folded_applies_hand_back_every_question_they_taught_without_copying_them(
        kb: Path) -> None:
    """Each fold wrote the questions of every apply folded so far into a new note line, so
    .history/notes.jsonl grew with the square of the /review applies since the last deploy
    (read whole at every apply and /rollback), and one rollback handed back a list past
    what one SQL statement takes. A fold now links the one before it; undoing the oldest
    entry still hands back every question of the applies it undoes."""
    before = (kb / "events.yaml").read_bytes()
    asked = [f"প্রশ্ন {n}: " + "লামা কী? " * 60 for n in range(60)]
    for n, question in enumerate(asked):
        content = re.sub(rb"remind_before: \[.*\]", f"remind_before: [{n + 2}d]".encode(),
                         before)
        apply(kb, "events.yaml", content, fingerprint(kb / "events.yaml"), TZ,
              NOW + timedelta(minutes=n), by="admin 1 (/review)", what="taught",
              taught=(question,))
    size = (kb / ".history" / "notes.jsonl").stat().st_size
    assert size < 4 * 60 * len(asked[0].encode()), size  # each question a few times at most
    handed = [rollback(kb, TZ, NOW, by="admin 1").taught for _ in range(20)]
    assert [t for t in handed[:19]] == [(q,) for q in reversed(asked[-19:])]
    assert sorted(handed[19]) == sorted(asked[:41])  # the first 41 at once
    assert (kb / "events.yaml").read_bytes() == before


def test_an_entry_from_before_applies_recorded_their_bytes_is_checked_by_time(
    kb: Path,
) -> None:
    """Found by the second red-team run: an entry kept by the previous release has no
    record of what its apply wrote, so a hand edit made since was rolled back unseen."""
    import json
    import os

    original = (kb / "events.yaml").read_bytes()
    history = kb / ".history"
    history.mkdir()
    entry = history / "000001-20250401T100000Z--events.yaml"
    entry.write_bytes(original.replace(b"[7d, 1d, 1h]", b"[5d]"))
    (history / "notes.jsonl").write_text(json.dumps(
        {"entry": entry.name, "at": "2025-04-01T10:00:00+00:00", "by": "admin 1",
         "what": "events.yaml uploaded"}) + "\n", encoding="utf-8")
    (kb / "events.yaml").write_bytes(original)  # written now: after the apply
    with pytest.raises(StaleEdit, match="changed since that upload was applied"):
        undo(kb)
    applied = datetime(2025, 4, 1, 10, 0, 1, tzinfo=ZoneInfo("UTC")).timestamp()
    os.utime(kb / "events.yaml", (applied, applied))  # as the apply left it
    assert undo(kb) == "events.yaml"


@pytest.mark.parametrize("entry", ["README.md.absent", "facts.yaml/", "facts.yaml@"])
def test_a_history_entry_made_by_hand_is_refused_not_followed(kb: Path, tmp_path: Path,
                                                             entry: str) -> None:
    """Found by the ninth red-team run: /rollback believed whatever `.history` held. An
    entry naming a file that is no knowledge file (README.md.absent) deleted that file; a
    directory named as an entry was an IsADirectoryError traceback; a link was read
    wherever it led. Such an entry is refused, and nothing changes."""
    history = kb / ".history"
    history.mkdir()
    path = history / f"000001-20990101T000000Z--{entry.rstrip('/@')}"
    if entry.endswith("/"):
        path.mkdir()
    elif entry.endswith("@"):
        outside = tmp_path / "outside.yaml"
        outside.write_bytes((kb / "facts.yaml").read_bytes() + b"# from outside\n")
        path.symlink_to(outside)
    else:
        path.touch()
    before = {p.name: p.read_bytes() for p in kb.iterdir() if p.is_file()}
    with pytest.raises(EditError, match="history entry"):
        undo(kb)
    assert {p.name: p.read_bytes() for p in kb.iterdir() if p.is_file()} == before


def test_a_folder_in_the_history_made_by_hand_does_not_fail_every_apply(kb: Path) -> None:
    """A directory named like a history entry, put there from a shell, was read as one once
    a file had more than 20 entries: every apply then failed after writing the file, so the
    admin was told it failed when it had applied."""
    uploads(kb, 2)
    (kb / ".history" / "1-20000101T000000Z--events.yaml").mkdir()
    wrote = uploads(kb, 22)
    assert (kb / "events.yaml").read_bytes() == wrote[-1]


# A process whose disk fills (no file may grow past `limit` bytes) once the edit was
# checked: the scratch copy the check writes is on another disk (/tmp).
FULL_DISK_AFTER_THE_CHECK = """
import resource, signal, sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from bot import kbedit
folder, limit = Path(sys.argv[1]), int(sys.argv[2])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
checked = kbedit._validate


def validate_then_fill_the_disk(*args):
    done = checked(*args)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return done


kbedit._validate = validate_then_fill_the_disk
"""

APPLY_WITH_A_FULL_DISK = FULL_DISK_AFTER_THE_CHECK + """
content = (folder / "new-facts.bin").read_bytes()
base = kbedit.fingerprint(folder / "facts.yaml")
try:
    kbedit.apply(folder, "facts.yaml", content, base, ZoneInfo("Asia/Dhaka"),
                 datetime(2025, 4, 2).astimezone(), by="admin 1", what="facts.yaml uploaded")
except kbedit.EditError as err:
    print("EditError:", err)
"""


def test_an_apply_that_cannot_keep_the_earlier_version_leaves_no_history_entry(kb: Path) -> None:
    """Red-team: on a disk too full for the copy of the earlier version kept in .history,
    the apply failed with a bare OSError (in Telegram, an apology that named no cause) and
    left the cut copy behind as the latest entry: /rollback then offered to restore that
    fragment ("by ?, at ?"), and refused every rollback behind it. The apply is refused in
    words, and nothing is kept."""
    import subprocess
    import sys

    old = (kb / "facts.yaml").read_bytes()
    # A smaller facts.yaml: it fits on the disk, the copy of the earlier one does not.
    smaller = b"".join(line for line in old.splitlines(keepends=True)
                       if not re.fullmatch(rb'      - "[ -~]*"\n', line))
    (kb / "new-facts.bin").write_bytes(smaller)
    done = subprocess.run([sys.executable, "-c", APPLY_WITH_A_FULL_DISK, str(kb),
                           str(len(smaller) + 1000)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout.startswith("EditError: cannot keep the earlier version of facts.yaml"), (
        done.stdout)
    assert (kb / "facts.yaml").read_bytes() == old
    assert history(kb) == []
    assert [p.name for p in (kb / ".history").iterdir()] == [".lock"]
    with pytest.raises(EditError, match="nothing to roll back"):
        undo(kb)


STAGE_WITH_A_FULL_SCRATCH_DISK = """
import resource, signal, sys
from pathlib import Path
from zoneinfo import ZoneInfo
from bot import kbedit
from bot.core.loader import KnowledgeError, load_knowledge
folder, limit = Path(sys.argv[1]), int(sys.argv[2])
current = load_knowledge(folder, ZoneInfo("Asia/Dhaka"))
content = (folder / "events.yaml").read_bytes().replace(b"[7d, 1d, 1h]", b"[3d]")
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    kbedit.stage(folder, "events.yaml", content, current, ZoneInfo("Asia/Dhaka"))
except (kbedit.EditError, KnowledgeError) as err:
    print(type(err).__name__ + ":", err)
"""


def test_an_upload_checked_on_a_full_disk_is_refused_in_words_not_by_a_cut_copy(
        kb: Path) -> None:
    """Red-team: an upload is checked in a scratch copy of the folder; on a disk too full
    for it, facts.yaml was copied in part and read as such, so an upload of events.yaml
    was refused for 'facts.yaml:1050:5: a fact is missing required field answer' (or a
    YAML syntax error at its cut), blaming a file the admin never sent."""
    import subprocess
    import sys

    facts = (kb / "facts.yaml").stat().st_size
    others = max(p.stat().st_size for p in kb.rglob("*") if p.is_file() and p.name != "facts.yaml")
    assert others < facts - 4096
    done = subprocess.run([sys.executable, "-c", STAGE_WITH_A_FULL_SCRATCH_DISK, str(kb),
                           str(facts - 4096)], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout.startswith("EditError: cannot check events.yaml: the scratch copy"), (
        done.stdout)
    assert "facts.yaml was copied only in part" in done.stdout
    assert str(kb) not in done.stdout and "llamabot-stage" not in done.stdout


def test_an_apply_that_cannot_write_its_note_is_refused_and_leaves_the_record_whole(
    kb: Path,
) -> None:
    """Red-team: on a disk that fills while the apply's note is appended to .history's
    record (who applied what, and the digest /rollback checks the file against), the file
    was already written: the apply failed with a bare OSError (an apology naming no cause,
    the bot still serving the old knowledge while the disk held the new), and the note cut
    short, without its newline, swallowed the next apply's note too. The note now comes
    before the file, and a note that cannot be written leaves the record as it was."""
    import subprocess
    import sys

    old = (kb / "facts.yaml").read_bytes()
    smaller = b"".join(line for line in old.splitlines(keepends=True)
                       if not re.fullmatch(rb'      - "[ -~]*"\n', line))
    (kb / "new-facts.bin").write_bytes(smaller)
    limit = len(old) + 1000  # the earlier version fits in .history; the record is full
    (kb / ".history").mkdir(exist_ok=True)
    record = kb / ".history" / "notes.jsonl"
    record.write_bytes(b'{"rolled_back": "x", "at": "2025-04-01T00:00:00Z"}\n'.rjust(limit - 40))
    done = subprocess.run([sys.executable, "-c", APPLY_WITH_A_FULL_DISK, str(kb), str(limit)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout.startswith("EditError:"), done.stdout
    assert (kb / "facts.yaml").read_bytes() == old
    assert record.stat().st_size == limit - 40 and record.read_bytes().endswith(b"\n")
    assert history(kb) == []


ROLLBACK_WITH_A_FULL_DISK = FULL_DISK_AFTER_THE_CHECK + """
try:
    kbedit.rollback(folder, ZoneInfo("Asia/Dhaka"), datetime(2025, 4, 3).astimezone(),
                    by="admin 1")
except kbedit.EditError as err:
    print("EditError:", err)
"""


def test_a_rollback_that_cannot_write_its_note_is_refused_and_changes_nothing(
    kb: Path,
) -> None:
    """Red-team leftover: /rollback restored the file and removed its history entry before
    appending its note, so a disk that filled at the note failed with a bare OSError (an
    apology naming no cause) after the rollback had happened. The note now comes first."""
    import subprocess
    import sys

    old = (kb / "facts.yaml").read_bytes()
    new = old.replace(b"version: 1", b"version: 1\n# edited", 1)
    apply(kb, "facts.yaml", new, fingerprint(kb / "facts.yaml"), TZ, NOW)
    [entry] = history(kb)
    record = kb / ".history" / "notes.jsonl"
    limit = len(old) + 1000  # the earlier version fits on the disk; the record is full
    record.write_bytes(record.read_bytes().rjust(limit - 10))
    before = record.read_bytes()
    done = subprocess.run([sys.executable, "-c", ROLLBACK_WITH_A_FULL_DISK, str(kb), str(limit)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout.startswith("EditError:"), done.stdout
    assert (kb / "facts.yaml").read_bytes() == new
    assert history(kb) == [entry]
    assert record.read_bytes() == before
