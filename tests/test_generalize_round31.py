"""Mechanisms learned in the thirty-first round. Each mechanism has a test that fails
without it; the other tests guard what it must leave as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


def test_he_said_another_thing_of_his_own(real: Responder) -> None:
    """"উনি" after Zuckerberg's hopes, in a message that alone leans to another fact about
    him (the agentic features he hinted at), asks that fact: it had been his hopes again."""
    turns = play(Conversation(real), "zuckerberg llama niye ki bolse?",
                 "উনি এজেন্টিক ফিচারের কথা কী বলেছিলেন?", "কবে?", start=NOW)
    assert [facts(t) for t in turns[:2]] == [["zuckerberg_outlook"], ["agentic"]]
    assert "জাকারবার্গ" in turns[1].context.question  # "he" read as the person, for "কবে?"


@pytest.mark.parametrize(("then", "fact"), [
    ("উনি আর কী বলেছেন?", ["zuckerberg_outlook"]),  # what he said: his hopes
    ("open source niye onar view ta thik ki?", ["zuckerberg_outlook"]),  # Meta's is not his
    ("did he talk about AGI?", []),  # a word no fact knows: not the agentic features
])
def test_he_still_points_at_what_he_said(real: Responder, then: str, fact: list[str]) -> None:
    turns = play(Conversation(real), "জাকারবার্গ আয়ের কলে কী বললেন?", then, start=NOW)
    assert facts(turns[1]) == fact
