"""Mechanisms learned in the eleventh round, where the questions were played as `llamabot ask`
plays them (a conversation of one turn), not through the responder alone: a story told
before a question is no question of its own; nouns that ask only in a follow-up ("কোন
বছর?") make no sentence a question, though a request for one ("tell me the date") does; small
talk of grammar words alone is heard in any script; a question of grammar alone after a story
asks about the story.
Each test fails without its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.conversation import Conversation, TurnKind

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize(("message", "fact"), [
    # hearsay "নাকি" near a story sentence's end, no "?": told, not asked
    ("আমার মামা লন্ডনে থাকেন। উনি বললেন ওখানে মেটার এআই সুবিধা পৌঁছায় দেরিতে, অনেক কিছু"
     " নাকি পৌঁছায়ইনি। ইউরোপে লামা নিয়ে গোলমালটা কী?", "eu_privacy"),
    # "কীভাবে" inside a told sentence ("how they use it worries me.")
    ("আমি একজন অনুবাদক, বই নিয়েই আমার রুটি-রুজি। কোম্পানিগুলো আমাদের বই কীভাবে কাজে লাগায় তা"
     " নিয়ে ভাবনা হয়। মেটার বিরুদ্ধে কপিরাইট মামলাটা কী নিয়ে?", "copyright_lawsuit"),
])
def test_a_story_told_before_the_question_is_no_question_of_its_own(
        conversation: Conversation, message: str, fact: str) -> None:
    (turn,) = play(conversation, message, start=NOW)
    assert facts(turn) == [fact]


@pytest.mark.parametrize("message", [
    "আমার ভাই বলে লামা গত কয়েক মাসে এসেছে. lama prothom kobe ashe?",
    "ami last year e job e dhuklam, office e sobai llama niye kotha bole। lama ta ki jinis?",
])
def test_nouns_that_ask_only_in_a_follow_up_make_no_sentence_a_question(
        conversation: Conversation, message: str) -> None:
    (turn,) = play(conversation, message, start=NOW)
    assert turn.kind is not TurnKind.COMPOUND
    assert len(facts(turn)) == 1


@pytest.mark.parametrize(("message", "expected"), [
    # a question on a line of its own without its "?"
    ("llama prothom kobe ashe\nmeta ai kothay pawa jay?", ["launch_2023", "meta_ai_assistant"]),
    # a request for an aspect ("tell me the date") asks
    ("lamacon er tarikh ta bolo, ar meta koto taka invest korbe?", ["llamacon", "ai_investment"]),
    # a last question without its "?"
    ("লামা কবে প্রথম এসেছিল? আর মেটা এআই কোন কোন অ্যাপে আছে", ["launch_2023",
                                                            "meta_ai_assistant"]),
])
def test_questions_without_their_question_mark_still_ask(
        conversation: Conversation, message: str, expected: list[str]) -> None:
    (turn,) = play(conversation, message, start=NOW)
    assert turn.kind is TurnKind.COMPOUND
    assert sorted(facts(turn)) == sorted(expected)


@pytest.mark.parametrize(("message", "talk"), [
    # grammar words alone, in another script than the small talk's example ("এখানে ...")
    ("ki jiggesh kora jay ekhane", "help"),
    ("what questions can you answer?", "help"),
    ("tumi kon kon proshner uttor dite paro?", "help"),
])
def test_questions_about_what_the_bot_answers_get_help(conversation: Conversation,
                                                      message: str, talk: str) -> None:
    (turn,) = play(conversation, message, start=NOW)
    assert turn.answer.intent_id == talk


def test_an_inflected_question_word_makes_a_clause_ask(conversation: Conversation) -> None:
    # "কতটুকু" (how much) as "কত": the first clause is a question of its own.
    (turn,) = play(conversation, "লামা কতটুকু বহুমুখী এবং লামাকন কবে হবে?", start=NOW)
    assert sorted(facts(turn)) == ["llamacon", "versatility"]


def test_distributing_is_giving(conversation: Conversation) -> None:
    (turn,) = play(conversation, "মেটা কেন লামা মডেলগুলো সবার মধ্যে বিতরণ করছে?", start=NOW)
    assert facts(turn) == ["ecosystem_strategy"]


@pytest.mark.parametrize(("second", "fact"), [
    ("আর নতুন মডেলে ছবি বুঝার ক্ষমতা আসবো কি না সেইটাও কন।", "multimodal"),
    ("আর মেটা এআই তে কত টাকা ঢালবো সেইটাও কন।", "ai_investment"),
])
def test_a_question_of_grammar_alone_after_a_story_asks_about_the_story(
        conversation: Conversation, second: str, fact: str) -> None:
    # "আসলে উনি কী কইছিল": what Zuckerberg said, as the story tells, beside the next question.
    (turn,) = play(conversation, "আমার চাচাতো ভাই কাল রাতে কইতেছিল জাকারবার্গ নাকি কইছে এ বছর"
                   " লামাই সবার সেরা হইবো। আমি বিশ্বাস করি নাই। আসলে উনি কী কইছিল, " + second,
                   start=NOW)
    assert sorted(facts(turn)) == sorted(["zuckerberg_outlook", fact])


def test_is_it_true_after_a_story_is_no_question_of_its_own(conversation: Conversation) -> None:
    (turn,) = play(conversation, "Ekta video dekhlam, okhane bolche Meta naki DeepSeek R1 er bhoye"
                   " emergency room khuleche. Eta ki sotti? War room gulo asole ki kore?",
                   start=NOW)
    assert facts(turn) == ["war_rooms"]


@pytest.mark.parametrize("follow_up", ["আর পয়সা?", "and spending-wise?"])
def test_and_an_aspect_the_last_fact_lacks_is_the_neighbour_that_holds_it(
        conversation: Conversation, follow_up: str) -> None:
    # The war rooms' examples say "থেকে", whose skeleton is that of "টাকা": held by sound.
    turns = play(conversation, "ডিপসিকের কারণে মেটা কী ওয়ার রুম খুলেছে?", follow_up, start=NOW)
    assert facts(turns[0]) == ["war_rooms"]
    assert facts(turns[1]) == ["ai_investment"]


@pytest.mark.parametrize(("message", "expected"), [
    ("এই বট কী কাজ করে?", "identity"),  # not what Llama is: "কাজ" is not what is asked
    ("what do you know about?", "help"),
    ("tumi ki ai?", "identity"),
    ("hello bot, kemon acho?", "greeting"),  # greets in so many words
    ("can you explain the lawsuit?", "copyright_lawsuit"),  # asks of a fact, not the bot
])
def test_a_question_to_the_bot_about_itself_is_small_talk(
        conversation: Conversation, message: str, expected: str) -> None:
    (turn,) = play(conversation, message, start=NOW)
    assert turn.answer.intent_id == expected


@pytest.mark.parametrize(("question", "fact"), [
    ("মেটার যুদ্ধকক্ষগুলোতে কী হয়?", "war_rooms"),  # a war room in Bengali words
    ("লামার বহুমুখী ব্যবহারযোগ্যতা কেমন?", "versatility"),  # usability is use
])
def test_synonym_groups_of_this_round(conversation: Conversation, question: str,
                                      fact: str) -> None:
    (turn,) = play(conversation, question, start=NOW)
    assert facts(turn) == [fact]


@pytest.mark.parametrize(("message", "expected"), [
    ("apnar kaj ki?", "identity"),  # a job's word ("কাজ") is versatility's, not what is asked
    ("তোমার কাজ কী?", "identity"),
    ("তোমার মতে লামা কী?", "what_is_llama"),  # names a subject: asks of it
])
def test_a_short_message_to_the_bot_naming_nothing_asks_what_it_is(
        conversation: Conversation, message: str, expected: str) -> None:
    (turn,) = play(conversation, message, start=NOW)
    assert turn.answer.intent_id == expected
