"""Event dates, offsets and countdowns, with time passed in."""

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.answer import Responder
from bot.core.events import (
    EventValueError,
    bengali_date,
    describe_event,
    parse_duration,
    parse_starts_at,
    reminders,
    upcoming_and_past,
    wall_time,
)
from bot.core.knowledge import Event
from bot.core.loader import load_knowledge

TZ = ZoneInfo("Asia/Dhaka")
CON = Event(
    "llamacon",
    "লামাকন",
    datetime(2025, 4, 29, tzinfo=TZ),
    (timedelta(days=7), timedelta(hours=1)),
    "llamacon",
)


def test_durations() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration(" 30m ") == timedelta(minutes=30)
    assert parse_duration("45s") == timedelta(seconds=45)
    for bad in ("", "7", "d", "1w", "-1h", "0s", "1.5h"):
        with pytest.raises(EventValueError):
            parse_duration(bad)


def test_start_times() -> None:
    assert parse_starts_at("2025-04-29", TZ) == datetime(2025, 4, 29, tzinfo=TZ)
    # Kept in the bot's zone, whatever offset it was written with: its day is the users' day.
    in_utc = parse_starts_at("2025-04-29T20:00:00+00:00", TZ)
    assert in_utc == datetime(2025, 4, 30, 2, 0, tzinfo=TZ) and in_utc.tzinfo is TZ
    with pytest.raises(EventValueError, match="no UTC offset"):
        parse_starts_at("2025-04-29T10:00:00", TZ)
    with pytest.raises(EventValueError, match="invalid date"):
        parse_starts_at("29/04/2025", TZ)


def _written_datetimes() -> st.SearchStrategy[str]:
    """Dates and datetimes across all of datetime's range, with any UTC offset."""
    offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
        lambda m: f"{'-' if m < 0 else '+'}{abs(m) // 60:02}:{abs(m) % 60:02}"
    )
    return st.one_of(
        st.dates().map(date.isoformat),
        st.tuples(st.datetimes(), offsets).map(lambda p: p[0].isoformat() + p[1]),
    )


_durations = st.tuples(
    st.from_regex(r"\A\d{1,30}\Z"), st.sampled_from("dhmsDHMS"), st.sampled_from(["", " "])
).map(lambda p: p[0] + p[2] + p[1])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(_written_datetimes(), st.text()),
    st.lists(st.one_of(_durations, st.text()), max_size=4),
    st.sampled_from([TZ, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12")]),
)
def test_event_parser_gives_a_value_safe_at_run_time_or_an_event_value_error(
    start: str, offsets: list[str], tz: ZoneInfo
) -> None:
    """Whatever an admin writes: a reason to show, or values the reminder loop can compute."""
    try:
        starts_at = parse_starts_at(start, tz)
        remind_before = tuple(parse_duration(text) for text in offsets)
    except EventValueError:
        return
    event = Event("e", "ই", starts_at, remind_before, "f")
    for reminder in reminders(event):
        for zone in (ZoneInfo("UTC"), tz, ZoneInfo("Etc/GMT-14")):
            reminder.due_at.astimezone(zone)
    describe_event(event, datetime(2025, 4, 29, tzinfo=TZ))


def test_bengali_date() -> None:
    assert bengali_date(CON.starts_at.date()) == "২৯ এপ্রিল ২০২৫"


def test_countdown_before_on_and_after_the_day() -> None:
    assert (
        describe_event(CON, datetime(2025, 4, 19, 23, 0, tzinfo=TZ))
        == "লামাকন ২৯ এপ্রিল ২০২৫ তারিখে; আর ১০ দিন বাকি।"
    )
    assert "আগামীকাল" in describe_event(CON, datetime(2025, 4, 28, 9, 0, tzinfo=TZ))
    assert "আজ" in describe_event(CON, datetime(2025, 4, 29, 15, 0, tzinfo=TZ))
    late = Event("x", "সভা", datetime(2025, 4, 29, 18, 0, tzinfo=TZ), (), "llamacon")
    assert describe_event(late, datetime(2025, 4, 29, 15, 30, tzinfo=TZ)).endswith(
        "আর প্রায় ২ ঘণ্টা বাকি।"
    )
    assert describe_event(late, datetime(2025, 4, 29, 17, 15, tzinfo=TZ)).endswith(
        "আর প্রায় ৪৫ মিনিট বাকি।"
    )
    assert describe_event(late, datetime(2025, 4, 29, 17, 59, 30, tzinfo=TZ)).endswith(
        "এক মিনিটও বাকি নেই।"
    )
    assert (
        describe_event(CON, datetime(2025, 5, 2, tzinfo=TZ))
        == "লামাকন ২৯ এপ্রিল ২০২৫ তারিখে অনুষ্ঠিত হয়ে গেছে।"
    )


def test_countdown_uses_the_event_timezone() -> None:
    # 20:00 UTC on 27 April is already 28 April in Dhaka: one day left, not two.
    late_utc = datetime(2025, 4, 27, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert "আগামীকাল" in describe_event(CON, late_utc)


def test_dates_are_shown_in_the_bot_timezone_not_the_offset_written(tmp_path: Path) -> None:
    """22:00 at -07:00 on 29 April is 11:00 on 30 April in Dhaka (LLAMABOT_TIMEZONE)."""
    folder = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).resolve().parent.parent / "knowledge", folder)
    events = folder / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace(
        "starts_at: 2025-04-29", "starts_at: 2027-04-29T22:00:00-07:00"), encoding="utf-8")
    responder = Responder(load_knowledge(folder, TZ))
    noon_before = responder.answer_fact("llamacon", datetime(2027, 4, 29, 12, 0, tzinfo=TZ)).text
    assert "আগামীকাল, ৩০ এপ্রিল ২০২৭" in noon_before, noon_before
    morning_of = responder.answer_fact("llamacon", datetime(2027, 4, 30, 9, 0, tzinfo=TZ)).text
    assert "আজ, ৩০ এপ্রিল ২০২৭" in morning_of and "২ ঘণ্টা বাকি" in morning_of, morning_of
    held = responder.answer_fact("llamacon", datetime(2027, 4, 30, 20, 0, tzinfo=TZ)).text
    assert "আজ, ৩০ এপ্রিল ২০২৭ তারিখে অনুষ্ঠিত হচ্ছে" in held, held


def test_reminders_and_split() -> None:
    due = [r.due_at for r in reminders(CON)]
    assert due == [CON.starts_at - timedelta(days=7), CON.starts_at - timedelta(hours=1)]
    ahead, held = upcoming_and_past((CON,), datetime(2025, 5, 1, tzinfo=TZ))
    assert (ahead, held) == ((), (CON,))


def test_llamacon_answer_states_date_and_status() -> None:
    responder = Responder(load_knowledge(Path(__file__).resolve().parent.parent / "knowledge", TZ))
    before = responder.answer_fact("llamacon", datetime(2025, 4, 20, tzinfo=TZ)).text
    after = responder.answer_fact("llamacon", datetime(2026, 11, 27, tzinfo=TZ)).text
    assert "২৯ এপ্রিল ২০২৫" in before and "৯ দিন বাকি" in before
    assert "অনুষ্ঠিত হয়ে গেছে" in after and "বাকি" not in after


BERLIN = ZoneInfo("Europe/Berlin")
UTC_ = ZoneInfo("UTC")
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# 2025 in Berlin: at 01:00 UTC on 30 March clocks jump from 02:00 to 03:00 (CET -> CEST); at
# 01:00 UTC on 26 October they go back from 03:00 to 02:00, so 02:00-03:00 happens twice.


def berlin_event(starts_at: str, *offsets: timedelta) -> Event:
    return Event("con", "কন", parse_starts_at(starts_at, BERLIN),
                 tuple(sorted(offsets, reverse=True)), "con")


def test_reminders_across_a_spring_forward_are_exact_durations() -> None:
    """Found by the red-team run: `starts_at - offset` in wall-clock time put the 1 h
    reminder of an event at 03:30 CEST at 02:30, a time that does not exist there, read as
    02:30 CET: the start itself, so it was never sent; the 1 d one came 23 hours before."""
    spring = berlin_event("2025-03-30T03:30:00+02:00", DAY, HOUR)  # 01:30 UTC
    due = {r.offset: r.due_at for r in reminders(spring)}
    assert due[HOUR] == datetime(2025, 3, 30, 0, 30, tzinfo=UTC_)  # 01:30 CET
    assert due[DAY] == datetime(2025, 3, 29, 1, 30, tzinfo=UTC_)  # 24 hours: 02:30 CET


def test_reminders_across_a_fall_back_are_exact_durations() -> None:
    """The second 02:30 of 26 October (CET): 1 h before it is the first 02:30 (CEST), not
    01:30 CEST two hours before."""
    autumn = berlin_event("2025-10-26T02:30:00+01:00", 2 * HOUR, HOUR)  # 01:30 UTC
    due = {r.offset: r.due_at for r in reminders(autumn)}
    assert due[HOUR] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC_)
    assert due[2 * HOUR] == datetime(2025, 10, 25, 23, 30, tzinfo=UTC_)


def test_countdowns_across_dst_count_real_time() -> None:
    """With `now` in the event's own zone (the bot's clock), Python subtracts and compares
    wall-clock readings: across a change the countdown was an hour off, and in the repeated
    hour an event 45 minutes ahead was said to be under way."""
    spring = berlin_event("2025-03-30T03:30:00+02:00")
    one_thirty_cet = datetime(2025, 3, 30, 1, 30, tzinfo=BERLIN)  # 1 hour before
    assert describe_event(spring, one_thirty_cet).endswith("আর প্রায় ১ ঘণ্টা বাকি।")
    autumn = berlin_event("2025-10-26T02:30:00+01:00")
    first_02_45 = datetime(2025, 10, 26, 2, 45, tzinfo=BERLIN)  # CEST (fold=0): 00:45 UTC
    assert describe_event(autumn, first_02_45).endswith("আর প্রায় ৪৫ মিনিট বাকি।")
    assert upcoming_and_past((autumn,), first_02_45) == ((autumn,), ())
    one_thirty_cest = datetime(2025, 10, 26, 1, 30, tzinfo=BERLIN)  # 2 hours before, not 1
    assert describe_event(autumn, one_thirty_cest).endswith("আর প্রায় ২ ঘণ্টা বাকি।")


def test_a_wall_time_skipped_or_repeated_by_dst_has_one_documented_reading() -> None:
    """Skipped (spring forward): moved forward by the gap. Repeated (fall back): the first."""
    skipped = wall_time(datetime(2025, 3, 30, 2, 30), BERLIN)
    assert skipped == datetime(2025, 3, 30, 1, 30, tzinfo=UTC_)
    assert (skipped.hour, skipped.minute, skipped.tzinfo) == (3, 30, BERLIN)  # 03:30 CEST
    repeated = wall_time(datetime(2025, 10, 26, 2, 30), BERLIN)
    # Compared in UTC: Python never finds a time of the repeated hour equal to another zone's.
    assert repeated.astimezone(UTC_) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC_)
    # A date alone is the first moment of that day: in Havana, 00:00 on 9 March 2025 is
    # skipped (clocks go from 00:00 to 01:00), so the day starts at 01:00 CDT.
    havana = ZoneInfo("America/Havana")
    day_start = parse_starts_at("2025-03-09", havana)
    assert (day_start.date(), day_start.hour) == (date(2025, 3, 9), 1)
    assert day_start == datetime(2025, 3, 9, 5, 0, tzinfo=UTC_)
