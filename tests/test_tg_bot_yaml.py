"""bot.yaml on a running bot: an edit is hot-reloaded (texts, the event command and its menu),
an upload is previewed with the texts it changes, a broken one is refused where it is wrong."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from conftest import ADMIN_ID, BotThread
from fake_telegram import FakeTelegram


def renamed(text: str) -> str:
    """bot.yaml with another name and the event command /conference instead of /llamacon."""
    return (text.replace('name: "লামাবট"', 'name: "সম্মেলনবট"')
            .replace("command: llamacon ", "command: conference ")
            .replace("/llamacon — ", "/conference — "))


def wait_until(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


def test_an_edited_bot_yaml_is_hot_reloaded_with_its_command(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    path = folder / "bot.yaml"
    path.write_text(renamed(path.read_text(encoding="utf-8")), encoding="utf-8")
    wait_until(lambda: bot.services.knowledge.bot.name == "সম্মেলনবট")
    [start] = fake_telegram.ask("/start", user_id=31)
    assert "<b>সম্মেলনবট</b>" in start.text
    assert "m:conference" in [b["callback_data"] for b in start.buttons]
    [events] = fake_telegram.ask("/conference", user_id=31)
    assert "৯ দিন বাকি" in events.text
    [old] = fake_telegram.ask("/llamacon", user_id=31)
    assert "এই কমান্ডটি আমি চিনি না" in old.text
    calls = fake_telegram.tap("m:conference", user_id=31, method="sendMessage")
    assert "৯ দিন বাকি" in calls[-1].text
    assert fake_telegram.tap("m:llamacon", user_id=31)[-1].params.get("show_alert") is True
    # The menu now offers the command the bot answers.
    wait_until(lambda: any(
        "conference" in {c["command"] for c in call.params["commands"]}
        for call in fake_telegram.calls_to("setMyCommands") if "scope" not in call.params))
    [help_] = fake_telegram.ask("/help", user_id=31)
    assert "/conference — " in help_.text and "/llamacon" not in help_.text


def test_an_uploaded_bot_yaml_is_previewed_and_a_broken_one_refused(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    text = (folder / "bot.yaml").read_text(encoding="utf-8")
    since = fake_telegram.mark()
    fake_telegram.document("bot.yaml", renamed(text).encode(), user_id=ADMIN_ID)
    [preview] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                       since=since)
    assert "bot texts changed (1): bot (name, help, event)" in preview.text
    since = fake_telegram.mark()
    broken = text.replace("\n    {topics}\n", "\n    {topic}\n", 1)  # in the welcome
    fake_telegram.document("bot.yaml", broken.encode(), user_id=ADMIN_ID)
    [refused] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                       since=since)
    line = next(i for i, x in enumerate(broken.splitlines(), 1) if x.startswith("  welcome:"))
    assert f"bot.yaml:{line}:" in refused.text and "unknown placeholder {topic}" in refused.text
    assert (folder / "bot.yaml").read_text(encoding="utf-8") == text
    assert bot.services.knowledge.bot.name == "লামাবট"


def test_an_upload_naming_any_of_the_bots_commands_as_the_event_command_is_refused(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """/stopall (an admin's: stop every broadcast) as bot.yaml's event command was accepted: the
    menu offered every user a /stopall that told them 'admins only', and the admins' menu
    listed /stopall twice. Every command the bot registers is one of its own."""
    from bot.tg.app import ADMIN_COMMANDS, USER_COMMANDS

    bot, folder = watched_bot
    text = (folder / "bot.yaml").read_text(encoding="utf-8")
    for command in [*USER_COMMANDS, *ADMIN_COMMANDS]:
        since = fake_telegram.mark()
        taken = (text.replace("command: llamacon ", f"command: {command} ")
                 .replace("/llamacon — ", f"/{command} — "))
        fake_telegram.document("bot.yaml", taken.encode(), user_id=ADMIN_ID)
        [refused] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                           since=since)
        assert f"/{command} is one of the bot's own commands" in refused.text, refused.text
        assert not refused.buttons, refused.buttons  # no Apply
    assert (folder / "bot.yaml").read_text(encoding="utf-8") == text
    assert bot.services.knowledge.bot.event is not None
    assert bot.services.knowledge.bot.event.command == "llamacon"
