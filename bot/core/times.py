"""Times as admins read them: in the bot's timezone, with the zone named."""

from __future__ import annotations

from datetime import datetime, tzinfo

# Month names of our own: strftime's %b follows the process locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def admin_time(at: str, tz: tzinfo) -> str:
    """An ISO 8601 time with its offset (history notes keep UTC) as "20 Apr 2025 10:00
    (Asia/Dhaka)" in `tz`. Anything else (a hand-edited note, a time without an offset,
    whose zone nobody knows) is shown as written rather than guessed at."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:
        return at
    local = moment.astimezone(tz)
    zone = getattr(tz, "key", None) or local.tzname() or ""
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M} ({zone})"
