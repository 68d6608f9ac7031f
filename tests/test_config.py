"""Settings from the environment and `.env`: defaults, precedence, one-line errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_BASE_URL, ConfigError, load_settings, read_env_file
from bot.storage.connection import DatabaseError, DatabaseTarget, Engine, LoopReader, connect

LLAMABOT = str(Path(sys.executable).parent / "llamabot")
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "missing.env")
    assert settings.token is None
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.admin_ids == frozenset()
    assert settings.database == DatabaseTarget(Engine.SQLITE, "data/llamabot.sqlite3")
    assert settings.knowledge_dir == Path("knowledge")
    assert settings.timezone.key == "Asia/Dhaka"
    assert settings.log_level == "INFO"
    assert settings.send_rate == 30.0  # Telegram's limit without paid broadcasts


def test_env_file_and_environment_precedence(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\n"
        f"TELEGRAM_BOT_TOKEN={TOKEN}\n"
        "export LLAMABOT_ADMIN_IDS = '1, 2,3' \n"
        'TELEGRAM_BASE_URL="http://127.0.0.1:8081/bot"\n'
        "LLAMABOT_LOG_LEVEL=debug  # inline comment\n"
        "\n",
        encoding="utf-8",
    )
    settings = load_settings({"LLAMABOT_ADMIN_IDS": "7"}, env_file=env_file)
    assert settings.token == TOKEN
    assert settings.admin_ids == frozenset({7})  # the real environment wins
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.log_level == "DEBUG"
    assert settings.is_admin(7) and not settings.is_admin(1) and not settings.is_admin(None)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN is malformed"),
        ("TELEGRAM_BOT_TOKEN", "123:short", "TELEGRAM_BOT_TOKEN is malformed"),
        ("TELEGRAM_BASE_URL", "ftp://x", "TELEGRAM_BASE_URL is malformed"),
        # Found by the red-team run: PTB puts the token after this URL, and a port that
        # cannot be read came back in a traceback with the token in it.
        ("TELEGRAM_BASE_URL", "http://[::1", "TELEGRAM_BASE_URL is malformed"),
        ("TELEGRAM_BASE_URL", "http://127.0.0.1:99999/bot", "TELEGRAM_BASE_URL is malformed"),
        ("TELEGRAM_BASE_URL", "https://user:pw@127.0.0.1/bot", "TELEGRAM_BASE_URL holds a user"),
        ("TELEGRAM_BOT_TOKEN", "１２３４５:" + "A" * 30, "TELEGRAM_BOT_TOKEN is malformed"),
        ("LLAMABOT_ADMIN_IDS", "1,bob", "LLAMABOT_ADMIN_IDS is malformed"),
        ("LLAMABOT_ADMIN_IDS", "9" * 5000, "LLAMABOT_ADMIN_IDS is malformed"),
        ("LLAMABOT_WATCH_SECONDS", "1e-300", "LLAMABOT_WATCH_SECONDS is malformed"),
        ("LLAMABOT_BROADCAST_RATE", "1e-300", "LLAMABOT_BROADCAST_RATE is malformed"),
        ("LLAMABOT_SEND_RATE", "fast", "LLAMABOT_SEND_RATE is malformed"),
        ("LLAMABOT_TIMEZONE", "Asia/Nowhere", "LLAMABOT_TIMEZONE is not a known time zone"),
        ("LLAMABOT_LOG_LEVEL", "LOUD", "LLAMABOT_LOG_LEVEL is malformed"),
    ],
)
def test_bad_values_name_the_setting_in_one_line(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, env_file=None)
    text = str(caught.value)
    assert text.startswith(message) and "\n" not in text


def test_an_env_file_is_read_by_its_newlines_only_and_never_from_a_pipe(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LLAMABOT_TIMEZONE=UTC\u2028LLAMABOT_LOG_LEVEL=BAD\n", encoding="utf-8")
    assert read_env_file(env_file) == {"LLAMABOT_TIMEZONE": "UTC\u2028LLAMABOT_LOG_LEVEL=BAD"}
    fifo = tmp_path / "fifo.env"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        read_env_file(fifo)


def test_token_required_only_when_asked() -> None:
    assert load_settings({}, env_file=None).token is None
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        load_settings({}, env_file=None, require_token=True)


def test_malformed_token_is_never_echoed() -> None:
    almost = TOKEN.replace(":", ";")
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": almost}, env_file=None)
    assert almost not in str(caught.value)
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert TOKEN not in repr(settings) and TOKEN.split(":")[1] not in repr(settings)


def test_env_file_syntax_error_names_the_line(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("GOOD=1\nthis line is wrong\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.env:2: expected KEY=VALUE"):
        read_env_file(env_file)


def test_database_is_a_file_or_a_postgresql_url(tmp_path: Path) -> None:
    url = "postgresql://bot:s3cret-pass@db.internal:5432/llamabot"
    settings = load_settings({"LLAMABOT_DATABASE": url}, env_file=None)
    assert settings.database == DatabaseTarget(Engine.POSTGRESQL, url)
    # The password never reaches logs, errors or the settings' repr.
    assert "s3cret-pass" not in str(settings.database) + repr(settings)
    assert str(settings.database) == "postgresql://bot:***@db.internal:5432/llamabot"
    local = load_settings({"LLAMABOT_DATABASE": "var/bot.db"}, env_file=None).database
    assert (local.engine, local.path) == (Engine.SQLITE, Path("var/bot.db"))
    with pytest.raises(ConfigError, match="LLAMABOT_DATABASE.*mysql://"):
        load_settings({"LLAMABOT_DATABASE": "mysql://root@localhost/bot"}, env_file=None)


def test_a_password_given_as_a_parameter_is_hidden_too() -> None:
    url = "postgresql://bot@127.0.0.1:5432/db?sslmode=require&password=Sup3rSecret"
    target = load_settings({"LLAMABOT_DATABASE": url}, env_file=None).database
    assert target.password == "Sup3rSecret"  # what `llamabot run` redacts from its logs
    assert str(target) == "postgresql://bot@127.0.0.1:5432/db?sslmode=require&password=***"
    assert "Sup3rSecret" not in repr(target) + repr(DatabaseTarget(Engine.POSTGRESQL, url))


@pytest.mark.parametrize("url", [
    "postgresql://bot:Secret#Pass123@127.0.0.1:5432/db",  # '#' starts a fragment
    "postgresql://bot:Secret99xyz@[::1:1/db",  # an unclosed IPv6 host
    "postgresql://bot:Secret99xyz@127.0.0.1:99999/db",  # a port out of range
    "postgresql://bot:1234/Secret@127.0.0.1/db",  # '/' in a password ends the host
    "postgresql://bot:Secret99xyz@127.0.0.1/db#x",
])
def test_a_url_read_one_way_by_us_and_another_by_libpq_is_refused_without_echo(
        url: str) -> None:
    with pytest.raises(ConfigError, match="^LLAMABOT_DATABASE is malformed") as caught:
        load_settings({"LLAMABOT_DATABASE": url}, env_file=None)
    assert "Secret" not in str(caught.value)
    # Built directly (not parsed), it still prints without raising or showing it.
    shown = str(DatabaseTarget(Engine.POSTGRESQL, url)) + repr(DatabaseTarget(Engine.POSTGRESQL,
                                                                              url))
    assert "Secret" not in shown


def test_conversations_can_be_turned_off() -> None:
    assert load_settings({}, env_file=None).conversation
    assert not load_settings({"LLAMABOT_CONVERSATION": "OFF"}, env_file=None).conversation
    with pytest.raises(ConfigError, match="^LLAMABOT_CONVERSATION is malformed: 'maybe'"):
        load_settings({"LLAMABOT_CONVERSATION": "maybe"}, env_file=None)


@pytest.mark.parametrize("url", [
    "postgresql://bot:Xk9%Qz!Secret@127.0.0.1:5432/db",  # '%' that starts no escape
    "postgresql://bot@127.0.0.1:5432/db?password=x%zzSecret",
    "postgresql://bot:pass Secret@127.0.0.1:5432/db",  # libpq quotes the spaced part
])
def test_a_url_libpq_would_quote_back_is_refused_without_echo(url: str) -> None:
    """Found by the red-team run: libpq's "invalid percent-encoded token: \"...\"" quoted the
    password, and /healthz (unauthenticated), /stats and the CLI showed it."""
    with pytest.raises(ConfigError, match="^LLAMABOT_DATABASE is malformed") as caught:
        load_settings({"LLAMABOT_DATABASE": url}, env_file=None)
    assert "Secret" not in str(caught.value)


@pytest.mark.parametrize("url", [
    "postgresql://bot:Xk9%Qz!Secret@127.0.0.1:1/db",
    "postgresql://bot@127.0.0.1:1/db?password=x%zzSecret",
    "postgresql://bot:pass Secret@127.0.0.1:1/db",
    "postgresql://bot:Pa%40Secret@127.0.0.1:1/db",
])
def test_a_connection_failure_never_quotes_the_url(url: str) -> None:
    # Built directly, past the parse-time check, as a caller of the storage layer could.
    target = DatabaseTarget(Engine.POSTGRESQL, url)
    with pytest.raises(DatabaseError) as caught:
        connect(target, 100)
    assert "Secret" not in str(caught.value) and str(caught.value).startswith("cannot connect")
    with pytest.raises(DatabaseError) as caught:
        asyncio.run(_open_async(target))
    assert "Secret" not in str(caught.value)


async def _open_async(target: DatabaseTarget) -> None:
    await LoopReader(target).open()


@pytest.mark.parametrize("url", [
    "postgresql://bot@127.0.0.1:5432/db?sslpassword=Hidden99x",  # the client key's password
    "postgresql://bot@127.0.0.1:5432/db?%70assword=Hidden99x",  # libpq decodes the key
])
def test_every_password_parameter_is_hidden(url: str) -> None:
    """Found by the second red-team run: "sslpassword" and a percent-encoded "password" key
    reached the run log and the CLI's errors."""
    target = load_settings({"LLAMABOT_DATABASE": url}, env_file=None).database
    assert "Hidden99x" not in str(target) + repr(target)
    assert target.password == "Hidden99x"  # what `llamabot run` redacts from its logs
    assert "Hidden99x" not in target.redact(f"cannot connect to {url}: refused")


@pytest.mark.parametrize("url", [
    "postgresql:/bot:Hidden99x@db/x", "postgresql//bot:Hidden99x@db/x", "postgres:Hidden99x@db",
    "postgresql://bot:%E2%82Hidden99x@127.0.0.1/db",  # %-escapes that are no UTF-8
    "bot:Hidden99x@127.0.0.1:5432/db", "//bot:Hidden99x@db/x",  # no scheme: a SQLite path
])
def test_a_mistyped_or_undecodable_url_is_refused_without_echo(url: str) -> None:
    """Found by the second red-team run: "postgresql:/..." was taken as a SQLite file of that
    name (a bot no replica shares, /healthz ok), and bad %-escapes raised a traceback."""
    with pytest.raises(ConfigError, match="^LLAMABOT_DATABASE") as caught:
        load_settings({"LLAMABOT_DATABASE": url}, env_file=None)
    assert "Hidden99x" not in str(caught.value)


@pytest.mark.parametrize("dsn", [
    "host=127.0.0.1 user=bot password=Hidden99x dbname=llama",  # libpq's keyword/value form
    "dbname=llama password=Hidden99x", "password = Hidden99x",
])
def test_a_libpq_connection_string_is_refused_without_echo(dsn: str, tmp_path: Path) -> None:
    """Found by the sixteenth red-team run: libpq's other form of a connection string was
    taken as a SQLite file of that name: `llamabot run` created
    "host=127.0.0.1 user=bot password=… dbname=llama" in its working folder (a bot no replica
    shares, its password in a file name anyone may list) and the CLI echoed it."""
    with pytest.raises(ConfigError, match="^LLAMABOT_DATABASE") as caught:
        load_settings({"LLAMABOT_DATABASE": dsn}, env_file=None)
    assert "Hidden99x" not in str(caught.value)
    result = subprocess.run([LLAMABOT, "broadcast", "status", "--database", dsn],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "Hidden99x" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []  # no SQLite file named with the password
    # A SQLite path may still hold '=' ("run=1"): only libpq's keys make it a DSN.
    assert DatabaseTarget.parse("data/run=1.sqlite3").engine is Engine.SQLITE


def test_the_send_rate_paces_every_message_of_the_bot(tmp_path: Path) -> None:
    from bot.tg.runner import BotRuntime

    settings = load_settings({"LLAMABOT_SEND_RATE": "100", "TELEGRAM_BOT_TOKEN": TOKEN,
                              "LLAMABOT_DATABASE": str(tmp_path / "bot.sqlite3")},
                             env_file=None)
    assert settings.send_rate == 100.0
    assert BotRuntime(settings).pacer.limits.overall == 100.0


LONG = "x" * 5000  # the red-team's value: echoed whole, it buried the message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BASE_URL", "ftp://" + LONG),
        ("TELEGRAM_BASE_URL", "http://127.0.0.1:99999/" + LONG),
        ("LLAMABOT_ADMIN_IDS", "1," + LONG),
        ("LLAMABOT_DATABASE", LONG + "://host/db"),
        ("LLAMABOT_TIMEZONE", "Asia/" + LONG),
        ("LLAMABOT_LOG_LEVEL", LONG),
        ("LLAMABOT_WATCH_SECONDS", LONG),
        ("LLAMABOT_LOG_FORMAT", LONG),
        ("LLAMABOT_HTTP_PORT", LONG),
        ("LLAMABOT_HTTP_LISTEN", LONG),
        ("LLAMABOT_BROADCAST_RATE", LONG),
        ("LLAMABOT_SEND_RATE", LONG),
        ("LLAMABOT_CONVERSATION", LONG),
        ("LLAMABOT_RETENTION_DAYS", LONG),
    ],
)
def test_a_long_bad_value_is_echoed_only_in_part(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, env_file=None)
    text = str(caught.value)
    assert text.startswith(name) and "\n" not in text
    assert "x" * 61 not in text and len(text) < 300, text  # 60 characters at most


def test_a_short_bad_value_is_echoed_whole() -> None:
    with pytest.raises(ConfigError, match="'Asia/Dhakka'"):
        load_settings({"LLAMABOT_TIMEZONE": "Asia/Dhakka"}, env_file=None)


def test_a_value_cut_short_says_so() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"LLAMABOT_TIMEZONE": "Asia/" + LONG}, env_file=None)
    assert "'Asia/" + "x" * 55 + "…'" in str(caught.value)


@pytest.mark.parametrize("url", [
    "http://bot:s3cretpass@127.0.0.1:99999/bot",  # a port that cannot be read
    "http://bot:s3cretpass@[::1/bot",  # nor a host
    "ftp://bot:s3cretpass@127.0.0.1/bot",
])
def test_a_base_url_password_is_never_echoed(url: str) -> None:
    with pytest.raises(ConfigError, match="^TELEGRAM_BASE_URL") as caught:
        load_settings({"TELEGRAM_BASE_URL": url}, env_file=None)
    assert "s3cretpass" not in str(caught.value)


def test_a_long_knowledge_dir_is_echoed_only_in_part(tmp_path: Path) -> None:
    result = subprocess.run([LLAMABOT, "kb", "validate"], capture_output=True, cwd=tmp_path,
                            timeout=60, env={**os.environ, "LLAMABOT_KNOWLEDGE_DIR": LONG})
    err = result.stderr.decode()
    assert result.returncode == 2 and err.startswith("error: LLAMABOT_KNOWLEDGE_DIR"), err
    assert "x" * 61 not in err and len(err) < 300, err


def test_an_ipv6_database_host_is_shown_in_its_brackets() -> None:
    """Red-team: the URL shown in place of a PostgreSQL URL with a password (every log line
    and error naming the database) dropped an IPv6 host's brackets:
    'postgresql://bot:***@::1:5432/db', which no one can read back or paste."""
    for url, shown in (("postgresql://bot:pw@[::1]:5432/db", "postgresql://bot:***@[::1]:5432/db"),
                       ("postgresql://bot:pw@[fe80::1%25eth0]/db?sslmode=require",
                        "postgresql://bot:***@[fe80::1%25eth0]/db?sslmode=require")):
        target = load_settings({"LLAMABOT_DATABASE": url}, env_file=None).database
        assert str(target) == shown


def test_a_nul_in_an_env_file_is_refused_by_its_line(tmp_path: Path) -> None:
    """Red team: "TELEGRAM_BOT_TOKEN=12\\0x" was read, and the token cut or refused later."""
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"LLAMABOT_TIMEZONE=UTC\nTELEGRAM_BOT_TOKEN=12\x00x\n")
    with pytest.raises(ConfigError, match=r":2: a NUL character"):
        read_env_file(env_file)
