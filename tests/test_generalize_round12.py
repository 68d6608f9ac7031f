"""Mechanisms learned in the twelfth round: a doubt ("সত্যি?") closing a claim makes the claim
a question; a Bengali word that spells an English grammar word's skeleton ("ডাঙা" and
"doing" are both "dng") does not meet it; an emoji closes a chat sentence; a story's clauses
before a request are no list of topics; a question to the bot that spells its small talk gets
it; a part answered surely is kept beside a part that stays unsure; "between X and Y" is one
clause.
Each test fails without its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation, TurnKind, _clauses
from bot.core.focus import sentences
from bot.core.match import Matcher
from bot.core.normalize import clean

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


def test_a_doubt_closing_a_claim_makes_the_claim_a_question(
        conversation: Conversation) -> None:
    (turn,) = play(conversation, "শুনলাম স্পটিফাই লামা দিয়ে কাজ করে, সত্যি? আর লামাকন কবে হবে?",
                   start=NOW)
    assert facts(turn) == ["corporate_adopters", "llamacon"]


def test_a_doubt_after_a_full_stop_still_only_doubts_the_story(
        conversation: Conversation) -> None:
    (turn,) = play(conversation, "ভাই বলল লামা নাকি খুব পুরোনো। সত্যি? লামা কবে প্রথম এসেছিল?",
                   start=NOW)
    assert facts(turn) == ["launch_2023"]


def test_a_bengali_word_spelling_english_grammar_does_not_meet_it() -> None:
    matcher = Matcher([("war", "what is meta doing about deepseek"), ("other", "লামা কী")])
    assert not matcher.match("ডাঙা").ranked  # "ডাঙা" is "dng", as "doing" is
    # English grammar still meets English grammar, and Bengali words their own skeletons
    assert matcher.match("doing deepseek").ranked[0].intent_id == "war"


def test_a_bengali_word_spelling_english_grammar_gets_no_fact(real: Responder) -> None:
    answer = real.ask("ডাঙা", NOW)
    assert answer.kind is not AnswerKind.FACT


def test_an_emoji_closes_a_chat_sentence() -> None:
    assert sentences("আমি তো ভাবলাম জন্তু 😂 লামা কী?") == ["আমি তো ভাবলাম জন্তু 😂", "লামা কী?"]
    assert sentences("লামা কী? 🙏") == ["লামা কী?", "🙏"]


def test_the_question_after_an_emoji_is_found_in_a_long_message(
        conversation: Conversation) -> None:
    (turn,) = play(conversation, "আমার ছোট ভাই বলল সে কম্পিউটারে লামা বসিয়েছে। আমি তো ভাবলাম"
                   " পাহাড়ের কোনো জন্তু 😂 আসলে লামা বলতে কী বোঝায়?", start=NOW)
    assert facts(turn) == ["what_is_llama"]


def test_a_story_before_a_request_is_no_list_of_topics(conversation: Conversation) -> None:
    (turn,) = play(conversation, "বন্ধু বলল ও অফিসে লামা নিয়ে কাজ করছে, আমি তো ভাবলাম"
                   " চিড়িয়াখানার জন্তু 🤣 লামা জিনিসটা আসলে কী বুঝিয়ে বলো?", start=NOW)
    assert turn.kind is not TurnKind.COMPOUND
    assert facts(turn) == ["what_is_llama"]


@pytest.mark.parametrize(("message", "talk"), [
    ("who are you really, a chatbot of some AI company?", "identity"),
    ("তুমি কে? কোন কোন কাজে লাগো?", "identity"),
])
def test_a_question_to_the_bot_spelling_its_small_talk_gets_it(
        real: Responder, message: str, talk: str) -> None:
    answer = real.ask(message, NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.SMALLTALK, talk)


def test_a_part_answered_surely_is_not_lost_for_a_part_that_stays_unsure(
        conversation: Conversation) -> None:
    (turn,) = play(conversation, "DeepSeek R1 কী, আর মেটা সামনে চিন্তা করতে পারা কী কী দিবে?",
                   start=NOW)
    assert turn.kind is TurnKind.COMPOUND
    assert [(a.kind, a.intent_id) for a in turn.answers] == [
        (AnswerKind.FACT, "deepseek_r1"), (AnswerKind.SUGGEST, "reasoning_models")]


def test_a_follow_up_asking_a_missing_detail_is_not_cut_into_an_answered_part(
        conversation: Conversation) -> None:
    *_, turn = play(conversation, "লামার লাইসেন্স নিয়ে সমালোচনা কেন?",
                    "ঠিক কোন শর্ত, যেমন ব্যবহারকারীর সীমা?", start=NOW)
    assert AnswerKind.FACT not in {a.kind for a in turn.answers}


def test_between_this_and_that_is_one_clause() -> None:
    assert _clauses("What is happening between Meta and EU regulators about Llama?") == [
        "What is happening between Meta and EU regulators about Llama?"]
    assert len(_clauses("What is Llama and who makes it?")) == 2


def test_a_subject_the_last_answer_names_may_act_on_it(conversation: Conversation) -> None:
    *_, turn = play(conversation, "DeepSeek R1 কী?", "so what did Meta do about it?", start=NOW)
    assert facts(turn) == ["war_rooms"]


def test_two_subjects_related_by_about_ask_no_definition(real: Responder) -> None:
    answer = real.ask("What did Meta do about DeepSeek?", NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.FACT, "war_rooms")


def test_a_different_q_starts_afresh(conversation: Conversation) -> None:
    *_, turn = play(conversation, "who sued meta?", "ok different q: whats LlamaCon", start=NOW)
    assert facts(turn) == ["llamacon"]


def test_a_bengali_case_ending_on_a_latin_word_is_grammar() -> None:
    assert clean("Meta-র AI-তে খরচ, Llamaকে কে বানাল?") == "meta ai খরচ llama কে বানাল"


def test_a_question_in_mixed_script_with_a_case_ending_is_answered(real: Responder) -> None:
    answer = real.ask("Meta-র AI investment এ বছর কত?", NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.FACT, "ai_investment")


def test_chat_interjections_are_grammar(real: Responder) -> None:
    answer = real.ask("yo whats meta ai lol", NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.FACT, "meta_ai_assistant")


def test_what_exactly_something_is_about_is_its_fact_not_a_missing_detail(
        real: Responder) -> None:
    answer = real.ask("mamla ta exactly ki niye?", NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.FACT, "copyright_lawsuit")
    assert real.ask("What exactly does Spotify use Llama for?", NOW).kind is (
        AnswerKind.NOT_IN_ARTICLE)


def test_a_word_asking_for_a_view_tells_no_fact_apart(conversation: Conversation) -> None:
    """"think" is in Zuckerberg's examples and not in open collaboration's: right after his
    answer, a fresh question asking what people think was said to straddle both."""
    *_, turn = play(conversation, "জাকারবার্গ লামা নিয়ে কী বলেছেন?",
                    "According to the report, why do people think open collaboration speeds AI"
                    " up?", start=NOW)
    assert facts(turn) == ["open_collaboration"]

