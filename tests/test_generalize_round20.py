"""Mechanisms learned in the twentieth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(("message", "expected"), [
    ("What did Zuckerberg say about Llama on the earnings call. Also, what does the report say"
     " about Llama's long-term future?", ["zuckerberg_outlook", "future_outlook"]),
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


def test_what_a_fact_shows_is_told_by_the_fact_that_reads_it(real: Responder) -> None:
    """Zuckerberg's fact tells what he said, not what it shows; the open-collaboration fact
    reads it ("his positive attitude shows..."). The hopes' own words came a little closer."""
    assert real.readings["zuckerberg_outlook"] == "open_collaboration"
    assert real.readings["downloads_milestone"] == "downloads_milestone"  # reads itself
    message = "ওপেন সোর্স নিয়ে জাকারবার্গের এই মনোভাব কী ইঙ্গিত দেয়?"
    assert facts(play(Conversation(real), message)[0]) == ["open_collaboration"]
    assert facts(play(Conversation(real), "জাকারবার্গ লামা নিয়ে কী বলেছেন?",
                      "এর থেকে ওপেন সোর্স নিয়ে কী বোঝা যায়?")[1]) == ["open_collaboration"]


def test_what_he_said_is_still_his_own_fact(real: Responder) -> None:
    """No word of meaning asked: his own fact, though another reads it."""
    assert facts(play(Conversation(real), "জাকারবার্গ ওপেন সোর্স নিয়ে কী বলেছেন?")[0]) == [
        "zuckerberg_outlook"]


@pytest.mark.parametrize("question", ["Does the Llama license have any drawbacks?",
                                      "লামার লাইসেন্সের খারাপ দিক কী?"])
def test_a_licenses_drawbacks_are_its_criticism(real: Responder, question: str) -> None:
    """"drawbacks", "খারাপ দিক" are in the criticism synonym group: unknown, or read as the
    license itself, they gave the license's terms (or a "did you mean")."""
    assert facts(play(Conversation(real), question)[0]) == ["license_criticism"]


def test_chittagonian_and_noakhali_words_for_first_and_money(real: Responder) -> None:
    """"পইলা" (first) and "টিয়া" (money) were no word any example uses: a "did you mean",
    and a money question read as a bare amount."""
    assert facts(play(Conversation(real), "লামা পইলা কবে বাইর অইছিল?")[0]) == ["launch_2023"]
    answer = real.ask("মেটা এ বছর এআইত কত টিয়া খরচ গরিবো?", NOW)
    assert answer.fact_id == "ai_investment" and not real.matcher.match(answer.question).unknown


def test_only_in_noakhali_speech_is_grammar(real: Responder) -> None:
    """"হুদা" (only) counted as a word no fact knows: the fallback."""
    answer = real.ask("লামা কি হুদা চ্যাটবট বানাইতে কামে লাগে?", NOW)
    assert answer.kind is not AnswerKind.FALLBACK and "versatility" in (
        answer.fact_id, *answer.suggestions[:1])


def test_seita_and_a_formal_request_verb_are_grammar(real: Responder) -> None:
    """"সেইটা" (that one) was no pointer of the grammar list, so "সেইটা কি ফ্রি?" alone was
    unsure; "উপস্থাপন করুন" (present) was a word no fact knows in a formal request."""
    assert real.ask("সেইটা কি ফ্রি?", NOW).fact_id == "ecosystem_strategy"
    assert not real.matcher.match("জাকারবার্গের আশাবাদের মূল বক্তব্য উপস্থাপন করুন।").unknown


def test_a_spoken_request_for_one_thing_more_is_a_part_of_its_own(real: Responder) -> None:
    """"কন", "কও" (say, spoken) were no request: "...ওয়ার রুমের কথাও কন" was read as the
    tail of the question before it, and one of the two things asked went unanswered."""
    message = "লামাকন কবে হইবো? আর ওয়ার রুমের কথাও একটু কন"
    assert facts(play(Conversation(real), message)[0]) == ["llamacon", "war_rooms"]


@pytest.mark.parametrize(("question", "fact"), [("মেটার ওয়ার রুমত কিতা অয়?", "war_rooms"),
                                                ("লামা কোন সালত বাইর অইছিল?", "launch_2023")])
def test_the_eastern_locative_is_a_case_ending(
        real: Responder, question: str, fact: str) -> None:
    """Chittagonian and Sylheti say "in" with -ত ("রুমত", "সালত"): the word was unknown."""
    assert real.ask(question, NOW).fact_id == fact


@pytest.mark.parametrize("question", ["ভারতে মেটা এআই কবে আসবে?", "ভারতে লামা কতবার ডাউনলোড হইছে?"])
def test_a_place_with_a_case_ending_read_either_way_is_named(
        real: Responder, question: str) -> None:
    """"ভারতে" is ভারত + -এ, though -তে comes off first (ভার + -তে): India went unnamed, and
    "when will Meta AI come to India?" got the new models' launch."""
    assert "india" in real.subjects.named(real.matcher.key(question))
    assert real.ask(question, NOW).kind is not AnswerKind.FACT


def test_the_familiar_future_of_a_verb_is_how_something_is_asked(real: Responder) -> None:
    """"জানাবা", "বলবা" (will you tell, familiar): an unknown word weighing as a noun would,
    so the question fell under the share of known words the bot needs."""
    assert real.ask("লামা কে বানাইছে, জানাবা?", NOW).fact_id == "what_is_llama"
    assert not real.matcher.match("লামাকন জিনিসটা কী, একটু সহজ কইরা বলবা?").unknown
