"""Mechanisms learned in the thirty-first round. Each mechanism has a test that fails
without it; the other tests guard what it must leave as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


def test_he_said_another_thing_of_his_own(real: Responder) -> None:
    """"উনি" after Zuckerberg's hopes, in a message that alone leans to another fact about
    him (the agentic features he hinted at), asks that fact: it had been his hopes again."""
    turns = play(Conversation(real), "zuckerberg llama niye ki bolse?",
                 "উনি এজেন্টিক ফিচারের কথা কী বলেছিলেন?", "কবে?", start=NOW)
    assert [facts(t) for t in turns[:2]] == [["zuckerberg_outlook"], ["agentic"]]
    assert "জাকারবার্গ" in turns[1].context.question  # "he" read as the person, for "কবে?"


@pytest.mark.parametrize(("then", "fact"), [
    ("উনি আর কী বলেছেন?", ["zuckerberg_outlook"]),  # what he said: his hopes
    ("open source niye onar view ta thik ki?", ["zuckerberg_outlook"]),  # Meta's is not his
    ("did he talk about AGI?", []),  # a word no fact knows: not the agentic features
])
def test_he_still_points_at_what_he_said(real: Responder, then: str, fact: list[str]) -> None:
    turns = play(Conversation(real), "জাকারবার্গ আয়ের কলে কী বললেন?", then, start=NOW)
    assert facts(turns[1]) == fact


@pytest.mark.parametrize(("asked", "expected"), [
    ("My manager wants three bullets: how many downloads Llama has, who uses it, and what "
     "DeepSeek did. Can you help?", ["downloads_milestone", "corporate_adopters", "deepseek_r1"]),
    ("আমার ২টা প্রশ্ন: লামাকন কবে হবে আর ইউরোপে লামা কেন আটকে গেল।",
     ["llamacon", "eu_privacy"]),
])
def test_a_count_before_a_colon_announces_the_questions(real: Responder, asked: str,
                                                        expected: list[str]) -> None:
    """"three bullets: X, Y and Z." asks each item, though the sentence ends with a full stop
    as a story's does (it had been read whole, as one story, and answered nothing)."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == expected


def test_a_colon_without_a_count_announces_nothing(real: Responder) -> None:
    [turn] = play(Conversation(real), "Q4 2024: what did Zuckerberg say about Llama?", start=NOW)
    assert facts(turn) == ["zuckerberg_outlook"]


@pytest.mark.parametrize("asked", ["o jante chay llama ki, ar llamacon kobe?",
                                   "ও জানতে চায় লামা কী, আর লামাকন কবে?"])
def test_wanting_is_grammar(real: Responder, asked: str) -> None:
    """"চায়" (wants) is grammar as "চাই" is: spelled as "চেয়ে" (than) is folded, it had
    pulled "what is Llama" to DeepSeek's fact ("better than Llama")."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["what_is_llama", "llamacon"]


def test_the_whole_message_settles_an_unsure_part(real: Responder) -> None:
    """A part unsure of the fact the whole message answers surely is that fact, beside the
    other part's: the whole alone had answered the ethics fact and dropped the lawsuit."""
    [turn] = play(Conversation(real), "What's the story with the copyright lawsuit? and what "
                  "bigger ethical lesson does the report draw?", start=NOW)
    assert facts(turn) == ["copyright_lawsuit", "ethics_legal"]


def test_a_last_clause_opening_as_a_question_is_one(real: Responder) -> None:
    """"...and why is it so popular with them" has no "?", but opens as an English question:
    a part of its own, not a tail of the first (only the popularity had been answered)."""
    [turn] = play(Conversation(real), "which companies use llama and why is it so popular "
                  "with them", start=NOW)
    assert facts(turn) == ["corporate_adopters", "versatility"]


@pytest.mark.parametrize("asked", ["আমার ছোট বোন জানতে চায় লামা কী",
                                   "my little sister asked me what llama is",
                                   "amar baba jante chay llama ki"])
def test_who_asks_is_not_what_is_asked(real: Responder, asked: str) -> None:
    """"my little sister wants to know": the words naming who asks ("ছোট বোন") are no fact's,
    and had made the question the fallback."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["what_is_llama"]


def test_who_asks_does_not_make_another_company_ours(real: Responder) -> None:
    [turn] = play(Conversation(real), "আমার বস জানতে চায় গুগল এআইতে কত টাকা খরচ করবে",
                  start=NOW)
    assert facts(turn) == []


@pytest.mark.parametrize(("first", "then"), [
    ("deepseek r1 naki llama ke hariye dise?", "tahole meta ki kichu kortese eta niye?"),
    ("মেটা কি ডিপসিকের কারণে চাপে আছে?", "তো মেটা এখন কী করছে?"),
])
def test_what_a_subject_does_about_the_last_answer(real: Responder, first: str,
                                                   then: str) -> None:
    """After DeepSeek's fact, "what is Meta doing?" (its name, a question word, "do") asks
    the fact next to it that is Meta's own and about DeepSeek: the war rooms. It had been
    DeepSeek's fact again, or Zuckerberg's hopes."""
    turns = play(Conversation(real), first, then, start=NOW)
    assert [facts(t) for t in turns] == [["deepseek_r1"], ["war_rooms"]]


@pytest.mark.parametrize(("first", "then", "fact"), [
    ("deepseek r1 naki llama ke hariye dise?", "ora ki metar cheye bhalo kortese?",
     "deepseek_r1"),  # a comparison: DeepSeek doing better than Meta
    ("কারা কারা লামা ব্যবহার করে?", "মেটা কী করবে?", "corporate_adopters"),  # no subject's fact
    ("meta war room banaiche keno?", "so what is meta doing now?", "war_rooms"),  # Meta's own
])
def test_what_a_subject_does_stays_where_it_was(real: Responder, first: str, then: str,
                                                fact: str) -> None:
    turns = play(Conversation(real), first, then, start=NOW)
    assert facts(turns[1]) == [fact]


def test_against_is_grammar(real: Responder) -> None:
    """"against" is a preposition, no word of a fact: spelled out, it had read as the
    LlamaCon fact's "অনুষ্ঠিত" and answered it after the war rooms."""
    turns = play(Conversation(real), "meta war room banaiche keno?", "who is it against?",
                 start=NOW)
    assert facts(turns[1]) == ["war_rooms"]


@pytest.mark.parametrize("then", ["ডোরড্যাশের মালিক কে?", "who owns spotify?"])
def test_what_a_named_company_is_not_told(real: Responder, then: str) -> None:
    """The adopters' fact names DoorDash and Spotify and tells nothing else of them: who
    owns one is not in the article (it had been the adopters' fact again)."""
    turns = play(Conversation(real), "কারা কারা লামা ব্যবহার করে?", then, start=NOW)
    assert facts(turns[1]) == []


@pytest.mark.parametrize("then", ["আর ডোরড্যাশ?", "ডোরড্যাশ কি এটা ব্যবহার করে?",
                                  "স্পটিফাই ছাড়া আর কোন কোম্পানি?"])
def test_a_named_company_asked_of_the_list_is_the_list(real: Responder, then: str) -> None:
    turns = play(Conversation(real), "কারা কারা লামা ব্যবহার করে?", then, start=NOW)
    assert facts(turns[1]) == ["corporate_adopters"]


def test_meta_is_not_only_named(real: Responder) -> None:
    turns = play(Conversation(real), "ডিপসিক আর১ কী?", "তো মেটা কী করল?", start=NOW)
    assert facts(turns[1]) == ["war_rooms"]


@pytest.mark.parametrize("then", ["সেটা টাকায় কত হয়?", "amader takay koto hoy?",
                                  "what's that in rupees?", "৮০ বিলিয়ন ডলার বাংলাদেশি টাকায় কত?"])
def test_dollars_in_another_currency_are_not_told(real: Responder, then: str) -> None:
    """The article gives Meta's spending in dollars only: the same in taka or rupees is
    not in it (it had been the spending fact again)."""
    turns = play(Conversation(real), "মেটা এআই-তে কত টাকা খরচ করবে?", then, start=NOW)
    assert facts(turns[1]) == []


@pytest.mark.parametrize("then", ["ডলারে না টাকায়?", "কেন এত টাকা?"])
def test_which_currency_is_told(real: Responder, then: str) -> None:
    turns = play(Conversation(real), "মেটা এআই-তে কত টাকা খরচ করবে?", then, start=NOW)
    assert facts(turns[1]) == ["ai_investment"]


@pytest.mark.parametrize("turns", [
    ["মেটা এআই যেটার কথা বললেন, সেটা কোন কোন অ্যাপে আছে?"],
    ["llama ki?", "meta ai jetar kotha bolle, seta kon kon app e ache?"],
])
def test_a_relative_pronoun_is_grammar(real: Responder, turns: list[str]) -> None:
    """"যেটার" / "jetar" (which, whose) is grammar as "যার" is: it had made the question of
    Meta AI's apps unsure, or Llama's launch."""
    played = play(Conversation(real), *turns, start=NOW)
    assert facts(played[-1]) == ["meta_ai_assistant"]


def test_after_more_the_fact_told_is_asked_of(real: Responder) -> None:
    """"আরও বলো" moves the talk to the fact it tells, as a button's tap does: "koto taka?"
    next asks of the war rooms' story (Meta's spending), not of DeepSeek's fact before it
    (it had been "not in the article" of DeepSeek)."""
    turns = play(Conversation(real), "deepseek ki llama ke harai dise?", "aro bolo",
                 "koto taka?", start=NOW)
    assert [facts(t) for t in turns] == [["deepseek_r1"], ["war_rooms"], ["ai_investment"]]
    assert "ওয়ার রুম" in turns[1].context.question


def test_a_list_announced_in_a_few_words_with_a_plea_after_it(real: Responder) -> None:
    """"তিনটা পয়েন্ট রাখতে চাই: X, Y, আর Z। একটু help করো please?": three words between the
    count and the colon still announce the list, and the plea after it is talk, no part
    to offer as "did you mean help?" (it had been that alone)."""
    [turn] = play(Conversation(real), "আমার স্লাইডে তিনটা পয়েন্ট রাখতে চাই: লামা কবে আসে, কারা "
                  "ব্যবহার করে, আর লামাকন কবে। একটু help করো please?", start=NOW)
    assert facts(turn) == ["launch_2023", "corporate_adopters", "llamacon"]
    assert len(turn.answers) == 3


def test_apart_from_that_is_another_question(real: Responder) -> None:
    """"eta chara" (apart from that) opens another question, answered as a first one: its
    words had made Meta's spending unsure."""
    turns = play(Conversation(real), "llamacon kobe hobe?",
                 "accha eta chara meta AI te koto taka dhalche?", start=NOW)
    assert facts(turns[1]) == ["ai_investment"]


def test_apart_from_that_asking_nothing_new_asks_for_more(real: Responder) -> None:
    turns = play(Conversation(real), "লামাকন কবে?", "ওটা ছাড়া আর কী?", start=NOW)
    assert facts(turns[1]) and facts(turns[1]) != ["llamacon"]


def test_an_objection_typed_in_latin_letters(real: Responder) -> None:
    """Knowledge: "aponti" is "আপত্তি" (objection), typed in Latin letters: it had been a word
    no example knew, and the question Llama's own fact."""
    [turn] = play(Conversation(real), "license niye keu aponti koreche?", start=NOW)
    assert facts(turn) == ["license_criticism"]


@pytest.mark.parametrize(("first", "then"), [
    ("what is llama exactly?", "is it the same one that's behind the AI chat in whatsapp?"),
    ("লামা জিনিসটা আসলে কী?", "ফেসবুক আর হোয়াটসঅ্যাপের সাথে এর কী সম্পর্ক?"),
])
def test_an_app_next_door_is_the_fact_next_door(real: Responder, first: str,
                                                then: str) -> None:
    """After what Llama is, a question naming WhatsApp that alone is unsure of Meta AI's fact
    (the last answer's next, about the apps) asks that fact; it had stayed "did you mean"."""
    turns = play(Conversation(real), first, then, start=NOW)
    assert facts(turns[1]) == ["meta_ai_assistant"]


def test_a_person_next_door_is_not_the_fact_next_door(real: Responder) -> None:
    turns = play(Conversation(real), "What exactly is Llama from Meta?",
                 "Will Zuckerberg give the keynote?", start=NOW)
    assert facts(turns[1]) == []


@pytest.mark.parametrize(("then", "fact"), [
    ("ওদের আপত্তিটা ঠিক কী নিয়ে ছিল?", ["eu_privacy"]),  # what it is about: told
    ("ঠিক কোন কোন দেশ আপত্তি করেছে?", []),  # which countries exactly: not told
])
def test_exactly_what_it_is_about_is_told(real: Responder, then: str, fact: list[str]) -> None:
    """"ঠিক কী নিয়ে" (exactly what about) asks what the thing is about, which its fact tells
    (privacy), as "ঠিক কী বোঝায়" asks what a word means: it had insisted on a detail."""
    turns = play(Conversation(real), "ইউরোপে লামা আটকে গেল কেন?", then, start=NOW)
    assert facts(turns[1]) == fact
