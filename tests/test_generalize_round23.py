"""Mechanisms learned in the twenty-third round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation, TurnKind
from bot.core.synonyms import Synonyms

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("more", ["আরও জানিতে ইচ্ছুক", "অধিকন্তু?", "আরেকটু খুইলা বলো",
                                  "aro kicchu bolo", "আরো ক'ন চাই", "aro kohen"])
def test_more_in_formal_and_regional_words_goes_on(real: Responder, more: str) -> None:
    """Formal "wish to know more", "moreover", spoken "open it up" and Sylheti "say more"
    ask for the next fact; they were read as questions of their own and got nothing."""
    *_, turn = play(Conversation(real), "লামা কি ফ্রি?", more, start=NOW)
    assert turn.kind is TurnKind.MORE, more
    assert facts(turn) and facts(turn) != ["ecosystem_strategy"]


def test_what_is_meant_by_agentic_is_the_agentic_fact(real: Responder) -> None:
    """"X বলতে কী বোঝায়?" (what is meant by X) had become Llama's own fact for any X its
    examples did not phrase that way: "এজেন্টিক বলতে কী বোঝায়?" was told what Llama is."""
    answer = real.ask("এজেন্টিক বলতে কী বোঝায়?", NOW)
    assert answer.fact_id == "agentic"


def test_a_synonym_with_an_emphatic_ending_meets_its_group() -> None:
    """"ফিচারও" (the feature too) is "ফিচার" with an emphatic -ও: it kept its own spelling,
    met "ফিউচার" (future) instead of its group, and "এজেন্টিক ফিচারও আসবে?" was unsure."""
    synonyms = Synonyms([("বৈশিষ্ট্য", "ফিচার"), ("খরচ", "ব্যয়")])
    assert synonyms.rewrite(["এজেন্টিক", "ফিচারও"]) == ["এজেন্টিক", "বৈশিষ্ট্য"]
    assert synonyms.rewrite(["ব্যয়ই"]) == ["খরচ"]
    assert synonyms.rewrite(["ব্যয়েরও"]) == ["খরচ"]  # an ending, then the emphatic


@pytest.mark.parametrize(("first", "then", "fact"), [
    ("Is Llama free to use?", "can we fine-tune it for our own product?", "ecosystem_strategy"),
    ("এজেন্টিক ফিচার নিয়ে জাকারবার্গ কী বলেছেন?", "হেইটার মানে কী?", "agentic"),
])
def test_grammar_no_example_uses_does_not_make_a_follow_up_unknown(
        real: Responder, first: str, then: str, fact: str) -> None:
    """"own", "lately", the spoken pointer "হেইটার" (that one's), formal "যথাযথ" (proper) are
    grammar: read as unknown subjects, they had the follow-up answered "not in the article"."""
    *_, turn = play(Conversation(real), first, then, start=NOW)
    assert facts(turn) == [fact]


@pytest.mark.parametrize(("spoken", "standard"), [
    ("হন হন কোম্পানি লামা চালায়?", "কোন কোন কোম্পানি লামা চালায়?"),  # Chittagonian "which"
    ("ইউরোপে লামা পিছোল কেন?", "ইউরোপে লামা পিছিয়ে কেন?"),  # spoken "was put off"
    ("মেটা বিনি পয়সায় দেয়?", "মেটা ফ্রি দেয়?"),
])
def test_regional_and_spoken_words_meet_their_standard_words(
        real: Responder, spoken: str, standard: str) -> None:
    assert real.matcher.key(spoken).skeleton == real.matcher.key(standard).skeleton


def test_grammar_of_comparison_and_finishing_is_no_unknown_subject(real: Responder) -> None:
    """"উত্তম" (better, formal) and "সাইরা" (done, spoken) are how something is asked: as
    unknown words they vetoed the follow-up."""
    *_, turn = play(Conversation(real), "কোন প্রতিদ্বন্দ্বী লামাকে পেছনে ফেলেছে?",
                    "ঐ চীনা প্রতিষ্ঠানের মডেলটি কি লামা অপেক্ষা উত্তম?", start=NOW)
    assert facts(turn) == ["deepseek_r1"]
    answer = real.ask("মেটার এআই কি নিজে নিজে কাম সাইরা ফেলবো?", NOW)
    assert answer.kind is AnswerKind.FACT and answer.fact_id == "agentic"
