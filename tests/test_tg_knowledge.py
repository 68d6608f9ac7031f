"""Admins keep the knowledge base alive from Telegram and from the folder: uploads with a
preview, apply, rollback, hot reload of edited files, admins told of broken edits."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from conftest import ADMIN_ID, KNOWLEDGE_DIR, BotThread, plain, roll_back, start_bot
from fake_telegram import FakeTelegram

QUESTION = "লামা কতবার ডাউনলোড হয়েছে?"
NEW_ANSWER = "সংশোধিত উত্তর: লামা একশো কোটিবার ডাউনলোড হয়েছে।"



def with_new_answer(folder: Path, answer: str = NEW_ANSWER) -> bytes:
    text = (KNOWLEDGE_DIR / "facts.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: downloads_milestone")
    at = text.index("    answer: ", start)
    end = text.index("\n    questions:", at)
    return (text[:at] + f'    answer: "{answer}"' + text[end:]).encode()


_askers = itertools.count(500)


def upload_and_apply(fake: FakeTelegram, folder: Path) -> None:
    """An admin uploads facts.yaml with a new answer and taps Apply on its preview."""
    since = fake.mark()
    fake.document("facts.yaml", with_new_answer(folder), user_id=ADMIN_ID)
    [preview] = fake.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    fake.tap(preview.buttons[0]["callback_data"], user_id=ADMIN_ID)
    fake.wait_for("sendMessage", lambda c: "প্রয়োগ করা হয়েছে" in c.text, since=since)


def answer_text(fake: FakeTelegram) -> str:
    # A new user each time: polling one user this often would trip the flood control.
    return fake.ask(QUESTION, user_id=next(_askers))[0].text


def wait_until(condition: Any, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s")


def test_a_good_edit_is_answered_within_3_seconds(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    assert NEW_ANSWER not in answer_text(fake_telegram)
    (folder / "facts.yaml").write_bytes(with_new_answer(folder))
    wait_until(lambda: NEW_ANSWER in answer_text(fake_telegram), 3.0)
    told = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID)
    assert "files changed" in told[0].text or "files changed" in told[-1].text


def test_a_bad_edit_keeps_answers_and_tells_admins(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    before = answer_text(fake_telegram)
    version = bot.services.knowledge.version
    facts = folder / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n  - id: [broken\n", encoding="utf-8")
    calls = fake_telegram.wait_for(
        "sendMessage", lambda c: c.chat_id == ADMIN_ID and "সমস্যা" in c.text, timeout=5
    )
    assert "facts.yaml:" in calls[0].text and "YAML syntax error" in calls[0].text
    assert bot.services.knowledge.version == version
    assert answer_text(fake_telegram) == before


def test_a_burst_of_edits_ends_on_the_last_good_state(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    facts = folder / "facts.yaml"
    for i in range(50):  # 50 saves within a second, alternating good and broken
        content = with_new_answer(folder, f"সংস্করণ {i}: লামা ডাউনলোড হয়েছে।")
        facts.write_bytes(content if i % 2 == 0 else content + b"\n  - id: [broken\n")
        time.sleep(0.02)
    facts.write_bytes(with_new_answer(folder, "শেষ সংস্করণ: লামা ১০০ কোটিবার ডাউনলোড হয়েছে।"))
    wait_until(lambda: "শেষ সংস্করণ" in answer_text(fake_telegram), 3.0)
    assert "শেষ সংস্করণ" in bot.services.knowledge.facts["downloads_milestone"].answer


def test_upload_preview_apply_and_rollback(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    original = (folder / "facts.yaml").read_bytes()
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", with_new_answer(folder), user_id=ADMIN_ID)
    [preview] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    assert "facts changed (1): downloads_milestone (answer)" in preview.text
    apply_data = preview.buttons[0]["callback_data"]
    assert apply_data.startswith("kb:apply:")
    assert (folder / "facts.yaml").read_bytes() == original  # nothing written before apply

    fake_telegram.tap(apply_data, user_id=ADMIN_ID)
    fake_telegram.wait_for("sendMessage", lambda c: "প্রয়োগ করা হয়েছে" in c.text, since=since)
    assert NEW_ANSWER in answer_text(fake_telegram)
    assert [p.name.split("--", 1)[1] for p in (folder / ".history").glob("*--*")] == ["facts.yaml"]

    since = fake_telegram.mark()
    roll_back(fake_telegram)
    fake_telegram.wait_for("sendMessage", lambda c: "ফেরানো হয়েছে" in c.text, since=since)
    assert (folder / "facts.yaml").read_bytes() == original
    assert NEW_ANSWER not in answer_text(fake_telegram)


def test_invalid_uploads_change_nothing(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    version = bot.services.knowledge.version
    cases = [
        (
            "events.yaml",
            (folder / "events.yaml").read_bytes().replace(b"2025-04-29", b"2025-02-30"),
            "events.yaml:5:16: invalid date",
        ),
        ("photo.png", b"\x89PNG", "is not a knowledge file name"),
        ("facts.yaml", b"\xff\xfe\x00", "not UTF-8"),
        ("facts.yaml", b"a" * (600 * 1024), "the limit is 512 KiB"),
    ]
    for name, content, message in cases:
        since = fake_telegram.mark()
        fake_telegram.document(name, content, user_id=ADMIN_ID)
        [reply] = fake_telegram.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since
        )
        assert message in reply.text, (name, reply.text)
        assert str(folder) not in reply.text  # the file's own name, no server path
        assert not reply.buttons
    assert bot.services.knowledge.version == version
    assert not (folder / ".history").exists()


def test_non_admins_cannot_upload_apply_or_roll_back(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", with_new_answer(folder), user_id=4242)
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 4242, since=since)
    assert "শুধু লেখা পড়তে পারি" in reply.text  # to a user, a file is not an admin command
    assert not fake_telegram.calls_to("getFile", since)  # nor downloaded
    [refused] = fake_telegram.ask("/rollback", user_id=4242)
    assert "শুধু অ্যাডমিনদের" in refused.text
    # An admin's pending edit cannot be applied by someone else tapping its button.
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", with_new_answer(folder), user_id=ADMIN_ID)
    [preview] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    calls = fake_telegram.tap(preview.buttons[0]["callback_data"], user_id=4242)
    assert calls[-1].params.get("show_alert") in (True, "true")
    assert NEW_ANSWER not in answer_text(fake_telegram)


OTHER_ADMIN = 998


def test_every_other_admin_is_told_of_an_upload_applied_and_rolled_back(
    bot_settings: Any, kb: Path, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: hand edits and /review edits reached every admin, uploads
    and rollbacks only the admin who made them, so a stolen phone's edits went unseen."""
    settings = replace(bot_settings, knowledge_dir=kb,
                       admin_ids=frozenset({ADMIN_ID, OTHER_ADMIN}))
    bot = start_bot(settings, watch_interval=0.1)
    try:
        since = fake_telegram.mark()
        fake_telegram.document("facts.yaml", with_new_answer(kb), user_id=ADMIN_ID)
        [preview] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                           since=since)
        fake_telegram.tap(preview.buttons[0]["callback_data"], user_id=ADMIN_ID)
        [told] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == OTHER_ADMIN,
                                        since=since)
        assert f"admin {ADMIN_ID}" in told.text and "facts.yaml" in told.text
        since = fake_telegram.mark()
        roll_back(fake_telegram)
        [told] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == OTHER_ADMIN,
                                        since=since)
        assert "ফেরানো হয়েছে" in told.text and f"admin {ADMIN_ID}" in told.text
    finally:
        bot.stop()


def test_a_rollback_that_would_undo_a_later_edit_is_refused(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = watched_bot
    upload_and_apply(fake_telegram, folder)
    by_hand = (folder / "facts.yaml").read_text(encoding="utf-8") + "\n# checked by hand\n"
    (folder / "facts.yaml").write_text(by_hand, encoding="utf-8")
    since = fake_telegram.mark()
    roll_back(fake_telegram)
    [refused] = fake_telegram.wait_for("sendMessage", lambda c: "ফেরানো" in c.text, since=since)
    assert "ফেরানো হয়নি" in refused.text and "changed since that upload" in refused.text
    assert (folder / "facts.yaml").read_text(encoding="utf-8") == by_hand


def test_rollback_sent_twice_undoes_one_apply_only(
    bot_settings: Any, kb: Path, fake_telegram: FakeTelegram
) -> None:
    """Found by the seventh red-team run: /rollback acted at once, so a double tap on the
    command menu (or a resend on a bad connection) undid the last two applies, the second
    another admin's, whose version was kept nowhere. /rollback now names what it would undo,
    and its button undoes that apply only."""
    settings = replace(bot_settings, knowledge_dir=kb,
                       admin_ids=frozenset({ADMIN_ID, OTHER_ADMIN}))
    bot = start_bot(settings, watch_interval=0.1)
    try:
        theirs = with_new_answer(kb)
        since = fake_telegram.mark()
        fake_telegram.document("facts.yaml", theirs, user_id=OTHER_ADMIN)
        [preview] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == OTHER_ADMIN,
                                           since=since)
        fake_telegram.tap(preview.buttons[0]["callback_data"], user_id=OTHER_ADMIN)
        fake_telegram.wait_for("sendMessage", lambda c: "প্রয়োগ করা হয়েছে" in c.text,
                               since=since)
        events = (kb / "events.yaml").read_bytes()
        since = fake_telegram.mark()
        fake_telegram.document("events.yaml", events + b"# moved\n", user_id=ADMIN_ID)
        [preview] = fake_telegram.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN_ID and bool(c.buttons), since=since)
        fake_telegram.tap(preview.buttons[0]["callback_data"], user_id=ADMIN_ID)
        fake_telegram.wait_for("sendMessage", lambda c: "প্রয়োগ করা হয়েছে" in c.text,
                               since=since)

        since = fake_telegram.mark()
        fake_telegram.message("/rollback", user_id=ADMIN_ID)
        fake_telegram.message("/rollback", user_id=ADMIN_ID)
        asked = fake_telegram.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN_ID and bool(c.buttons), count=2,
            since=since)
        assert all("events.yaml" in c.text and f"admin {ADMIN_ID}" in c.text for c in asked)
        assert (kb / "events.yaml").read_bytes() == events + b"# moved\n"  # nothing yet
        since = fake_telegram.mark()
        for confirm in asked:
            fake_telegram.tap(confirm.buttons[0]["callback_data"], user_id=ADMIN_ID)
        [done, refused] = fake_telegram.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN_ID and "ফেরানো হ" in c.text, count=2,
            since=since)
        assert "ফেরানো হয়েছে" in done.text and "ফেরানো হয়নি" in refused.text
        assert (kb / "events.yaml").read_bytes() == events
        assert (kb / "facts.yaml").read_bytes() == theirs  # the other admin's apply stands
    finally:
        bot.stop()


def test_rollback_confirmation_names_the_admin_once(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by a QA run: the confirmation of an upload its own admin applied read
    "facts.yaml uploaded by admin 999 — admin 999 (upload)". The uploader is named only when
    another admin applied it (as tests/test_tg_knowledge_apply.py checks)."""
    bot, folder = watched_bot
    upload_and_apply(fake_telegram, folder)
    since = fake_telegram.mark()
    fake_telegram.message("/rollback", user_id=ADMIN_ID)
    [confirm] = fake_telegram.wait_for(
        "sendMessage", lambda c: c.chat_id == ADMIN_ID and bool(c.buttons), since=since)
    assert "facts.yaml uploaded" in plain(confirm), plain(confirm)
    assert plain(confirm).count(f"admin {ADMIN_ID}") == 1, plain(confirm)


def test_rollback_of_an_edit_applied_anyway_names_it_within_one_message_and_only_in_private(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by the ninth red-team run: a /review edit applied anyway records what it broke,
    users' phrasings (200 characters each) quoted in each warning, and /rollback's
    confirmation quoted that record whole: past 4,096 characters Telegram refused it, so
    the edit could not be undone from Telegram, and in a group its members read what users
    had asked. The confirmation now cuts the record, and /rollback answers only in private."""
    from datetime import UTC, datetime

    from conftest import DHAKA

    from bot import kbedit

    bot, folder = editable_bot
    asked = ["লামা " * 40 + str(n) for n in range(16)]  # 200 characters each, as logged
    warnings = [f"{q!r} matches downloads_milestone as well (61 vs 58)" for q in asked] + [
        f"{q!r} would still not be answered with llamacon_date (fallback: it may name a"
        " subject llamacon_date is not about)" for q in asked]
    what = ("16 question(s) added to llamacon_date (applied anyway: " + "; ".join(warnings)
            + ")")
    content = (folder / "facts.yaml").read_bytes() + b"# taught\n"
    kbedit.apply(folder, "facts.yaml", content, kbedit.fingerprint(folder / "facts.yaml"),
                 DHAKA, datetime.now(UTC), by=f"admin {ADMIN_ID} (/review)", what=what)
    since = fake_telegram.mark()
    fake_telegram.message("/rollback", user_id=ADMIN_ID, chat_id=-4646, chat_type="group")
    [refused] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == -4646, since=since)
    assert asked[0][:20] not in refused.text and not refused.buttons
    since = fake_telegram.mark()
    fake_telegram.message("/rollback", user_id=ADMIN_ID)
    [confirm] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                       since=since)
    assert len(confirm.text) <= 1000 and "facts.yaml" in confirm.text, len(confirm.text)
    fake_telegram.tap(confirm.buttons[0]["callback_data"], user_id=ADMIN_ID)
    wait_until(lambda: (folder / "facts.yaml").read_bytes() != content, 5)


def test_a_preview_shows_the_questions_words_and_dates_an_upload_changes(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """A reworded example question previewed as `questions 34 -> 34`, a removed synonym as
    `খরচ (words)` and an event moved to a mistyped year as `llamacon (starts_at)`: from a
    phone the admin could not tell what would change, and applied the wrong year."""
    bot, folder = editable_bot

    def preview(name: str, old: str, new: str) -> str:
        content = (folder / name).read_text(encoding="utf-8").replace(old, new, 1)
        since = fake_telegram.mark()
        fake_telegram.document(name, content.encode(), user_id=ADMIN_ID)
        [reply] = fake_telegram.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
        assert reply.buttons, reply.text
        return plain(reply)

    facts = preview("facts.yaml", '"Llama download count"', '"Llama total download count"')
    assert ('downloads_milestone (questions 34 -> 34: + "Llama total download count",'
            ' - "Llama download count")') in facts
    words = preview("synonyms.yaml", " লগ্নি,", "")
    assert "synonym groups changed (1): খরচ (words: - লগ্নি)" in words
    events = (folder / "events.yaml").read_text(encoding="utf-8")
    assert "starts_at: 2025-04-29\n    remind_before: [7d, 1d, 1h]" in events
    dates = preview("events.yaml", "2025-04-29\n    remind_before: [7d, 1d, 1h]",
                    "2052-04-29\n    remind_before: [7d, 1d]")
    assert ("events changed (1): llamacon (starts_at 2025-04-29 00:00+06:00 -> "
            "2052-04-29 00:00+06:00, remind_before 7d, 1d, 1h -> 7d, 1d)") in dates


def test_a_preview_warns_of_an_event_moved_into_the_past(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by a QA run: an events.yaml with a typo'd year (2020) was previewed as a plain
    change and applied: the event then showed as held and no reminder went out. A past event
    may be history, so the preview still offers Apply, with the warning `kb validate` gives."""
    bot, folder = editable_bot
    content = (folder / "events.yaml").read_text(encoding="utf-8")
    for new, warned in (("2020-04-29", True), ("2052-04-29", False)):
        since = fake_telegram.mark()
        fake_telegram.document("events.yaml", content.replace("2025-04-29", new).encode(),
                               user_id=ADMIN_ID)
        [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                         since=since)
        assert reply.buttons and "events changed (1): llamacon" in plain(reply), reply.text
        warning = ("events.yaml:5:16: warning: event 'llamacon' starts 2020-04-29"
                   " 00:00+06:00, before now")
        assert (warning in plain(reply)) is warned, plain(reply)
        assert ("no reminders will be sent" in plain(reply)) is warned
        assert str(folder) not in reply.text


def test_a_preview_warns_of_a_title_wrapped_in_curly_quotes(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """A title typed on a phone as “১ বিলিয়ন ডাউনলোড” was previewed as a plain change, and
    its buttons then showed the quotes: the preview warns, as `kb validate` does."""
    bot, folder = editable_bot
    content = (folder / "facts.yaml").read_text(encoding="utf-8").replace(
        'title: "১ বিলিয়ন ডাউনলোড"', "title: “১ বিলিয়ন ডাউনলোড”")
    line = next(n for n, row in enumerate(content.splitlines(), 1) if "“১ বিলিয়ন" in row)
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", content.encode(), user_id=ADMIN_ID)
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    assert reply.buttons, reply.text
    assert (f"facts.yaml:{line}:12: warning: the title of fact 'downloads_milestone' is"
            " wrapped in curly quotes") in plain(reply), plain(reply)


def test_an_upload_named_yml_beside_its_yaml_is_refused_naming_the_file_it_meant(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """An edited facts.yaml saved by a phone app as facts.yml was previewed as a second file
    beside facts.yaml: 27 'duplicate fact id' lines, none saying that the name was wrong."""
    bot, folder = editable_bot
    since = fake_telegram.mark()
    fake_telegram.document("facts.yml", with_new_answer(folder), user_id=ADMIN_ID)
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                     since=since)
    assert "duplicate" not in reply.text and not reply.buttons
    assert "send it named facts.yaml" in plain(reply), reply.text
    assert not (folder / "facts.yml").exists()


def test_an_upload_identical_to_its_file_offers_nothing_to_apply_or_roll_back(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by QA: the folder's own facts.yaml sent back unchanged was previewed with an
    Apply button, and applying it said "applied; the previous version is kept, /rollback"
    (to every admin), while /rollback then said there was nothing to undo."""
    bot, folder = editable_bot
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", (folder / "facts.yaml").read_bytes(), user_id=ADMIN_ID)
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    assert "হুবহু এক" in reply.text and "facts.yaml" in reply.text
    assert not reply.buttons  # nothing to apply
    assert not (folder / ".history").exists() or not list((folder / ".history").glob("*--*"))
    [none] = fake_telegram.ask("/rollback", user_id=ADMIN_ID)
    assert "ফেরানোর মতো কোনো আগের সংস্করণ নেই" in none.text


def test_a_reload_notice_is_one_message_with_its_reason_and_what_changed(
    watched_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by QA: every reload an admin was told of (a hand edit, a /review edit) came as
    two messages, the first only "🔄 জ্ঞানভান্ডার পুনরায় লোড (facts.yaml changed):"."""
    bot, folder = watched_bot
    since = fake_telegram.mark()
    (folder / "facts.yaml").write_bytes(with_new_answer(folder))
    told = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
    time.sleep(0.5)  # a second message, if any, would be on its way
    told = [c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == ADMIN_ID]
    assert len(told) == 1, [c.text for c in told]
    assert "পুনরায় লোড" in told[0].text and "facts changed (1)" in told[0].text
