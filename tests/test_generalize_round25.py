"""Mechanisms learned in the twenty-fifth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation, TurnKind

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(("opening", "asked", "fact"), [
    ("ডিপসিক R1 টা আসলে কী? লামার সাথে এর সম্পর্ক কী?", "ওটা কোন দেশের?", "deepseek_r1"),
    ("What is Meta AI, and does it run on Llama?", "where can I use it?", "meta_ai_assistant"),
    ("deepseek ki jinis? llama r sathe er somporko ki?", "kon desher?", "deepseek_r1"),
])
def test_it_after_two_answers_is_the_first_question_s(real: Responder, opening: str, asked: str,
                                                      fact: str) -> None:
    """A message's later questions are most often asides to its first: "it" next points at
    what the first asked about, not at the aside answered last, and a bare "kon desher?"
    is asked of the first question, not of the aside's words."""
    first, turn = play(Conversation(real), opening, asked, start=NOW)
    assert facts(first)[0] == fact and len(facts(first)) == 2
    assert facts(turn) == [fact]


@pytest.mark.parametrize(("opening", "asked", "fact"), [
    ("কপিরাইট মামলা আর গোপনীয়তার উদ্বেগ থেকে কী শিক্ষা পাওয়া যায়?", "সেগুলির গুরুত্ব সামনে কি বাড়বে?",
     "ethics_legal"),
    ("মেটা কি নতুন লামা মডেল আনছে?", "এগুলোর বিশেষত্ব কী?", "reasoning_models"),
])
def test_these_point_back_in_every_case(real: Responder, opening: str, asked: str,
                                        fact: str) -> None:
    """"এগুলোর", "সেগুলির" (of these) point back as "এগুলো" does; read alone, "সামনে" and
    "গুরুত্ব" asked the outlook's fact, and "বিশেষত্ব" nothing."""
    first, turn = play(Conversation(real), opening, asked, start=NOW)
    assert facts(first) == [fact] and facts(turn) == [fact]


@pytest.mark.parametrize("asked", ["আরও কন আপা", "আরেকটু লেখো মামা", "aro bolo mama"])
def test_more_said_to_someone_asks_for_more(real: Responder, asked: str) -> None:
    """"আপা", "মামা" address the reader as "ভাই" does, and "লেখো" (write) tells as "বলো":
    "more" said so is still "more", not a question about an uncle."""
    first, turn = play(Conversation(real), "লামা কী?", asked, start=NOW)
    assert facts(first) == ["what_is_llama"]
    assert turn.kind is TurnKind.MORE


@pytest.mark.parametrize("asked", ["কবে?", "kobe nagad?", "when?"])
def test_when_of_something_to_come_is_told_by_its_topic_s_timing(real: Responder,
                                                                 asked: str) -> None:
    """The multimodal models are still to come and their fact tells no date; the new
    models' fact of the same topic tells when they come ("in the next few months")."""
    first, turn = play(Conversation(real), "মাল্টিমোডাল লামা মডেল কী কী বুঝতে পারবে?", asked,
                       start=NOW)
    assert facts(first) == ["multimodal"] and facts(turn) == ["reasoning_models"]


def test_the_standard_spelling_of_will_get_is_grammar(real: Responder) -> None:
    """"পাব" is how Kolkata spells "পাবো" (will get): grammar, as "পাবো" was, so "কোথায়
    পাব?" is a bare "where?" of the last answer, not a question about installing."""
    first, turn = play(Conversation(real), "মেটা এআই জিনিসটা কী?", "কোথায় পাব?", start=NOW)
    assert facts(first) == ["meta_ai_assistant"] and facts(turn) == ["meta_ai_assistant"]


def test_what_it_shows_asked_with_in_it(real: Responder) -> None:
    """"এতে" (in it) points back, it does not ask about something: "এতে কী বোঝা যায়?" asks
    only what the last answer shows, which the AI spending's own answer says."""
    first, turn = play(Conversation(real), "মেটা এই বছর এআই-তে কত টাকা ঢালবে?",
                       "এতে কী বোঝা যায়?", start=NOW)
    assert facts(first) == ["ai_investment"] and facts(turn) == ["ai_investment"]


@pytest.mark.parametrize(("opening", "fact", "told"), [
    ("ইউরোপে লামা চালু হতে দেরি হলো কেন?", "eu_privacy", "license_criticism"),
    ("লামা কি ফ্রি?", "ecosystem_strategy", "ecosystem_strategy"),
])
def test_a_thing_two_facts_tell_of_is_asked_on_the_talk_s_side(real: Responder, opening: str,
                                                                fact: str, told: str) -> None:
    """"আর লাইসেন্সের কী খবর?" alone is a little closer to Meta's licensing strategy; after
    Europe's troubles (the legal side) it asks of the license's critics. After the strategy
    itself, whose related facts include the critics, the leader stays."""
    first, turn = play(Conversation(real), opening, "আর লাইসেন্সের কী খবর?", start=NOW)
    assert facts(first) == [fact] and facts(turn) == [told]


@pytest.mark.parametrize("asked", ["ই-বুকগুলো ঠিক কী?", "প্রশিক্ষণটা ঠিক কী?", "e-books exactly?"])
def test_a_word_the_last_answer_used_asks_of_it(real: Responder, asked: str) -> None:
    """The lawsuit's answer tells of e-books used in training without leave; a word of it
    that few answers use, asked back, asks of that answer again."""
    first, turn = play(Conversation(real), "লামা নিয়ে কপিরাইট মামলা হয়েছে কেন?", asked,
                       start=NOW)
    assert facts(first) == ["copyright_lawsuit"] and facts(turn) == ["copyright_lawsuit"]


def test_and_one_unsure_word_before_a_question_is_no_question_of_its_own(
        real: Responder) -> None:
    """"আর টাকা? এবার কত খরচ করবে?": "and the money?" leads into the question after it; alone
    it was unsure between facts (its one word meets "থেকে" in an example) and was answered
    as a part of its own, with the ethics fact."""
    first, turn = play(Conversation(real), "মেটা ওয়ার রুম কেন বানাল?",
                       "আর টাকা? এবার কত খরচ করবে?", start=NOW)
    assert facts(first) == ["war_rooms"] and facts(turn) == ["ai_investment"]


@pytest.mark.parametrize(("asked", "fact"), [
    ("কবে থেকে?", "launch_2023"), ("kobe theke?", "launch_2023"), ("কবে থিকা?", "launch_2023"),
    ("কবে?", None),  # when the billion was passed: not said
])
def test_since_when_of_a_count_is_its_start(real: Responder, asked: str,
                                            fact: str | None) -> None:
    """A billion downloads "since when?" asks from when they were counted: Llama's first
    launch, the related fact with a past date; a bare "when?" asks when the count was
    reached, which the article does not say."""
    first, turn = play(Conversation(real), "লামা কতবার ডাউনলোড হয়েছে?", asked, start=NOW)
    assert facts(first) == ["downloads_milestone"] and facts(turn) == ([fact] if fact else [])


def test_anger_at_the_license_is_its_criticism(real: Responder) -> None:
    """"খেপে আছে", "চটে আছে" (are angry) say what "সমালোচনা" says: asked alone, "why are
    they angry at Llama's license?" got Meta's licensing strategy."""
    turn, = play(Conversation(real), "llama r license niye sobai khepe ache keno?", start=NOW)
    assert facts(turn) == ["license_criticism"]
