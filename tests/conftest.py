"""Shared fixtures: the fake Bot API server and a real bot running against it in a thread."""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from fake_telegram import TOKEN, Call, FakeTelegram

from bot.core.answer import Responder
from bot.core.conversation import Context, Conversation, Turn
from bot.core.loader import load_knowledge

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
DHAKA = ZoneInfo("Asia/Dhaka")
ADMIN_ID = 999
# Nine days before LlamaCon (2025-04-29): the countdown is deterministic in tests.
FIXED_NOW = datetime(2025, 4, 20, 10, 0, tzinfo=DHAKA)


@pytest.fixture(autouse=True, scope="session")
def process_as_llamabot_run() -> None:
    """The process-wide library settings `llamabot run` makes before anything runs."""
    from bot.tg.runner import prepare_process

    prepare_process()


@pytest.fixture(autouse=True, scope="session")
def private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`llamabot` subprocesses keep their built responders in the run's own folder, not in
    the home folder's cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def real() -> Responder:
    """The real knowledge base's responder, built once: the core's tests only ask it."""
    return Responder(load_knowledge(KNOWLEDGE_DIR, DHAKA))


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(max_poll=0.5) as fake:
        yield fake


@pytest.fixture
def bot_settings(fake_telegram: FakeTelegram, tmp_path: Path) -> Any:
    from bot.config import Settings
    from bot.storage.connection import DatabaseTarget

    return Settings(token=TOKEN, base_url=fake_telegram.base_url, admin_ids=frozenset({ADMIN_ID}),
                    database=DatabaseTarget.parse(tmp_path / "bot.sqlite3"),
                    knowledge_dir=KNOWLEDGE_DIR, timezone=DHAKA, log_level="DEBUG")


class BotThread:
    """A real `BotRuntime` on its own event loop thread, so tests stay synchronous."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def services(self) -> Any:
        return self.runtime.services

    def start(self) -> BotThread:
        self.call(self.runtime.start())
        return self

    def stop(self) -> None:
        try:
            self.call(self.runtime.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)
            self.loop.close()


def start_bot(settings: Any, **options: Any) -> BotThread:
    from bot.tg.pacing import ChatPacer, PaceLimits, Window
    from bot.tg.runner import BotRuntime

    options.setdefault("clock", lambda: FIXED_NOW)
    options.setdefault("poll_timeout", 1.0)
    # Tests talk in one private chat far faster than a person: a second per message there
    # would only slow the suite. Groups and the overall rate keep Telegram's limits, and
    # tests/test_tg_pacing.py checks the pacing itself.
    options.setdefault("pacer", ChatPacer(PaceLimits(private=Window(1_000, 1.0))))
    return BotThread(BotRuntime(settings, **options)).start()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A copy of the knowledge folder the test may edit."""
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    return directory


@pytest.fixture
def editable_bot(bot_settings: Any, kb: Path) -> Iterator[tuple[BotThread, Path]]:
    """A bot whose knowledge folder is a copy the test may break."""
    running = start_bot(replace(bot_settings, knowledge_dir=kb))
    yield running, kb
    running.stop()


@pytest.fixture
def watched_bot(bot_settings: Any, kb: Path) -> Iterator[tuple[BotThread, Path]]:
    """A bot on a copy of the knowledge folder, watching it closely."""
    running = start_bot(replace(bot_settings, knowledge_dir=kb), watch_interval=0.1)
    yield running, kb
    running.stop()


@pytest.fixture
def bot(bot_settings: Any) -> Iterator[BotThread]:
    """A running bot (long polling) against `fake_telegram`, with a fixed clock."""
    running = start_bot(bot_settings)
    yield running
    running.stop()


def roll_back(fake: FakeTelegram, user_id: int = ADMIN_ID) -> None:
    """/rollback, then the button of its confirmation: how an admin undoes the last apply."""
    since = fake.mark()
    fake.message("/rollback", user_id=user_id)
    [confirm] = fake.wait_for("sendMessage", lambda c: c.chat_id == user_id and any(
        str(b.get("callback_data")).startswith("rb:yes:") for b in c.buttons), since=since,
        timeout=10)
    fake.callback(confirm.buttons[0]["callback_data"], user_id=user_id,
                  message_id=confirm.message_id or 0)


def plain(call: Call) -> str:
    """The message as the user sees it: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", call.text))


def assert_valid_html(text: str) -> None:
    """Only Telegram's tags, balanced, and no bare & or < from user or knowledge text."""
    tags = re.findall(r"</?([a-z]+)[^>]*>", text)
    assert set(tags) <= {"b", "i", "code", "blockquote", "a"}, tags
    for tag in set(tags):
        assert len(re.findall(f"<{tag}[ >]", text)) == len(re.findall(f"</{tag}>", text))
    stripped = re.sub(r"</?[a-z]+[^>]*>", "", text)
    assert "<" not in stripped and ">" not in stripped
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;)", stripped)


@pytest.fixture(scope="module")
def conversation(real: Responder) -> Conversation:
    """Conversations on the real knowledge base (a module may define its own)."""
    return Conversation(real)


def fact_answers(turn: Turn) -> list[str | None]:
    """The facts a turn answered with, in order (small talk and refusals left out)."""
    from bot.core.answer import AnswerKind

    return [a.fact_id for a in turn.answers if a.kind is AnswerKind.FACT]


def play(conversation: Conversation, *messages: str,
         start: datetime = datetime(2025, 4, 20, 12, 0, tzinfo=DHAKA)) -> list[Turn]:
    """The turns of `messages` said one after another (a second apart) in one conversation."""
    context, turns = Context(), []
    for number, message in enumerate(messages):
        turn = conversation.reply(message, context, start + timedelta(seconds=number))
        turns.append(turn)
        context = turn.context
    return turns


def uncertain_question(responder: Any) -> str:
    """A short question the real knowledge base answers with "did you mean"."""
    from bot.core.answer import AnswerKind

    return next(q for q in ("download", "meta", "মেটা", "llama")
                if responder.ask(q, FIXED_NOW).kind is AnswerKind.SUGGEST)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The same test on a SQLite file and on a fresh PostgreSQL schema."""
    from databases import database

    with database(request.param, tmp_path) as target:
        yield target


@pytest.fixture
def postgres_target() -> Iterator[Any]:
    from databases import postgres_schema

    with postgres_schema() as target:
        yield target


def sqlite_steps(conn: Any, action: Callable[[], object]) -> int:
    """How many hundreds of SQLite virtual-machine instructions `action` runs on the
    connection `conn` (a `bot.storage` connection): counted, not timed."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    conn._raw.set_progress_handler(count, 100)
    try:
        action()
    finally:
        conn._raw.set_progress_handler(None, 100)
    return steps
