"""Real databases for the storage tests: a SQLite file, or a fresh PostgreSQL schema.

PostgreSQL comes from LLAMABOT_TEST_POSTGRES (default: the local server, database
`test`, trust auth). Each test gets a schema of its own, dropped afterwards, so tests
never see each other's rows. When no server answers the tests are skipped with the
reason shown, unless LLAMABOT_REQUIRE_POSTGRES=1 (set by .ci/run, so CI fails
instead of passing without having run them).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.storage.connection import DatabaseTarget

POSTGRES_URL = os.environ.get("LLAMABOT_TEST_POSTGRES",
                              "postgresql://postgres@127.0.0.1:5432/test")


def _admin_connection():  # type: ignore[no-untyped-def]
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed (pip install -e '.[test]')"
    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3), None
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0].rsplit(": ", 1)[-1]
        return None, f"no PostgreSQL at {POSTGRES_URL}: {reason}"


def postgres_admin():  # type: ignore[no-untyped-def]
    """An autocommit psycopg connection to the test server, or skip (fail on CI) without one."""
    admin, why = _admin_connection()
    if admin is None:
        if os.environ.get("LLAMABOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (LLAMABOT_REQUIRE_POSTGRES=1) but {why}")
        pytest.skip(why)
    return admin


@contextmanager
def postgres_schema(durable: bool = False) -> Iterator[DatabaseTarget]:
    """A target whose connections all land in a new, empty schema.

    `durable` keeps PostgreSQL's default synchronous commit (benchmarks measure that).
    """
    admin = postgres_admin()
    schema = f"llamabot_test_{secrets.token_hex(6)}"
    admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in POSTGRES_URL else "?"
    # Tests get asynchronous commit: they kill bots, never the server, so nothing they
    # check depends on the WAL reaching disk, and fsync stalls on this shared machine would
    # make timing checks (send rates) flaky.
    options = f"-c search_path={schema}" + ("" if durable else " -c synchronous_commit=off")
    url = f"{POSTGRES_URL}{sep}options={quote(options)}"
    try:
        yield DatabaseTarget.parse(url)
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def proc_cpu(pid: int) -> float | None:
    """utime + stime of a process in seconds; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def require_postgres() -> None:
    """For benchmarks: stop at once, in one line, when no PostgreSQL answers."""
    try:
        with postgres_schema():
            pass
    except (pytest.skip.Exception, pytest.fail.Exception) as exc:
        sys.exit(f"--engine postgresql/both needs PostgreSQL: {exc.msg}")


@contextmanager
def database(engine: str, folder: Path, durable: bool = False) -> Iterator[DatabaseTarget]:
    if engine == "postgresql":
        with postgres_schema(durable) as target:
            yield target
    else:
        yield DatabaseTarget.parse(folder / "bot.sqlite3")
