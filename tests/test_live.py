"""The one live knowledge: an upload loads the folder once to check and once to apply, and
the bot does not reload a folder it wrote itself."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest
from conftest import ADMIN_ID, BotThread
from fake_telegram import FakeTelegram
from test_tg_knowledge import NEW_ANSWER, answer_text, with_new_answer

from bot.core import loader
from bot.core.loader import load_knowledge

APPLIED = "প্রয়োগ করা হয়েছে"


@pytest.fixture
def folder_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders read from now on, one entry per load (whoever loads: every load of a
    knowledge folder reads its files through `_Loader.read_files`)."""
    loads: list[Path] = []
    read_files = loader._Loader.read_files

    def counted(self: loader._Loader) -> Generator[None, None, None]:
        loads.append(self.directory)
        return read_files(self)

    monkeypatch.setattr(loader._Loader, "read_files", counted)
    return loads


def test_an_upload_loads_the_folder_once_to_check_and_once_to_apply(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram, folder_loads: list[Path]
) -> None:
    bot, folder = editable_bot
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", with_new_answer(folder), user_id=ADMIN_ID)
    [preview] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    assert len(folder_loads) == 1  # the check
    fake_telegram.tap(preview.buttons[0]["callback_data"], user_id=ADMIN_ID)
    fake_telegram.wait_for("sendMessage", lambda c: APPLIED in c.text, since=since)
    assert NEW_ANSWER in answer_text(fake_telegram)
    # Before, the apply checked the folder again, then reloaded it: three loads, and a
    # fourth when the folder watcher saw the file the bot had written.
    assert len(folder_loads) == 2

    # What the folder watcher does when it sees the file written: nothing to load.
    bot.call(bot.runtime.files_changed())
    assert len(folder_loads) == 2
    # The knowledge handed over by the apply is the folder's, as a load of it would give.
    assert bot.services.knowledge == load_knowledge(folder, bot.runtime.settings.timezone)


def test_a_hand_edit_after_an_apply_is_still_loaded(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram, folder_loads: list[Path]
) -> None:
    bot, folder = editable_bot
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", with_new_answer(folder), user_id=ADMIN_ID)
    [preview] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    fake_telegram.tap(preview.buttons[0]["callback_data"], user_id=ADMIN_ID)
    fake_telegram.wait_for("sendMessage", lambda c: APPLIED in c.text, since=since)
    loads = len(folder_loads)
    (folder / "sources" / "note.txt").write_text("not part of any source yet\n", encoding="utf-8")
    (folder / "facts.yaml").write_bytes(with_new_answer(folder, "হাতে লেখা: লামা ডাউনলোড হয়েছে।"))
    bot.call(bot.runtime.files_changed())
    # Once, or twice when the folder watcher saw the first of the two writes on its own.
    assert 1 <= len(folder_loads) - loads <= 2
    assert folder_loads[loads:] == [folder] * (len(folder_loads) - loads)
    assert "হাতে লেখা" in bot.services.knowledge.facts["downloads_milestone"].answer
