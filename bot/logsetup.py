"""Logging set-up that keeps the bot token (and other secrets) out of every log line."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote

REDACTED = "[REDACTED]"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName"}
# Loggers that print request URLs (and with them the token) at INFO/DEBUG.
_NOISY = ("httpx", "httpcore", "hpack")


class RedactingFilter(logging.Filter):
    """Replace every secret in a record's message, arguments, traceback and stack text.

    Put on handlers, not loggers: a handler filter sees records propagated from every
    logger (PTB, httpx, asyncio), while a logger filter sees only its own records.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = ()
        self.add_secrets(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        variants: set[str] = set(self._secrets)
        for secret in secrets:
            if not secret:
                continue
            variants.update({secret, quote(secret, safe=""), quote(secret)})
            # The part after the colon is the actual secret; redact it even on its own.
            _, _, tail = secret.partition(":")
            if len(tail) >= 8:
                variants.add(tail)
        # Longest first so a full token is not half-replaced by its own tail.
        self._secrets = tuple(sorted(variants, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not drop the record
            message = str(record.msg)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(record.__dict__.items()):  # `extra` fields (JSON shows them)
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class UpdateDumpFilter(logging.Filter):
    """Drop PTB's dump of a getUpdates batch it could not read: the whole batch, other users'
    messages and names included, at CRITICAL. `bot.tg.updates` reads the batch again one
    update at a time and logs each unreadable one by its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("telegram")
                    and str(record.msg).startswith("Error while parsing updates"))


# Control characters but the line break and the tab, escaped as `\xNN`: a
# terminal reading a text log must not run a user's "\x1b[2J" (JSON escapes them itself).
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t"}


class TextFormatter(logging.Formatter):
    """Readable lines, with every control character escaped (see `_CONTROLS`): a call site
    that forgets to quote what a user wrote still cannot write to the terminal through it."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).translate(_CONTROLS)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, exception,
    stack and every `extra` field.

    The handler's redacting filter has already cleaned the text fields; `redact` also
    passes over the finished line, for secrets inside non-string `extra` values.
    """

    def __init__(self, redact: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return self._redact(line) if self._redact is not None else line


def setup_logging(
    level: str = "INFO", secrets: Iterable[str] = (), stream: TextIO | None = None,
    log_format: str = "text",
) -> RedactingFilter:
    """Configure the root logger once: one stream handler with the redacting filter.

    `log_format` is "text" (readable lines) or "json" (one JSON object per line).
    """
    redactor = RedactingFilter(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redactor.redact) if log_format == "json"
                         else TextFormatter(_FORMAT))
    handler.addFilter(redactor)
    handler.addFilter(UpdateDumpFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Warnings (e.g. PTB deprecations) go through logging and so through the filter too.
    logging.captureWarnings(True)
    return redactor


def install_redaction(secrets: Iterable[str]) -> None:
    """Add the secrets to the filters of all root handlers (for handlers set up elsewhere)."""
    secrets = tuple(secrets)
    for handler in logging.getLogger().handlers:
        found = [f for f in handler.filters if isinstance(f, RedactingFilter)]
        if found:
            for existing in found:
                existing.add_secrets(secrets)
        else:
            handler.addFilter(RedactingFilter(secrets))
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
