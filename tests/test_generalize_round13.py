"""Mechanisms learned in the thirteenth round: the question words of Sylheti and Chittagonian
speech ("কেনে", "কিল্লাই", "কিয়র লাই": why) make a clause a question of its own, so a
message asking two things in them gets both answered; "who is leading/heading X" asks for a
person, which no fact names.
Each test fails without its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind
from bot.core.conversation import Conversation
from bot.core.focus import asks

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize(("message", "expected"), [
    ("ইউরোপত লামা কিল্লাই আটকাই গেল, আর লামাকন কুনদিন অইবো?", ["eu_privacy", "llamacon"]),
    ("লামার লাইসেন্স লইয়া মানুষ কিয়র লাই নাখোশ, আর লামা কতবার ডাউনলোড অইছে?",
     ["license_criticism", "downloads_milestone"]),
    ("ইউরোপে লামা কেনে দেরি অইলো, আর মেটা এআইত কত খরচ করের?", ["eu_privacy", "ai_investment"]),
])
def test_a_dialect_why_makes_its_clause_a_question_of_its_own(
        conversation: Conversation, message: str, expected: list[str]) -> None:
    (turn,) = play(conversation, message, start=NOW)
    assert facts(turn) == expected


@pytest.mark.parametrize("clause", ["ইউরোপত লামা কিল্লাই আটকাই গেল", "লামা কেনে ফ্রি দের",
                                    "মামলা কিয়র লাই"])
def test_a_dialect_question_word_asks(clause: str) -> None:
    assert asks(clause)


@pytest.mark.parametrize("question", ["Who is heading the war rooms at Meta?",
                                      "who is leading the deepseek response team at meta"])
def test_who_is_leading_asks_for_a_person_no_fact_names(
        conversation: Conversation, question: str) -> None:
    (turn,) = play(conversation, question, start=NOW)
    assert turn.answer.kind is AnswerKind.NOT_IN_ARTICLE


def test_sadhu_participles_are_grammar(conversation: Conversation) -> None:
    """"হইয়া", "করিয়া" (having been, having done) are how a sadhu question is built: as
    unknown words they made "লামা বলিতে কী বোঝানো হইয়া থাকে?" a fallback."""
    (turn,) = play(conversation, "লামা বলিতে কী বোঝানো হইয়া থাকে?", start=NOW)
    assert facts(turn) == ["what_is_llama"]


@pytest.mark.parametrize(("formal", "plain"), [("সংযোজিত", "ইন্টিগ্রেট"), ("পশ্চাতে", "পেছনে")])
def test_formal_words_are_read_as_the_plain_ones(
        conversation: Conversation, formal: str, plain: str) -> None:
    """Data (knowledge/synonyms.yaml): "সংযোজিত হইবে" (will be added) and "ইহার পশ্চাতে"
    (behind it) in formal questions of the development sets were unknown words."""
    matcher = conversation.responder.matcher
    assert matcher.key(formal).surface == matcher.key(plain).surface
