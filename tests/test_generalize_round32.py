"""Mechanisms learned in the thirty-second round. Each mechanism has a test that fails
without it; the other tests guard what it must leave as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


def first_facts(real: Responder, asked: str) -> list[str | None]:
    """The facts a first message is answered with."""
    [turn] = play(Conversation(real), asked, start=NOW)
    return facts(turn)


@pytest.mark.parametrize(("first", "then", "fact"), [
    # Llama's many uses speak of companies: the companies that show them
    ("লামা কত রকম কাজে লাগে?", "উদাহরণ দাও তো", ["corporate_adopters"]),
    ("What does the report say about interest in open-source models?", "examples?",
     ["corporate_adopters"]),
    ("llama onek kaje lage keno?", "jemon kara?", ["corporate_adopters"]),
    # the ethics lesson names the lawsuit by its title's words
    ("AI বানানোর সময় কোন নৈতিক ও আইনি দিক মাথায় রাখতে হবে?", "এর উদাহরণ কী?",
     ["copyright_lawsuit"]),
])
def test_an_example_is_the_fact_that_gives_one(real: Responder, first: str, then: str,
                                               fact: list[str]) -> None:
    """"উদাহরণ?" asks an example of what was just said: had been DeepSeek's fact, whose
    answer says "উদাহরণ" in passing, or nothing."""
    turns = play(Conversation(real), first, then, start=NOW)
    assert facts(turns[1]) == fact


def test_an_example_the_article_does_not_give(real: Responder) -> None:
    turns = play(Conversation(real), "DeepSeek R1 কী?", "উদাহরণ?", start=NOW)
    assert facts(turns[1]) == []
    assert turns[1].answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert turns[1].answer.suggestions[0] == "deepseek_r1"


@pytest.mark.parametrize("asked", ["উদাহরণ?", "example?", "যেমন?"])
def test_an_example_of_nothing_said(real: Responder, asked: str) -> None:
    """Asked first, "example?" is of nothing: what there is to tell, not DeepSeek's fact."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == []
    assert turn.answer.kind is AnswerKind.NO_MORE


def test_an_example_asked_with_more_is_asked_as_it_is(real: Responder) -> None:
    """"which tasks will it do, give an example" asks what the tasks are (not in the
    article), not an example of the agentic features."""
    turns = play(Conversation(real), "agentic feature ki?",
                 "kon kon kaj nije nije korte parbe, example dao", start=NOW)
    assert facts(turns[1]) == []


@pytest.mark.parametrize("asked", ["লামাকে বহুমুখী বলে কেন?", "লামা কতটা বহুমুখী?"])
def test_versatile_is_versatility(real: Responder, asked: str) -> None:
    """"বহুমুখী" (versatile) is of the versatility group, as "বহুমুখিতা" was."""
    assert first_facts(real, asked) == ["versatility"]


@pytest.mark.parametrize("then", ["is the case over yet?", "মামলাটার কি নিষ্পত্তি হয়েছে?",
                                  "ekhono choltese?", "রায় কি দিয়ে দিছে?"])
def test_whether_the_lawsuit_is_over_is_told(real: Responder, then: str) -> None:
    """Whether the lawsuit is over: its answer says it is ongoing (it had been "the
    article does not say", as a verdict is not)."""
    turns = play(Conversation(real), "লামার কপিরাইট মামলাটা কী নিয়ে?", then, start=NOW)
    assert facts(turns[1]) == ["copyright_lawsuit"]


@pytest.mark.parametrize("then", ["রায় কবে দেবে?", "meta ki jitse?", "কোন আদালতে চলছে?",
                                  "who won?"])
def test_when_or_how_it_ends_is_not_told(real: Responder, then: str) -> None:
    turns = play(Conversation(real), "লামার কপিরাইট মামলাটা কী নিয়ে?", then, start=NOW)
    assert facts(turns[1]) == []


@pytest.mark.parametrize("then", ["আর গোপনীয়তা?", "ar privacy?"])
def test_and_an_aspect_is_the_fact_listed_first_that_holds_it(real: Responder,
                                                               then: str) -> None:
    """"and privacy?" after the lawsuit asks Europe's privacy hurdles, listed first next
    to it, not the lesson of the lawsuit and privacy both, a little closer alone."""
    turns = play(Conversation(real), "লামার কপিরাইট মামলাটা কী নিয়ে?", then, start=NOW)
    assert facts(turns[1]) == ["eu_privacy"]


@pytest.mark.parametrize(("then", "fact"), [
    ("আর শিক্ষা?", ["ethics_legal"]),  # the lesson: that fact's own word
    ("আর লাইসেন্স নিয়ে বিতর্ক?", ["license_criticism"]),
])
def test_and_an_aspect_of_one_fact_stays_its(real: Responder, then: str,
                                             fact: list[str]) -> None:
    turns = play(Conversation(real), "লামার কপিরাইট মামলাটা কী নিয়ে?", then, start=NOW)
    assert facts(turns[1]) == fact


def test_the_company_in_a_part_is_the_one_named_before(real: Responder) -> None:
    """"কোম্পানিটি" (the company) in a later part is Meta, named in the first: what Meta
    did against DeepSeek (the war rooms), not DeepSeek's own fact."""
    [turn] = play(Conversation(real), "মেটা এ বছর এআই-তে কত খরচ করছে, আর ডিপসিকের সাথে পাল্লা "
                  "দিতে কোম্পানিটি কী ব্যবস্থা নিয়েছে?", start=NOW)
    assert facts(turn) == ["ai_investment", "war_rooms"]


@pytest.mark.parametrize(("asked", "expected"), [
    ("মেটার ওয়ার রুম আর ৮০ বিলিয়ন ডলারের বিনিয়োগ নিয়ে কী বলা হয়েছে?",
     ["war_rooms", "ai_investment"]),
    ("notun lamay reasoning ar multimodal ki thakbe?", ["reasoning_models", "multimodal"]),
])
def test_one_question_of_two_things_joined_by_and(real: Responder, asked: str,
                                                  expected: list[str]) -> None:
    """One question naming a thing of each of two facts, joined by "and": both answered
    (it had been one of them, or a "did you mean")."""
    assert first_facts(real, asked) == expected


@pytest.mark.parametrize(("asked", "expected"), [
    ("ডিপসিক আর লামার মধ্যে কোনটা ভালো?", ["deepseek_r1"]),  # a comparison: one fact
    ("Llama কি ছবি আর অডিও বুঝবে?", ["multimodal"]),  # both things of one fact
    ("spotify ar AT&T ki llama use kore?", ["corporate_adopters"]),
])
def test_two_things_of_one_fact_stay_one_answer(real: Responder, asked: str,
                                                expected: list[str]) -> None:
    assert first_facts(real, asked) == expected


def test_when_he_said_it_is_told_by_his_words(real: Responder) -> None:
    """"kobe bolse?" after the agentic features Zuckerberg hinted at: when he said it, told
    by the fact of his words (it had been "the article does not say")."""
    turns = play(Conversation(real), "লামাতে এজেন্টিক ফিচার আসবে?", "kobe bolse?", start=NOW)
    assert facts(turns[1]) == ["zuckerberg_outlook"]


def test_when_it_comes_is_still_not_told(real: Responder) -> None:
    turns = play(Conversation(real), "লামাতে এজেন্টিক ফিচার আসবে?", "কবে?", start=NOW)
    assert facts(turns[1]) == []


def test_wht_is_what(real: Responder) -> None:
    """"wht" (what, typed on a phone) is a question word: "wht are war rooms" is a part of
    its own (it had joined the next part and the message answered nothing)."""
    [turn] = play(Conversation(real), "wht are the war rooms and how much is meta spending on "
                  "ai this year", start=NOW)
    assert facts(turn) == ["war_rooms", "ai_investment"]


def test_diff_q_switches_the_topic(real: Responder) -> None:
    turns = play(Conversation(real), "llamacon kobe?", "ok diff q, who uses llama?", start=NOW)
    assert facts(turns[1]) == ["corporate_adopters"]


@pytest.mark.parametrize(("then", "fact"), [
    # the license's critics, related to Meta's strategy, not the adopters, a little closer
    ("আর বাণিজ্যিক ব্যবহার?", ["license_criticism"]),
    ("কোন লাইসেন্সে?", ["ecosystem_strategy"]),  # a question word asks of the last answer
])
def test_a_thing_two_facts_tell_of_is_the_related_ones(real: Responder, then: str,
                                                       fact: list[str]) -> None:
    turns = play(Conversation(real), "মেটা কেন লামা ফ্রি দেয়?", then, start=NOW)
    assert facts(turns[1]) == fact


@pytest.mark.parametrize("asked", ["what exactly happened in europe?", "ইউরোপে ঠিক কী হইছে?"])
def test_what_exactly_happened_is_the_fact(real: Responder, asked: str) -> None:
    """"What exactly happened" insists on the event the fact tells, not on a detail it
    lacks (it had been "the article does not say" by the detail's decline)."""
    assert first_facts(real, asked) == ["eu_privacy"]


def test_what_exactly_a_listed_company_does_is_not_told(real: Responder) -> None:
    [turn] = play(Conversation(real), "What exactly does Spotify use Llama for?", start=NOW)
    assert facts(turn) == []


def test_he_is_the_person_of_an_earlier_answer(real: Responder) -> None:
    """"উনি আর কী বলেছেন?" after "more" told the new models, next to the agentic features
    Zuckerberg hinted at: he is Zuckerberg, asked what else he said (it had been the new
    models again, or more of them)."""
    turns = play(Conversation(real), "জাকারবার্গ এজেন্টিক নিয়ে কী বলেছেন?", "আরও বলো",
                 "উনি আর কী বলেছেন?", start=NOW)
    assert [facts(t) for t in turns] == [["agentic"], ["reasoning_models"],
                                         ["zuckerberg_outlook"]]


@pytest.mark.parametrize(("asked", "fact"), [
    # the interest fact reads the downloads by its title's words ("এক বিলিয়ন ডাউনলোড ...
    # আগ্রহের একটি ভালো লক্ষণ"), though the downloads' own answer says what they show
    ("১০০ কোটি ডাউনলোড কিসের লক্ষণ?", ["open_source_interest"]),
    ("spotify llama use kore, eta theke ki bojha jay?", ["versatility"]),
])
def test_what_a_fact_shows_is_read_by_the_fact_that_names_it(real: Responder, asked: str,
                                                             fact: list[str]) -> None:
    assert first_facts(real, asked) == fact


def test_what_it_shows_asked_of_names_is_not_read(real: Responder) -> None:
    """"which companies show that?" asks names: the adopters, not what their use shows."""
    [turn] = play(Conversation(real), "which companies use llama, and which show that it is "
                  "useful?", start=NOW)
    assert facts(turn)[:1] == ["corporate_adopters"]


@pytest.mark.parametrize("asked", ["লামা দিয়ে কী কী করা যায়?", "llama diye ki ki kora jay"])
def test_grammar_of_another_fact_s_example_however_spelled(real: Responder, asked: str) -> None:
    """A name and grammar words spelling another fact's example, as they sound ("দিয়ে" for
    "দিয়া", "llama" for "lama"), asks that fact, not what the name is (it had been what
    Llama is)."""
    assert first_facts(real, asked) == ["versatility"]


@pytest.mark.parametrize("asked", ["লামা কী বস্তু?", "লামা জিনিসটা কী?"])
def test_a_name_and_grammar_still_ask_what_it_is(real: Responder, asked: str) -> None:
    assert first_facts(real, asked) == ["what_is_llama"]


@pytest.mark.parametrize(("asked", "expected"), [
    # an English request opening a sentence asks, as a question does
    ("Describe the copyright lawsuit. Also when is LlamaCon?", ["copyright_lawsuit", "llamacon"]),
    # "tao" (that too) asks one thing more, as "টাও" does
    ("llamacon kobe hobe? war room er kotha tao ektu bolo", ["llamacon", "war_rooms"]),
])
def test_a_request_is_a_part_of_its_own(real: Responder, asked: str,
                                        expected: list[str]) -> None:
    assert first_facts(real, asked) == expected


def test_what_it_is_with_a_guess_after_it(real: Responder) -> None:
    """"eta ki jinis? kono website naki?" after the downloads: what Llama is, the guess
    after the question asking it again (it had been "not in the article")."""
    turns = play(Conversation(real), "llama koto bar download hoise?",
                 "eta ki jinis? kono website naki?", start=NOW)
    assert facts(turns[1]) == ["what_is_llama"]


def test_their_model_s_name_is_the_rival_s_fact(real: Responder) -> None:
    """"oder model er naam ki?" after the war rooms asks a model's name, a release the war
    rooms' answer does not name: the rival's own fact (it had been "not in the article")."""
    turns = play(Conversation(real), "মেটা ওয়ার রুম কেন খুলেছে?", "oder model er naam ki?",
                 start=NOW)
    assert facts(turns[1]) == ["deepseek_r1"]


def test_doing_well_is_success(real: Responder) -> None:
    """"ভালো করছে" (doing well) is of the success group: the launch's success, not what
    Llama is (knowledge/synonyms.yaml)."""
    [turn] = play(Conversation(real), "লামা কি ভালো করছে?", start=NOW)
    assert facts(turn) == ["launch_2023"]


def test_what_meta_gains_from_giving_it_free(real: Responder) -> None:
    """What Meta gains by giving Llama free is its strategy's purpose (examples in the
    strategy's fact); it had been the benefits of open collaboration."""
    [turn] = play(Conversation(real), "লামা বিনা পয়সায় দিলে মেটার কী উপকার?", start=NOW)
    assert facts(turn) == ["ecosystem_strategy"]
    turns = play(Conversation(real), "মেটা কেন লামা ফ্রি দেয়?", "তাতে ওদের লাভ কী?", start=NOW)
    assert facts(turns[1]) == ["ecosystem_strategy"]
