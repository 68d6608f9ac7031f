"""Event dates, offsets and countdowns, with time passed in."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.answer import Responder
from bot.events import (
    EventValueError,
    bengali_date,
    describe_event,
    format_duration,
    parse_duration,
    parse_starts_at,
    reminders,
    upcoming_and_past,
)
from bot.knowledge import Event
from bot.loader import load_knowledge

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
    assert format_duration(timedelta(days=7)) == "৭ দিন"
    assert format_duration(timedelta(seconds=90)) == "৯০ সেকেন্ড"


def test_start_times() -> None:
    assert parse_starts_at("2025-04-29", TZ) == datetime(2025, 4, 29, tzinfo=TZ)
    assert parse_starts_at("2025-04-29T10:00:00+00:00", TZ).utcoffset() == timedelta(0)
    with pytest.raises(EventValueError, match="no UTC offset"):
        parse_starts_at("2025-04-29T10:00:00", TZ)
    with pytest.raises(EventValueError, match="invalid date"):
        parse_starts_at("29/04/2025", TZ)


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
