"""Staging, applying and rolling back knowledge edits on real files; the folder watcher."""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.kbdiff import diff_knowledge
from bot.core.loader import KnowledgeError, load_knowledge
from bot.kbedit import (
    ABSENT,
    EditError,
    StaleEdit,
    apply,
    check_upload,
    fingerprint,
    rollback,
    stage,
)
from bot.watch import KnowledgeWatcher
from bot.watch import fingerprint as folder_state

TZ = ZoneInfo("Asia/Dhaka")
ROOT = Path(__file__).resolve().parent.parent



def test_stage_summarises_an_edit_without_touching_the_folder(kb: Path) -> None:
    current = load_knowledge(kb, TZ)
    before = (kb / "events.yaml").read_bytes()
    moved = before.replace(b"2025-04-29", b"2025-05-06")
    staged = stage(kb, "events.yaml", moved, current, TZ)
    assert staged.diff.section("events").changed == ("llamacon",)
    assert staged.diff.lines() == ["events changed (1): llamacon (starts_at)"]
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
        ("facts.yaml", b"\xff\xfe", "not UTF-8"),
        ("facts.yaml", b"a" * (600 * 1024), "the limit is 512 KiB"),
    ],
)
def test_uploads_that_cannot_be_knowledge_files(name: str, content: bytes, message: str) -> None:
    with pytest.raises(EditError, match=message):
        check_upload(name, content)


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
    assert rollback(kb) == "extra.yaml" and not (kb / "extra.yaml").exists()
    assert rollback(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original
    with pytest.raises(EditError, match="nothing to roll back"):
        rollback(kb)
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
    assert rollback(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original


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
        rollback(kb)


def test_rollback_follows_the_order_of_applies_not_of_local_clocks(kb: Path) -> None:
    """An apply in Dhaka at 10:00, then one an hour later by a bot moved to UTC (05:00)."""
    original = (kb / "events.yaml").read_bytes()
    first, second = (original.replace(b"[7d, 1d, 1h]", offsets) for offsets in (b"[3d]", b"[2d]"))
    apply(kb, "events.yaml", first, fingerprint(kb / "events.yaml"), TZ,
          datetime(2025, 4, 1, 10, tzinfo=TZ))
    apply(kb, "events.yaml", second, fingerprint(kb / "events.yaml"), TZ,
          datetime(2025, 4, 1, 5, tzinfo=ZoneInfo("UTC")))
    assert rollback(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == first
    assert rollback(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original


def test_entries_kept_before_numbering_are_older_than_numbered_ones(kb: Path) -> None:
    original = (kb / "events.yaml").read_bytes()
    history = kb / ".history"
    history.mkdir()
    # Written by an earlier version of the bot, named by its local time.
    (history / "20250401T100000000000--events.yaml").write_bytes(b"oldest")
    (history / "20250401T110000000000--events.yaml").write_bytes(original)
    edited = original.replace(b"[7d, 1d, 1h]", b"[3d]")
    apply(kb, "events.yaml", edited, fingerprint(kb / "events.yaml"), TZ,
          datetime(2025, 3, 1, tzinfo=TZ))  # a clock set back does not matter
    assert rollback(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original
    assert rollback(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == original
    assert rollback(kb) == "events.yaml" and (kb / "events.yaml").read_bytes() == b"oldest"


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
