"""What the learning loop keeps, on real SQLite files and PostgreSQL schemas: votes (one per
user and answer), who asked and what was offered, review decisions, per-fact feedback,
hourly activity, and the purge of everything older than the retention period."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import FIXED_NOW, BotThread, start_bot
from fake_telegram import FakeTelegram

from bot.core.review import Logged, Signal
from bot.storage.connection import DatabaseTarget, connect
from bot.storage.migrations import MIGRATIONS, migrate
from bot.storage.question_log import QuestionLog, Storage
from bot.storage.records import QuestionRecord, TapRecord, UserSeen, VoteRecord
from bot.storage.retention import parse_age, purge_every

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=120)


def fact(text: str, fact_id: str, message_id: int, asker: int, margin: float = 30.0,
         at: datetime = NOW) -> QuestionRecord:
    return QuestionRecord(at, "private", text, "fact", fact_id, 90.0, 7, message_id,
                          asked_by=asker, margin=margin)


def unanswered(text: str, asker: int, kind: str = "fallback", message_id: int | None = None,
               offered: tuple[str, ...] = (), at: datetime = NOW) -> QuestionRecord:
    return QuestionRecord(at, "private", text, kind, None, 30.0, 7 if message_id else None,
                          message_id, asked_by=asker, offered=offered)


def opened(target: DatabaseTarget) -> QuestionLog:
    log = QuestionLog(target)
    assert log.open(), log.error
    return log


def test_a_second_vote_changes_the_first_and_a_thumbs_up_drops_the_reason(
    database_target: DatabaseTarget,
) -> None:
    log = opened(database_target)
    assert log.write([], [fact("llamacon kobe", "llamacon", 40, asker=1)])
    assert log.write([], [], votes=[VoteRecord(NOW, 7, 40, 2, up=False, reason="wrong")])
    assert log.write([], [], votes=[VoteRecord(NOW, 7, 40, 2, up=False, reason="incomplete"),
                                    VoteRecord(NOW, 7, 40, 3, up=True)])
    assert log.review_items(6.0) == [
        Logged("llamacon kobe", Signal.DISLIKED, 2, answered="llamacon", reason="incomplete")]
    assert log.write([], [], votes=[VoteRecord(NOW, 7, 40, 2, up=True)])
    assert log.review_items(6.0) == []
    assert log.conn is not None
    rows = log.conn.execute("SELECT user_id, up, reason FROM votes ORDER BY user_id").fetchall()
    assert [tuple(r) for r in rows] == [(2, 1, None), (3, 1, None)]
    feedback = log.fact_feedback(NOW - timedelta(days=7))
    assert feedback is not None
    assert [(f.fact_id, f.answered, f.up, f.down) for f in feedback] == [("llamacon", 1, 2, 0)]
    log.close()


def test_a_vote_is_about_the_latest_answer_on_its_message(
    database_target: DatabaseTarget,
) -> None:
    """An edited question's answer is edited in place: the vote goes to what it says now."""
    log = opened(database_target)
    assert log.write([], [fact("llamacon kobe", "llamacon", 40, asker=1),
                          fact("llamacon kothay", "llamacon_place", 40, asker=1)],
                     votes=[VoteRecord(NOW, 7, 40, 2, up=False)])
    assert log.review_items(6.0) == [
        Logged("llamacon kothay", Signal.DISLIKED, 2, answered="llamacon_place")]
    log.close()


def test_votes_take_only_known_reasons_and_only_on_a_thumbs_down() -> None:
    VoteRecord(NOW, 1, 2, 3, up=False, reason="misunderstood")
    with pytest.raises(ValueError, match="not a reason"):
        VoteRecord(NOW, 1, 2, 3, up=False, reason="<b>spam</b>")
    with pytest.raises(ValueError, match="not a reason"):
        VoteRecord(NOW, 1, 2, 3, up=True, reason="wrong")


def test_the_review_reads_every_signal_with_who_and_what_was_offered(
    database_target: DatabaseTarget,
) -> None:
    log = opened(database_target)
    assert log.write(
        [UserSeen(1, NOW), UserSeen(2, NOW)],
        [unanswered("ajke brishti hobe", 1),
         unanswered("lama koto", 2, "suggest", 50, ("downloads_milestone", "launch_2023")),
         unanswered("lama kobe", 2, "suggest", 51, ("launch_2023", "llamacon")),
         unanswered("meta er share dam", 3, "not_in_article", offered=("ai_investment",)),
         fact("llama ki free", "license_criticism", 52, asker=4, margin=2.5),
         fact("llamacon kobe", "llamacon", 53, asker=5, margin=35.0),  # a clear answer
         QuestionRecord(NOW, "private", "hi", "smalltalk", None, 90.0, asked_by=6)],
        [TapRecord(NOW, 7, 50, 2, None),  # "none of these"
         TapRecord(NOW, 7, 51, 2, "launch_2023")],
    )
    found = log.review_items(6.0)
    assert found is not None
    assert sorted(found, key=lambda item: (item.text, item.signal)) == [
        Logged("ajke brishti hobe", Signal.UNANSWERED, 1),
        Logged("lama kobe", Signal.PICKED, 2, offered=("launch_2023", "llamacon"),
               chosen="launch_2023"),
        Logged("lama kobe", Signal.UNANSWERED, 2, offered=("launch_2023", "llamacon")),
        Logged("lama koto", Signal.REJECTED, 2, offered=("downloads_milestone", "launch_2023")),
        Logged("lama koto", Signal.UNANSWERED, 2, offered=("downloads_milestone", "launch_2023")),
        Logged("llama ki free", Signal.NARROW, 4, answered="license_criticism"),
        Logged("meta er share dam", Signal.UNANSWERED, 3, offered=("ai_investment",)),
    ]
    log.close()


def test_decided_questions_leave_the_review(database_target: DatabaseTarget) -> None:
    log = opened(database_target)
    assert log.write([], [unanswered("ajke brishti hobe", 1), unanswered("aj brishti hobe", 2),
                          unanswered("llama ram koto", 3)])
    assert log.decide(["ajke brishti hobe", "aj brishti hobe"], "ignored", None, "admin 9", NOW)
    assert log.decide(["llama ram koto"], "declined", "install_and_run", "admin 9", NOW)
    assert log.review_items(6.0) == []
    # A later decision on the same question replaces the earlier one.
    assert log.decide(["llama ram koto"], "added", "versatility", "alice (kb review)", NOW)
    assert log.conn is not None
    rows = log.conn.execute("SELECT text, action, target, decided_by FROM review_decisions"
                            " ORDER BY text").fetchall()
    assert [tuple(r) for r in rows] == [
        ("aj brishti hobe", "ignored", None, "admin 9"),
        ("ajke brishti hobe", "ignored", None, "admin 9"),
        ("llama ram koto", "added", "versatility", "alice (kb review)"),
    ]
    log.close()


def test_activity_counts_questions_per_hour_and_kind(database_target: DatabaseTarget) -> None:
    log = opened(database_target)
    earlier = NOW - timedelta(hours=25)
    assert log.write([], [fact("a", "llamacon", 1, 1), fact("b", "llamacon", 2, 1),
                          unanswered("c", 1), unanswered("d", 1, at=earlier),
                          unanswered("e", 1, "suggest", 3)],
                     [TapRecord(NOW, 7, 3, 1, "llamacon")])
    activity = log.activity(NOW - timedelta(days=14))
    assert activity is not None
    assert [(a.hour, a.kind, a.count) for a in activity] == [
        (earlier.replace(minute=0), "fallback", 1),
        (NOW, "fact", 2), (NOW, "fallback", 1), (NOW, "suggest", 1),
    ]
    feedback = log.fact_feedback(NOW - timedelta(days=1))
    assert feedback is not None
    assert [(f.fact_id, f.answered, f.picked) for f in feedback] == [("llamacon", 2, 1)]
    log.close()


def test_purge_deletes_what_is_older_and_keeps_what_is_not(
    database_target: DatabaseTarget,
) -> None:
    log = opened(database_target)
    assert log.write(
        [UserSeen(1, LONG_AGO), UserSeen(2, NOW)],
        [unanswered("old question", 1, "suggest", 60, at=LONG_AGO),
         fact("old answer", "llamacon", 61, 1, at=LONG_AGO),
         unanswered("ignored and asked again", 1, at=LONG_AGO),
         unanswered("ignored and asked again", 2),
         unanswered("new question", 2)],
        [TapRecord(LONG_AGO, 7, 60, 1, "llamacon")],
        [VoteRecord(LONG_AGO, 7, 61, 1, up=False)],
    )
    assert log.decide(["old question"], "ignored", None, "admin 9", LONG_AGO)
    assert log.decide(["ignored and asked again"], "ignored", None, "admin 9", LONG_AGO)
    purged = log.purge(NOW - timedelta(days=90))
    assert purged is not None
    assert (purged.questions, purged.votes, purged.decisions, purged.users) == (4, 1, 1, 1)
    assert log.conn is not None
    texts = [r[0] for r in log.conn.execute("SELECT text FROM questions ORDER BY text")]
    assert texts == ["ignored and asked again", "new question"]
    # The decision outlives its date while its question is still logged: no comeback.
    assert log.review_items(6.0) == [Logged("new question", Signal.UNANSWERED, 2)]
    assert [r[0] for r in log.conn.execute("SELECT user_id FROM users")] == [2]
    again = log.purge(NOW - timedelta(days=90))
    assert again is not None and again.total == 0
    log.close()


def test_a_purge_deletes_the_conversations_expired_by_now(
        database_target: DatabaseTarget) -> None:
    """Found by the red-team run: a stopped bot's purge kept contexts (with the question
    asked) and answered messages past their expiry."""
    log = opened(database_target)
    assert log.conn is not None
    past, future = int(NOW.timestamp()) - 60, int(NOW.timestamp()) + 600
    for chat, expires in ((-1007, past), (-1008, future)):
        log.conn.execute("INSERT INTO contexts(chat_id, user_id, state, expires_at)"
                         " VALUES (?, ?, ?, ?)", (chat, 75, '{"q": "ajke brishti hobe"}', expires))
        log.conn.execute("INSERT INTO answer_messages(chat_id, message_id, fact_id, expires_at)"
                         " VALUES (?, ?, ?, ?)", (chat, 1, "llamacon", expires))
    assert log.purge(NOW - timedelta(days=90), NOW) is not None
    for table in ("contexts", "answer_messages"):
        assert [r[0] for r in log.conn.execute(f"SELECT chat_id FROM {table}")] == [-1008]
    log.close()


def test_migration_6_keeps_the_rows_logged_before_it(database_target: DatabaseTarget) -> None:
    conn = connect(database_target)
    migrate(conn, MIGRATIONS[:5])
    conn.execute("INSERT INTO questions(asked_at, channel, text, kind, fact_id, score)"
                 " VALUES ('2025-04-01T00:00:00+00:00', 'private', 'old gap', 'fallback',"
                 " NULL, 10)")
    assert migrate(conn) == len(MIGRATIONS) >= 6
    conn.close()
    log = opened(database_target)
    assert log.review_items(6.0) == [Logged("old gap", Signal.UNANSWERED, None)]
    log.close()


@pytest.mark.parametrize("text, days", [("90d", 90), ("90", 90), (" 7D ", 7)])
def test_ages_in_days(text: str, days: int) -> None:
    assert parse_age(text) == days


@pytest.mark.parametrize("text", ["", "0d", "-5d", "90 days", "3m", "1e3d", "٣d"])
def test_bad_ages_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an age in days"):
        parse_age(text)


def test_the_periodic_purge_purges_at_once(database_target: DatabaseTarget) -> None:
    async def scenario() -> list[str]:
        storage = await Storage.open(database_target)
        storage.record(question=unanswered("old", 1, at=LONG_AGO))
        storage.record(question=unanswered("new", 1))
        await storage.flush()
        task = asyncio.create_task(purge_every(storage, 90, lambda: NOW, interval=3600))
        try:
            for _ in range(200):  # the first purge runs as soon as the task starts
                items = await storage.review_items(6.0)
                assert items is not None
                if len(items) == 1:
                    break
                await asyncio.sleep(0.01)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await storage.close()
        return [item.text for item in items]

    assert asyncio.run(scenario()) == ["new"]


def questions_logged(bot: BotThread) -> list[tuple[Any, ...]]:
    bot.call(bot.services.storage.flush())
    conn = bot.services.storage.question_log.conn
    rows = conn.execute("SELECT text, kind, asked_by, chat_id, message_id, offered, margin"
                        " FROM questions ORDER BY id")
    return [tuple(r) for r in rows]


def test_the_bot_logs_who_asked_what_was_offered_and_the_margin(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    from conftest import uncertain_question

    unsure = uncertain_question(bot.services.responder)
    [answer] = fake_telegram.ask("llamacon kobe", user_id=41)
    [offer] = fake_telegram.ask(unsure, user_id=42)
    logged = questions_logged(bot)
    offered = bot.services.responder.ask(unsure, FIXED_NOW).suggestions
    text, kind, asker, chat, message, _, margin = logged[0]
    assert (text, kind, asker, message) == ("llamacon kobe", "fact", 41, answer.message_id)
    assert chat is not None and margin is not None and margin >= 3
    assert logged[1][1:6] == ("suggest", 42, offer.chat_id, offer.message_id,
                              " ".join(offered))


def test_the_bot_purges_old_rows_when_a_retention_period_is_set(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    from dataclasses import replace

    log = opened(bot_settings.database)
    assert log.write([UserSeen(5, LONG_AGO)], [unanswered("old", 5, at=LONG_AGO)])
    log.close()
    running = start_bot(replace(bot_settings, retention_days=90))
    try:
        for _ in range(200):
            if not questions_logged(running):
                break
            time.sleep(0.02)
        assert questions_logged(running) == []
    finally:
        running.stop()


@pytest.mark.parametrize("value, days", [(None, None), ("0", None), ("90", 90)])
def test_the_retention_setting(value: str | None, days: int | None) -> None:
    from bot.config import load_settings

    env = {} if value is None else {"LLAMABOT_RETENTION_DAYS": value}
    assert load_settings(env, env_file=None).retention_days == days


@pytest.mark.parametrize("value", ["90d", "-1", "abc", "1.5"])
def test_a_malformed_retention_setting_is_named(value: str) -> None:
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match=f"^LLAMABOT_RETENTION_DAYS is malformed: '{value}'"):
        load_settings({"LLAMABOT_RETENTION_DAYS": value}, env_file=None)


def test_questions_whose_edit_was_rolled_back_return_to_the_review(
        database_target: DatabaseTarget) -> None:
    """Found by the second red-team run: after /rollback of a /review edit, its questions
    stayed decided and the review never showed them again."""
    log = opened(database_target)
    assert log.write([], [unanswered("lama namate koto taka lage", 1),
                          unanswered("ajke brishti hobe", 2)])
    assert log.decide(["lama namate koto taka lage"], "added", "ecosystem_strategy", "admin 9",
                      NOW)
    assert log.decide(["ajke brishti hobe"], "ignored", None, "admin 9", NOW)
    assert log.review_items(6.0) == []
    assert log.undecide(["lama namate koto taka lage", "ajke brishti hobe"])
    assert [i.text for i in log.review_items(6.0)] == ["lama namate koto taka lage"]
    log.close()
