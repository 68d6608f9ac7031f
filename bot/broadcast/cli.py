"""`llamabot broadcast`: queue an announcement for every subscriber, or show progress.

The command only writes to the database; the running bot's sender picks the rows up
within a second and sends them at the configured rate. Errors print one line and exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bot.cli_args import count
from bot.config import Settings
from bot.core.message_length import MAX_MESSAGE, control_character, tg_len
from bot.storage.connection import DatabaseError, existing_target
from bot.storage.outbox import Outbox, Progress

EPILOG = """examples:
  llamabot broadcast --text "অনুষ্ঠান আগামীকাল!" --dry-run
  llamabot broadcast --text "অনুষ্ঠান আগামীকাল!"
  printf 'প্রথম লাইন\\nদ্বিতীয় লাইন\\n' | llamabot broadcast --text -
  llamabot broadcast status
"""


class BroadcastCliError(Exception):
    """Printed as one line; exit code 2."""


def add_broadcast_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `broadcast` (and `broadcast status`) to the `llamabot` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "broadcast", help="send an announcement to all subscribers, or show progress",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", help="the announcement (plain text); - reads it from stdin")
    parser.add_argument("--dry-run", action="store_true",
                        help="print how many subscribers would get it, and the text; send nothing")
    parser.add_argument("--database", metavar="DATABASE", default=argparse.SUPPRESS,
                        help="SQLite file or postgresql:// URL (default: $LLAMABOT_DATABASE or"
                        " data/llamabot.sqlite3)")
    parser.set_defaults(handler=cmd_broadcast)
    sub = parser.add_subparsers(title="broadcast commands", metavar="status")
    status = sub.add_parser("status", help="sent / failed / remaining of recent broadcasts")
    status.add_argument("--limit", type=count, default=10, help="how many (default 10)")
    status.add_argument("--database", metavar="DATABASE", default=argparse.SUPPRESS,
                        help="SQLite file or postgresql:// URL (default: $LLAMABOT_DATABASE)")
    status.set_defaults(handler=cmd_broadcast_status)
    return parser


def cmd_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    rate = settings.broadcast_rate
    try:
        text = _text(args.text)
        with _open(args, settings) as outbox:
            if args.dry_run:
                count = outbox.subscriber_counts().active
                print(f"dry run: would send to {count} subscriber(s), nothing queued:\n")
                print(text)
                return 0
            broadcast_id, count = outbox.announce(text, datetime.now(UTC))
        print(f"broadcast #{broadcast_id} queued for {count} subscriber(s); the running bot"
              f" sends it at {rate:g}/s (about {_duration(count / rate)}).")
        print("progress: llamabot broadcast status")
        return 0
    except (BroadcastCliError, DatabaseError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def cmd_broadcast_status(args: argparse.Namespace, settings: Settings) -> int:
    try:
        with _open(args, settings) as outbox:
            rows = outbox.recent(args.limit)
    except (BroadcastCliError, DatabaseError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not rows:
        print("no broadcasts yet")
        return 0
    print(format_status(rows))
    return 0


def format_status(rows: list[Progress]) -> str:
    header = ("id", "kind", "state", "created (UTC)", "total", "sent", "failed", "blocked",
              "remaining")
    lines = [header] + [
        (str(p.broadcast_id), p.kind, p.state, p.created_at[:19].replace("T", " "), str(p.total),
         str(p.sent), str(p.failed), str(p.blocked), str(p.remaining))
        for p in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


@contextmanager
def _open(args: argparse.Namespace, settings: Settings) -> Iterator[Outbox]:
    given = getattr(args, "database", None)
    try:
        # A mistyped path would otherwise queue for 0 subscribers.
        target = existing_target(given, settings.database, "subscribers are recorded")
    except ValueError as err:
        raise BroadcastCliError(str(err)) from None
    try:
        outbox = Outbox.open(target)
    except DatabaseError as err:
        raise BroadcastCliError(f"cannot open database {str(target)!r}: {err}") from None
    try:
        yield outbox
    finally:
        outbox.close()


def _text(value: str | None) -> str:
    if value is None:
        raise BroadcastCliError("give the announcement with --text TEXT"
                                " (or see progress with: llamabot broadcast status)")
    # Past this many bytes no text fits a message: stdin (a pipe, /dev/zero) is read no further.
    given = sys.stdin.buffer.read(4 * MAX_MESSAGE + 1) if value == "-" else os.fsencode(value)
    text = _utf8(given).strip()
    if not text:
        raise BroadcastCliError("the announcement text is empty")
    if tg_len(text) > MAX_MESSAGE:
        raise BroadcastCliError(f"the announcement is {tg_len(text)} characters as Telegram"
                                f" counts them (an emoji counts 2); Telegram allows {MAX_MESSAGE}")
    # A paste accident (a NUL, a terminal's escape sequence): PostgreSQL refuses a NUL in
    # its driver's words, SQLite would queue it for every subscriber.
    stray = control_character(text)
    if stray is not None:
        raise BroadcastCliError(f"the announcement holds a control character"
                                f" (U+{ord(text[stray]):04X}, character {stray + 1})")
    return text


def _utf8(data: bytes) -> str:
    """The announcement's bytes as UTF-8, whatever the locale; refused when they are not.

    Replacing a stray byte would send every subscriber a damaged text: the admin fixes it.
    (Arguments come as `os.fsencode` gives back the bytes that were typed.)
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BroadcastCliError(f"the announcement is not UTF-8 text (byte {err.start + 1} of"
                                f" {len(data)} cannot be read)") from None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
