"""Mechanisms learned in the twenty-sixth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation, TurnKind

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("question", ["ওরা কি এটা খালি এক কামে লাগায়?",
                                      "মেটা কি এটা দিয়ে টাকা কামায়?"])
def test_a_causative_verb_is_no_word_the_article_lacks(real: Responder, question: str) -> None:
    """"লাগায়", "কামায়" (puts to use, earns) are verbs, as "লাগাচ্ছে" is:
    how something is asked, not a thing no fact knows, which would make a follow-up
    "the article does not say"."""
    assert not {"lagay", "kamay"} & set(real.matcher.match(question).unknown)


@pytest.mark.parametrize("question", ["Quick one: is the EU blocking Llama?",
                                      "quick one, why is the EU blocking Llama?"])
def test_the_place_named_outweighs_a_filler_s_words(real: Responder, question: str) -> None:
    """"one" of "quick one" is a word of the downloads' examples ("one billion"); the EU,
    which the question names, is the privacy fact's place, a little further behind."""
    answer = real.ask(question, NOW)
    assert answer.leading_fact == "eu_privacy"
    assert answer.kind is not AnswerKind.NOT_IN_ARTICLE


def test_a_did_you_mean_led_by_a_neighbour_of_the_last_answer_is_that_one(
        real: Responder) -> None:
    """Alone, "শিক্ষাটা তাহলে কী?" (so what is the lesson?) is unsure between the ethics fact
    and the war rooms (learning from DeepSeek); after Europe's troubles, the first choice
    is a fact that answer relates to, and the one meant."""
    first, why, lesson = play(Conversation(real), "ইউরোপে লামার কী হয়েছিল?", "কেন?",
                              "শিক্ষাটা তাহলে কী?", start=NOW)
    assert facts(first) == facts(why) == ["eu_privacy"]
    assert facts(lesson) == ["ethics_legal"]
    assert real.ask("শিক্ষাটা তাহলে কী?", NOW).kind is AnswerKind.SUGGEST


def test_a_did_you_mean_led_by_no_neighbour_stays_one(real: Responder) -> None:
    """Only the first choice counts: after Europe's troubles, "what's the big lesson here?"
    offers the adopters first (ethics second), and stays a "did you mean"."""
    _, lesson = play(Conversation(real), "Why did the EU hold up Llama?",
                     "what's the big lesson here?", start=NOW)
    assert lesson.answer.kind is AnswerKind.SUGGEST


@pytest.mark.parametrize("asked", ["মেটা তখন কী করল?", "meta tokhon ki korlo?"])
def test_then_is_grammar_not_a_token(real: Responder, asked: str) -> None:
    """"তখন" (then) spells the consonants of "টোকেন" (token): read as a word, it asked the
    price per token and got nothing; as grammar, what Meta did is its war rooms."""
    _, turn = play(Conversation(real), "ডিপসিক কী?", asked, start=NOW)
    assert facts(turn) == ["war_rooms"]


@pytest.mark.parametrize(("message", "parts"), [
    ("What is LlamaCon, and when did Zuckerberg say this would be a big year for Llama?",
     ["llamacon", "zuckerberg_outlook"]),
    ("lama ki, ar europe e eta keno chalu hote pareni?", ["what_is_llama", "eu_privacy"]),
])
def test_a_part_unsure_alone_and_with_the_subject_of_one_fact_is_that_fact(
        real: Responder, message: str, parts: list[str]) -> None:
    """A part that points back ("this", "eta") is read again with the subject named before
    it; unsure both ways, but of the same first fact, the two readings agree."""
    (turn,) = play(Conversation(real), message, start=NOW)
    assert turn.kind is TurnKind.COMPOUND
    assert facts(turn) == parts


@pytest.mark.parametrize("asked", ["কোনো বড় কোম্পানি কি এটা চালায়?",
                                   "boro kono company eta chalay?"])
def test_after_what_a_subject_is_it_is_the_subject(real: Responder, asked: str) -> None:
    """After Llama's own fact, "it" is Llama: a question about it is answered as it would be
    with Llama named (the adopters), not kept on the fact of what Llama is."""
    first, turn = play(Conversation(real), "লামা কী?", asked, start=NOW)
    assert facts(first) == ["what_is_llama"]
    assert facts(turn) == ["corporate_adopters"]


@pytest.mark.parametrize("question", ["ডিপসিক কোন দেশের প্রতিষ্ঠান?", "deepseek kon desher company?"])
def test_where_a_subject_is_from_is_told_by_its_fact(real: Responder, question: str) -> None:
    """DeepSeek's fact places it (a Chinese lab); the words "which country's company" are
    closest to a decline about another company's country (ChatGPT's)."""
    assert real.ask(question, NOW).fact_id == "deepseek_r1"


@pytest.mark.parametrize("question", ["মেটা কোন দেশের কোম্পানি?", "which country is Meta from?"])
def test_where_meta_is_from_is_not_in_the_article(real: Responder, question: str) -> None:
    """Meta is every fact's subject, and none says where it is from: still declined."""
    assert real.ask(question, NOW).kind is not AnswerKind.FACT


def test_where_they_are_from_after_deepseek(real: Responder) -> None:
    _, turn = play(Conversation(real), "ডিপসিক কী?", "ওরা কোন দেশের প্রতিষ্ঠান?", start=NOW)
    assert facts(turn) == ["deepseek_r1"]


@pytest.mark.parametrize("asked", ["and how old is he?", "how rich is he?"])
def test_how_old_asks_a_number(real: Responder, asked: str) -> None:
    """"how old", "how rich" ask a number, as "how many" does: his fact gives none."""
    first, turn = play(Conversation(real), "What did Zuckerberg say about Llama?", asked,
                       start=NOW)
    assert facts(first) == ["zuckerberg_outlook"]
    assert facts(turn) == []


@pytest.mark.parametrize("asked", ["কবে এসেছে?", "কবে এলো?", "কবে আইছে?"])
def test_when_did_it_come_after_what_it_is(real: Responder, asked: str) -> None:
    """"এসেছে" (came) is an everyday verb, grammar as "আসে" and "এসে" are: no word the
    launch's fact must hold before "when?" moves from what Llama is to when it came."""
    first, turn = play(Conversation(real), "লামা কী?", asked, start=NOW)
    assert facts(first) == ["what_is_llama"]
    assert facts(turn) == ["launch_2023"]


def test_a_subject_named_in_an_opening_not_understood_is_the_talk_s(real: Responder) -> None:
    """"লামা জিনিসটা কি খেতে মজা?" is not understood, but it names Llama: "কারা বানিয়েছে?"
    next asks who made Llama, and "আরও বলো" tells what Llama is."""
    first, who = play(Conversation(real), "লামা জিনিসটা কি খেতে মজা?", "কারা বানিয়েছে?",
                      start=NOW)
    assert facts(first) == []
    assert facts(who) == ["what_is_llama"]
    _, more = play(Conversation(real), "লামা জিনিসটা কি খেতে মজা?", "আরও বলো", start=NOW)
    assert facts(more) == ["what_is_llama"]


def test_an_opening_naming_no_subject_of_ours_sets_no_subject(real: Responder) -> None:
    """Gemini has no fact here: "কবে?" after a question about it stays unsure."""
    _, when = play(Conversation(real), "গুগল জেমিনি কতবার ডাউনলোড হয়েছে?", "কবে?", start=NOW)
    assert facts(when) == []
