"""Reminders: planning rules without a clock, then real firing against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from broadcast_support import LimitedTelegram, wait_until
from fake_telegram import TOKEN
from telegram import Bot

from bot.broadcast.reminders import (
    ReminderScheduler,
    fire_due,
    plan_fire,
    plan_sync,
    reminder_text,
    sync,
)
from bot.broadcast.sender import SenderConfig
from bot.broadcast.service import BroadcastService
from bot.core.events import MAX_REMINDERS_AT_ONCE, reminder_due
from bot.core.knowledge import Event, Knowledge
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseTarget
from bot.storage.outbox import Outbox
from bot.storage.reminder_rows import ReminderRow, ReminderRows

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
FAST = SenderConfig(rate=50, idle_poll=0.05, backoff=0.05)


def event(starts_at: datetime, *offsets: timedelta, event_id: str = "llamacon",
          url: str | None = None) -> Event:
    return Event(event_id, "লামাকন", starts_at, tuple(sorted(offsets, reverse=True)), "llamacon",
                 url)


def knowledge(*events: Event) -> Knowledge:
    return Knowledge(sources={}, topics=(), facts={}, smalltalk={}, events=events)


def row(e: Event, offset: timedelta, state: str = "scheduled") -> ReminderRow:
    return ReminderRow(e.id, int(offset.total_seconds()), reminder_due(e, offset), e.starts_at,
                       state)


DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def test_sync_schedules_future_events_only() -> None:
    ahead = event(NOW + 2 * DAY, DAY, HOUR)
    held = event(NOW - DAY, HOUR, event_id="old")
    plan = plan_sync([], [ahead, held], NOW)
    assert set(plan.write) == {row(ahead, DAY), row(ahead, HOUR)}
    assert plan.cancel == ()
    # Unchanged on the next sync (a restart): nothing to write, sent rows stay sent.
    rows = [row(ahead, DAY, "sent"), row(ahead, HOUR)]
    assert plan_sync(rows, [ahead], NOW) == plan_sync([], [], NOW)


def test_sync_moves_edited_and_cancels_deleted() -> None:
    before = event(NOW + 2 * DAY, DAY, HOUR)
    rows = [row(before, DAY, "sent"), row(before, HOUR)]
    moved = event(NOW + 3 * DAY, DAY, HOUR)
    plan = plan_sync(rows, [moved], NOW)
    # Both move; the one already sent is sent again, since it gave the old date.
    assert set(plan.write) == {row(moved, DAY), row(moved, HOUR)}
    fewer = event(NOW + 2 * DAY, DAY)  # the 1h offset removed
    assert plan_sync(rows, [fewer], NOW).cancel == (row(before, HOUR),)
    gone = plan_sync(rows, [], NOW)
    assert gone.cancel == (row(before, HOUR),) and gone.write == ()
    past = event(NOW - HOUR, DAY, HOUR)  # moved into the past: pending ones are cancelled
    assert plan_sync(rows, [past], NOW).cancel == (row(before, HOUR),)
    # Deleted, then added back: scheduled again.
    back = plan_sync([row(before, HOUR, "cancelled")], [before], NOW)
    assert row(before, HOUR) in back.write


def test_a_new_time_on_the_same_day_sends_no_reminder_twice() -> None:
    """Found by the red-team run: fixing the start time by a few minutes sent the reminder
    already sent to every subscriber again, with the same date."""
    dhaka = timezone(timedelta(hours=6))
    before = event(datetime(2025, 4, 29, 10, tzinfo=dhaka), 7 * DAY, HOUR)
    rows = [row(before, 7 * DAY, "sent"), row(before, HOUR)]
    later = event(datetime(2025, 4, 29, 10, 30, tzinfo=dhaka), 7 * DAY, HOUR)
    assert plan_sync(rows, [later], NOW + 3 * DAY).write == (row(later, HOUR),)
    next_day = event(datetime(2025, 4, 30, 10, tzinfo=dhaka), 7 * DAY, HOUR)
    assert row(next_day, 7 * DAY) in plan_sync(rows, [next_day], NOW + 3 * DAY).write


def test_fire_sends_only_the_latest_due_and_skips_begun_events() -> None:
    soon = event(NOW + 30 * timedelta(minutes=1), DAY, HOUR)
    begun = event(NOW - timedelta(minutes=5), HOUR, event_id="begun")
    plan = plan_fire([row(soon, DAY), row(soon, HOUR), row(begun, HOUR)], [soon, begun], NOW)
    assert plan.send == ((row(soon, HOUR), soon),)
    assert set(plan.skip) == {row(soon, DAY), row(begun, HOUR)}
    deleted = plan_fire([row(soon, HOUR)], [], NOW)
    assert deleted.cancel == (row(soon, HOUR),) and deleted.send == ()


def test_reminder_text_is_bengali_with_countdown_and_link() -> None:
    text = reminder_text(event(NOW + 2 * DAY, DAY, url="https://llama.com/llamacon"), NOW, NOW)
    assert "লামাকন" in text and "রিমাইন্ডার" in text and "https://llama.com/llamacon" in text
    assert "/unsubscribe" in text


def test_a_reminder_states_the_offset_it_was_scheduled_for(tmp_path: Path) -> None:
    """Fired a few ms after it fell due, the 1 h reminder said "about 59 minutes"."""
    soon = event(NOW + HOUR, HOUR, 30 * timedelta(minutes=1))
    outbox = Outbox.open(tmp_path / "bot.sqlite3")
    sync(outbox, [soon], NOW - DAY)
    texts = []
    for offset in (HOUR, 30 * timedelta(minutes=1)):
        fire_due(outbox, [soon], soon.starts_at - offset + timedelta(milliseconds=3))
        texts.append(outbox.conn.execute(
            "SELECT text FROM broadcasts ORDER BY id DESC LIMIT 1").fetchone()[0])
    outbox.close()
    assert "আর প্রায় ১ ঘণ্টা বাকি" in texts[0], texts[0]
    assert "আর প্রায় ৩০ মিনিট বাকি" in texts[1], texts[1]
    # Sent late (the bot was down): what is really left, not the offset.
    late = reminder_text(soon, soon.starts_at - HOUR, soon.starts_at - 20 * timedelta(minutes=1))
    assert "আর প্রায় ২০ মিনিট বাকি" in late, late


BERLIN, DHAKA = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Dhaka")
MINUTE = timedelta(minutes=1)


def _texts(outbox: Outbox) -> list[str]:
    return [t for (t,) in outbox.conn.execute("SELECT text FROM broadcasts ORDER BY id")]


@pytest.mark.parametrize(("starts_at", "hour_before"), [
    # Spring forward: the event at 03:30 CEST (01:30 UTC); an hour before is 01:30 CET.
    (datetime(2025, 3, 30, 3, 30, tzinfo=BERLIN), datetime(2025, 3, 30, 1, 30, tzinfo=BERLIN)),
    # Fall back: the event at the second 02:30 (CET, 01:30 UTC); an hour before is the
    # first 02:30 (CEST).
    (datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=BERLIN),
     datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN)),
], ids=["spring-forward", "fall-back"])
def test_a_reminder_across_dst_falls_due_its_offset_before_in_real_time(
        tmp_path: Path, starts_at: datetime, hour_before: datetime) -> None:
    """Found by the red-team run: with LLAMABOT_TIMEZONE=Europe/Berlin (the bot's clock in
    that zone too), the 1 h reminder was computed on the wall clock: after a spring-forward
    it fell due at the start and was skipped; before a fall-back it went out 2 hours early."""
    con = event(starts_at, HOUR)
    outbox = Outbox.open(tmp_path / "bot.sqlite3")
    outbox.add_subscribers([1], "test", NOW)
    sync(outbox, [con], hour_before - DAY)
    early = fire_due(outbox, [con], hour_before - MINUTE)
    on_time = fire_due(outbox, [con], hour_before + timedelta(milliseconds=3))
    texts = _texts(outbox)
    outbox.close()
    assert early.queued == () and len(on_time.queued) == 1, (early, on_time)
    assert "আর প্রায় ১ ঘণ্টা বাকি" in texts[0], texts[0]


def test_a_same_day_postponement_rearms_the_reminders_still_ahead() -> None:
    """Found by the red-team run: moving an event from 18:00 to 20:00 after the 1 h reminder
    went out at 17:00 kept that row "sent" (same day), so nobody heard at 19:00 that the
    event was an hour away."""
    six = event(datetime(2025, 4, 29, 18, tzinfo=DHAKA), DAY, HOUR, 15 * MINUTE)
    rows = [row(six, DAY, "sent"), row(six, HOUR, "sent"), row(six, 15 * MINUTE)]
    eight = event(datetime(2025, 4, 29, 20, tzinfo=DHAKA), DAY, HOUR, 15 * MINUTE)
    ten_past_five = datetime(2025, 4, 29, 17, 10, tzinfo=DHAKA)
    # "Tomorrow, 29 April" stays true; "about 1 hour left" at 17:00 does not.
    assert set(plan_sync(rows, [eight], ten_past_five).write) == {
        row(eight, HOUR), row(eight, 15 * MINUTE)}
    # At 17:00, 18:15 is still "about 1 hour" away: that reminder would say the same again.
    quarter_past = event(datetime(2025, 4, 29, 18, 15, tzinfo=DHAKA), DAY, HOUR, 15 * MINUTE)
    assert plan_sync(rows, [quarter_past], ten_past_five).write == (
        row(quarter_past, 15 * MINUTE),)
    # Moved at 18:30 to 19:00: the new 1 h time has passed (not sent late), the 15 min is ahead.
    sent = [row(six, DAY, "sent"), row(six, HOUR, "sent"), row(six, 15 * MINUTE, "sent")]
    nine = event(datetime(2025, 4, 29, 19, tzinfo=DHAKA), DAY, HOUR, 15 * MINUTE)
    assert plan_sync(sent, [nine], datetime(2025, 4, 29, 18, 30, tzinfo=DHAKA)).write == (
        row(nine, 15 * MINUTE),)


def test_a_postponed_event_gets_each_reminder_for_its_new_time_once(tmp_path: Path) -> None:
    six = event(datetime(2025, 4, 29, 18, tzinfo=DHAKA), DAY, HOUR, 15 * MINUTE)
    eight = event(datetime(2025, 4, 29, 20, tzinfo=DHAKA), DAY, HOUR, 15 * MINUTE)
    outbox = Outbox.open(tmp_path / "bot.sqlite3")
    outbox.add_subscribers([1], "test", NOW)
    sync(outbox, [six], datetime(2025, 4, 27, tzinfo=DHAKA))
    for moment in (six.starts_at - DAY, six.starts_at - HOUR):
        assert len(fire_due(outbox, [six], moment + timedelta(milliseconds=3)).queued) == 1
    sync(outbox, [eight], datetime(2025, 4, 29, 17, 10, tzinfo=DHAKA))  # the admin's edit
    for moment in (eight.starts_at - HOUR, eight.starts_at - 15 * MINUTE):
        assert sync(outbox, [eight], moment).write == ()  # re-armed once, not on every reload
        assert len(fire_due(outbox, [eight], moment + timedelta(milliseconds=3)).queued) == 1
    assert fire_due(outbox, [eight], eight.starts_at - MINUTE).queued == ()
    texts = _texts(outbox)
    outbox.close()
    assert ["আগামীকাল" in texts[0], "১ ঘণ্টা" in texts[1], "১ ঘণ্টা" in texts[2],
            "১৫ মিনিট" in texts[3], len(texts)] == [True, True, True, True, 4], texts


@pytest.fixture
def fake() -> Iterator[LimitedTelegram]:
    with LimitedTelegram(max_poll=0.2) as server:
        yield server


def run_service(path: Path, fake: LimitedTelegram, kb: Knowledge, seconds: float,
                subscribers: int = 3, before: list[ReminderRow] | None = None,
                edit: tuple[float, Knowledge] | None = None, until: int | None = None) -> None:
    """Run the whole service for `seconds` of real time (reminders are seconds apart),
    or, with `until`, as soon as that many messages have arrived (at most 10 s)."""
    async def main() -> None:
        db = await AsyncOutbox.open(path)
        await db.call(lambda o: o.add_subscribers(range(1, subscribers + 1), "test", NOW))
        if before:
            await db.call(lambda o: ReminderRows(o).save(before, datetime.now(UTC)))
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            service = BroadcastService(db, bot, kb, config=FAST, progress_every=0.2)
            await service.start()
            try:
                if edit is not None:
                    await asyncio.sleep(edit[0])
                    service.knowledge_changed(edit[1])  # what a reload tells it
                    await service.resync()
                    await asyncio.sleep(seconds - edit[0])
                else:
                    await asyncio.sleep(seconds)
                if until is not None:
                    await wait_until(lambda: _true(len(fake.sent_messages) >= until))
            finally:
                await service.stop()
        await db.close()

    asyncio.run(main())


def test_reminders_fire_at_their_offsets(tmp_path: Path, fake: LimitedTelegram) -> None:
    start = time.monotonic()
    starts_at = datetime.now(UTC) + timedelta(seconds=2.5)
    run_service(tmp_path / "bot.sqlite3", fake,
                knowledge(event(starts_at, timedelta(seconds=2), timedelta(seconds=1))), 1.0,
                until=6)
    assert len(fake.sent_messages) == 6  # two reminders to three subscribers
    first, second = fake.sent_messages[:3], fake.sent_messages[3:]
    assert all("রিমাইন্ডার" in c.text for c in fake.sent_messages)
    # Due at 0.5 s and 1.5 s after the start (slack for a loaded CI machine).
    assert 0.45 <= first[0].at - start <= 1.0, first[0].at - start
    assert 1.45 <= second[0].at - start <= 2.0, second[0].at - start


def test_moved_event_moves_and_deleted_event_cancels(tmp_path: Path,
                                                      fake: LimitedTelegram) -> None:
    path = tmp_path / "bot.sqlite3"
    start = time.monotonic()
    starts_at = datetime.now(UTC) + timedelta(seconds=4)
    original = event(starts_at, timedelta(seconds=1))  # due after 3 s
    moved = event(starts_at - timedelta(seconds=2), timedelta(seconds=1))  # due after 1 s
    run_service(path, fake, knowledge(original), 0.2, edit=(0.1, knowledge(moved)), until=3)
    assert len(fake.sent_messages) == 3
    # At the new time, long before the old one (the run stops before the old one is due).
    assert 0.95 <= fake.sent_messages[0].at - start <= 2.5, fake.sent_messages[0].at - start

    doomed = event(datetime.now(UTC) + timedelta(seconds=2), timedelta(seconds=1),
                   event_id="doomed")  # due after 1 s, deleted at once: runs past its time
    run_service(path, fake, knowledge(moved, doomed), 1.3, edit=(0.05, knowledge(moved)))
    assert len(fake.sent_messages) == 3  # nothing more: the deleted event's reminder was cancelled
    outbox = Outbox.open(path)
    states = {(r.event_id, r.state) for r in ReminderRows(outbox).all()}
    outbox.close()
    assert ("doomed", "cancelled") in states


def test_reminders_due_while_down(tmp_path: Path, fake: LimitedTelegram,
                                  caplog: pytest.LogCaptureFixture) -> None:
    now = datetime.now(UTC)
    ahead = event(now + timedelta(minutes=30), HOUR, DAY)  # both fell due while down
    begun = event(now - timedelta(minutes=5), HOUR, event_id="begun")
    missed = [row(ahead, HOUR), row(ahead, DAY), row(begun, HOUR)]
    caplog.set_level(logging.WARNING, logger="bot.broadcast.reminders")
    run_service(tmp_path / "bot.sqlite3", fake, knowledge(ahead, begun), 0.3, before=missed,
                until=3)
    assert len(fake.sent_messages) == 3  # one reminder (the latest) for the event still ahead
    outbox = Outbox.open(tmp_path / "bot.sqlite3")
    states = {(r.event_id, r.offset_s): r.state for r in ReminderRows(outbox).all()}
    outbox.close()
    assert states == {("llamacon", 3600): "sent", ("llamacon", 86400): "skipped",
                      ("begun", 3600): "skipped"}
    assert any("begun" in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records)


def test_progress_shows_in_an_edited_message(tmp_path: Path, fake: LimitedTelegram) -> None:
    path = tmp_path / "bot.sqlite3"

    async def main() -> None:
        db = await AsyncOutbox.open(path)
        await db.call(lambda o: o.add_subscribers(range(1, 11), "test", NOW))
        draft = await db.call(lambda o: o.create_draft("news", NOW, created_by=999))
        await db.call(lambda o: o.set_progress_message(draft, 999, 4242))
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            service = BroadcastService(db, bot, knowledge(), config=FAST, progress_every=0.1)
            await service.start()
            await db.call(lambda o: o.enqueue(draft, NOW))
            service.wake()

            async def done() -> bool:
                edits = fake.calls_to("editMessageText")
                return bool(edits) and "সম্পন্ন" in edits[-1].text

            await wait_until(done, timeout=5)
            await service.stop()
        await db.close()

    asyncio.run(main())
    edits = fake.calls_to("editMessageText")
    assert all(int(e.params["message_id"]) == 4242 for e in edits)
    assert "পাঠানো হয়েছে: 10" in edits[-1].text and "বাকি: 0" in edits[-1].text


async def _true(value: bool) -> bool:
    return value


def test_a_reload_told_to_the_scheduler_is_synced_on_its_next_round(tmp_path: Path) -> None:
    """The scheduler listens to the live knowledge: the round after a swap resyncs."""
    starts_at = datetime.now(UTC) + DAY

    async def main() -> list[ReminderRow]:
        db = await AsyncOutbox.open(tmp_path / "bot.sqlite3")
        scheduler = ReminderScheduler(db, knowledge(event(starts_at, HOUR)),
                                      lambda: datetime.now(UTC), on_queued=lambda: None)
        await scheduler.tick()
        scheduler.knowledge_changed(knowledge(event(starts_at + HOUR, HOUR)))  # a reload
        await scheduler.tick()
        rows = await db.call(lambda o: ReminderRows(o).all())
        await db.close()
        return rows

    [only] = asyncio.run(main())
    assert (only.due_at, only.state) == (starts_at, "scheduled")


ADMIN = 999
FAR_FUTURE = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))


def test_a_row_that_overflows_is_planned_as_a_problem_not_an_exception() -> None:
    good = event(NOW + DAY, HOUR)
    far = event(FAR_FUTURE, HOUR, event_id="far")  # stored in UTC, it is in the year 10000
    huge = event(NOW + DAY, timedelta(days=1_000_000), HOUR, event_id="huge")  # due in year -2714
    plan = plan_sync([], [far, good, huge], NOW)
    assert set(plan.write) == {row(good, HOUR), row(huge, HOUR)}
    assert [(p.event_id, p.offset_s) for p in plan.problems] == [
        ("far", 3600), ("huge", 86_400_000_000)]
    assert "outside" in plan.problems[0].reason


def test_one_bad_event_stops_neither_the_other_reminders_nor_the_loop(
        tmp_path: Path, fake: LimitedTelegram) -> None:
    """Before, the overflow killed the reminder loop every 5 s and nobody was told."""
    good = event(datetime.now(UTC) + timedelta(seconds=1.5), timedelta(seconds=1))
    bad = event(FAR_FUTURE, HOUR, event_id="far")

    async def main() -> None:
        db = await AsyncOutbox.open(tmp_path / "bot.sqlite3")
        await db.call(lambda o: o.add_subscribers([1, 2, 3], "test", NOW))
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            service = BroadcastService(db, bot, knowledge(bad, good), config=FAST,
                                       admins=[ADMIN])
            await service.start()
            for _ in range(3):  # reloads of the same folder: still one notice
                await asyncio.sleep(0.2)
                service.knowledge_changed(knowledge(bad, good))
                await service.resync()
            await wait_until(lambda: _true(len(fake.sent_messages) >= 4))
            await asyncio.sleep(0.3)  # time for more notices, if any were to come
            await service.stop()
        await db.close()

    asyncio.run(main())
    reminders_sent = [c for c in fake.sent_messages if c.chat_id != ADMIN]
    assert sorted(c.chat_id or 0 for c in reminders_sent) == [1, 2, 3]
    assert all("রিমাইন্ডার" in c.text for c in reminders_sent)
    notices = [c for c in fake.sent_messages if c.chat_id == ADMIN and not c.buttons]
    assert len(notices) == 1, [c.text for c in notices]
    assert "far" in notices[0].text and "events.yaml" in notices[0].text


def test_an_unreadable_row_is_set_aside(tmp_path: Path) -> None:
    """A row the database holds but we cannot read (hand edit, a newer version) is reported
    once and left alone; the scheduler goes on with the others."""
    starts_at = datetime.now(UTC) + DAY
    told: list[str] = []

    async def tell(text: str) -> None:
        told.append(text)

    async def main() -> list[ReminderRow]:
        db = await AsyncOutbox.open(tmp_path / "bot.sqlite3")
        await db.call(lambda o: o.conn.execute(
            "INSERT INTO reminders(event_id, offset_s, due_at, starts_at, state, updated_at)"
            " VALUES ('old', 60, 'soon', 'later', 'scheduled', 'x')"))
        scheduler = ReminderScheduler(db, knowledge(event(starts_at, HOUR)),
                                      lambda: datetime.now(UTC), on_queued=lambda: None,
                                      tell_admins=tell)
        await scheduler.tick()
        await scheduler.resync()
        await scheduler.tick()
        rows = await db.call(lambda o: ReminderRows(o).all())
        await db.close()
        return rows

    rows = asyncio.run(main())
    assert [(r.event_id, r.state) for r in rows] == [("llamacon", "scheduled")]
    assert len(told) == 1 and "old" in told[0]


def test_admins_see_each_reminder_queued_with_a_stop_button(tmp_path: Path,
                                                            fake: LimitedTelegram) -> None:
    """Found by the ninth red-team run: a stolen admin account could skip /broadcast, which
    tells the other admins and offers ⏹, by uploading events.yaml with its link as an
    event's url and a reminder due at once: every subscriber got it, the admins only read
    that events.yaml was applied, and a reminder had no ⏹ anywhere. Each reminder queued is
    now shown to the admins, word for word, with the ⏹ that stops it."""
    admin = 900
    starts_at = datetime.now(UTC) + timedelta(seconds=1.5)
    evil = event(starts_at, timedelta(seconds=1), url="http://evil.example")

    async def main() -> None:
        db = await AsyncOutbox.open(tmp_path / "bot.sqlite3")
        await db.call(lambda o: o.add_subscribers(range(1, 4), "test", NOW))
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            service = BroadcastService(db, bot, knowledge(evil), config=FAST,
                                       progress_every=0.2, admins=(admin,))
            await service.start()
            try:
                await wait_until(lambda: _true(any(c.chat_id == admin and c.buttons
                                                   for c in fake.sent_messages)))
            finally:
                await service.stop()
        await db.close()

    asyncio.run(main())
    [notice] = [c for c in fake.sent_messages if c.chat_id == admin]
    assert "http://evil.example" in notice.text and "3" in notice.text, notice.text
    assert notice.buttons[0]["callback_data"].startswith("bc:stop:")


def test_at_most_a_few_reminders_go_out_at_once_the_soonest_events_first() -> None:
    """Red team 14: one events.yaml upload with many reminders already due queued one
    broadcast per event to every subscriber. At most MAX_REMINDERS_AT_ONCE are queued in
    one round, those of the events that begin soonest; the others are skipped."""
    events = [event(NOW + timedelta(hours=10 - n), DAY, event_id=f"e{n}") for n in range(8)]
    plan = plan_fire([row(e, DAY) for e in events], events, NOW)
    assert [e.id for _, e in plan.send] == [f"e{7 - n}" for n in range(MAX_REMINDERS_AT_ONCE)]
    assert {r.event_id for r in plan.over} == {f"e{n}" for n in range(8 - MAX_REMINDERS_AT_ONCE)}
    assert plan.skip == () and plan.cancel == ()


def test_a_flood_of_due_reminders_queues_a_few_and_skips_the_rest(
        database_target: DatabaseTarget) -> None:
    """The same on the database (SQLite and PostgreSQL): a few broadcasts, every other row
    skipped for good (the next round sends none of them), the admins told once."""
    events = [event(NOW + HOUR + timedelta(minutes=n), DAY, event_id=f"e{n:03d}")
              for n in range(50)]
    told: list[str] = []

    async def tell(text: str) -> None:
        told.append(text)

    async def main() -> tuple[list[int], list[int], list[ReminderRow], int]:
        db = await AsyncOutbox.open(database_target)
        await db.call(lambda o: o.add_subscribers(range(1, 4), "test", NOW))
        scheduler = ReminderScheduler(db, knowledge(*events), lambda: NOW,
                                      on_queued=lambda: None, tell_admins=tell)
        first, second = await scheduler.tick(), await scheduler.tick()
        rows = await db.call(lambda o: ReminderRows(o).all())
        messages = await db.call(lambda o: len(o.pending_batch(1000)))
        await db.close()
        return first, second, rows, messages

    first, second, rows, messages = asyncio.run(main())
    assert len(first) == MAX_REMINDERS_AT_ONCE and second == []
    assert messages == 3 * MAX_REMINDERS_AT_ONCE
    sent = sorted(r.event_id for r in rows if r.state == "sent")
    assert sent == [f"e{n:03d}" for n in range(MAX_REMINDERS_AT_ONCE)]
    assert sum(r.state == "skipped" for r in rows) == 50 - MAX_REMINDERS_AT_ONCE
    [notice] = told
    assert "50 reminders fell due at once" in notice
    assert f"{50 - MAX_REMINDERS_AT_ONCE} were skipped" in notice
    assert "and 27 more" in notice and len(notice) < 1000, notice

