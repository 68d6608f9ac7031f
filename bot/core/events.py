"""Events in time: parsing dates and offsets, Bengali dates, countdowns, due reminders."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.core.knowledge import Event, Knowledge, Site
from bot.core.yamlnodes import Problem

_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_MONTHS = (
    "জানুয়ারি",
    "ফেব্রুয়ারি",
    "মার্চ",
    "এপ্রিল",
    "মে",
    "জুন",
    "জুলাই",
    "আগস্ট",
    "সেপ্টেম্বর",
    "অক্টোবর",
    "নভেম্বর",
    "ডিসেম্বর",
)
_DURATION = re.compile(r"^(\d+)\s*([dhms])$")
_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
# Reminders are due at `starts_at - offset`, computed and converted across time zones at run
# time: bounded values here keep that arithmetic far from datetime's limits (years 1-9999).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The one form of a date events.yaml takes: 2025-04-29, then maybe a time. Python also
# reads ISO's other forms (20250429, 2025-W18-2), which an admin does not recognise in a
# message: 20250429 read as a time without an offset, and the fix said to add one.
_YEAR_MONTH_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]|$)")
_EXAMPLE_OFFSET = "+06:00"
MAX_OFFSET = timedelta(days=365)  # exclusive


class EventValueError(ValueError):
    """A date or duration an admin wrote that we cannot read; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def bengali_number(n: int) -> str:
    return str(n).translate(_BENGALI_DIGITS)


def bengali_date(moment: date) -> str:
    """২৯ এপ্রিল ২০২৫"""
    return f"{bengali_number(moment.day)} {_MONTHS[moment.month - 1]} {bengali_number(moment.year)}"


def parse_duration(text: str) -> timedelta:
    """Read `7d`, `1h`, `30m` or `45s`: more than zero and less than a year."""
    found = _DURATION.match(text.strip().lower())
    if not found:
        raise EventValueError(f"invalid duration {text!r}",
                              "write a number and a unit: 7d, 1h, 30m or 45s")
    digits, unit = found.group(1).lstrip("0") or "0", found.group(2)
    # Compared before converting: a long number overflows timedelta (and int(), past 4,300
    # digits).
    if len(digits) > 20 or int(digits) * _SECONDS[unit] >= MAX_OFFSET.total_seconds():
        raise EventValueError(f"remind_before {text!r} is a year or more",
                              f"keep each reminder under {MAX_OFFSET.days}d")
    seconds = int(digits) * _SECONDS[unit]
    if seconds == 0:
        raise EventValueError(f"remind_before {text!r} is zero",
                              "write a time before the event, such as 1h, or delete it")
    return timedelta(seconds=seconds)


def wall_time(wall: datetime, tz: tzinfo) -> datetime:
    """The moment a clock in `tz` shows `wall` (naive), as an aware datetime in `tz`.

    Daylight saving makes some readings name no moment and others two; the rule here:
    - a reading skipped by a spring-forward is read with the offset in force before the
      jump, i.e. moved forward by the gap (02:30 in Berlin on 30 March 2025 is 03:30 CEST);
    - a reading repeated by a fall-back is the first of the two (02:30 in Berlin on
      26 October 2025 is 02:30 CEST, not the later 02:30 CET).
    That is PEP 495's fold=0, made explicit and normalized through UTC, so a skipped reading
    never reaches arithmetic or display.
    """
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def parse_starts_at(text: str, tz: tzinfo) -> datetime:
    """A date alone is the start of that day in `tz`; a datetime needs its UTC offset.

    The result is in `tz` (the bot's LLAMABOT_TIMEZONE) whatever offset it was written
    with: its day, "today" and "tomorrow" are then those of the users, not of the place
    the offset came from (22:00 at -07:00 on 29 April is 30 April in Dhaka). It is shown
    in `tz`; every computation with it goes through `instant`.
    """
    text = text.strip()
    if not _YEAR_MONTH_DAY.match(text) and (fix := _written_out(text)):
        raise EventValueError(f"starts_at {text!r} is not a date written year-month-day", fix)
    day_only = len(text) == 10
    try:
        if day_only:
            moment = datetime.combine(date.fromisoformat(text), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise EventValueError(f"invalid date {text!r}",
                              "write 2025-04-29 or 2025-04-29T10:00:00+06:00") from None
    if moment.tzinfo is None and not day_only:
        raise EventValueError(f"datetime {text!r} has no UTC offset",
                              f"add one, e.g. {text}+06:00")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise EventValueError(f"starts_at {text} is in {moment.year}",
                              f"write a date in the years {FIRST_YEAR} to {LAST_YEAR}")
    # The years above keep these far from datetime's limits.
    if day_only:  # the day's first moment, by `wall_time`'s rule
        return wall_time(moment, tz)
    return moment.astimezone(tz)


def _written_out(text: str) -> str | None:
    """The fix for a date in another of ISO's forms: the same moment as events.yaml writes
    it; None for what is no date at all (that is an invalid date)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if "T" not in text.upper() and " " not in text:  # a date alone
        day = moment.date().isoformat()
        return f"write {day}, or {day}T10:00:00{_EXAMPLE_OFFSET} for a time"
    written = moment.isoformat(timespec="seconds")
    return f"write {written}" + ("" if moment.tzinfo else _EXAMPLE_OFFSET)


def instant(moment: datetime) -> datetime:
    """`moment` in UTC: the only form in which two times are subtracted or compared.

    Python subtracts and compares two datetimes of the same zone on their wall clocks,
    ignoring DST: 03:30 CEST minus 1 h is 02:30, a time Berlin skips, and a time of the
    hour a fall-back repeats compares by its reading, not by when it happens.
    """
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Reminder:
    """One reminder of one event, due at `due_at` (UTC)."""

    event_id: str
    offset: timedelta
    due_at: datetime


def reminder_due(event: Event, offset: timedelta) -> datetime:
    """When the reminder `offset` before `event` falls due, in UTC: offsets are exact
    durations (1d is 24 hours, even across a DST change). OverflowError past year 9999."""
    return instant(event.starts_at) - offset


def reminders(event: Event) -> tuple[Reminder, ...]:
    return tuple(
        Reminder(event.id, offset, reminder_due(event, offset))
        for offset in sorted(event.remind_before, reverse=True)
    )


def days_until(event: Event, now: datetime) -> int:
    """Whole calendar days from `now` to the event, in the event's timezone (the bot's)."""
    local_now = now.astimezone(event.starts_at.tzinfo)
    return (event.starts_at.date() - local_now.date()).days


def describe_event(event: Event, now: datetime) -> str:
    """One Bengali sentence with the date and whether the event is ahead or held."""
    when = bengali_date(event.starts_at.date())
    now, starts = instant(now), instant(event.starts_at)
    if now >= starts:
        if now.astimezone(event.starts_at.tzinfo).date() == event.starts_at.date():
            return f"{event.title} আজ, {when} তারিখে অনুষ্ঠিত হচ্ছে।"
        return f"{event.title} {when} তারিখে অনুষ্ঠিত হয়ে গেছে।"
    days = days_until(event, now)
    if days <= 0:
        return f"{event.title} আজ, {when} তারিখে; শুরু হতে {_time_left(starts - now)}।"
    if days == 1:
        return f"{event.title} আগামীকাল, {when} তারিখে।"
    return f"{event.title} {when} তারিখে; আর {bengali_number(days)} দিন বাকি।"


def _time_left(left: timedelta) -> str:
    seconds = int(left.total_seconds())
    if seconds >= 3600:
        return f"আর প্রায় {bengali_number(seconds // 3600)} ঘণ্টা বাকি"
    if seconds >= 60:
        return f"আর প্রায় {bengali_number(seconds // 60)} মিনিট বাকি"
    return "আর এক মিনিটও বাকি নেই"


def upcoming_and_past(
    events: tuple[Event, ...], now: datetime
) -> tuple[tuple[Event, ...], tuple[Event, ...]]:
    """Split events into those still ahead (soonest first) and those held (latest first)."""
    now = instant(now)

    def start(event: Event) -> datetime:
        return instant(event.starts_at)

    ahead = tuple(sorted((e for e in events if start(e) > now), key=start))
    held = tuple(sorted((e for e in events if start(e) <= now), key=start, reverse=True))
    return ahead, held


def past_events(knowledge: Knowledge, now: datetime,
                before: Knowledge | None = None) -> list[Problem]:
    """A warning for each event that starts before `now`: shown as held, it schedules no
    reminder. A past event may be history, or a mistyped year (2020 for 2025), so this is a
    warning, not a problem. With `before`, only the events added or moved since it."""
    earlier = {e.id: e.starts_at for e in before.events} if before is not None else {}
    warnings = []
    for event in knowledge.events:
        if instant(event.starts_at) > instant(now) or (
                before is not None and earlier.get(event.id) == event.starts_at):
            continue
        site = knowledge.event_sites.get(event.id, Site("?", 1, 1))
        when = event.starts_at.isoformat(sep=" ", timespec="minutes")
        warnings.append(Problem(
            site.file, site.line, site.column,
            f"event {event.id!r} starts {when}, before now: it is shown as held and no"
            " reminders will be sent",
            "if the date is mistyped, correct it; an event already held may stay as it is",
            warning=True,
        ))
    return warnings


# Reminders that fall due together (the same round of the scheduler: an upload adding many
# events about to begin, or a bot down for a while) queue at most this many broadcasts, those
# of the events that begin soonest; the rest are skipped, and the admins told in one message.
# Each is a message to every subscriber, and a stolen admin account could add thousands.
MAX_REMINDERS_AT_ONCE = 3
# ... and within this long, however they fall due: one round at a time, reminders a second
# apart would each be the only one due, and all reach every subscriber.
REMINDER_WINDOW = timedelta(hours=1)
_EVENTS_NAMED = 10  # event ids a warning names; past them, "and N more"


def due_at_once(knowledge: Knowledge, now: datetime,
                before: Knowledge | None = None) -> list[Problem]:
    """One warning when loading `knowledge` at `now` makes reminders fall due at once: each
    event not begun with a reminder due by `now` sends one (only its latest). With `before`
    (an upload's preview), only the events added, moved or given other offsets since it:
    the others' were sent or skipped already. (One a move still fits is not sent again, so
    the count may be one high for a moved event whose reminder went out.)"""
    earlier = {e.id: (e.starts_at, e.remind_before) for e in before.events} if before else {}
    moment = instant(now)
    due = []
    for event in knowledge.events:
        if earlier.get(event.id) == (event.starts_at, event.remind_before):
            continue
        try:
            if instant(event.starts_at) > moment and any(
                    reminder_due(event, offset) <= moment for offset in event.remind_before):
                due.append(event)
        except OverflowError:  # the scheduler reports it; nothing falls due
            continue
    crowded = _crowded(knowledge, moment, earlier)
    if not due:
        return crowded
    site = knowledge.event_sites.get(due[0].id, Site("?", 1, 1))
    named = some_of([repr(e.id) for e in due], _EVENTS_NAMED)
    when = ("on Apply" if before is not None
            else "when a bot loads this folder (those it has not sent yet)")
    count = "1 reminder" if len(due) == 1 else f"{len(due)} reminders"
    return [Problem(
        site.file, site.line, site.column,
        f"{count} would fall due at once {when}, each a message to every subscriber"
        f" (events {named}): at most {MAX_REMINDERS_AT_ONCE} are sent together, those of"
        " the events that begin soonest; the rest are skipped and the admins told",
        "if these events should not be announced now, give them shorter remind_before offsets",
        warning=True,
    ), *crowded]


def _crowded(knowledge: Knowledge, moment: datetime,
             earlier: dict[str, tuple[datetime, tuple[timedelta, ...]]]) -> list[Problem]:
    """One warning when reminders still ahead will be skipped for falling due with more than
    MAX_REMINDERS_AT_ONCE others within REMINDER_WINDOW (as the scheduler will skip them);
    with `earlier` (a preview), only when the upload added or moved one of them."""
    ahead = []
    for event in knowledge.events:
        try:
            if instant(event.starts_at) > moment:
                ahead += [(reminder_due(event, offset), event) for offset in event.remind_before
                          if reminder_due(event, offset) > moment]
        except OverflowError:  # the scheduler reports it; nothing falls due
            continue
    sent: list[datetime] = []
    skipped: list[Event] = []
    for due_at, event in sorted(ahead, key=lambda found: (found[0], found[1].id)):
        if sum(1 for at in sent if at > due_at - REMINDER_WINDOW) < MAX_REMINDERS_AT_ONCE:
            sent.append(due_at)
        else:
            skipped.append(event)
    if not skipped or (earlier and all(
            earlier.get(e.id) == (e.starts_at, e.remind_before) for e in skipped)):
        return []
    site = knowledge.event_sites.get(skipped[0].id, Site("?", 1, 1))
    count = "1 reminder" if len(skipped) == 1 else f"{len(skipped)} reminders"
    hours = int(REMINDER_WINDOW.total_seconds() // 3600)
    return [Problem(
        site.file, site.line, site.column,
        f"{count} of events {some_of([repr(e.id) for e in skipped], _EVENTS_NAMED)} will be"
        f" skipped when due: at most {MAX_REMINDERS_AT_ONCE} reminders go out within"
        f" {hours} hour(s), each a message to every subscriber",
        "move these events or their remind_before offsets apart, or announce them with"
        " /broadcast",
        warning=True,
    )]


def some_of(ids: Sequence[str], most: int) -> str:
    """The first `most` of `ids`, and how many more: "a, b and 3 more"."""
    more = len(ids) - most
    return ", ".join(ids[:most]) + (f" and {more} more" if more > 0 else "")
