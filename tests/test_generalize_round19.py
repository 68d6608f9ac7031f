"""Mechanisms learned in the nineteenth round. Each test fails without its mechanism."""

from __future__ import annotations

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.asks import Asked
from bot.core.conversation import Conversation


@pytest.mark.parametrize(("message", "fact"), [
    ("আমার চাচা খবরের চ্যানেল ছাড়া কিছু দেখেন না। সেদিন শুনলেন মেটা নাকি এআই-তে একটা ছোট"
     " দেশের বাজেটের মতো টাকা ঢালছে। আসল অঙ্কটা কত?", "ai_investment"),
    ("My boss scribbled 'war room' on the whiteboard after a rival launched something shiny."
     " None of us knew the reference. What were Meta's war rooms meant to achieve?", "war_rooms"),
])
def test_a_story_then_a_question_with_one_candidate_is_answered(
        real: Responder, message: str, fact: str) -> None:
    """The story's words made the bot unsure; the question leaves one fact, which answers."""
    assert facts(play(Conversation(real), message)[0]) == [fact]


def test_a_clause_of_several_questions_is_not_settled_by_its_story(real: Responder) -> None:
    """A clause of a compound message may hold the story and another clause the question:
    the story's lone candidate would add a fact nobody asked about."""
    message = ("আমার ধারণা ছিল লামা একদম নতুন, গত কয়েক মাসে এসেছে। কিন্তু বন্ধু বলছে এটা"
               " অনেক পুরনো। কে ঠিক? লামা প্রথম কবে লঞ্চ হয়েছিল?")
    assert facts(play(Conversation(real), message)[0]) == ["launch_2023"]


def test_first_of_all_is_first(real: Responder) -> None:
    """"সর্বপ্রথম" (first of all), formal for "প্রথম": unknown, it left the launch fact unsure."""
    assert facts(play(Conversation(real), "লামা সর্বপ্রথম কোন বছর জনসমক্ষে এসেছিল?")[0]) == [
        "launch_2023"]


@pytest.mark.parametrize("question", ["মেটা এআই কোন মডেলের উপর চলে?",
                                      "Which model is behind Meta AI?"])
def test_the_model_meta_ai_runs_on_is_meta_ais_fact(real: Responder, question: str) -> None:
    """Its examples asked what technology Meta AI runs on, not which model: "model" pulled
    every fact about Llama's models ahead, and the "did you mean" offered the lawsuit."""
    assert facts(play(Conversation(real), question)[0]) == ["meta_ai_assistant"]


@pytest.mark.parametrize("question", ["লামা দিয়ে কত রকম কাজ করা যায়?",
                                      "llama koto dhoroner kaje lage?"])
def test_how_many_kinds_asks_which_kinds_not_a_number(real: Responder, question: str) -> None:
    """"কত রকম" (how many kinds) is answered by the kinds a fact lists: read as "how many",
    it asked a number the versatility fact lacks, and the article "did not say"."""
    key = real.matcher.key(question)
    assert Asked.AMOUNT not in real.asks.asked(key)
    assert facts(play(Conversation(real), question)[0]) == ["versatility"]


def test_how_many_is_still_a_number(real: Responder) -> None:
    assert Asked.AMOUNT in real.asks.asked(real.matcher.key("লামা কতবার ডাউনলোড হয়েছে?"))


@pytest.mark.parametrize("message", ["আবহাওয়া কেমন?", "আজকে ঢাকার আবহাওয়া কেমন থাকবে?"])
def test_another_topic_after_an_answer_is_not_that_answer_again(
        real: Responder, message: str) -> None:
    """Declined alone as another topic, in words no fact holds, a message stands alone: read
    with the last question's words ("লামাকন কী আবহাওয়া কেমন") it was LlamaCon's fact again."""
    turns = play(Conversation(real), "লামাকন কী?", message)
    assert facts(turns[1]) == []


def test_a_short_follow_up_a_fact_can_tell_still_leans_on_the_last_answer(
        real: Responder) -> None:
    """"kon desher?" (which country?) is declined alone too, but in a fact's words."""
    turns = play(Conversation(real), "ডিপসিক কী?", "kon desher?")
    assert facts(turns[1]) == ["deepseek_r1"]
