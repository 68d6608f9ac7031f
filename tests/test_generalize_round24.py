"""Mechanisms learned in the twenty-fourth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("asked", ["কারা?", "kara?", "কোন কোন কোম্পানি?", "which companies?"])
def test_names_listed_in_passing_are_asked_of_their_own_fact(real: Responder, asked: str) -> None:
    """Llama's many uses are shown by the companies using it, so that answer names them; but
    "which ones?" after it asks the companies' own fact, not the same answer again."""
    *_, turn = play(Conversation(real), "লামা কী কী কাজে ব্যবহার করা যায়?", asked, start=NOW)
    assert facts(turn) == ["corporate_adopters"]


@pytest.mark.parametrize(("opening", "asked", "fact"), [
    ("লামার নতুন মডেলে কি রিজনিং থাকবে?", "কার মতো?", "reasoning_models"),
    ("মেটা এআই কোথায় পাওয়া যায়?", "কোন কোন অ্যাপে?", "meta_ai_assistant"),
])
def test_names_a_fact_is_for_stay_with_it(real: Responder, opening: str, asked: str,
                                          fact: str) -> None:
    """Only names told in passing move on: a fact that lists no names, or whose own examples
    ask for them, answers again."""
    first, turn = play(Conversation(real), opening, asked, start=NOW)
    assert facts(first) == [fact] and facts(turn) == [fact]
