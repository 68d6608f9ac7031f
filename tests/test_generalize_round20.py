"""Mechanisms learned in the twentieth round. Each test fails without its mechanism."""

from __future__ import annotations

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation


@pytest.mark.parametrize(("message", "expected"), [
    ("What did Zuckerberg say about Llama on the earnings call. Also, how does the report see"
     " Llama's long-term future?", ["zuckerberg_outlook", "future_outlook"]),
    ("How many times has Llama been downloaded. And when is LlamaCon?",
     ["downloads_milestone", "llamacon"]),
])
def test_an_english_question_ended_by_a_full_stop_is_a_question(
        real: Responder, message: str, expected: list[str]) -> None:
    """"What did he say on the call." asks, whatever its stop: read as a sentence of story,
    it was joined to the next question and only that one was answered."""
    assert facts(play(Conversation(real), message)[0]) == expected



def test_dialect_grammar_is_no_unknown_word_in_a_question(real: Responder) -> None:
    """"আদৌ" (at all) counted as a word no fact knows: the question was declined."""
    assert facts(play(Conversation(real), "লেখকরা কি আদৌ মামলা করছে মেটার বিরুদ্ধে?")[0]) == [
        "copyright_lawsuit"]


@pytest.mark.parametrize(("opening", "follow_up", "fact"), [
    ("লামাকন কবে হবে?", "ইবা কি মেটার পইলা এন্ডা কনফারেন্স?", "llamacon"),
    ("মেটা কি লেখকদের বই দিয়া এআই বানাইছে?", "হেরা কি আদৌ অনুমতি লইছে?", "copyright_lawsuit"),
])
def test_dialect_pointers_and_grammar_in_a_follow_up(
        real: Responder, opening: str, follow_up: str, fact: str) -> None:
    """Chittagonian "ইবা" (this), "এন্ডা" (a), "আদৌ" were words no fact knows, and a
    follow-up with a word no fact knows is something the article does not say."""
    assert facts(play(Conversation(real), opening, follow_up)[1]) == [fact]
