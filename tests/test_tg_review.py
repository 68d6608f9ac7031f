"""/review in Telegram: an edit that breaks a right question waits for "apply anyway"; only
admins open it, and buttons it did not offer are refused."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ADMIN_ID,
    FIXED_NOW,
    KNOWLEDGE_DIR,
    ROOT,
    BotThread,
    plain,
    roll_back,
    start_bot,
)
from fake_telegram import MAX_INLINE_BUTTONS, Call, FakeTelegram

from bot.storage.records import QuestionRecord
from bot.tg import texts

RIGHT = "llama koto bar download hoyeche"  # an eval question the bot answers right today
EVAL = ROOT / "tests" / "data" / "eval_questions.yaml"


@pytest.fixture
def review_bot(bot_settings: Any, tmp_path: Path) -> Iterator[tuple[BotThread, Path]]:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    running = start_bot(replace(bot_settings, knowledge_dir=folder, eval_file=EVAL))
    yield running, folder
    running.stop()


def log_unanswered(bot: BotThread, text: str, *users: int) -> None:
    for user in users:
        bot.services.storage.record(question=QuestionRecord(
            FIXED_NOW, "private", text, "fallback", None, 20.0, asked_by=user))
    bot.call(bot.services.storage.flush())


def buttons(call: Call) -> dict[str, str]:
    """Button text -> callback data."""
    return {b["text"]: b["callback_data"] for b in call.buttons}


def press(fake: FakeTelegram, data: str, card: Call, user: int = ADMIN_ID) -> list[Call]:
    """Tap a button of the card message; the bot's calls up to its last edit or message."""
    since = fake.mark()
    fake.callback(data, user_id=user, message_id=card.message_id or 1)
    fake.wait_for("answerCallbackQuery", since=since)
    return [c for c in fake.calls[since:] if c.method != "getUpdates"]


def edited(fake: FakeTelegram, since: int) -> Call:
    return fake.wait_for("editMessageText", since=since, timeout=10)[-1]


def test_an_edit_that_breaks_a_right_question_waits_for_apply_anyway(
    review_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = review_bot
    log_unanswered(bot, RIGHT, 1, 2)
    before = (folder / "facts.yaml").read_bytes()
    [card] = fake_telegram.ask("/review", user_id=ADMIN_ID)
    assert "🗂 পর্যালোচনা 1/1" in card.text and f"×2 {RIGHT}" in card.text

    def to_confirmation() -> Call:
        since = fake_telegram.mark()
        press(fake_telegram, buttons(card)["📂 অন্য তথ্য…"], card)
        topics = edited(fake_telegram, since)
        topic = bot.services.knowledge.topic_title("adoption")
        since = fake_telegram.mark()
        press(fake_telegram, buttons(topics)[topic], card)
        facts = edited(fake_telegram, since)
        since = fake_telegram.mark()
        press(fake_telegram, buttons(facts)["২০২৩ সালে প্রথম লঞ্চ"], card)
        return edited(fake_telegram, since)

    shown = to_confirmation()
    assert "⚠️ প্রয়োগ করলে যা ভাঙবে" in shown.text
    assert f"“{RIGHT}”: downloads_milestone → None" in shown.text
    assert list(buttons(shown)) == ["⚠️ তবুও প্রয়োগ করুন", "✖️ বাতিল"]
    assert (folder / "facts.yaml").read_bytes() == before  # nothing written yet

    since = fake_telegram.mark()
    press(fake_telegram, buttons(shown)["✖️ বাতিল"], card)
    back = edited(fake_telegram, since)
    assert "বাতিল করা হয়েছে" in back.text and "➕ ১ বিলিয়ন ডাউনলোড" in buttons(back)
    assert (folder / "facts.yaml").read_bytes() == before
    assert not (folder / ".history").exists() or not any((folder / ".history").glob("*--*"))

    shown = to_confirmation()
    since = fake_telegram.mark()
    press(fake_telegram, buttons(shown)["⚠️ তবুও প্রয়োগ করুন"], card)
    done = edited(fake_telegram, since)
    assert "✅ <code>facts.yaml</code>: 1টি প্রশ্ন যোগ হয়েছে" in done.text
    assert "টির উত্তর খারাপ হয়েছে (তবুও প্রয়োগ করা হয়েছে)" in done.text
    added = (set((folder / "facts.yaml").read_text().splitlines())
             - set(before.decode().splitlines()))
    assert added == {f'      - "{RIGHT}"'}
    assert RIGHT in bot.services.knowledge.facts["launch_2023"].questions  # reloaded
    notes = (folder / ".history" / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    note = json.loads(notes[-1])
    assert note["by"] == f"admin {ADMIN_ID} (/review)"
    assert note["what"].startswith("1 question added to launch_2023 (applied anyway: ")
    fake_telegram.wait_for("sendMessage", lambda c: "পর্যালোচনা শেষ" in c.text, since=since)
    told = fake_telegram.wait_for("sendMessage", lambda c: "🔄" in c.text, since=since)
    assert "/review: admin 999 (/review), launch_2023" in told[0].text

    # The apply's reload notice may still be on its way to the admin: wait for the rollback's.
    since = fake_telegram.mark()
    roll_back(fake_telegram)
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID and "↩️" in c.text
                           and "facts.yaml" in c.text, since=since)
    assert (folder / "facts.yaml").read_bytes() == before
    # Rolled back, the questions are no longer decided: the review shows them again (they
    # stayed hidden for good, found by the second red-team run).
    since = fake_telegram.mark()
    fake_telegram.message("/review", user_id=ADMIN_ID)
    [again] = fake_telegram.wait_for("sendMessage", lambda c: "🗂" in c.text, since=since)
    assert f"×2 {RIGHT}" in again.text


def test_non_admins_open_none_of_the_review(
    review_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture
) -> None:
    bot, folder = review_bot
    caplog.set_level(logging.WARNING)
    log_unanswered(bot, "ajke brishti hobe", 1)
    [refused] = fake_telegram.ask("/review", user_id=4242)
    assert "শুধু অ্যাডমিনদের" in refused.text
    assert "refused admin command '/review' for user 4242" in caplog.text
    [card] = fake_telegram.ask("/review", user_id=ADMIN_ID)
    before = (folder / "decline.yaml").read_bytes()
    for data in buttons(card).values():  # every button of a real card, tapped by a user
        calls = press(fake_telegram, data, card, user=4242)
        [alert] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert "শুধু অ্যাডমিনদের" in alert.params["text"]
        assert not [c for c in calls if c.method in ("editMessageText", "sendMessage")]
    assert (folder / "decline.yaml").read_bytes() == before
    items = bot.call(bot.services.storage.review_items(6.0))
    assert items and [i.text for i in items] == ["ajke brishti hobe"]  # not decided


def test_forged_review_buttons_are_refused(
    review_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = review_bot
    log_unanswered(bot, "ajke brishti hobe", 1)
    [card] = fake_telegram.ask("/review", user_id=ADMIN_ID)
    skip = buttons(card)["⏭ পরে"]
    token = skip.split(":")[1]
    forged = {
        "rv:": "চেনা গেল না", "rv:junk": "চেনা গেল না", f"rv:{token}:0:a9": "চেনা গেল না",
        f"rv:{token}:0:f0": "চেনা গেল না",  # no fact listed yet
        f"rv:{token}:0:t99": "চেনা গেল না", f"rv:{token}:0:y": "চেনা গেল না",  # nothing to confirm
        f"rv:{token}:0:x": "চেনা গেল না", f"rv:{token}:0:s;rm": "চেনা গেল না",
        "rv:AAAAAAAA:0:s": "আর চালু নেই",  # no such review
        f"rv:{token}:7:s": "আগেই হয়ে গেছে",  # not the card shown
    }
    for data, answer in forged.items():
        calls = press(fake_telegram, data, card)
        [alert] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert answer in alert.params["text"], (data, alert.params)
        assert not [c for c in calls if c.method in ("editMessageText", "sendMessage")], data
    # Another admin's review is not theirs to decide.
    bot.services.settings = replace(bot.services.settings,
                                    admin_ids=frozenset({ADMIN_ID, 998}))
    [alert] = [c for c in press(fake_telegram, skip, card, user=998)
               if c.method == "answerCallbackQuery"]
    assert "আর চালু নেই" in alert.params["text"]
    # The real button still works.
    since = fake_telegram.mark()
    press(fake_telegram, skip, card)
    assert "পরে দেখা হবে" in edited(fake_telegram, since).text


def test_questions_decided_in_review_leave_gaps_until_rolled_back(
    review_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """QA: a question declined or ignored through /review stayed in /gaps, so admins took it
    for one still open. A decided question leaves /gaps; rolling back its decline undoes
    the decision, and the question is open again."""
    bot, _ = review_bot
    rain, ram = "ajke brishti hobe", "llama chalate koto ram lage"
    log_unanswered(bot, rain, 1, 2)
    log_unanswered(bot, ram, 3)

    def gaps() -> str:
        since = fake_telegram.mark()
        fake_telegram.message("/gaps", user_id=ADMIN_ID)
        [report] = fake_telegram.wait_for(
            "sendMessage", lambda c: "🕳" in c.text or c.text == texts.GAPS_NONE, since=since,
            timeout=10)
        return report.text

    assert f"“{rain}”" in gaps() and f"“{ram}”" in gaps()
    [card] = fake_telegram.ask("/review", user_id=ADMIN_ID)
    assert rain in card.text
    since = fake_telegram.mark()
    press(fake_telegram, buttons(card)["🙈 উপেক্ষা"], card)
    [card] = fake_telegram.wait_for("sendMessage", lambda c: "🗂" in c.text, since=since,
                                    timeout=10)
    assert ram in card.text
    since = fake_telegram.mark()
    press(fake_telegram, buttons(card)["🚫 অন্য বিষয়"], card)
    fake_telegram.wait_for("sendMessage", lambda c: "পর্যালোচনা শেষ" in c.text, since=since,
                           timeout=10)
    report = gaps()
    assert rain not in report and ram not in report, report
    since = fake_telegram.mark()
    roll_back(fake_telegram)
    fake_telegram.wait_for("sendMessage", lambda c: c.text.startswith("↩️"),
                           since=since, timeout=10)
    report = gaps()
    assert f"“{ram}”" in report and rain not in report, report  # ignoring stands


def test_the_rollback_confirmation_reads_in_the_bots_timezone_and_counts_properly(
    review_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """QA: /rollback asked "… 1 question(s) declined as install_and_run — admin 999 (/review),
    2025-04-20T04:00:02+00:00": an ISO time in UTC, for admins who live in the bot's
    timezone, and a count left to the reader. The time is the bot's own (its clock reads
    10:00 in Dhaka) and the count is plural only when it is more than one."""
    bot, _ = review_bot
    log_unanswered(bot, "llama chalate koto ram lage", 3)
    [card] = fake_telegram.ask("/review", user_id=ADMIN_ID)
    since = fake_telegram.mark()
    press(fake_telegram, buttons(card)["🚫 অন্য বিষয়"], card)
    fake_telegram.wait_for("sendMessage", lambda c: "পর্যালোচনা শেষ" in c.text, since=since,
                           timeout=10)
    [confirm] = fake_telegram.ask("/rollback", user_id=ADMIN_ID)
    assert "1 question declined as install_and_run" in plain(confirm), plain(confirm)
    assert plain(confirm).endswith(", 20 Apr 2025 10:00 (Asia/Dhaka)"), plain(confirm)
    assert "(s)" not in plain(confirm) and "+00:00" not in plain(confirm)


def test_a_card_teaches_only_the_phrasings_it_shows(
    review_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Red-team (eighth run): a card too long for one message listed some phrasings and
    said "… N more (all will be added)", and its buttons taught all of them: a phrasing
    joins a card when it shares half its word weight, so a user could get words taught
    that no admin saw. Only the phrasings shown are taught and decided; the rest wait."""
    bot, folder = review_bot
    seed = "ajke brishti hobe"
    log_unanswered(bot, seed, 1, 2, 3)
    # "naki" and the numbers weigh nothing to the matcher: all of these join the seed's
    # card, and 30 of 200 characters do not fit in one message.
    long = [(f"ajke brishti hobe {i} " + "naki " * 50)[:200].strip() for i in range(30)]
    for user, text in enumerate(long, 10):
        log_unanswered(bot, text, user)
    before = (folder / "decline.yaml").read_text(encoding="utf-8")
    [card] = fake_telegram.ask("/review", user_id=ADMIN_ID)
    shown = [seed, *(text for text in long if f"×1 {text}\n" in card.text + "\n")]
    waiting = [text for text in long if text not in shown]
    assert 1 < len(shown) < len(long) and waiting
    assert f"… {len(waiting)} more wait for the next review" in card.text

    since = fake_telegram.mark()
    press(fake_telegram, buttons(card)["🚫 অন্য বিষয়"], card)
    # A full card and the list of what was added do not fit one message: the outcome follows.
    assert "more wait" in edited(fake_telegram, since).text
    [done] = fake_telegram.wait_for("sendMessage", lambda c: "যোগ হয়েছে" in c.text, since=since)
    assert f"{len(shown)}টি প্রশ্ন যোগ হয়েছে" in done.text
    after = (folder / "decline.yaml").read_text(encoding="utf-8")
    added = set(after.splitlines()) - set(before.splitlines())
    assert {line.strip().removeprefix("- ").strip('"') for line in added} == set(shown)
    # Only the shown ones are decided: the rest are the next review's card.
    items = bot.call(bot.services.storage.review_items(6.0))
    assert items is not None and {i.text for i in items} == set(waiting)
    fake_telegram.wait_for("sendMessage", lambda c: "পর্যালোচনা শেষ" in c.text, since=since)
    since = fake_telegram.mark()
    fake_telegram.message("/review", user_id=ADMIN_ID)
    [again] = fake_telegram.wait_for("sendMessage", lambda c: "🗂" in c.text, since=since)
    assert all(f"×1 {text}" in again.text for text in waiting)
    assert "more wait" not in again.text

    # Ignoring a card decides only what it shows, too.
    since = fake_telegram.mark()
    press(fake_telegram, buttons(again)["🙈 উপেক্ষা"], again)
    edited(fake_telegram, since)
    assert bot.call(bot.services.storage.review_items(6.0)) == []


def test_a_card_stays_one_message_whatever_the_bot_offered_its_phrasings(
    review_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Red-team: the lines under a card's phrasings (what the bot answered, offered, what
    users chose) were not counted in its room: a card whose phrasings filled it, and whose
    questions had been offered a dozen facts over the weeks, ran past 4,096 characters.
    Telegram refused it, the admin got an apology, and every /review stopped at that card
    (the first: it touches the most users), its buttons never shown."""
    bot, _ = review_bot
    facts = sorted(bot.services.knowledge.facts)
    long = [(f"ajke brishti hobe {i} " + "naki " * 50)[:200].strip() for i in range(30)]
    for user, text in enumerate(long, 10):
        offered = tuple(facts[(user + k) % len(facts)] for k in range(3))
        bot.services.storage.record(question=QuestionRecord(
            FIXED_NOW, "private", text, "suggest", None, 40.0, asked_by=user,
            offered=offered))
        bot.services.storage.record(question=QuestionRecord(
            FIXED_NOW, "private", text, "fact", facts[user % len(facts)], 70.0,
            asked_by=user + 100, margin=1.0))
    bot.call(bot.services.storage.flush())
    since = fake_telegram.mark()
    fake_telegram.message("/review", user_id=ADMIN_ID)
    [card] = fake_telegram.wait_for("sendMessage", since=since, timeout=10)
    assert "🗂" in card.text and buttons(card), card.text[:200]
    assert len(plain(card).encode("utf-16-le")) // 2 <= 4096
    assert "বট প্রস্তাব করেছিল:" in card.text and "বট উত্তর দিয়েছিল:" in card.text


def test_a_topic_of_more_facts_than_a_keyboard_holds_can_be_chosen_from(
    bot_settings: Any, kb: Path, fake_telegram: FakeTelegram
) -> None:
    """'📂 অন্য তথ্য…' listed a button per fact of the topic chosen: past Telegram's 100
    buttons ('reply markup is too long') the admin got an apology and could teach no fact
    of that topic. It lists those that fit, each button teaching the fact it names."""
    from test_tg_overlong import many_facts

    many_facts(kb, 120)
    bot = start_bot(replace(bot_settings, knowledge_dir=kb))
    try:
        log_unanswered(bot, "zzqv কোথায় পাওয়া যায়", 1, 2)
        [card] = fake_telegram.ask("/review", user_id=ADMIN_ID)
        since = fake_telegram.mark()
        press(fake_telegram, buttons(card)["📂 অন্য তথ্য…"], card)
        topics = edited(fake_telegram, since)
        since = fake_telegram.mark()
        press(fake_telegram, buttons(topics)[bot.services.knowledge.topic_title("adoption")],
              card)
        facts = edited(fake_telegram, since)
        time.sleep(0.5)  # an apology would follow the refused edit at once
        sent = [c for c in fake_telegram.calls[since:] if c.method == "sendMessage"]
        shown = [b["text"] for b in facts.buttons]
        since = fake_telegram.mark()
        press(fake_telegram, facts.buttons[-2]["callback_data"], card)  # the last fact shown
        confirm = edited(fake_telegram, since)
    finally:
        bot.stop()
    assert not sent, [c.text for c in sent]
    assert 0 < len(facts.buttons) <= MAX_INLINE_BUTTONS
    assert shown[-2] in confirm.text or "zzqv" in confirm.text, confirm.text
