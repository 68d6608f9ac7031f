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

