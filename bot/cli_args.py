"""Argument types the command-line tools share: numbers and dates kept within what the
database and the calendar can hold, refused by argparse in one line (exit code 2); and
their stdin read a bounded line at a time."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TextIO

MAX_COUNT = 1_000_000  # rows shown or read at once; SQLite's integers end near 9.2e18
NOW_YEARS = (1970, 9000)  # --now: ages and expiries counted from it stay in the calendar
# Characters of one stdin line (`ask -`, `kb review`): far past any message (Telegram's 4,096).
MAX_LINE = 1 << 20


def count(text: str) -> int:
    """A whole number from 1 up to `MAX_COUNT` ("--limit 30"): showing none of the rows
    would read as a log or an outbox with none in it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range (1 to {MAX_COUNT:,})")
    return value


def percent(text: str) -> float:
    """A share from 0 to 100 ("--min-accuracy 95"); not nan, which every comparison fails."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 100:  # also false for nan
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage (0 to 100)")
    return value


def stdin_lines(stream: TextIO, limit: int = MAX_LINE) -> Iterator[str]:
    """The lines of `stream` without their ending, each at most `limit` characters.

    A longer line is read as its start and the rest skipped, never held: /dev/zero, or a
    stream that never sends a newline, would otherwise fill the memory.
    """
    while line := stream.readline(limit):
        yield line.rstrip("\r\n")
        while line and not line.endswith("\n"):  # the rest of an over-long line
            line = stream.readline(limit)
