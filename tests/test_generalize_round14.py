"""Mechanisms learned in the fourteenth round: a word in Latin letters that no synonym group
lists meets the group of the Bengali word it sounds like ("banano" is বানানো, so "kar banano"
asks who made it), because the group rewrote every Bengali example to its first word and left
the romanized one nothing to meet; a doubled "cch" in Latin letters is চ্ছ ("dicche" is
দিচ্ছে, giving); "what are they accused of" asks what, not which ones. Each test fails without
its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.asks import Asked, Asks
from bot.core.conversation import Conversation
from bot.core.normalize import make_key, phonetic_word, surface_word
from bot.core.subjects import Subjects
from bot.core.synonyms import Synonyms

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize(("words", "expected"), [
    (["kar", "banano"], ["kar", "তৈরি"]),
    (["biniyog", "koto"], ["খরচ", "koto"]),
])
def test_a_latin_word_meets_the_group_of_the_bengali_word_it_sounds_like(
        words: list[str], expected: list[str]) -> None:
    synonyms = Synonyms([["তৈরি", "বানানো"], ["খরচ", "বিনিয়োগ"]])
    assert synonyms.rewrite(words) == expected


def test_a_latin_word_sounding_like_words_of_two_groups_meets_neither() -> None:
    synonyms = Synonyms([["তৈরি", "বানানো"], ["ফল", "বানানো"]])
    assert synonyms.rewrite(["banano"]) == ["banano"]


@pytest.mark.parametrize("word", ["bonus", "bnn", "বনানো", "banaiti", "brishti"])
def test_other_words_keep_their_spelling(word: str) -> None:
    """Other consonants, a skeleton too short to tell, Bengali letters (whose variant
    spellings folding already meets), or a word whose ending might be its own letters
    ("brishti", rain, is no "brish" + "ti": read so, it sounded like বর্ষ, year) are left as
    written."""
    assert Synonyms([["তৈরি", "বানানো"], ["বছর", "বর্ষ"]]).rewrite([word]) == [word]


def test_a_romanized_question_after_a_question_is_answered(real: Responder) -> None:
    answer = real.ask("llama jinish ta ki asole? kar banano", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "what_is_llama")


@pytest.mark.parametrize(("latin", "bengali"), [
    ("dicche", "দিচ্ছে"), ("icchhe", "ইচ্ছে"), ("pacche", "পাচ্ছে")])
def test_a_doubled_ch_in_latin_letters_sounds_as_the_bengali_letter(latin: str,
                                                                    bengali: str) -> None:
    """"cch" is চ্ছ, one sound: read as "kch", a romanized "dicche" met no example's দিচ্ছে."""
    assert phonetic_word(latin) == phonetic_word(surface_word(bengali))


def test_what_they_are_accused_of_asks_of_the_lawsuit(conversation: Conversation) -> None:
    """"what are they ... of" asks what something is, not for a list of three or more, which
    the lawsuit's answer does not give."""
    _, turn = play(conversation, "Is Meta facing any lawsuit over Llama?",
                   "what are they accused of, exactly?", start=NOW)
    assert facts(turn) == ["copyright_lawsuit"]


@pytest.mark.parametrize(("question", "listed"), [
    ("what are they accused of?", False), ("what are they used for", False),
    ("what are they?", True), ("new models are coming, what are they", True)])
def test_what_are_they_asks_which_only_at_its_end(question: str, listed: bool) -> None:
    assert (Asked.WHICH in Asks().asked(make_key(question), bare=True)) is listed


@pytest.mark.parametrize("follow_up", ["কেন পারেনি?", "keno pareni?"])
def test_why_with_a_negated_verb_asks_of_the_last_answer(conversation: Conversation,
                                                         follow_up: str) -> None:
    """"পারেনি" (could not) is a verb, as "-েনি", "-য়নি" end the negated past; a question word
    and verbs alone ask of the last answer, which tells why."""
    _, turn = play(conversation, "মেটা কি ইউরোপে লামা চালু করতে পেরেছে?", follow_up, start=NOW)
    assert facts(turn) == ["eu_privacy"]


@pytest.mark.parametrize("question", [
    "Meta Connect কনফারেন্স কবে হবে?", "meta connect kobe hobe?",
    "জাকারবার্গ মেটাভার্স নিয়ে আয়ের কলে কী বলেছেন?", "When is Google I/O this year?"])
def test_another_event_or_product_of_meta_gets_no_fact(real: Responder, question: str) -> None:
    """Meta's other events and products are subjects of their own: "Meta Connect" names
    another conference, and not Meta, whose LlamaCon the article dates."""
    assert real.ask(question, NOW).kind is not AnswerKind.FACT


def test_a_foreign_name_hides_the_names_within_it() -> None:
    subjects = Subjects([("meta", "meta"), ("meta_ai", "meta ai"), ("connect", "meta connect")],
                        foreign=frozenset({"connect"}))
    assert subjects.named(make_key("meta connect kobe")) == {"connect"}
    assert subjects.named(make_key("meta ai kothay")) == {"meta", "meta_ai"}


@pytest.mark.parametrize("question", ["কৃত্রিম বুদ্ধিমত্তার জনক কাকে বলা হয়?",
                                      "কাকে এআই-এর জনক বলা হয়?"])
def test_whom_and_the_father_of_something_ask_for_a_person(real: Responder,
                                                           question: str) -> None:
    """"কাকে" (whom) asks who, and "the father of AI" a person, whom no fact names: a fact
    about AI's future is no answer."""
    assert Asked.PERSON in Asks().asked(make_key(question))
    assert real.ask(question, NOW).kind is not AnswerKind.FACT


def test_letters_without_a_vowel_are_no_fuzzy_word(real: Responder) -> None:
    """"CV" sounds "kb": a Latin word without a vowel is an abbreviation, not কবে (when) with
    its vowel lost, so a request to write a CV gets no fact about Llama's future models."""
    answer = real.ask("amake ekta CV likhe dite parba?", NOW)
    assert answer.kind is not AnswerKind.FACT


def test_another_of_the_same_asks_for_the_sibling_its_admin_listed_first(
        conversation: Conversation) -> None:
    """"Any other legal trouble?" after Europe's: the lawsuit, listed first among its related
    facts, not the lesson drawn from both, whose words ("আইনি ঝামেলা") come closest."""
    _, turn = play(conversation, "ইউরোপে লামা কেন আটকে গেছে?",
                   "এর বাইরে আর কোনো আইনি ঝামেলা আছে?", start=NOW)
    assert facts(turn) == ["copyright_lawsuit"]


@pytest.mark.parametrize("question", ["How many downloads did Llama have a year ago?",
                                      "ওয়ার রুমের দায়িত্বে কে আছেন?"])
def test_a_year_ago_and_who_is_in_charge_are_details_no_fact_gives(real: Responder,
                                                                   question: str) -> None:
    """"a year ago" asks of an earlier year than the fact's, "দায়িত্বে কে" (who is in charge)
    for a person: the downloads and the war rooms' facts tell neither."""
    assert real.ask(question, NOW).kind is AnswerKind.NOT_IN_ARTICLE


@pytest.mark.parametrize("question", ["লামাকন কুনখানো অইবো?", "llamacon konkhane hobe?"])
def test_which_place_in_regional_speech_asks_where(real: Responder, question: str) -> None:
    """"কুনখানো" (Sylheti: at which place) asks where, which the LlamaCon fact does not say."""
    assert Asked.WHERE in Asks().asked(make_key(question))
    assert real.ask(question, NOW).kind is AnswerKind.NOT_IN_ARTICLE


def test_a_specific_date_asks_for_a_day(real: Responder) -> None:
    """"কোন নির্দিষ্ট তারিখে" (on which specific date) asks for a day, which the reasoning
    models' "in the coming months" does not give."""
    question = "রিজনিং ক্ষমতাসম্পন্ন নতুন লামা মডেলটি কোন নির্দিষ্ট তারিখে উন্মোচিত হবে?"
    assert Asked.DAY in Asks().asked(make_key(question))
    assert real.ask(question, NOW).kind is AnswerKind.NOT_IN_ARTICLE
