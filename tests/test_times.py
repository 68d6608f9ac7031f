"""Times as admins read them (the /rollback confirmation): the bot's timezone, zone named."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from bot.core.times import admin_time


def test_a_recorded_utc_time_reads_in_the_bots_timezone() -> None:
    dhaka = ZoneInfo("Asia/Dhaka")
    assert admin_time("2025-04-20T04:00:02+00:00", dhaka) == "20 Apr 2025 10:00 (Asia/Dhaka)"
    # The day changes with the zone; a single-digit day has no leading zero.
    assert admin_time("2025-12-31T20:30:00+00:00", dhaka) == "1 Jan 2026 02:30 (Asia/Dhaka)"
    assert admin_time("2025-04-01T10:00:00+00:00", UTC) == "1 Apr 2025 10:00 (UTC)"


def test_what_is_no_time_with_an_offset_is_shown_as_written() -> None:
    dhaka = ZoneInfo("Asia/Dhaka")
    for written in ("", "?", "yesterday", "2025-04-20T04:00:02", "20250401T100000123456"):
        assert admin_time(written, dhaka) == written
