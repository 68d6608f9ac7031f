"""Admin commands end to end: refusal for others, /stats, /gaps, /reload good and broken."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMIN_ID, BotThread, assert_valid_html, start_bot
from fake_telegram import FakeTelegram


@pytest.mark.parametrize("command", ["/stats", "/gaps", "/reload"])
def test_non_admins_are_refused_and_logged(
    bot: BotThread, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    caplog.set_level(logging.WARNING)
    [reply] = fake_telegram.ask(command, user_id=4242)
    assert "শুধু অ্যাডমিনদের" in reply.text
    assert f"refused admin command '{command}' for user 4242" in caplog.text
    # The same command from an admin in a group (where others can see it) still works, or,
    # for what shows users' questions, says to use it in private.
    [ok] = fake_telegram.ask(command, user_id=ADMIN_ID, chat_id=-5, chat_type="group")
    assert "শুধু অ্যাডমিনদের" not in ok.text
    assert ("প্রাইভেট চ্যাটে" in ok.text) == (command == "/gaps")


@pytest.mark.parametrize("command", ["/gaps", "/review"])
def test_users_questions_are_not_shown_in_a_group(
    bot: BotThread, fake_telegram: FakeTelegram, command: str
) -> None:
    fake_telegram.ask("আমার ফোন নম্বর ০১৭১১০০০০০০, আজ ঢাকার আবহাওয়া কেমন?", user_id=4001)
    since = fake_telegram.mark()
    [reply] = fake_telegram.ask(command, user_id=ADMIN_ID, chat_id=-7, chat_type="supergroup")
    assert "প্রাইভেট চ্যাটে" in reply.text
    sent = " ".join(c.text for c in fake_telegram.calls_to("sendMessage", since))
    assert "আবহাওয়া" not in sent and "০১৭১১" not in sent
    # In private, the same command shows them.
    [*replies] = fake_telegram.ask(command, user_id=ADMIN_ID)
    assert any("আবহাওয়া" in r.text for r in replies)


def until_logged(fake_telegram: FakeTelegram, questions: int) -> Any:
    """/stats once it counts `questions`. A question is logged once its answer is sent (the
    log keeps the message's id), so the last may come in a moment after its reply, as for an
    admin asking right then."""
    deadline = time.monotonic() + 10
    while f"প্রশ্ন: {questions}\n" not in (
            reply := fake_telegram.ask("/stats", user_id=ADMIN_ID)[0]).text:
        assert time.monotonic() < deadline, reply.text
        time.sleep(0.1)
    return reply


def test_stats_counts_users_questions_and_top_facts(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    for user_id, text in ((1, "লামা কতবার ডাউনলোড হয়েছে?"), (2, "lama koto bar download hoyeche"),
                          (2, "আজ ঢাকার আবহাওয়া কেমন?"), (3, "hello")):
        fake_telegram.ask(text, user_id=user_id)
    reply = until_logged(fake_telegram, 4)
    assert "ব্যবহারকারী: 3" in reply.text
    assert "প্রশ্ন: 4" in reply.text
    assert "উত্তর দেওয়া হয়েছে: 3" in reply.text
    assert "উত্তর জানা নেই: 1" in reply.text
    assert "সাবস্ক্রাইবার: 0 (বট ব্লক করে চলে গেছেন: 0)" in reply.text
    assert "2 × ১ বিলিয়ন ডাউনলোড" in reply.text
    assert bot.services.knowledge.version in reply.text
    assert "ডেটাবেস: ok" in reply.text


def test_gaps_groups_normalized_unanswered_questions(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [empty] = fake_telegram.ask("/gaps", user_id=ADMIN_ID)
    assert "এখনো এমন কোনো প্রশ্ন নেই" in empty.text
    for text in ("আজ ঢাকার আবহাওয়া কেমন?", "আজ  ঢাকার আবহাওয়া কেমন", "Bitcoin <price> & more"):
        fake_telegram.ask(text, user_id=7)
    # The question log is written off the event loop: read /gaps once all three are in it.
    deadline = time.monotonic() + 10
    while "2. ×1" not in (reply := fake_telegram.ask("/gaps", user_id=ADMIN_ID)[0]).text:
        assert time.monotonic() < deadline, reply.text
        time.sleep(0.1)
    # Most frequent first, said in Bengali an admin reads ("সবচেয়ে বেশি আগে" read as
    # "most earlier").
    assert reply.text.startswith("<b>🕳 যেসব প্রশ্নের উত্তর দিতে পারিনি</b>"
                                 " (যেগুলো বেশিবার এসেছে, সেগুলো আগে):\n"), reply.text
    assert "1. ×2 “আজ ঢাকার আবহাওয়া কেমন” — closest: " in reply.text
    assert "2. ×1 “bitcoin price more” — closest: " in reply.text  # normalized: no markup


def test_gaps_turn_did_you_mean_choices_into_yaml(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    from conftest import FIXED_NOW, uncertain_question

    responder = bot.services.responder
    question = uncertain_question(responder)
    chosen = responder.ask(question, FIXED_NOW).suggestions[0]
    for user in (31, 32):
        [suggestion] = fake_telegram.ask(question, user_id=user)
        fake_telegram.tap(f"d:{chosen}", user_id=user, method="sendMessage",
                          message_id=suggestion.message_id)
    report, pasted = fake_telegram.ask("/gaps", user_id=ADMIN_ID, count=2)
    assert f"users chose: {chosen} ×2" in report.text
    assert f"under `questions:` of {chosen}:" in pasted.text
    assert f'- "{question.lower()}"' in pasted.text


def test_reload_refuses_a_broken_knowledge_base_and_keeps_serving(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = editable_bot
    old_version = bot.services.knowledge.version
    facts = folder / "facts.yaml"
    good = facts.read_text(encoding="utf-8")
    facts.write_text(good.replace("topic: adoption", "topic: no_such_topic", 1), encoding="utf-8")
    [refusal] = fake_telegram.ask("/reload", user_id=ADMIN_ID)
    assert "সমস্যা" in refusal.text and old_version in refusal.text
    assert "facts.yaml" in refusal.text and "no_such_topic" in refusal.text
    # The file as the admin knows it: a server path says where the bot runs (red-team run).
    assert str(folder) not in refusal.text and "facts.yaml:" in refusal.text
    assert bot.services.knowledge.version == old_version
    [answer] = fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?")
    assert "১ বিলিয়ন" in answer.text  # the old knowledge keeps answering

    facts.write_text(good.replace("১ বিলিয়ন ডাউনলোড\"", "এক বিলিয়ন ডাউনলোড\"", 1),
                     encoding="utf-8")
    [done] = fake_telegram.ask("/reload", user_id=ADMIN_ID)
    new_version = bot.services.knowledge.version
    assert "✅" in done.text and new_version != old_version and new_version in done.text
    [answer] = fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?")
    assert "এক বিলিয়ন ডাউনলোড" in answer.text


def test_reload_with_unparseable_yaml(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = editable_bot
    (folder / "facts.yaml").write_text("facts: [unclosed <b>\n  - :\n", encoding="utf-8")
    [refusal] = fake_telegram.ask("/reload", user_id=ADMIN_ID)
    assert "❌" in refusal.text
    assert_valid_html(refusal.text)
    assert len(bot.services.knowledge.facts) > 0


def test_admins_are_not_flood_limited_and_others_still_are(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    from bot.tg.flood import FloodGate

    running = start_bot(bot_settings, flood=FloodGate(limit=3, window=60))
    try:
        for i in range(6):  # twice the limit: an admin at work is never slowed down
            [reply] = fake_telegram.ask(f"/gaps {i + 1}", user_id=ADMIN_ID)
            assert "ধীরে" not in reply.text
        since = fake_telegram.mark()
        for _ in range(5):
            fake_telegram.message("hello", user_id=77)
        fake_telegram.wait_for("sendMessage", lambda c: "ধীরে" in c.text, since=since)
        [ok] = fake_telegram.ask("/stats", user_id=ADMIN_ID)  # sent after the user's five
        assert "পরিসংখ্যান" in ok.text
        replies = [c.text for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == 77]
        assert len(replies) == 4 and "ধীরে" in replies[-1]  # told once, then dropped
    finally:
        running.stop()


@pytest.mark.parametrize("argument", ["²", "১২৩৪", "abc", "0", "51", "5 6", "-3", "９" * 5000])
def test_gaps_with_a_bad_argument_gets_the_usage_line(
    bot: BotThread, fake_telegram: FakeTelegram, argument: str
) -> None:
    [reply] = fake_telegram.ask(f"/gaps {argument}", user_id=ADMIN_ID)
    assert "/gaps N" in reply.text and "1–50" in reply.text
    assert "দুঃখিত" not in reply.text


@pytest.mark.parametrize("argument", ["3", "৩", "50"])
def test_gaps_takes_a_count_in_any_decimal_digits(
    bot: BotThread, fake_telegram: FakeTelegram, argument: str
) -> None:
    for city in ("ঢাকার", "চট্টগ্রামের", "সিলেটের", "খুলনার"):
        fake_telegram.ask(f"আজ {city} আবহাওয়া কেমন?", user_id=7)
    until_logged(fake_telegram, 4)
    [reply] = fake_telegram.ask(f"/gaps {argument}", user_id=ADMIN_ID)
    entries = [line for line in reply.text.splitlines() if "আবহাওয়া" in line]
    assert len(entries) == (4 if argument == "50" else 3), reply.text


def _make_read_only(bot: BotThread) -> None:
    """Give the running bot's outbox a connection that cannot write: SQLite's `mode=ro`
    (as root, a 0444 file would still be writable) or PostgreSQL sessions whose
    transactions are all read-only."""
    import sqlite3
    from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

    from bot.storage.connection import Connection, DatabaseTarget, Engine, connect

    def swap(outbox: Any) -> None:
        target = outbox.conn.target
        if target.engine is Engine.SQLITE:
            raw = sqlite3.connect(f"file:{target.path}?mode=ro", uri=True,
                                  isolation_level=None, check_same_thread=False)
            read_only = Connection(target, raw, (sqlite3.Error,), lambda: raw)
        else:
            parts = urlsplit(target.location)
            options = parse_qs(parts.query)["options"][0] + " -c default_transaction_read_only=on"
            query = urlencode({"options": options}, quote_via=quote)
            read_only = connect(DatabaseTarget.parse(urlunsplit(parts._replace(query=query))))
        outbox.conn.close()
        outbox.conn = read_only

    bot.call(bot.runtime.broadcasting.outbox.call(swap))


def test_broadcast_on_a_read_only_database_says_so(
    bot_settings: Any, fake_telegram: FakeTelegram, database_target: Any
) -> None:
    from dataclasses import replace

    running = start_bot(replace(bot_settings, database=database_target))
    try:
        [preview] = fake_telegram.ask("/broadcast আগের খসড়া", user_id=ADMIN_ID)
        _make_read_only(running)
        [reply] = fake_telegram.ask("/broadcast সবাইকে শুভেচ্ছা", user_id=ADMIN_ID)
        assert "ডেটাবেসে লেখা যাচ্ছে না" in reply.text and "দুঃখিত, কিছু একটা" not in reply.text
        assert "readonly" in reply.text or "read-only" in reply.text  # the reason, for admins
        assert not reply.buttons
        # A draft made before the database turned read-only cannot be queued either.
        [answer] = fake_telegram.tap(preview.buttons[0]["callback_data"], user_id=ADMIN_ID)[-1:]
        assert "ডেটাবেসে লেখা যাচ্ছে না" in answer.params["text"]
        assert answer.params.get("show_alert") in (True, "true")
    finally:
        running.stop()


def test_stats_counts_people_who_asked_not_everyone_who_pressed_start(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    # First: the question is logged just after its reply is sent.
    fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=63)
    for user_id in (61, 62):  # start the bot and subscribe, never ask anything
        fake_telegram.ask("/start", user_id=user_id)
        fake_telegram.ask("/subscribe", user_id=user_id)
    [reply] = fake_telegram.ask("/stats", user_id=ADMIN_ID)
    assert "ব্যবহারকারী: 1\n" in reply.text and "প্রশ্ন: 1\n" in reply.text
    assert "সাবস্ক্রাইবার: 2 " in reply.text


def test_admin_replies_stay_in_their_forum_topic(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: /stats and /reload answered in the General topic."""
    topic = {"chat_id": -431, "chat_type": "supergroup", "user_id": ADMIN_ID,
             "message_thread_id": 9, "is_topic_message": True}
    for command in ("/stats", "/reload"):
        since = fake_telegram.mark()
        fake_telegram.ask(command, **topic)
        sent = [c for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == -431]
        assert sent and all(c.params.get("message_thread_id") == 9 for c in sent), command


def test_gaps_name_as_closest_the_fact_the_bot_offered(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """"ডিপসিক কোন দেশের কোম্পানি?" got "did you mean" DeepSeek's fact, but /gaps said
    `closest: license_criticism (69)`, the matcher's raw first before the bot's own checks:
    an admin teaching from the report put the question under the wrong fact. (Asked here:
    is DeepSeek open source? Its raw first is Meta's strategy of giving Llama away.)"""
    [offer] = fake_telegram.ask("ডিপসিক কি ওপেন সোর্স?", user_id=41)
    assert [b["callback_data"] for b in offer.buttons] == ["d:deepseek_r1"]
    for _ in range(20):  # the question is logged after the reply is sent
        [reply] = fake_telegram.ask("/gaps", user_id=ADMIN_ID)
        if "ডিপসিক" in reply.text:
            break
        time.sleep(0.1)
    assert "“ডিপসিক কি ওপেন সোর্স” — closest: deepseek_r1 (" in reply.text, reply.text


def test_a_reload_in_a_group_does_not_show_the_users_questions_it_loads(
    bot_settings: Any, kb: Path, fake_telegram: FakeTelegram
) -> None:
    """Found by a red-team run: /gaps, /review and /rollback keep users' questions out of
    groups, but /reload there listed what it loaded, and a `kb review` from the shell (or
    another replica's /review) had taught a user's words: `+ "আমার ফোন নম্বর …"`."""
    from dataclasses import replace

    from test_cli import run

    bot = start_bot(replace(bot_settings, knowledge_dir=kb), watch_interval=0)
    try:
        private = "আমার ফোন নম্বর ০১৭১১০০০০০০, আজ ঢাকার আবহাওয়া কেমন?"
        fake_telegram.ask(private, user_id=4001)
        until_logged(fake_telegram, 1)
        taught = run("kb", "review", "--database", bot_settings.database.location,
                     "--knowledge", str(kb), stdin="c\nllamacon\ny\nq\n")
        assert taught.returncode == 0 and "Applied to " in taught.stdout, taught.stdout
        since = fake_telegram.mark()
        fake_telegram.ask("/reload", user_id=ADMIN_ID, chat_id=-7, chat_type="supergroup")
        in_group = [c.text for c in fake_telegram.calls_to("sendMessage", since)
                    if c.chat_id == -7]
        assert in_group and "✅" in in_group[0]
        assert not any("01711" in t or "আবহাওয়া" in t for t in in_group), in_group
        # The admin who asked still reads what changed, in private.
        told = [c.text for c in fake_telegram.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)]
        assert any("আবহাওয়া" in t for t in told), told
    finally:
        bot.stop()
