"""Applying an upload never loses an edit made since its preview, says who applied it, and
/rollback undoes the latest apply whatever the clock or the time zone did in between."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import ADMIN_ID, FIXED_NOW, KNOWLEDGE_DIR, BotThread, roll_back, start_bot
from fake_telegram import Call, FakeTelegram
from test_tg_knowledge import with_new_answer

OTHER_ADMIN = 998
APPLIED = "প্রয়োগ করা হয়েছে"


@pytest.fixture
def two_admins(bot_settings: Any, tmp_path: Path) -> Iterator[tuple[BotThread, Path]]:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    settings = replace(bot_settings, knowledge_dir=folder,
                       admin_ids=frozenset({ADMIN_ID, OTHER_ADMIN}))
    running = start_bot(settings)
    yield running, folder
    running.stop()


def preview(fake: FakeTelegram, name: str, content: bytes, admin: int = ADMIN_ID) -> Call:
    since = fake.mark()
    fake.document(name, content, user_id=admin)
    # The preview or the problems; not the reload report of an earlier apply.
    [shown] = fake.wait_for("sendMessage", lambda c: c.chat_id == admin
                            and c.text.startswith(("📄", "❌")), since=since)
    return shown


def apply_button(shown: Call) -> str:
    assert shown.buttons, shown.text
    data = str(shown.buttons[0]["callback_data"])
    assert data.startswith("kb:apply:"), shown.text
    return data


def tap(fake: FakeTelegram, data: str, admin: int = ADMIN_ID) -> Call:
    """Tap a button and return the bot's first message about it (a reload report may follow)."""
    since = fake.mark()
    fake.callback(data, user_id=admin)
    # Not what the other admin's apply told every admin ("👤 admin 998: ...").
    return fake.wait_for("sendMessage", lambda c: c.chat_id == admin
                         and not c.text.startswith("👤"), since=since)[0]


def edit_by_hand(fake: FakeTelegram, path: Path, content: bytes) -> None:
    """Write a file as an admin on the server would, and wait for the running bot's watcher
    to take it: its reload notice must not be read as the reply to a later tap."""
    since = fake.mark()
    path.write_bytes(content)
    fake.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID and "files changed" in c.text,
                  since=since)


def superseded(fake: FakeTelegram, data: str, admin: int = ADMIN_ID) -> str:
    """Tap a button expected to be refused with an alert; the alert's text."""
    since = fake.mark()
    fake.callback(data, user_id=admin)
    [answer] = fake.wait_for("answerCallbackQuery", since=since)
    return str(answer.params.get("text", ""))


def test_an_older_preview_of_a_file_cannot_be_applied_over_a_newer_upload(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Red-team (eighth run): v1 and v2 of a file previewed against the same base, v1's
    (older) Apply wrote v1 and v2's was then refused as stale. A newer upload of a file
    supersedes every earlier preview of it: only the newest can be applied."""
    bot, folder = two_admins
    before = (folder / "facts.yaml").read_bytes()
    v1 = with_new_answer(folder, "প্রথম সংস্করণ: লামা ডাউনলোড হয়েছে।")
    v2 = with_new_answer(folder, "দ্বিতীয় সংস্করণ: লামা ডাউনলোড হয়েছে।")
    old = preview(fake_telegram, "facts.yaml", v1)
    new = preview(fake_telegram, "facts.yaml", v2)
    since = fake_telegram.mark()
    alert = superseded(fake_telegram, apply_button(old))
    assert "newer upload of facts.yaml superseded" in alert
    assert (folder / "facts.yaml").read_bytes() == before  # nothing written
    assert not [c for c in fake_telegram.calls[since:] if c.method == "sendMessage"]
    assert APPLIED in tap(fake_telegram, apply_button(new)).text
    assert (folder / "facts.yaml").read_bytes() == v2
    assert "দ্বিতীয় সংস্করণ" in bot.services.knowledge.facts["downloads_milestone"].answer

    # Another admin's newer upload of the file supersedes a preview too; another file's not.
    mine = preview(fake_telegram, "facts.yaml", v1)
    extra = 'version: 1\nsmalltalk:\n  - id: bye2\n    answer: "বিদায়"\n    questions: ["tata"]\n'
    other_file = preview(fake_telegram, "extra.yaml", extra.encode(), OTHER_ADMIN)
    theirs = preview(fake_telegram, "facts.yaml", before, OTHER_ADMIN)
    assert "superseded" in superseded(fake_telegram, apply_button(mine))
    since = fake_telegram.mark()
    assert APPLIED in tap(fake_telegram, apply_button(other_file), OTHER_ADMIN).text
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == OTHER_ADMIN
                           and "bye2" in c.text, since=since)  # its reload report
    assert APPLIED in tap(fake_telegram, apply_button(theirs), OTHER_ADMIN).text
    assert (folder / "facts.yaml").read_bytes() == before


def test_a_hand_edit_after_the_preview_is_not_overwritten(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = two_admins
    upload = with_new_answer(folder)
    shown = preview(fake_telegram, "facts.yaml", upload)
    by_hand = with_new_answer(folder, "হাতে লেখা উত্তর: লামা ডাউনলোড হয়েছে।")
    edit_by_hand(fake_telegram, folder / "facts.yaml", by_hand)
    refused = tap(fake_telegram, apply_button(shown))
    assert APPLIED not in refused.text and "changed since" in refused.text
    assert (folder / "facts.yaml").read_bytes() == by_hand
    assert not list((folder / ".history").glob("*--*"))

    # The refusal offers a fresh preview of the same upload against the file as it is now.
    fresh = tap(fake_telegram, str(refused.buttons[0]["callback_data"]))
    assert "downloads_milestone" in fresh.text
    assert APPLIED in tap(fake_telegram, apply_button(fresh)).text
    assert (folder / "facts.yaml").read_bytes() == upload


def test_a_new_file_created_after_its_preview_is_not_overwritten(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = two_admins
    extra = 'version: 1\nsmalltalk:\n  - id: bye2\n    answer: "বিদায়"\n    questions: ["tata"]\n'
    shown = preview(fake_telegram, "extra.yaml", extra.encode())
    by_hand = extra.replace("বিদায়", "আবার দেখা হবে").encode()
    edit_by_hand(fake_telegram, folder / "extra.yaml", by_hand)
    refused = tap(fake_telegram, apply_button(shown))
    assert "changed since" in refused.text
    assert (folder / "extra.yaml").read_bytes() == by_hand


def test_two_taps_at_once_apply_one_upload(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = two_admins
    contents = {admin: with_new_answer(folder, f"অ্যাডমিন {admin}: লামা ডাউনলোড হয়েছে।")
                for admin in (ADMIN_ID, OTHER_ADMIN)}
    buttons = {admin: apply_button(preview(fake_telegram, "facts.yaml", content, admin))
               for admin, content in contents.items()}
    since = fake_telegram.mark()
    for admin, data in buttons.items():
        fake_telegram.callback(data, user_id=admin)
    told = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id in buttons, since=since,
                                  count=2)
    applied = [c.chat_id for c in told if APPLIED in c.text]
    assert len(applied) == 1
    assert (folder / "facts.yaml").read_bytes() == contents[applied[0]]


def test_the_log_names_the_admin_who_tapped_apply(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot, folder = two_admins
    caplog.set_level(logging.INFO)
    shown = preview(fake_telegram, "facts.yaml", with_new_answer(folder), ADMIN_ID)
    assert APPLIED in tap(fake_telegram, apply_button(shown), OTHER_ADMIN).text
    assert f"admin {OTHER_ADMIN} applied knowledge file facts.yaml" in caplog.text
    assert f"admin {ADMIN_ID} applied" not in caplog.text
    # The history entry /rollback undoes says so too (as an edit from /review does).
    from bot import kbedit

    [change] = kbedit.history(folder)
    assert (change.name, change.by) == ("facts.yaml", f"admin {OTHER_ADMIN} (upload)")
    assert change.what == f"facts.yaml uploaded by admin {ADMIN_ID}"


def test_problems_name_the_knowledge_file_not_a_scratch_copy(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = two_admins
    extra = ("version: 1\nsources:\n  - id: other\n    title: t\n    file: missing.txt\n"
             "    sections: [a]\n")
    reply = preview(fake_telegram, "extra.yaml", extra.encode())
    assert "extra.yaml:5:11: " in reply.text
    assert "llamabot-stage" not in reply.text and str(folder) not in reply.text
    assert "/tmp" not in reply.text


NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def new_york_bot(
    bot_settings: Any, tmp_path: Path
) -> Iterator[tuple[BotThread, Path, list[datetime]]]:
    """A bot in a time zone with daylight saving, on a clock the test moves."""
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    now = [FIXED_NOW]
    running = start_bot(replace(bot_settings, knowledge_dir=folder, timezone=NEW_YORK),
                        clock=lambda: now[0])
    yield running, folder, now
    running.stop()


def test_rollback_undoes_the_latest_apply_across_the_end_of_daylight_saving(
    new_york_bot: tuple[BotThread, Path, list[datetime]], fake_telegram: FakeTelegram
) -> None:
    bot, folder, now = new_york_bot
    first = with_new_answer(folder, "প্রথম সংস্করণ: লামা ডাউনলোড হয়েছে।")
    second = with_new_answer(folder, "দ্বিতীয় সংস্করণ: লামা ডাউনলোড হয়েছে।")
    # 01:30 EDT, then 40 minutes later 01:10 EST: the wall clock went back an hour.
    for content, when in ((first, datetime(2025, 11, 2, 1, 30, tzinfo=NEW_YORK)),
                          (second, datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=NEW_YORK))):
        now[0] = when
        shown = preview(fake_telegram, "facts.yaml", content)
        assert APPLIED in tap(fake_telegram, apply_button(shown)).text
    since = fake_telegram.mark()
    roll_back(fake_telegram)
    fake_telegram.wait_for("sendMessage", lambda c: "ফেরানো হয়েছে" in c.text, since=since)
    assert (folder / "facts.yaml").read_bytes() == first


def test_a_big_upload_is_previewed_and_reported_in_a_few_messages(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: a valid 478 KB smalltalk.yaml adding 4,500 entries was
    previewed in ~71 messages (Apply only under the last) and reported in as many to every
    other admin."""
    bot, folder = two_admins
    added = "".join(f'  - {{id: chat_{n:04d}, answer: "উত্তর {n}", questions: ["প্রশ্ন {n}"]}}\n'
                    for n in range(1200))
    content = ((folder / "smalltalk.yaml").read_text(encoding="utf-8") + added).encode()
    since = fake_telegram.mark()
    fake_telegram.document("smalltalk.yaml", content, user_id=ADMIN_ID)
    [shown] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID
                                     and bool(c.buttons), since=since, timeout=60)
    previews = [c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == ADMIN_ID]
    assert len(previews) <= 2 and previews[-1] is shown, [c.text[:80] for c in previews]
    assert "small talk added (1,200): chat_0000 (1 question)" in shown.text or \
        "small talk added (1,200): chat_0000 (1 question)" in previews[0].text
    assert "and 1,180 more" in "".join(c.text for c in previews)
    since = fake_telegram.mark()
    fake_telegram.callback(apply_button(shown), user_id=ADMIN_ID)
    fake_telegram.message("/help", user_id=ADMIN_ID)  # answered once the apply is reported
    fake_telegram.wait_for("sendMessage", lambda c: "/topics" in c.text, since=since, timeout=60)
    told = [c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == OTHER_ADMIN]
    applied = [c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == ADMIN_ID]
    assert 1 <= len(told) <= 2 and "and 1,180 more" in "".join(c.text for c in told)
    assert len(applied) <= 3  # the report, perhaps in two parts, and /help
    assert "chat_1199" in bot.services.knowledge.smalltalk


def test_a_preview_is_at_most_three_messages_and_its_buttons_are_always_sent(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Ids have no length limit: 20 of 3,000 letters fill 15 messages. And a part of the
    preview Telegram refused took the Apply button with it."""
    bot, folder = two_admins
    added = "".join(f'  - {{id: {"x" * 3000}_{n}, answer: "উত্তর", questions: ["প্রশ্ন {n}"]}}\n'
                    for n in range(30))
    content = ((folder / "smalltalk.yaml").read_text(encoding="utf-8") + added).encode()
    fake_telegram.fail("sendMessage", 400, chat_id=ADMIN_ID)  # the preview's first part
    since = fake_telegram.mark()
    fake_telegram.document("smalltalk.yaml", content, user_id=ADMIN_ID)
    [shown] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID
                                     and bool(c.buttons), since=since, timeout=30)
    previews = [c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == ADMIN_ID]
    assert 2 <= len(previews) <= 3 and previews[-1] is shown, [c.text[:80] for c in previews]
    assert "cut here" in shown.text, shown.text
    assert APPLIED in tap(fake_telegram, apply_button(shown)).text



def test_a_refused_reload_is_reported_in_a_few_messages(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """A folder broken in many files (edited on the server) listed up to 100 problems of
    each to every admin: six files made 18 messages apiece. A few, then the rest is cut."""
    _, folder = two_admins
    broken = "".join(f'  - {{id: chat_{n}, questions: ["প্রশ্ন {n}"]}}\n' for n in range(120))
    for number in range(6):  # each a small-talk file missing every answer
        (folder / f"more_talk_{number}.yaml").write_text(
            "version: 1\nsmalltalk:\n" + broken.replace("chat_", f"chat{number}_"),
            encoding="utf-8")
    since = fake_telegram.mark()
    fake_telegram.message("/reload", user_id=ADMIN_ID)
    fake_telegram.message("/help", user_id=ADMIN_ID)  # answered once the refusal is sent
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID and "/topics" in c.text,
                           since=since, timeout=60)
    refusal = [c for c in fake_telegram.calls_to("sendMessage", since)
               if c.chat_id == ADMIN_ID and "/topics" not in c.text]
    assert 1 <= len(refusal) <= 3, [c.text[:80] for c in refusal]
    assert "more_talk_0.yaml" in refusal[0].text


def test_the_superseded_alert_fits_telegram_for_the_longest_file_name(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Red-team: "A newer upload of {name} superseded…" ran past an alert's 200 characters
    for a name of 97 or more; Telegram refused it and the admin got a generic apology."""
    bot, folder = two_admins
    name = "s" * 95 + ".yaml"  # the longest name an upload may have (100)
    extra = 'version: 1\nsmalltalk:\n  - id: bye2\n    answer: "বিদায়"\n    questions: ["tata"]\n'
    old = preview(fake_telegram, name, extra.encode())
    preview(fake_telegram, name, extra.replace("tata", "ta ta").encode())
    since = fake_telegram.mark()
    alert = superseded(fake_telegram, apply_button(old))
    assert "superseded" in alert and len(alert) <= 200, alert
    assert "nothing was written" in alert  # what the admin must know, not cut off
    assert not fake_telegram.calls_to("sendMessage", since)  # no apology
    assert not (folder / name).exists()


def told_other_admin(fake: FakeTelegram, since: int, needle: str) -> str:
    """Everything the other admin was told about an apply, once `needle` names it."""
    fake.wait_for("sendMessage", lambda c: c.chat_id == OTHER_ADMIN and needle in c.text,
                  since=since)
    return "\n".join(c.text for c in fake.calls_to("sendMessage", since)
                     if c.chat_id == OTHER_ADMIN)


def test_other_admins_see_the_new_links_and_texts_an_apply_brings(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Red-team: the other admins were told only which fields an apply changed ("events
    changed (1): llamacon (url)"), so a stolen admin account could swap in a phishing link
    unseen. A changed link is now shown whole to every admin, a changed text by its start."""
    bot, folder = two_admins
    phish = "https://llamacon-tickets.example.net/login?next=/claim&ref=bot"
    events = (folder / "events.yaml").read_bytes() + f'    url: "{phish}"\n'.encode()
    since = fake_telegram.mark()
    assert APPLIED in tap(fake_telegram, apply_button(
        preview(fake_telegram, "events.yaml", events))).text
    told = told_other_admin(fake_telegram, since, "events.yaml")
    assert "events changed (1): llamacon (url)" in told
    assert f"llamacon url → {phish}".replace("&", "&amp;") in told

    # A link deep in a long text (past what is shown of it) and a renamed bot.
    bot_yaml = (folder / "bot.yaml").read_text(encoding="utf-8")
    link = "https://t.me/llama_support_desk_official"
    padding = "লামা নিয়ে প্রশ্ন করুন। " * 40
    edited = (bot_yaml.replace('name: "লামাবট"', 'name: "লামাবট সাপোর্ট"')
              .replace("    আসসালামু আলাইকুম, নমস্কার!",
                       f'    আসসালামু আলাইকুম, নমস্কার! {padding}<a href="{link}">সাপোর্ট</a>'))
    assert edited.count("লামাবট সাপোর্ট") == 1 and link in edited
    since = fake_telegram.mark()
    assert APPLIED in tap(fake_telegram, apply_button(
        preview(fake_telegram, "bot.yaml", edited.encode()))).text
    told = told_other_admin(fake_telegram, since, "bot.yaml")
    assert f"welcome, new link → {link}" in told
    assert 'bot texts name → "লামাবট সাপোর্ট"' in told
    assert padding not in told  # a text's start only
    # The admin who applied it read the same in the preview.
    [shown] = [c for c in fake_telegram.calls_to("sendMessage", since)
               if c.chat_id == ADMIN_ID and c.text.startswith("📄")]
    assert link in shown.text and "লামাবট সাপোর্ট" in shown.text


@pytest.mark.parametrize(("hidden", "shown"), [
    # Telegram reads character references: this is a link to https://evil.example/login.
    ('<a href="&#104;ttps://evil.example/login">লগইন করুন</a>', "https://evil.example/login"),
    # Telegram opens tg: and ton: links written without "//" ("TG:_" is tg://_/).
    ('<a href="tg:resolve?domain=llamabot_support_desk">সাপোর্ট</a>',
     "tg:resolve?domain=llamabot_support_desk"),
    ('<a href="ton://wallet-support.ton">ওয়ালেট</a>', "ton://wallet-support.ton"),
    # A domain in letters other than a-z, written without its scheme.
    ('<a href="মেটা-সাপোর্ট.com/login">লগইন</a>', "মেটা-সাপোর্ট.com/login"),
    ('<a href="উদাহরণ.বাংলা">লগইন</a>', "উদাহরণ.বাংলা"),
])
def test_every_link_telegram_opens_is_shown_to_the_other_admins(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram, hidden: str, shown: str
) -> None:
    """Red-team: the other admins' notice of an apply looked for links in the text as
    written ("&#104;ttps://" is none, but Telegram reads it as https://) and by their look
    (http://, tg://, a-z domains), but whatever an <a href> holds is opened by Telegram
    if it can be: tg:resolve without "//" opens a chat with any bot, ton:// a TON site, and
    a domain in Bengali letters is one too. A stolen admin account could add them unseen."""
    _, folder = two_admins
    bot_yaml = (folder / "bot.yaml").read_text(encoding="utf-8")
    last = "    বাংলা, Banglish বা English-এ প্রশ্ন লিখুন"  # the welcome's last line
    edited = bot_yaml.replace(last, f"    নতুন সার্ভারে {hidden}।\n{last}", 1)
    assert hidden in edited
    since = fake_telegram.mark()
    assert APPLIED in tap(fake_telegram, apply_button(
        preview(fake_telegram, "bot.yaml", edited.encode()))).text
    told = told_other_admin(fake_telegram, since, "bot.yaml")
    assert f"welcome, new link → {shown}" in told, told


def rollback_confirmation(fake: FakeTelegram, admin: int = ADMIN_ID) -> str:
    """/rollback's confirmation: the data of its button that undoes the apply it names."""
    since = fake.mark()
    fake.message("/rollback", user_id=admin)
    [shown] = fake.wait_for("sendMessage", lambda c: c.chat_id == admin and any(
        str(b.get("callback_data")).startswith("rb:yes:") for b in c.buttons), since=since)
    return str(shown.buttons[0]["callback_data"])


def test_a_confirmation_of_an_apply_undone_never_undoes_the_next_apply(
    two_admins: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by the sixteenth red-team run: a rolled-back apply's history entry is deleted,
    and the next apply took its number again; in the same second (the tests' fixed clock)
    it had the same name, so the same key: /rollback sent twice, its first confirmation
    tapped, another admin's apply, then the second confirmation undid that apply."""
    bot, folder = two_admins
    first = with_new_answer(folder, "প্রথম আপলোড: লামা ডাউনলোড হয়েছে।")
    assert APPLIED in tap(fake_telegram, apply_button(preview(fake_telegram, "facts.yaml",
                                                              first))).text
    confirmations = [rollback_confirmation(fake_telegram) for _ in range(2)]
    assert confirmations[0] == confirmations[1]  # both name the same apply
    tap(fake_telegram, confirmations[0])
    assert (folder / "facts.yaml").read_bytes() != first
    second = with_new_answer(folder, "দ্বিতীয় আপলোড: লামা ডাউনলোড হয়েছে।")
    assert APPLIED in tap(fake_telegram, apply_button(preview(
        fake_telegram, "facts.yaml", second, OTHER_ADMIN)), OTHER_ADMIN).text
    refused = tap(fake_telegram, confirmations[1])
    assert (folder / "facts.yaml").read_bytes() == second, refused.text
