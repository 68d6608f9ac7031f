"""Mechanisms learned in the sixteenth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 20, 12, 0, tzinfo=ZoneInfo("Asia/Dhaka"))


def test_which_company_the_last_answer_likens_it_to_is_that_answer(real: Responder) -> None:
    """The new models' answer names OpenAI's o3-mini, which the fact is not about: asking
    which of OpenAI's models they resemble asks of that answer."""
    turns = play(Conversation(real), "লামার নতুন মডেলগুলো কি যুক্তি দিয়ে ভাববে?",
                 "ওপেনএআই-এর কোন মডেলের মতো?")
    assert facts(turns[1]) == ["reasoning_models"]


def test_a_question_of_the_company_it_is_likened_to_stays_its_own(real: Responder) -> None:
    """...while asking of o3-mini itself is not answered from Llama's fact."""
    conversation = Conversation(real)
    for question in ("o3-mini কবে বের হয়েছে?", "OpenAI কত টাকা বিনিয়োগ করছে?"):
        turns = play(conversation, "লামার নতুন মডেলগুলো কি যুক্তি দিয়ে ভাববে?", question)
        assert facts(turns[1]) == []
        assert turns[1].answer.kind is not AnswerKind.FACT


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("লামা কতবার ডাউনলোড হয়েছে?", "এটা কি টাকা ছাড়া ব্যবহার করা যায়?", "ecosystem_strategy"),
    ("ইউরোপে লামা কেন আটকে গেল?", "এটা থেকে কী শিক্ষা পাওয়া যায়?", "ethics_legal"),
])
def test_a_pointed_follow_up_whose_own_words_ask_for_a_neighbour_gets_it(
        real: Responder, first: str, follow: str, fact: str) -> None:
    """"it" points at the last answer, but the follow-up's own words ask, far ahead of it,
    for a fact next to it: that fact, not the last answer read with the last question."""
    turns = play(Conversation(real), first, follow)
    assert facts(turns[1]) == [fact]


def test_a_pointed_follow_up_a_neighbour_only_edges_stays(real: Responder) -> None:
    """"আর ওটার উদ্দেশ্য?" after LlamaCon: a purpose other facts' words also hold is
    the conference's own."""
    turns = play(Conversation(real), "লামাকন কী?", "আর ওটার উদ্দেশ্য?")
    assert facts(turns[1]) == ["llamacon"]


def test_a_formal_question_pointing_within_its_sentence_is_answered(real: Responder) -> None:
    """"..., তাহা জানাইবেন" points at what the sentence just asked, not at a last answer."""
    for question, fact in (
            ("লামার লাইসেন্সিং-নীতি বিষয়ক আপত্তিসমূহের প্রকৃতি কী, তাহা অবহিত করিলে কৃতজ্ঞ থাকিব।",
             "license_criticism"),
            ("ইউরোপে মেটার অভিজ্ঞতা কীরূপ ছিল, সেটি সংক্ষেপে উপস্থাপন করুন।", "eu_privacy")):
        answer = real.ask(question, NOW)
        assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, fact)


def test_a_formal_question_opening_with_it_is_not_sure_alone(real: Responder) -> None:
    answer = real.ask("উহাতে লাইসেন্সসংক্রান্ত আপত্তিসমূহ কী কী?", NOW)
    assert answer.kind is not AnswerKind.FACT


def test_a_complete_question_naming_its_fact_s_subject_is_not_a_detail_of_the_last(
        real: Responder) -> None:
    """A word only the last answer's examples hold ("samne" of the lawsuit's) makes a
    short question ask that answer's detail; one naming what its own fact is about asks
    that fact."""
    turns = play(Conversation(real), "মেটার বিরুদ্ধে মামলাটা কী নিয়ে?",
                 "llama ki samne step by step reasoning korte parbe?")
    assert facts(turns[1]) == ["reasoning_models"]


def test_a_detail_of_the_last_answer_naming_no_subject_is_still_not_told(
        real: Responder) -> None:
    turns = play(Conversation(real), "লামার লাইসেন্স নিয়ে কারা সমালোচনা করেছে?",
                 "কোন কোন কোম্পানি আপত্তি করেছে, নাম বলো")
    assert facts(turns[1]) == []


def test_two_questions_after_an_answer_each_get_their_part(real: Responder) -> None:
    """After LlamaCon's answer, "who sued Meta, and what is the trouble in Europe?" was read
    as a follow-up and got only "the article does not say": each clause names its own
    subject, so each gets its part (who sued is not told; Europe's trouble is)."""
    turns = play(Conversation(real), "লামাকন কী?",
                 "মেটার বিরুদ্ধে কারা মামলা করেছে, আর ইউরোপে লামার কী সমস্যা হয়েছে?")
    kinds = [a.kind for a in turns[1].answers]
    assert AnswerKind.NOT_IN_ARTICLE in kinds and "eu_privacy" in facts(turns[1])
