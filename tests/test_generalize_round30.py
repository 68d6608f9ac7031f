"""Mechanisms learned in the thirtieth round. Each mechanism has a test that fails
without it; the other tests guard what it must leave as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("asked", ["is it metas first one?", "is it meta's first one?"])
def test_a_possessive_typed_without_its_apostrophe_is_the_name(real: Responder,
                                                              asked: str) -> None:
    """"metas" is Meta's (an alias of Meta), not a word no fact knows, which had made the
    question about LlamaCon "not in the article"."""
    turns = play(Conversation(real), "wht is llamacon n when is it", asked, start=NOW)
    assert [facts(t) for t in turns] == [["llamacon"], ["llamacon"]]


@pytest.mark.parametrize(("first", "then", "fact"), [
    ("Llama first launched in 2023, right?", "what about the EU situation?", "eu_privacy"),
    ("লামা প্রথম কবে এসেছিল?", "তখন থেকে এর অবস্থা কেমন?", "launch_2023"),
])
def test_the_state_of_things_asks_of_the_subject(real: Responder, first: str, then: str,
                                                 fact: str) -> None:
    """"situation", "অবস্থা" ask how things stand with the subject named, not a subject of
    their own: "what about the EU situation?" had been the fallback, and "এর অবস্থা" the
    ethics fact."""
    turns = play(Conversation(real), first, then, start=NOW)
    assert facts(turns[1]) == [fact]


@pytest.mark.parametrize("asked", ["আইচ্ছা, ডিপসিক কী? নাম খালি শুনতেছি",
                                   "what is deepseek? only heard the name"])
def test_an_aside_after_the_question_is_not_asked(real: Responder, asked: str) -> None:
    """A few words after the question's "?" that ask nothing ("I've only heard the name")
    are the asker's aside: "নাম" (name) had made it a question of someone's personal
    details."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["deepseek_r1"]


def test_an_aside_does_not_make_another_subject_ours(real: Responder) -> None:
    """Words after the question that name a subject are no aside: Google's spending stays
    out of scope (read without them, it is Meta's)."""
    asked = ("মেটার বিনিয়োগের কথা তো সবাই জানে। গুগল এই বছর এআইয়ের পিছে কত টাকা ঢালতাছে "
             "কন তো? দুলাভাই গুগলের শেয়ার কিনছে")
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == []


@pytest.mark.parametrize(("asked", "fact"), [
    ("মাল্টিমোডাল মডেল বলতে ঠিক কী বোঝানো হচ্ছে?", "multimodal"),
    ("what exactly is meant by agentic?", "agentic"),
])
def test_what_a_word_means_exactly_is_its_fact(real: Responder, asked: str, fact: str) -> None:
    """"ঠিক কী" insists on a detail, but what a word means "exactly" is what the fact that
    uses it tells, not a detail of a future release the article lacks."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == [fact]


def test_exactly_when_still_insists(real: Responder) -> None:
    """"বলতে পারবে" is "can you tell": the exact release date stays not in the article."""
    turns = play(Conversation(real), "লামার নতুন রিজনিং মডেল কবে আসবে?",
                 "exact release date টা বলতে পারবে?", start=NOW)
    assert facts(turns[1]) == []


def test_since_then_counts_from_the_last_answer(real: Responder) -> None:
    """"since then" points at the launch's date: the downloads asked are not a detail of
    the launch (only the launch's examples say "since"), which had been "not in the
    article"."""
    turns = play(Conversation(real), "Llama first launched in 2023, right?",
                 "and since then how many downloads?", start=NOW)
    assert [facts(t) for t in turns] == [["launch_2023"], ["downloads_milestone"]]


def test_what_these_mean_reads_the_last_two(real: Responder) -> None:
    """"এগুলোর তাৎপর্য কী?" (what do these signify) after Europe's troubles and the lawsuit
    is the fact that reads both, as "এগুলো থেকে কী বোঝা যায়?" is: the word of meaning right
    after "these" had kept it on the lawsuit."""
    turns = play(Conversation(real), "EU-তে Llama launch নিয়া কী ঝামেলা হইছে?",
                 "আর copyright case টা?", "এগুলোর তাৎপর্য কী?", start=NOW)
    assert [facts(t) for t in turns] == [["eu_privacy"], ["copyright_lawsuit"], ["ethics_legal"]]


@pytest.mark.parametrize("asked", ["can people in the EU use Llama?",
                                   "Switching gears: can people in the EU use Llama?"])
def test_the_one_fact_about_a_place_answers_of_it(real: Responder, asked: str) -> None:
    """All the article says of the EU is Europe's fact: using Llama there is what it tells
    (the rollout held up), not what Llama can be used for, which is no place's and had
    made the question "not in the article"."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["eu_privacy"]


def test_a_place_fact_does_not_answer_another_subject(real: Responder) -> None:
    """A subject the place's fact is not about still rules it out."""
    [turn] = play(Conversation(real), "Does Netflix use Llama in Europe?", start=NOW)
    assert facts(turn) == []


@pytest.mark.parametrize("then", ["open source niye onar view ta thik ki?",
                                  "ওপেন সোর্স মডেল নিয়ে আসলে ওনার ধারণা কী?"])
def test_his_view_is_the_person_s_answer(real: Responder, then: str) -> None:
    """"onar" (his), late in a longer message, points at Zuckerberg as it does up front:
    his view of open source, not Meta's open-source strategy, which the words alone read;
    and what exactly he thinks is what his fact tells, not a detail it lacks."""
    turns = play(Conversation(real), "zuckerberg earnings call e llama niye ki bolechilo?",
                 then, start=NOW)
    assert [facts(t) for t in turns] == [["zuckerberg_outlook"], ["zuckerberg_outlook"]]


def test_chat_shorthand_for_a_conference(real: Responder) -> None:
    """"dev conf" is a developer conference ("conf" had been a word no example uses)."""
    turns = play(Conversation(real), "when is llamacon?",
                 "is it meta's first dev conf or have they done this before", start=NOW)
    assert [facts(t) for t in turns] == [["llamacon"], ["llamacon"]]


@pytest.mark.parametrize(("asked", "fact"), [
    ("লামা নিজে কি ফ্রি?", "ecosystem_strategy"),
    ("লামা কি নিজে থেকে কাজ করতে পারবে?", "agentic"),
    ("লামা কি নিজে থেইকা একশন নিতে পারবো কোনদিন?", "agentic"),
])
def test_itself_is_emphasis_on_its_own_is_agentic(real: Responder, asked: str,
                                                  fact: str) -> None:
    """"নিজে" after a name is "itself", emphasis ("is Llama itself free?" had been the agentic
    features); "নিজে থেকে" (on its own), in the spoken forms too, is acting on its own."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == [fact]


def test_a_plural_typed_apart_is_still_the_noun(real: Responder) -> None:
    """"company ra" (companies, the ending typed as a word) had joined into "কোম্পানির"
    (whose company?), which asks what Llama is; it is the companies that use it."""
    [turn] = play(Conversation(real), "ar boro company ra?", start=NOW)
    assert facts(turn) == ["corporate_adopters"]


def test_a_word_split_in_two_still_joins(real: Responder) -> None:
    """Joining stays for a word typed in two ("llama con" is LlamaCon)."""
    [turn] = play(Conversation(real), "llama con kobe", start=NOW)
    assert facts(turn) == ["llamacon"]


@pytest.mark.parametrize(("first", "then", "fact"), [
    ("স্পটিফাই কি লামা ব্যবহার করে?", "আর কোন কোম্পানি?", "corporate_adopters"),
    ("meta ai kon kon app e ache?", "আর কোন কোন অ্যাপে?", "meta_ai_assistant"),
    ("who uses llama?", "which other companies?", "corporate_adopters"),
])
def test_any_other_of_the_answer_s_list_is_that_answer(real: Responder, first: str,
                                                       then: str, fact: str) -> None:
    """"আর কোন কোম্পানি?" (which other companies?) after the companies that use Llama asks
    more of the answer's own list, which names all the article knows: not the next fact
    (the many uses of Llama, or what Llama is), as "anything else" would."""
    turns = play(Conversation(real), first, then, start=NOW)
    assert [facts(t) for t in turns] == [[fact], [fact]]


def test_any_other_of_something_else_moves_on(real: Responder) -> None:
    """"any other legal trouble?" after Europe's troubles still asks another fact."""
    turns = play(Conversation(real), "EU te llama niye ki jhamela?", "any other legal trouble?",
                 start=NOW)
    assert facts(turns[1]) not in ([], ["eu_privacy"])
