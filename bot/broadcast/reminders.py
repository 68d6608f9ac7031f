"""Reminder rows from the knowledge's events, and due reminders turned into broadcasts.

Planning is pure (rows + events + now -> changes) so it tests without a clock; the
scheduler applies it and sleeps until the next due time, woken early by a resync.
Rules:
- an event already begun schedules nothing (reminders not yet due are cancelled).
- an edited start or offset moves the pending reminder; a deleted event or offset cancels it.
- a reminder already sent is scheduled again only when what it said is no longer true of
  the new start (`_still_true`): when the event moved to another day, at once even if its
  new time has passed (the users must hear of the new day); when it moved on the same day
  (its "about 1 hour left" no longer holds), only if its new time is still ahead.
  Otherwise (a new time on the same day that the "tomorrow" or "about 1 hour left" it
  gave still fits) nothing is sent twice.
- when several reminders of one event are due at once (the bot was down, or the event
  was added late) only the latest is sent: one message with the current countdown.
- a reminder that fell due while the bot was down goes out if the event has not begun,
  else it is skipped and logged.
- at most MAX_REMINDERS_AT_ONCE reminders (of as many events) are queued in one round, and
  within REMINDER_WINDOW (less those sent in the window before), those of the events that
  begin soonest: the others due with them are skipped, logged, and the admins told in one
  message. Each is a message to every subscriber, and one upload of
  events.yaml (a stolen admin account's) could make thousands fall due at once.
- a reminder that cannot be scheduled (its time overflows) or read or sent is set aside,
  logged and reported to the admins once; it never stops the others.
- only the sender lease's holder syncs or fires, each write checking the lease's epoch in
  its transaction: a process that froze and woke after another took the lease writes
  nothing (its knowledge, its due rows, read before it froze, may be out of date).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.broadcast import texts
from bot.broadcast.sender import Fence, wait_event
from bot.core.events import (
    MAX_REMINDERS_AT_ONCE,
    REMINDER_WINDOW,
    describe_event,
    instant,
    reminder_due,
    some_of,
)
from bot.core.knowledge import Event, Knowledge
from bot.storage.async_outbox import AsyncOutbox
from bot.storage.connection import DatabaseError
from bot.storage.outbox import NotSender, Outbox
from bot.storage.reminder_rows import ReminderRow, ReminderRows, RowProblem, offset_text
from bot.storage.worker import BULK_CALL_WAIT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncPlan:
    write: tuple[ReminderRow, ...]  # insert or reschedule
    cancel: tuple[ReminderRow, ...]
    problems: tuple[RowProblem, ...] = ()  # reminders that cannot be scheduled


@dataclass(frozen=True)
class FirePlan:
    send: tuple[tuple[ReminderRow, Event], ...]
    skip: tuple[ReminderRow, ...]  # superseded by a later one, or the event has begun
    cancel: tuple[ReminderRow, ...]  # the event is gone
    over: tuple[ReminderRow, ...] = ()  # due with more than MAX_REMINDERS_AT_ONCE: skipped


def plan_sync(rows: Iterable[ReminderRow], events: Iterable[Event], now: datetime) -> SyncPlan:
    now = instant(now)  # two times of one zone compare on the wall clock: wrong across DST
    existing = {(r.event_id, r.offset_s): r for r in rows}
    wanted: dict[tuple[str, int], tuple[ReminderRow, Event]] = {}
    problems = []
    for event in events:
        for offset in sorted(event.remind_before, reverse=True):
            offset_s = int(offset.total_seconds())
            try:
                wanted[(event.id, offset_s)] = _scheduled(event, offset), event
            except OverflowError:
                problems.append(RowProblem(
                    event.id, offset_s,
                    f"starts_at {event.starts_at.isoformat()} minus {offset_text(offset_s)} is"
                    " outside the dates the bot can store (years 1-9999 in UTC): fix"
                    " events.yaml"))
    write, cancel = [], []
    for key, (row, event) in wanted.items():
        old = existing.get(key)
        if row.starts_at <= now:  # held: nothing left to remind of
            if old is not None and old.state == "scheduled" and old.due_at > now:
                cancel.append(old)  # moved into the past; rows already due are skipped, logged
            continue
        if old is not None and old.state == "sent":
            if _still_true(old, event):
                continue  # sent again it would only say the same thing
            if _same_day(old.starts_at, event) and row.due_at <= now:
                continue  # its moment has passed: the next, shorter reminder tells
            write.append(row)
            continue
        if old is None or old.due_at != row.due_at or old.state == "cancelled":
            write.append(row)
    cancel.extend(r for key, r in existing.items() if key not in wanted and r.state == "scheduled")
    return SyncPlan(tuple(write), tuple(cancel), tuple(problems))


def _still_true(sent: ReminderRow, event: Event) -> bool:
    """Whether the reminder `sent` for its start would say the same of `event`'s start.

    Its text counted down from its due time (or, sent late, from a little later): the day
    for `1d` or `7d`, the hours or minutes for `1h`. Both read at that time, the row's start
    and the event's give the same sentence exactly when what it told the users still holds.
    The row keyed (event, offset) keeps the start it was sent for, so this needs no history.
    """
    said_for = replace(event, starts_at=sent.starts_at.astimezone(event.starts_at.tzinfo))
    return describe_event(said_for, sent.due_at) == describe_event(event, sent.due_at)


def _same_day(before: datetime, event: Event) -> bool:
    """Whether a start moved within the day users are told (the event's timezone)."""
    return before.astimezone(event.starts_at.tzinfo).date() == event.starts_at.date()


def _scheduled(event: Event, offset: timedelta) -> ReminderRow:
    """The row for one reminder, in UTC; OverflowError if its times cannot be stored
    (9999-12-31T23:00-05:00 exists, but not as a UTC time)."""
    return ReminderRow(event.id, int(offset.total_seconds()), reminder_due(event, offset),
                       instant(event.starts_at), "scheduled")


def plan_fire(due: Iterable[ReminderRow], events: Iterable[Event], now: datetime,
              most: int = MAX_REMINDERS_AT_ONCE) -> FirePlan:
    now = instant(now)
    by_id = {e.id: e for e in events}
    groups: dict[str, list[ReminderRow]] = {}
    for row in due:
        groups.setdefault(row.event_id, []).append(row)
    send, skip, cancel = [], [], []
    for event_id, rows in groups.items():
        event = by_id.get(event_id)
        if event is None:
            cancel.extend(rows)
            continue
        if now >= instant(event.starts_at):
            skip.extend(rows)
            continue
        latest = min(rows, key=lambda r: r.offset_s)  # the smallest offset falls due last
        send.append((latest, event))
        skip.extend(r for r in rows if r is not latest)
    send.sort(key=lambda sent: (sent[0].starts_at, sent[0].due_at, sent[0].event_id))
    over = tuple(row for row, _ in send[most:])  # the events that begin latest
    return FirePlan(tuple(send[:most]), tuple(skip), tuple(cancel), over)


ON_TIME = timedelta(minutes=1)  # fired this soon after its due time, a reminder is on time


def reminder_text(event: Event, due_at: datetime, now: datetime) -> str:
    """The reminder due at `due_at`, fired at `now`."""
    # Fired a few ms after it falls due, the 1 h reminder would say "about 59 minutes":
    # on time, it counts down from its due time, i.e. states the offset it was scheduled
    # for. A late one (the bot was down) says what is really left.
    moment = due_at if timedelta(0) <= instant(now) - instant(due_at) < ON_TIME else now
    parts = [texts.REMINDER.format(description=describe_event(event, moment))]
    if event.url:
        parts.append(texts.REMINDER_URL.format(url=event.url))
    parts.append(texts.REMINDER_FOOTER)
    return "\n\n".join(parts)


def sync(outbox: Outbox, events: Iterable[Event], now: datetime,
         fence: int | None = None) -> SyncPlan:
    """Bring the reminder rows in line with `events` (runs on the outbox thread); raises
    `NotSender` unless `fence` is the sender lease's epoch (or None)."""
    rows = ReminderRows(outbox, fence)
    plan = plan_sync(rows.all(), events, now)
    rows.save(plan.write, now)
    rows.set_state(plan.cancel, "cancelled", now)
    for row in plan.cancel:
        log.info("reminder %s -%ss cancelled: event or offset removed, or event already begun",
                 row.event_id, row.offset_s)
    problems = (*plan.problems, *rows.unreadable())
    for problem in problems:
        log.error("reminder not scheduled: %s", problem)
    return SyncPlan(plan.write, plan.cancel, problems)


@dataclass(frozen=True)
class Fired:
    queued: tuple[int, ...]  # new broadcast ids
    problems: tuple[RowProblem, ...] = ()  # due reminders that could not be queued
    over: tuple[ReminderRow, ...] = ()  # skipped: due with more than MAX_REMINDERS_AT_ONCE


def fire_due(outbox: Outbox, events: Iterable[Event], now: datetime,
             fence: int | None = None) -> Fired:
    """Queue a broadcast for each due reminder, each on its own: one that fails is skipped.

    Raises `NotSender` (nothing more written) once `fence` is not the lease's epoch.
    """
    rows = ReminderRows(outbox, fence)
    due = rows.due(now)
    # Counted only when something is due: most rounds find nothing, and pay no query for it.
    sent = rows.sent_since(now - REMINDER_WINDOW) if due else 0
    plan = plan_fire(due, events, now, max(0, MAX_REMINDERS_AT_ONCE - sent))
    rows.set_state(plan.skip, "skipped", now)  # logged once written: the lease may refuse it
    for row in plan.skip:
        late = now - row.due_at
        log.warning("reminder %s -%ss skipped (due %s ago; event begun or a later one due)",
                    row.event_id, row.offset_s, late)
    rows.set_state(plan.cancel, "cancelled", now)
    # Before the others are queued: a crash in between loses none of them, sends no more.
    rows.set_state(plan.over, "skipped", now)
    if plan.over:
        log.warning("%d reminders due at once: %d queued, %d skipped (at most %d at once or"
                    " within %s; %d sent): %s", len(plan.send) + len(plan.over),
                    len(plan.send), len(plan.over), MAX_REMINDERS_AT_ONCE, REMINDER_WINDOW,
                    sent, over_text(plan.over))
    queued, problems = [], []
    for row, event in plan.send:
        try:
            broadcast_id = rows.fire(row, reminder_text(event, row.due_at, now), now)
        except (DatabaseError, NotSender):
            raise  # the database or the lease, not this row: nothing is set aside
        except Exception as exc:
            log.exception("reminder %s -%ss could not be queued: skipped", row.event_id,
                          row.offset_s)
            rows.set_state([row], "skipped", now)
            problems.append(RowProblem(row.event_id, row.offset_s,
                                       f"could not be sent ({type(exc).__name__}: {exc})"))
            continue
        if broadcast_id is not None:
            log.info("reminder %s -%ss queued as broadcast %s", row.event_id, row.offset_s,
                     broadcast_id)
            queued.append(broadcast_id)
    return Fired(tuple(queued), tuple(problems), plan.over)


def over_text(rows: Iterable[ReminderRow]) -> str:
    """The events of skipped reminders, the first MAX_EVENTS_NAMED by id, and how many more."""
    return some_of(sorted({r.event_id for r in rows}), MAX_EVENTS_NAMED)


def over_notice(fired: Fired) -> str:
    """For the admins: the reminders a round skipped, past MAX_REMINDERS_AT_ONCE."""
    return texts.REMINDERS_OVER.format(
        due=len(fired.queued) + len(fired.over), queued=len(fired.queued),
        skipped=len(fired.over), most=MAX_REMINDERS_AT_ONCE, events=over_text(fired.over))


MAX_EVENTS_NAMED = 20  # event ids one notice (or log line) of skipped reminders names


class ReminderScheduler:
    """Keeps reminder rows in sync with the current knowledge and fires them when due.

    The live knowledge tells it of each reload (`knowledge_changed`): the rows are synced
    on the next round, which starts at once. Given the sender lease (`fence`), a round
    while it is not ours (or no longer at the epoch it was) writes nothing.
    """

    def __init__(self, db: AsyncOutbox, knowledge: Knowledge,
                 clock: Callable[[], datetime], on_queued: Callable[[], None],
                 check_every: float = 5.0,
                 tell_admins: Callable[[str], Awaitable[None]] | None = None,
                 fence: Fence | None = None,
                 on_fired: Callable[[list[int]], Awaitable[None]] | None = None) -> None:
        self.db = db
        self.on_fired = on_fired  # told the broadcasts each round queued
        self.fence = fence  # None: the only scheduler (tests, tools)
        self.knowledge = knowledge
        self.clock = clock
        self.on_queued = on_queued
        self.check_every = check_every  # also bounds the damage of a wall-clock jump
        self.tell_admins = tell_admins
        self._stale = True  # the rows are not yet synced with `knowledge`
        self._wake = asyncio.Event()
        self._told: set[RowProblem] = set()  # each problem once, not on every reload

    def knowledge_changed(self, knowledge: Knowledge) -> None:
        """Sync the rows with `knowledge` on the next round, and start that round now."""
        self.knowledge = knowledge
        self._stale = True
        self._wake.set()

    async def resync(self) -> SyncPlan:
        """Sync the rows with the knowledge now; nothing (an empty plan) while the lease is
        not ours: its holder syncs them."""
        knowledge, now = self.knowledge, self.clock()
        self._stale = False  # before the wait: a reload meanwhile makes it stale again
        try:
            fence = self._fence()
            plan = await self.db.call(lambda o: sync(o, knowledge.events, now, fence))
        except NotSender as exc:
            self._stale = True  # synced when (if) this process leads again
            log.info("reminders not synced: %s", exc)
            return SyncPlan((), ())
        except BaseException:
            self._stale = True  # not synced: the next round tries again
            raise
        self._wake.set()
        await self._report(plan.problems)
        return plan

    async def tick(self) -> list[int]:
        """One round: sync if stale, queue what is due; nothing while the lease is not ours."""
        if self._stale:
            await self.resync()
        events, now = self.knowledge.events, self.clock()
        try:
            fence = self._fence()
            fired = await self.db.call(lambda o: fire_due(o, events, now, fence),
                                       BULK_CALL_WAIT)
        except NotSender as exc:
            # Lost, or expired while this process was frozen: the lease's loop stops this
            # one, or renews the lease and the next round fires.
            log.info("due reminders not queued: %s", exc)
            return []
        if fired.queued:
            self.on_queued()
            if self.on_fired is not None:
                await self.on_fired(list(fired.queued))
        if fired.over and self.tell_admins is not None:
            await self.tell_admins(over_notice(fired))
        await self._report(fired.problems)
        return list(fired.queued)

    def _fence(self) -> int | None:
        """The lease's epoch to check each write against; `NotSender` when not held."""
        if self.fence is None:
            return None
        token = self.fence.token
        if token is None:
            raise NotSender("the sender lease is not held")
        return token

    async def _report(self, problems: Iterable[RowProblem]) -> None:
        new = [p for p in problems if p not in self._told]
        if not new or self.tell_admins is None:
            return
        self._told.update(new)
        await self.tell_admins(texts.REMINDER_PROBLEMS.format(
            problems="\n".join(f"• {p}" for p in new)))

    async def run(self) -> None:
        while True:
            self._wake.clear()
            await self.tick()
            next_due = await self.db.call(lambda o: ReminderRows(o).next_due())
            delay = self.check_every
            if next_due is not None:
                # A floor keeps a row that cannot be fired from turning this into a busy loop.
                delay = min(delay, max(0.02, (next_due - self.clock()).total_seconds()))
            await wait_event(self._wake, delay)
