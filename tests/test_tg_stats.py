"""/stats per fact (answers, 👍, 👎, "did you mean" picks, the week's trend) and its chart of
the last 14 days, with Bengali shaped; text only when Pillow is not installed."""

from __future__ import annotations

import io
import signal
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ADMIN_ID, FIXED_NOW, BotThread
from fake_telegram import FakeTelegram
from test_tg_process import bot_env, llamabot

from bot import chart
from bot.core.usage import Day, FactWeek, daily, fact_weeks, top_facts
from bot.storage.records import Activity, FactFeedback

DHAKA = ZoneInfo("Asia/Dhaka")


def test_days_are_local_and_split_by_outcome() -> None:
    hours = [
        Activity(datetime(2025, 4, 19, 17, tzinfo=UTC), "fact", 3),  # 23:00 in Dhaka
        Activity(datetime(2025, 4, 19, 18, tzinfo=UTC), "fact", 2),  # midnight: the 20th
        Activity(datetime(2025, 4, 19, 18, tzinfo=UTC), "smalltalk", 1),
        Activity(datetime(2025, 4, 20, 3, tzinfo=UTC), "suggest", 4),
        Activity(datetime(2025, 4, 20, 3, tzinfo=UTC), "fallback", 5),
        Activity(datetime(2025, 4, 20, 3, tzinfo=UTC), "not_in_article", 1),
        Activity(datetime(2025, 4, 20, 3, tzinfo=UTC), "empty", 9),  # not a question
        Activity(datetime(2025, 4, 1, 3, tzinfo=UTC), "fact", 7),  # before the 14 days
    ]
    days = daily(hours, DHAKA, date(2025, 4, 20))
    assert len(days) == 14 and days[0].day == date(2025, 4, 7)
    assert days[-2] == Day(date(2025, 4, 19), 3, 0, 0)
    assert days[-1] == Day(date(2025, 4, 20), 3, 4, 6)
    assert sum(d.total for d in days) == 16


def test_each_fact_with_its_week_against_the_week_before() -> None:
    total = [FactFeedback("a", 10, 2, 1, 3), FactFeedback("b", 12, 0, 4, 0)]
    week = [FactFeedback("a", 5, 1, 0, 1), FactFeedback("b", 1, 0, 1, 0)]
    fortnight = [FactFeedback("a", 7, 2, 0, 2), FactFeedback("b", 9, 0, 2, 0)]
    assert fact_weeks(total, week, fortnight) == [
        FactWeek("b", 12, 0, 4, 0, 1, 8), FactWeek("a", 10, 2, 1, 3, 5, 2)]
    assert [f.trend for f in fact_weeks(total, week, fortnight)] == [-7, 3]
    assert top_facts(fortnight, 1) == [("b", 9)]


@pytest.mark.skipif(not chart.available(), reason="Pillow with Raqm not installed")
def test_bengali_is_shaped_not_drawn_letter_by_letter() -> None:
    # With Raqm, ক + ্ + ষ is one conjunct glyph (ক্ষ), narrower than its letters side by
    # side; letter by letter (no shaping) it is as wide as they are.
    bengali, _ = chart._fonts(40)
    assert bengali.getlength("ক্ষ") < bengali.getlength("ক") + bengali.getlength("ষ") - 10
    # A vowel sign drawn before its consonant (কি) must not widen it as a glyph of its own.
    assert bengali.getlength("কি") < bengali.getlength("ক") + bengali.getlength("ি")


def test_stats_list_each_fact_and_send_the_chart(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    from conftest import uncertain_question

    [answer] = fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=1)
    fake_telegram.ask("lama koto bar download hoyeche", user_id=2)
    fake_telegram.tap("v:up", user_id=1, message_id=answer.message_id or 0,
                      reply_markup=answer.params["reply_markup"])
    question = uncertain_question(bot.services.responder)
    [unsure] = fake_telegram.ask(question, user_id=3)
    chosen = next(b["callback_data"] for b in unsure.buttons
                  if b["callback_data"] != "d:downloads_milestone")
    fake_telegram.tap(chosen, user_id=3, message_id=unsure.message_id or 0,
                      method="sendMessage")
    fake_telegram.ask("আজ ঢাকার আবহাওয়া কেমন?", user_id=4)
    since = fake_telegram.mark()
    [report] = fake_telegram.ask("/stats", user_id=ADMIN_ID)
    assert "প্রতিটি তথ্য" in report.text
    assert "১ বিলিয়ন ডাউনলোড: 2 · 👍1 · 👎0 · ☝️0 · 2 (↑2)" in report.text
    picked = bot.services.knowledge.facts[chosen[2:]].title
    assert f"{picked}: 1 · 👍0 · 👎0 · ☝️1 · 1 (↑1)" in report.text
    if not chart.available():
        assert "llamabot[chart]" in report.text
        return
    [photo] = fake_telegram.wait_for("sendPhoto", since=since)
    assert photo.chat_id == ADMIN_ID and photo.params["caption"] == "গত ১৪ দিনের প্রশ্ন"
    from PIL import Image

    image = Image.open(io.BytesIO(photo.params["photo"]))
    assert image.format == "PNG" and image.size == (chart.WIDTH, chart.HEIGHT)
    # The last day's bar is drawn in all three colours (answered, did you mean, fallback).
    colours = {colour for _, colour in image.convert("RGB").getcolors(1_000_000) or []}
    assert {_rgb(c) for c in chart.COLOURS} <= colours


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour[1:], 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def test_without_pillow_stats_is_text_only(tmp_path: Path) -> None:
    blocked = tmp_path / "no_pillow"
    (blocked / "PIL").mkdir(parents=True)
    (blocked / "PIL" / "__init__.py").write_text("raise ImportError('no Pillow here')\n")
    with FakeTelegram(max_poll=0.3) as fake:
        env = bot_env(fake, tmp_path, PYTHONPATH=str(blocked), LLAMABOT_LOG_LEVEL="INFO")
        proc = llamabot("run", env=env, cwd=tmp_path)
        try:
            fake.wait_for("getUpdates", timeout=15)
            fake.ask("লামা কতবার ডাউনলোড হয়েছে?")
            # Logged once its answer is sent: a moment after the reply, perhaps.
            deadline = time.monotonic() + 10
            while "প্রশ্ন: 1\n" not in (
                    report := fake.ask("/stats", user_id=ADMIN_ID, timeout=10)[0]).text:
                assert time.monotonic() < deadline, report.text
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err[-2000:]
    assert "১ বিলিয়ন ডাউনলোড: 1 · 👍0" in report.text
    assert "চার্ট নেই" in report.text and "llamabot[chart]" in report.text
    assert not fake.calls_to("sendPhoto")
    assert "Traceback" not in err


def test_a_day_without_questions_still_draws(tmp_path: Path) -> None:
    if not chart.available():
        pytest.skip("Pillow with Raqm not installed")
    empty = [Day(FIXED_NOW.date() - timedelta(days=n)) for n in range(14)][::-1]
    labels = chart.Labels("শিরোনাম", "উত্তর", "প্রস্তাব", "জানা নেই", "শীর্ষ", "কিছু নেই")
    png = chart.render(empty, [], labels)
    assert png.startswith(b"\x89PNG")
