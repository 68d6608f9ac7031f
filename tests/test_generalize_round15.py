"""Mechanisms learned in the fifteenth round: the progressive of Dhaka and rural speech
("দেখতেছে", "করতাছে", "চলতেসে") is read as the spoken standard's ("দেখছে"), without
calling the message formal; "এইসব", "এসব" (these things) point back at the last answer.
Each test fails without its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation
from bot.core.normalize import clean, formal, make_key, spoken_word

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize(("dialect", "standard"), [
    ("দেখতেছে", "দেখছে"), ("করতাছে", "করছে"), ("চলতেসে", "চলছে"), ("লাগতাসে", "লাগছে"),
    ("ঢালতেছেন", "ঢালছেন"), ("করতেছিলাম", "করছিলাম"), ("বানাতেছে", "বানাচ্ছে"),
    ("দিতেছে", "দিচ্ছে"), ("চালাইতাছে", "চালাচ্ছে"),
])
def test_a_dialect_progressive_is_read_as_the_spoken_standard(dialect: str,
                                                              standard: str) -> None:
    assert spoken_word(dialect) == standard
    assert make_key(f"লামা কী {dialect}").surface == make_key(f"লামা কী {standard}").surface


@pytest.mark.parametrize("word", ["থেকে", "মেটা", "ফেরতছে", "তেছে", "সেতে"])
def test_other_words_keep_their_spelling(word: str) -> None:
    assert spoken_word(word) == word


def test_a_dialect_progressive_is_not_formal() -> None:
    """The formal register is judged on its own words: speech is not sadhu."""
    assert not formal(clean("মেটা কত টাকা ঢালতেছে?"))


def test_a_question_in_a_dialect_progressive_is_answered(real: Responder) -> None:
    answer = real.ask("লামার ভবিষ্যৎ কেমন দেখতেছে?", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "future_outlook")


def test_these_things_point_at_the_last_answer(real: Responder) -> None:
    turns = play(Conversation(real), "মেটার বিরুদ্ধে মামলা কী নিয়ে?", "এইসব থেকে কী শিখা যায়?")
    assert facts(turns[1]) == ["ethics_legal"]


def test_an_arrangement_for_developers_is_the_conference(real: Responder) -> None:
    """"আয়োজন" (an event put on) is the knowledge base's event word: synonym data."""
    turns = play(Conversation(real), "লামাকন কী?", "ওটা কি ডেভেলপারদের জন্য আয়োজন?")
    assert facts(turns[1]) == ["llamacon"]


def test_they_after_a_company_s_fact_are_that_company(real: Responder) -> None:
    """"Their budget" after DeepSeek's fact is DeepSeek's, which the article does not give,
    not Meta's spending; after Llama's fact "they" are still its makers."""
    deepseek = play(Conversation(real), "ডিপসিক কী?", "ওদের বাজেট কত?")[1]
    assert (deepseek.answer.kind, facts(deepseek)) == (AnswerKind.NOT_IN_ARTICLE, [])
    llama = play(Conversation(real), "লামা কী?", "ওদের বাজেট কত?")[1]
    assert facts(llama) == ["ai_investment"]


@pytest.mark.parametrize("word", ["লিখুন", "স্বরূপ", "তাৎপর্য", "পরিপ্রেক্ষিতে", "ব্যতিরেকে"])
def test_words_of_an_exam_or_an_officer_are_the_formal_register(word: str) -> None:
    assert formal(clean(f"লামার {word}"))
    assert not formal(clean("লামার লাইসেন্স"))


def test_a_formal_question_with_several_words_of_its_own_is_sure_of_its_lone_fact(
        real: Responder) -> None:
    """Exam Bengali brings words no example has ("মেধাস্বত্ব", "লঙ্ঘন", "বিরোধে"); its one
    candidate is still what it asks, as for a formal question with one such word."""
    answer = real.ask("মেধাস্বত্ব লঙ্ঘন-সংক্রান্ত যে আইনি বিরোধে লামা জড়িয়ে পড়েছে, "
                      "তার স্বরূপ ব্যাখ্যা করুন।", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "copyright_lawsuit")


def test_an_exam_s_instruction_is_a_formal_request(real: Responder) -> None:
    answer = real.ask("জানুয়ারিতে অনুষ্ঠিত আর্থিক ফলাফল-সংক্রান্ত সভায় প্রদত্ত জাকারবার্গের "
                      "বক্তব্যের সারমর্ম লিখুন।", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "zuckerberg_outlook")


def test_a_fact_about_the_place_named_goes_first(real: Responder) -> None:
    """Which EU countries objected: Europe's privacy troubles go before the license's critics,
    whose words come a little closer, and say the countries are not given."""
    answer = real.ask("ইইউ-র কোন কোন দেশ আপত্তি করেছে?", NOW)
    assert answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert answer.suggestions == ("eu_privacy",)


def test_completely_is_grammar(real: Responder) -> None:
    """"একদম" (completely) weighs nothing: it had met the versatility fact's words."""
    answer = real.ask("লামা একদম ফ্রি তো?", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "ecosystem_strategy")


def test_a_follow_up_moves_to_the_related_fact_its_own_words_ask_of(real: Responder) -> None:
    """"Any criticism of it?" after Llama's launch: the launch fact mentions the criticism,
    which the related license fact tells; the follow-up's own words lead there."""
    turns = play(Conversation(real), "When was Llama first released?", "any criticism of it?")
    assert facts(turns[1]) == ["license_criticism"]


def test_a_formal_question_is_sure_of_a_candidate_leading_the_next_by_far(
        real: Responder) -> None:
    """Two candidates, the first well ahead: formal words are not our examples', so the
    lead is what tells, as for a lone candidate."""
    answer = real.ask("লামার লাইসেন্স নিয়ে উত্থাপিত আপত্তিগুলোর প্রকৃতি বিশ্লেষণ করুন।", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "license_criticism")
