"""Mechanisms learned in the twenty-fifth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(("opening", "asked", "fact"), [
    ("ডিপসিক R1 টা আসলে কী? লামার সাথে এর সম্পর্ক কী?", "ওটা কোন দেশের?", "deepseek_r1"),
    ("What is Meta AI, and does it run on Llama?", "where can I use it?", "meta_ai_assistant"),
])
def test_it_after_two_answers_is_the_first_question_s(real: Responder, opening: str, asked: str,
                                                      fact: str) -> None:
    """A message's later questions are most often asides to its first: "it" next points at
    what the first asked about, not at the aside answered last."""
    first, turn = play(Conversation(real), opening, asked, start=NOW)
    assert facts(first)[0] == fact and len(facts(first)) == 2
    assert facts(turn) == [fact]
