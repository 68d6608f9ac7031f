"""Settings from environment variables and an optional `.env` file, validated once at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.files import UnreadableFile, read_bounded
from bot.storage.connection import DatabaseTarget, Engine

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_KNOWLEDGE_DIR = Path("knowledge")
DEFAULT_EVAL_FILE = Path("tests/data/eval_questions.yaml")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LOG_FORMATS = ("text", "json")
# BotFather tokens look like "123456789:AAF...": a numeric bot id, a colon, a 30+ char secret.
_TOKEN = re.compile(r"^[0-9]{3,}:[A-Za-z0-9_-]{20,}$")  # ASCII digits: \d takes any script
# Telegram's alphabet for a webhook secret; at least 16 of it (ours are 43).
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
# One label of a host name (RFC 1123): letters, digits and inner hyphens.
_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
MIN_SECONDS = 0.05  # a watcher polling more often than this only burns a CPU core
MIN_RATE = 0.1  # messages per second: a slower broadcast would take days
MAX_ENV_FILE = 1 << 20  # a .env file is a few lines
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


ECHOED = 60  # characters of a bad value an error repeats: enough to spot the typo


def cut(text: str, limit: int = ECHOED) -> str:
    """`text`'s first `limit` characters and "…" when longer: a 5,000-character value
    echoed whole buried the error message it was in."""
    return text if len(text) <= limit else text[:limit] + "…"


def shown(value: object) -> str:
    """A bad setting's value, quoted and cut short, for its error message."""
    return repr(cut(str(value)))


class ConfigError(Exception):
    """A missing or malformed setting; `str()` is one line naming the setting."""


@dataclass(frozen=True)
class Settings:
    token: str | None
    base_url: str = DEFAULT_BASE_URL
    admin_ids: frozenset[int] = frozenset()
    database: DatabaseTarget = DatabaseTarget(Engine.SQLITE, "data/llamabot.sqlite3")
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Dhaka"))
    log_level: str = "INFO"
    watch_seconds: float = 0.5  # how often to look for edited knowledge files; 0: never
    log_format: str = "text"  # or "json": one JSON object per line
    # Polling mode: serve /healthz and /metrics on this port (None: no HTTP listener).
    http_port: int | None = None
    http_listen: str = "127.0.0.1"
    broadcast_rate: float = 25.0  # broadcast messages per second, overall
    # Every message the bot sends, per second, overall: Telegram's limit (paid broadcasts
    # raise it); broadcasts count towards it too.
    send_rate: float = 30.0
    # Follow-ups read with the conversation's context, kept in the database for 15 minutes;
    # off: every message is answered on its own and no context is stored.
    conversation: bool = True
    # Questions, votes, taps and review decisions older than this many days are deleted
    # (None: kept until `llamabot data purge`).
    retention_days: int | None = None
    # The labelled questions an edit from the review must not break (`bot.teach`).
    eval_file: Path = DEFAULT_EVAL_FILE
    # The webhook's secret (`run --webhook`): from the environment, which only the bot's own
    # user can read, unlike a process's arguments.
    webhook_secret: str | None = None
    # Where `ResponderCache` keeps built responders (None: every start builds its own).
    cache_dir: Path | None = None

    def __repr__(self) -> str:
        # Keep the token out of tracebacks and debug prints of the settings object.
        token = "<set>" if self.token else "<unset>"
        return (
            f"Settings(token={token}, base_url={self.base_url!r},"
            f" admin_ids={sorted(self.admin_ids)},"
            f" database={str(self.database)!r}, knowledge_dir={str(self.knowledge_dir)!r},"
            f" timezone={self.timezone.key!r}, log_level={self.log_level!r})"
        )

    def require_token(self) -> str:
        """Return the bot token or raise `ConfigError` when it is missing."""
        if not self.token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the"
                " environment or in .env"
            )
        return self.token

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a `.env` file: KEY=VALUE lines, `#` comments, optional quotes; no interpolation."""
    values: dict[str, str] = {}
    try:
        data = read_bounded(path, MAX_ENV_FILE)  # a pipe or a device could never end
    except FileNotFoundError:
        return values
    except UnreadableFile as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")  # editors on Windows start UTF-8 files with a BOM
    except UnicodeDecodeError as err:
        where = data.count(b"\n", 0, err.start) + 1
        raise ConfigError(f"{path}:{where}: not UTF-8 text (save the file as UTF-8)") from None
    # Lines end at "\n" (and "\r\n"), as for shells and compose; str.splitlines would also
    # split at U+2028 and form feeds inside a value.
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if "\x00" in line:
            # No environment variable can hold one: the value would be cut short there.
            raise ConfigError(f"{path}:{number}: a NUL character (is the file text?)")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE")
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def load_settings(
    env: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    *,
    require_token: bool = False,
) -> Settings:
    """Build `Settings`; real environment variables win over the `.env` file."""
    merged: dict[str, str] = read_env_file(env_file) if env_file is not None else {}
    merged.update(os.environ if env is None else env)

    def get(name: str) -> str | None:
        value = merged.get(name, "").strip()
        return value or None

    token = get("TELEGRAM_BOT_TOKEN")
    if token is not None and not _TOKEN.match(token):
        # Never echo the value: it may be a real token with a typo.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<secret> as given by @BotFather"
        )
    settings = Settings(
        token=token,
        base_url=_base_url(get("TELEGRAM_BASE_URL")),
        admin_ids=_admin_ids(get("LLAMABOT_ADMIN_IDS")),
        database=_database(get("LLAMABOT_DATABASE") or "data/llamabot.sqlite3"),
        knowledge_dir=Path(get("LLAMABOT_KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR),
        timezone=_timezone(get("LLAMABOT_TIMEZONE") or "Asia/Dhaka"),
        log_level=_log_level(get("LLAMABOT_LOG_LEVEL") or "INFO"),
        watch_seconds=_seconds("LLAMABOT_WATCH_SECONDS", get("LLAMABOT_WATCH_SECONDS") or "0.5"),
        log_format=_choice("LLAMABOT_LOG_FORMAT", get("LLAMABOT_LOG_FORMAT") or "text",
                           _LOG_FORMATS),
        http_port=_port("LLAMABOT_HTTP_PORT", get("LLAMABOT_HTTP_PORT")),
        http_listen=listen_address("LLAMABOT_HTTP_LISTEN",
                                   get("LLAMABOT_HTTP_LISTEN") or "127.0.0.1"),
        broadcast_rate=_rate("LLAMABOT_BROADCAST_RATE", get("LLAMABOT_BROADCAST_RATE") or "25"),
        send_rate=_rate("LLAMABOT_SEND_RATE", get("LLAMABOT_SEND_RATE") or "30"),
        conversation=_choice("LLAMABOT_CONVERSATION", get("LLAMABOT_CONVERSATION") or "on",
                             ("on", "off")) == "on",
        retention_days=_days("LLAMABOT_RETENTION_DAYS", get("LLAMABOT_RETENTION_DAYS")),
        eval_file=Path(get("LLAMABOT_EVAL_FILE") or DEFAULT_EVAL_FILE),
        webhook_secret=webhook_secret("LLAMABOT_WEBHOOK_SECRET", get("LLAMABOT_WEBHOOK_SECRET")),
        cache_dir=_cache_dir(get("LLAMABOT_CACHE_DIR"), get("XDG_CACHE_HOME")),
    )
    if require_token:
        settings.require_token()
    return settings


def _cache_dir(value: str | None, xdg_cache: str | None) -> Path | None:
    if value == "off":
        return None
    if value:
        return Path(value)
    # The XDG base directory rule: a relative XDG_CACHE_HOME is invalid and ignored.
    if xdg_cache and Path(xdg_cache).is_absolute():
        return Path(xdg_cache) / "llamabot"
    try:
        return Path.home() / ".cache" / "llamabot"
    except RuntimeError:  # no home directory (a container user without one)
        return None


def _database(value: str) -> DatabaseTarget:
    try:
        return DatabaseTarget.parse(value)
    except ValueError as exc:
        raise ConfigError(f"LLAMABOT_DATABASE is malformed: {exc}") from None


def _base_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_BASE_URL
    # Who and password before an "@" (refused below once readable) are never repeated.
    echoed = shown(re.sub(r"^([^/]*//)[^/]*@", r"\1…@", value))
    problem = f"TELEGRAM_BASE_URL is malformed: {echoed} (expected e.g. http://127.0.0.1:8081/bot"
    if not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(problem + ")")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it is the check
    except ValueError:
        # PTB appends the token to this URL: a host or port that cannot be read would come
        # back in an error with the token in it.
        raise ConfigError(problem + "; a host and port that can be read)") from None
    if parts.username or parts.password:
        raise ConfigError(f"TELEGRAM_BASE_URL holds a user name or password: give the server's"
                          f" address only (host {shown(parts.hostname)})")
    return value


def _admin_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids: set[int] = set()
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        # Telegram's ids fit in 52 bits; a longer number is a typo (and int() of thousands
        # of digits refuses).
        if not re.fullmatch(r"-?[0-9]{1,16}", part):
            raise ConfigError(
                f"LLAMABOT_ADMIN_IDS is malformed: {shown(part)} is not a numeric Telegram user id"
            )
        ids.add(int(part))
    return frozenset(ids)


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"LLAMABOT_TIMEZONE is not a known time zone: {shown(value)} (e.g. Asia/Dhaka)"
        ) from None


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (seconds == 0 or MIN_SECONDS <= seconds <= 3600):
        raise ConfigError(f"{name} is malformed: {shown(value)} (seconds from {MIN_SECONDS}"
                          " to 3600; 0 turns it off)")
    return seconds


def _rate(name: str, value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = 0.0
    if not MIN_RATE <= rate <= 1000:
        raise ConfigError(f"{name} is malformed: {shown(value)} (messages per second, e.g. 25;"
                          " Telegram allows about 30 without paid broadcasts)")
    return rate


def _days(name: str, value: str | None) -> int | None:
    if value is None or value == "0":
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 36500:
        raise ConfigError(f"{name} is malformed: {shown(value)} (whole days, e.g. 90; 0 or unset"
                          " keeps everything)")
    return int(value)


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(
            f"LLAMABOT_LOG_LEVEL is malformed: {shown(value)} (one of {', '.join(_LOG_LEVELS)})"
        )
    return level


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value.lower() not in choices:
        raise ConfigError(f"{name} is malformed: {shown(value)} (one of {', '.join(choices)})")
    return value.lower()


def _port(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 65535:
        raise ConfigError(f"{name} is malformed: {shown(value)} (a TCP port from 1 to 65535)")
    return int(value)


def webhook_secret(name: str, value: str | None) -> str | None:
    """`value` when Telegram would take it as a webhook secret and it is not easy to guess.

    Never echoed: it is a secret. Short, it is guessable, and every log line would show each
    of its letters redacted.
    """
    if value is not None and not _WEBHOOK_SECRET.fullmatch(value):
        raise ConfigError(f"{name} must be 16 to 256 letters, digits, '_' or '-'")
    return value


def listen_address(name: str, value: str) -> str:
    """`value` when it is an IP address or a host name to listen on, else a `ConfigError`.

    Checked at start-up: a bad address would otherwise fail only when the server binds,
    in the resolver's words ("Unknown error -2").
    """
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    labels = value.removesuffix(".").split(".")
    # An all-digit last label is an IPv4 address that did not parse ("999.1.1.1"), not a name.
    if (len(value) <= 253 and all(_HOST_LABEL.match(label) for label in labels)
            and not labels[-1].isdigit()):
        return value
    raise ConfigError(f"{name} is malformed: {shown(value)} (an IP address such as 127.0.0.1 or"
                      " 0.0.0.0, or a host name)")
