"""Admin commands end to end: refusal for others, /stats, /gaps, /reload good and broken."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import ADMIN_ID, BotThread, assert_valid_html
from fake_telegram import FakeTelegram


@pytest.mark.parametrize("command", ["/stats", "/gaps", "/reload"])
def test_non_admins_are_refused_and_logged(
    bot: BotThread, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    caplog.set_level(logging.WARNING)
    [reply] = fake_telegram.ask(command, user_id=4242)
    assert "শুধু অ্যাডমিনদের" in reply.text
    assert f"refused admin command {command} for user 4242" in caplog.text
    # The same command from an admin in a group (where others can see it) still works.
    [ok] = fake_telegram.ask(command, user_id=ADMIN_ID, chat_id=-5, chat_type="group")
    assert "শুধু অ্যাডমিনদের" not in ok.text


def test_stats_counts_users_questions_and_top_facts(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    for user_id, text in ((1, "লামা কতবার ডাউনলোড হয়েছে?"), (2, "lama koto bar download hoyeche"),
                          (2, "আজ ঢাকার আবহাওয়া কেমন?"), (3, "hello")):
        fake_telegram.ask(text, user_id=user_id)
    [reply] = fake_telegram.ask("/stats", user_id=ADMIN_ID)
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
    [reply] = fake_telegram.ask("/gaps", user_id=ADMIN_ID)
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
