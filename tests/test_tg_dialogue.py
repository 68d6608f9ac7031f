"""Conversations end to end: a real `llamabot run` process against the fake Bot API.

Follow-ups, "tell me more", replies to an old answer, "হ্যাঁ" after a "did you mean" and
questions asking two things, in a private chat and in a group where two users interleave.
One bot process serves the module; every test talks in chats of its own.
"""

from __future__ import annotations

import html
import itertools
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ADMIN_ID,
    DHAKA,
    KNOWLEDGE_DIR,
    assert_valid_html,
    plain,
    uncertain_question,
)
from fake_telegram import Call, FakeTelegram
from test_tg_process import bot_env

from bot.core.answer import Responder
from bot.core.loader import load_knowledge

KNOWLEDGE = load_knowledge(KNOWLEDGE_DIR, DHAKA)
TITLES = {f"<b>{html.escape(f.title, quote=False)}</b>": f.id for f in KNOWLEDGE.facts.values()}
GROUP_ID = -1001234
_chats = itertools.count(7001)


@dataclass
class Running:
    fake: FakeTelegram
    process: subprocess.Popen[bytes]
    database: Path


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("dialogue")
    with FakeTelegram(max_poll=0.3) as fake:
        env = bot_env(fake, folder, LLAMABOT_LOG_LEVEL="INFO")
        log = (folder / "bot.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env,
                                   cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        try:
            fake.wait_for("getUpdates", timeout=20)
            yield Running(fake, process, folder / "db.sqlite3")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
            assert "Traceback" not in (folder / "bot.log").read_text(errors="replace")


def fact_of(reply: Call) -> str | None:
    """The fact a reply answers, by the bold title it starts with."""
    return next((fact for title, fact in TITLES.items() if reply.text.startswith(title)), None)


class Person:
    """Someone writing to the bot: in their private chat, or in the group (mentioning it)."""

    def __init__(self, fake: FakeTelegram, user_id: int, group: bool = False) -> None:
        self.fake, self.user_id, self.group = fake, user_id, group

    @property
    def chat_id(self) -> int:
        return GROUP_ID if self.group else self.user_id

    def say(self, text: str, count: int = 1, replying_to: int | None = None) -> list[Call]:
        extra: dict[str, Any] = {}
        if self.group:
            extra["chat_type"] = "group"
            if replying_to is None:
                text = f"@{self.fake.username} {text}"
        if replying_to is not None:
            extra["reply_to_message"] = {
                "message_id": replying_to, "date": 0, "from": self.fake.bot_user, "text": "...",
                "chat": {"id": self.chat_id, "type": "group" if self.group else "private"}}
        since = self.fake.mark()
        self.fake.message(text, user_id=self.user_id, chat_id=self.chat_id, **extra)
        replies = self.fake.wait_for("sendMessage", lambda c: c.chat_id == self.chat_id,
                                     count=count, since=since, timeout=10)
        for reply in replies:
            assert_valid_html(reply.text)
        return replies

    def ask(self, text: str, replying_to: int | None = None) -> Call:
        [reply] = self.say(text, replying_to=replying_to)
        return reply


def person(running: Running, group: bool = False) -> Person:
    return Person(running.fake, next(_chats), group)


def test_a_five_turn_dialogue_in_a_private_chat(running: Running) -> None:
    user = person(running)
    first = user.ask("লামাকন কী?")
    assert fact_of(first) == "llamacon"
    when = user.ask("কবে?")
    assert fact_of(when) == "llamacon" and "২৯ এপ্রিল" in plain(when)
    more = user.ask("আরও বলো")
    assert fact_of(more) not in (None, "llamacon") and "আরও একটি তথ্য" in plain(more)
    thanks = user.ask("ধন্যবাদ")
    assert fact_of(thanks) is None
    lawsuit = user.ask("why is meta being sued?")
    assert fact_of(lawsuit) == "copyright_lawsuit"
    assert fact_of(user.ask("কেন?")) == "copyright_lawsuit"  # the new subject carries on


def test_ok_after_an_answer_is_a_nod_and_a_number_still_picks(running: Running) -> None:
    """"ok" after an answer got "I do not know the answer to this"; it is a nod with the
    answer's related questions again, and "২" then picks the second of them."""
    user = person(running)
    assert fact_of(user.ask("লামা কী?")) == "what_is_llama"
    nod = user.ask("ok")
    assert fact_of(nod) is None and plain(nod).startswith("👍")
    buttons = [button["text"] for button in nod.buttons]
    second = KNOWLEDGE.facts[KNOWLEDGE.facts["what_is_llama"].related[1]]
    assert buttons[1] == second.canonical_question
    assert fact_of(user.ask("২")) == second.id


def test_two_users_in_a_group_keep_their_own_context(running: Running) -> None:
    ana, bob = person(running, group=True), person(running, group=True)
    assert fact_of(ana.ask("লামাকন কী?")) == "llamacon"
    assert fact_of(bob.ask("why is meta being sued?")) == "copyright_lawsuit"
    ana_when = ana.ask("কবে?")
    bob_why = bob.ask("কেন?")
    assert fact_of(ana_when) == "llamacon"
    assert fact_of(bob_why) == "copyright_lawsuit"
    # Each answer quotes its asker's message, so the interleaved thread stays readable.
    assert ana_when.params["reply_parameters"]["message_id"] != \
        bob_why.params["reply_parameters"]["message_id"]
    assert fact_of(ana.ask("আরও বলো")) not in (None, "llamacon", "copyright_lawsuit")


CHANNEL_BOT = 136817688  # Telegram's Channel_Bot: the sender of every message sent as a channel


def test_two_people_speaking_as_channels_keep_their_own_context(running: Running) -> None:
    """Found by the tenth red-team run: people writing in a group as their channels all
    send as one Telegram account (Channel_Bot), so they shared one conversation: one's
    "কবে?" continued another's question, and one's "২" picked from another's "did you mean"
    (logged as a choice for it). Who speaks is the channel, as the flood limit counts it."""
    fake = running.fake

    def ask(channel: int, text: str) -> Call:
        since = fake.mark()
        fake.message(f"@{fake.username} {text}", user_id=CHANNEL_BOT, chat_id=GROUP_ID - 1,
                     chat_type="supergroup",
                     sender_chat={"id": channel, "type": "channel", "title": f"C{channel}"})
        [reply] = fake.wait_for("sendMessage", lambda c: c.chat_id == GROUP_ID - 1,
                                since=since, timeout=10)
        return reply

    assert fact_of(ask(-1009001, "লামাকন কী?")) == "llamacon"
    assert fact_of(ask(-1009002, "why is meta being sued?")) == "copyright_lawsuit"
    assert fact_of(ask(-1009001, "কবে?")) == "llamacon"


def test_a_reply_to_an_old_answer_continues_from_it(running: Running) -> None:
    user = person(running)
    llamacon = user.ask("লামাকন কী?")
    assert fact_of(user.ask("why is meta being sued?")) == "copyright_lawsuit"
    when = user.ask("কবে?", replying_to=llamacon.message_id)
    assert fact_of(when) == "llamacon"
    # In a group, anyone's reply to any of the bot's answers continues that answer.
    ana, bob = person(running, group=True), person(running, group=True)
    lawsuit = ana.ask("why is meta being sued?")
    assert fact_of(bob.ask("লামাকন কী?")) == "llamacon"
    assert fact_of(bob.ask("কেন?", replying_to=lawsuit.message_id)) == "copyright_lawsuit"


def test_yes_after_did_you_mean_picks_the_first_choice(running: Running) -> None:
    question = uncertain_question(Responder(KNOWLEDGE))
    user = person(running)
    unsure = user.ask(question)
    choices = [b["callback_data"] for b in unsure.buttons]
    assert choices and all(c.startswith("d:") for c in choices)  # still buttons
    assert fact_of(user.ask("হ্যাঁ")) == choices[0][2:]
    # Another "did you mean", turned down in words: sorry, topics, and a gap for /gaps.
    other = person(running)
    refused = other.ask(question)
    no = other.ask("কোনোটাই না")
    assert fact_of(no) is None and "দুঃখিত" in plain(no) and no.buttons
    # Both are logged as taps on the "did you mean" they answered, as a button's would be.
    taps = logged(running, "SELECT message_id, fact_id FROM questions WHERE kind = 'tap'"
                  f" AND message_id IN ({unsure.message_id}, {refused.message_id})", count=2)
    assert sorted(taps, key=str) == sorted(
        [(unsure.message_id, choices[0][2:]), (refused.message_id, None)], key=str)
    # /gaps names the question with the choices users turned down.
    turned_down = [c[2:] for c in choices]
    [report, *_] = Person(running.fake, ADMIN_ID).say("/gaps")
    line = next(li for li in plain(report).splitlines() if f"“{question}”" in li)
    assert "turned down: " + ", ".join(f"{f} ×1" for f in turned_down) in line, line


def test_a_number_beyond_the_buttons_says_which_can_be_chosen(running: Running) -> None:
    """QA: "৪" under three buttons (a "did you mean", or an answer's related questions) got
    the fallback, and the offer was gone: "২" next answered nothing. It says in Bengali which
    numbers can be chosen, adds no buttons (those above still work) and keeps the offer."""
    question = uncertain_question(Responder(KNOWLEDGE))
    user = person(running)
    unsure = user.ask(question)
    choices = [b["callback_data"][2:] for b in unsure.buttons]
    beyond = user.ask("৪")
    assert "১ থেকে ৩-এর মধ্যে একটি নম্বর লিখুন" in plain(beyond) and not beyond.buttons
    assert fact_of(user.ask("২")) == choices[1]
    # The pick is logged as a tap on the "did you mean" it answered, as a button's would be.
    assert logged(running, "SELECT fact_id FROM questions WHERE kind = 'tap'"
                  f" AND message_id = {unsure.message_id}") == [(choices[1],)]
    other = person(running)
    answered = other.ask("লামাকন কী?")
    related = [b["callback_data"][2:] for b in answered.buttons
               if b["callback_data"].startswith("f:")]
    assert "১ থেকে ৩-এর মধ্যে" in plain(other.ask("4"))
    assert fact_of(other.ask("2")) == related[1]


def test_a_number_with_nothing_numbered_to_pick_is_no_question(running: Running) -> None:
    """QA 19: a number with nothing to pick by number was asked as a question: "1" as the
    first message got the billion downloads, "তৃতীয়টা" the ethics fact. It says there is
    nothing to pick by number and what to ask; it is no gap for the admins. (Under a
    fallback's or "the article does not say"'s buttons a number picks one of them: below.)"""
    for typed in ("1", "তৃতীয়টা", "প্রথমটা"):
        reply = person(running).ask(typed)
        assert fact_of(reply) is None and "নম্বর দিয়ে বেছে নেওয়ার মতো" in plain(reply), typed
    user = person(running)
    alone = user.ask("২")
    assert "নম্বর দিয়ে বেছে নেওয়ার মতো" in plain(alone) and not alone.buttons
    assert fact_of(user.ask("লামাকন কী?")) == "llamacon"  # the talk goes on as before
    assert logged(running, "SELECT kind FROM questions WHERE text = '2' AND asked_by ="
                  f" {user.user_id}") == [("out_of_range",)]


def test_a_number_picks_the_buttons_of_a_fallback_or_of_does_not_say(running: Running) -> None:
    """"২" under a fallback's buttons was told there was nothing to pick by number, where the
    console picks the second of them: only "did you mean" choices and an answer's related
    questions reached the conversation's context, not the buttons of a fallback, of "the
    article does not say" or of "none of these". A number picks those too."""
    user = person(running)
    for typed, position in (("২", 1), ("2", 1), ("দ্বিতীয়টা", 1), ("শেষেরটা", -1)):
        fallback = user.ask("আবহাওয়া কেমন?")
        assert "দুঃখিত, এই প্রশ্নের উত্তর আমার জানা নেই" in plain(fallback)
        offered = [b["callback_data"][2:] for b in fallback.buttons]
        assert len(offered) > 1
        assert fact_of(user.ask(typed)) == offered[position], typed
    missing = user.ask("মামলার রায় কবে?")
    assert "প্রতিবেদনে এই তথ্যটি দেওয়া নেই" in plain(missing)
    [closest] = [b["callback_data"][2:] for b in missing.buttons]
    assert "প্রশ্ন একটিই" in plain(user.ask("২"))  # one button: the offer stays open
    assert fact_of(user.ask("১")) == closest
    user.ask(uncertain_question(Responder(KNOWLEDGE)))
    refused = user.ask("কোনোটাই না")
    offered = [b["callback_data"][2:] for b in refused.buttons]
    assert fact_of(user.ask("২")) == offered[1]


def test_no_with_nothing_offered_is_no_unknown_question(running: Running) -> None:
    """QA 19: "না" after an answer (or as a reply to one, or to begin with) got the fallback,
    "I do not know the answer to this question", and was logged as a gap for the admins. With
    no "did you mean" to turn down it is taken as said: what to ask next, no gap."""
    fallback = "দুঃখিত, এই প্রশ্নের উত্তর আমার জানা নেই"
    user = person(running)
    answer = user.ask("লামা কী?")
    related = [b["callback_data"] for b in answer.buttons if b["callback_data"].startswith("f:")]
    for said in ("না", "no"):
        reply = user.ask(said)
        assert fallback not in plain(reply) and fact_of(reply) is None, said
        assert [b["callback_data"] for b in reply.buttons] == related, said
    assert fallback not in plain(user.ask("না", replying_to=answer.message_id))
    assert fallback not in plain(person(running).ask("না"))
    assert fact_of(user.ask("২")) == related[1][2:]  # the offer still stands
    assert logged(running, "SELECT kind FROM questions WHERE text IN ('না', 'no') AND asked_by ="
                  f" {user.user_id}", count=3) == [("smalltalk",)] * 3


def test_two_questions_in_one_message_get_one_message_each(running: Running) -> None:
    user = person(running)
    replies = user.say("লামা কী আর লামাকন কবে?", count=2)
    assert [fact_of(r) for r in replies] == ["what_is_llama", "llamacon"]
    for reply in replies:
        assert "সূত্র" in reply.text  # each with its own citation
    # Related questions once, at the end; votes under each answer.
    related = [[b for b in r.buttons if b["callback_data"].startswith("f:")] for r in replies]
    assert not related[0] and related[1]
    assert all([b["callback_data"] for b in r.buttons][-2:] == ["v:up", "v:down"]
               for r in replies)
    # A reply to the first part continues that part's fact.
    assert fact_of(user.ask("আরও বলো", replying_to=replies[0].message_id)) not in (
        None, "what_is_llama", "llamacon")


def test_start_forgets_and_a_button_moves_the_context(running: Running) -> None:
    user = person(running)
    assert fact_of(user.ask("লামাকন কী?")) == "llamacon"
    user.ask("/start")
    assert fact_of(user.ask("কবে?")) is None  # nothing to continue: unclear on its own
    assert fact_of(user.ask("why is meta being sued?")) == "copyright_lawsuit"
    since = running.fake.mark()
    running.fake.callback("f:llamacon", user_id=user.user_id)
    [tapped] = running.fake.wait_for("sendMessage", lambda c: c.chat_id == user.chat_id,
                                     since=since)
    assert fact_of(tapped) == "llamacon"
    assert fact_of(user.ask("কবে?")) == "llamacon"


def logged(running: Running, sql: str, count: int = 1) -> list[tuple[Any, ...]]:
    """`count` rows of the bot's database, once its writer has caught up (it writes in
    batches), or what there is after 5 s."""
    deadline = time.monotonic() + 5
    while True:
        conn = sqlite3.connect(running.database)
        try:
            rows = [tuple(r) for r in conn.execute(sql)]
        finally:
            conn.close()
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_turns_are_counted_by_kind(bot: Any, fake_telegram: FakeTelegram) -> None:
    metrics = bot.services.metrics
    assert set(metrics.turns.counts) >= {"answer", "follow_up", "compound", "pick", "reject",
                                         "more", "no_more"}  # every series from the start
    fake_telegram.ask("লামাকন কী?")
    fake_telegram.ask("কবে?")
    fake_telegram.ask("লামা কী আর লামাকন কবে?", count=2)
    # A chat's updates are handled in order: once this is answered, the ones before it
    # have been counted (this one perhaps not yet).
    fake_telegram.ask("ধন্যবাদ")
    assert (metrics.turns.counts["follow_up"], metrics.turns.counts["compound"]) == (1, 1)
    assert metrics.turns.counts["answer"] >= 1 and metrics.answers.counts["fact"] == 4


def test_with_conversations_off_each_message_stands_alone(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    from dataclasses import replace

    from conftest import start_bot

    running = start_bot(replace(bot_settings, conversation=False))
    try:
        assert fact_of(fake_telegram.ask("লামাকন কী?")[0]) == "llamacon"
        assert fact_of(fake_telegram.ask("কবে?")[0]) is None
        # Standing alone is not answering one part: each question of a message is answered.
        both = fake_telegram.ask("লামা কী আর লামাকন কবে?", count=2)
        assert [fact_of(m) for m in both] == ["what_is_llama", "llamacon"]
    finally:
        running.stop()  # finishes the updates in flight and writes what they logged
    conn = sqlite3.connect(bot_settings.database.path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM contexts").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 4
    finally:
        conn.close()


def test_inline_queries_keep_no_context(bot: Any, fake_telegram: FakeTelegram) -> None:
    def offered(query: str) -> list[str]:
        since = fake_telegram.mark()
        fake_telegram.inline(query)
        [call] = fake_telegram.wait_for("answerInlineQuery", since=since)
        return [r["title"] for r in call.params["results"]]

    alone = offered("কবে?")
    fake_telegram.ask("লামাকন কী?")  # the same user's private conversation has a subject now
    assert offered("কবে?") == alone  # an inline query stands on its own
    assert offered("লামাকন কবে?")[0] != (alone or [""])[0]  # (the query itself does count)
