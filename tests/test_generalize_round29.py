"""Mechanisms learned in the twenty-ninth round. Each mechanism has a test that fails
without it; the other tests guard what it must leave as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.asks import Asked
from bot.core.conversation import Conversation
from bot.core.normalize import clean

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("asked", ["What exactly is Llama from Meta, in plain words?",
                                   "Explain Llama in plain English"])
def test_in_plain_words_says_how_to_answer(real: Responder, asked: str) -> None:
    """"in plain words" asks for a plain answer: "plain" is no "plan" (Meta's spending
    plan), and the message is one question, not two."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["what_is_llama"]


@pytest.mark.parametrize("asked", ["আচ্ছা, জাকারবার্গ সাহেব লামা নিয়া কী কইছেন?",
                                   "zuckerberg saheb llama niye ki bolse?",
                                   "What did Mr Zuckerberg say about Llama?"])
def test_a_title_before_a_name_is_courtesy(real: Responder, asked: str) -> None:
    """"সাহেব", "জনাব", "Mr" are courtesy around a name, not a subject the bot lacks."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["zuckerberg_outlook"]


@pytest.mark.parametrize("asked", ["সহজ বাংলায় বলো লামা কী", "lama ki sohoj banglay bolo",
                                   "Explain Llama in plain English",
                                   "What is Llama? explain in english please"])
def test_the_language_asked_in_is_how_to_answer(real: Responder, asked: str) -> None:
    """"সহজ বাংলায় বলো" (say it in simple Bengali): the language or manner an answer is
    asked in is no subject (it had been "other AI products", or small talk about English)."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["what_is_llama"]


@pytest.mark.parametrize("asked", ["does Llama work in Bangla?", "লামা কি বাংলায় কথা বলতে পারে?",
                                   "can you tell me if llama works in bangla?"])
def test_a_language_asked_about_stays_asked(real: Responder, asked: str) -> None:
    """Whether Llama speaks Bengali is a question the article has no answer to."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == []


@pytest.mark.parametrize("asked", ["ইউরোপে কী ধরনের বাধা এসেছে?", "আর ইউরোপে কী ধরনের বাধা এসেছে?"])
def test_the_one_fact_about_a_place_named(real: Responder, asked: str) -> None:
    """Europe's fact is the only one about Europe: "what obstacles came up in Europe?" is
    answered by it, not offered as the one "did you mean"."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["eu_privacy"]


def test_a_detail_of_the_place_fact_stays_missing(real: Responder) -> None:
    [turn] = play(Conversation(real), "ইউরোপে লামার দাম কত?", start=NOW)
    assert facts(turn) == []


@pytest.mark.parametrize("asked", ["আর ওই চিনা কোম্পানিটা? ডিপসিক না কী যেন নাম",
                                   "and that chinese lab, deepseek or whatever its called?"])
def test_a_name_said_unsure_is_no_question_of_names(real: Responder, asked: str) -> None:
    """"ডিপসিক না কী যেন নাম" (DeepSeek, or whatever its name is) asks of DeepSeek, not
    of anyone's name (it had been the decline of people's personal details)."""
    _, turn = play(Conversation(real), "মেটা এবছর এআই-তে কত টাকা ঢালবে?", asked, start=NOW)
    assert facts(turn) == ["deepseek_r1"]


@pytest.mark.parametrize("asked", ["ভবিষ্যতে কি এগুলো আরও গুরুত্বপূর্ণ হয়ে উঠবে?",
                                   "ভবিষ্যতে এইগুলির গুরুত্ব কীরূপ হইবে?"])
def test_these_said_in_the_last_answers_words_stay(real: Responder, asked: str) -> None:
    """"Will these matter more in future?" after the lesson of the lawsuit and Europe: the
    lesson's answer says they will; "these" are not Llama's future, whose words are as
    close."""
    first, turn = play(Conversation(real), "কপিরাইট মামলা ও গোপনীয়তার প্রশ্নগুলো থেকে কী শিক্ষা?",
                       asked, start=NOW)
    assert facts(first) == facts(turn) == ["ethics_legal"]


def test_these_with_words_of_another_fact_move_on(real: Responder) -> None:
    """"এগুলোর জন্য কত টাকা খরচ?" after the war rooms asks the money, which their answer
    does not tell."""
    _, turn = play(Conversation(real), "মেটা ওয়ার রুম কেন বানাল?", "এগুলোর জন্য কত টাকা খরচ?",
                   start=NOW)
    assert facts(turn) == ["ai_investment"]


@pytest.mark.parametrize("asked", ["is Meta's chatbot running on Llama?",
                                   "meta r chatbot ki llama diye chole?",
                                   "মেটার চ্যাটবট কি লামায় চলে?"])
def test_metas_chatbot_is_meta_ai(real: Responder, asked: str) -> None:
    """"Meta's chatbot" names Meta AI (the article's "the company's AI assistant"); it had
    named Meta and Llama only, and no fact about both was sure."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["meta_ai_assistant"]


@pytest.mark.parametrize(("written", "read"), [("$80bn", "80 billion"), ("$65B", "65 billion"),
                                               ("80 bn", "80 billion"), ("$10m", "10 million")])
def test_a_figures_short_scale_is_spelled_out(written: str, read: str) -> None:
    assert clean(written) == read


def test_a_models_size_stays_as_written() -> None:
    """"70B" without a currency sign is a model's size in parameters, not a sum."""
    assert clean("Llama 70B") == "llama 70b"


def test_a_sum_written_short_is_the_spending(real: Responder) -> None:
    """"the $80bn figure" is Meta's AI spending; "80bn" had been one unknown word and the
    question was closest to the billion downloads."""
    _, turn = play(Conversation(real), "What did Zuckerberg say about Llama?",
                   "and the $80bn figure I keep seeing?", start=NOW)
    assert facts(turn) == ["ai_investment"]


def test_in_a_country_is_no_verb_of_asking(real: Responder) -> None:
    """"সব দেশে?" (in every country?) after Europe's delay asks of it: "দেশে" ends as a
    verb might ("-সে") but is a word of the answer, so the message is no request for more."""
    first, turn = play(Conversation(real), "ইউরোপে লামা কেন আটকাল?", "সব দেশে?", start=NOW)
    assert facts(first) == facts(turn) == ["eu_privacy"]


def test_exactly_what_kind_asks_a_kind_not_a_name(real: Responder) -> None:
    """"ঠিক কোন ধরনের লাইসেন্সে?" (under exactly what kind of license?) is told by the
    strategy's "a license of its own"; "ঠিক কোন" alone asks a name, which it had been."""
    [turn] = play(Conversation(real), "মেটা ঠিক কোন ধরনের লাইসেন্সে লামা দিচ্ছে?", start=NOW)
    assert facts(turn) == ["ecosystem_strategy"]


def test_exactly_which_still_asks_a_name(real: Responder) -> None:
    assert Asked.NAMES in real.asks.asked(real.matcher.key("ঠিক কোন ধরনের বইয়ের নাম?"))
    assert Asked.NAMES in real.asks.asked(real.matcher.key("ঠিক কোন বই?"))



@pytest.mark.parametrize("asked", [
    "facebook AI was trained on stolen books?",
    "my son says facebook AI was trained on stolen books?? is that true",
])
def test_facebook_ai_and_stolen_books(real: Responder, asked: str) -> None:
    """"Facebook AI" is Meta (its old name), not the Facebook app, which the lawsuit's fact
    does not name; "stolen" is "চুরি" (the examples' "boi churi kore"); "is that true" is
    grammar, as "সত্যি" is."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["copyright_lawsuit"]


def test_whats_the_deal_with_asks_about_it(real: Responder) -> None:
    """"what's the deal with DeepSeek?" asks what DeepSeek's story is: "deal" is the idiom's,
    no deal the article lacks."""
    [turn] = play(Conversation(real), "whats the deal with deepseek?", start=NOW)
    assert facts(turn) == ["deepseek_r1"]


def test_drama_is_controversy(real: Responder) -> None:
    _, turn = play(Conversation(real), "Which big companies are running Llama?",
                   "and the licensing drama?", start=NOW)
    assert facts(turn) == ["license_criticism"]


def test_a_question_after_a_colon_is_asked(real: Responder) -> None:
    """What comes before a colon announces the question after it ("Quick one, my manager
    asked me this morning: ..."), as a comma's story does."""
    [turn] = play(Conversation(real), "Quick unrelated one, my manager asked me this morning:"
                  " what is Meta doing to respond to DeepSeek?", start=NOW)
    assert facts(turn) == ["war_rooms"]


def test_reading_the_paper_is_story(real: Responder) -> None:
    [turn] = play(Conversation(real), "I read in the paper about privacy worries in Europe "
                  "regarding Llama. What happened there?", start=NOW)
    assert facts(turn) == ["eu_privacy"]


@pytest.mark.parametrize("asked", ["where is llama heading overall, big picture?",
                                   "where is meta heading with llama?"])
def test_where_it_is_heading_is_its_future(real: Responder, asked: str) -> None:
    """"Where is Llama heading?" asks its future, not a place: "heading" is the future's
    word, and read as written it still says the "where" is no place."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["future_outlook"]


def test_where_an_event_is_held_is_still_a_place(real: Responder) -> None:
    [turn] = play(Conversation(real), "where is llamacon being held?", start=NOW)
    assert facts(turn) == []


@pytest.mark.parametrize("asked", ["ক্লোজড-সোর্স মডেলের তুলনায় এদের সুবিধাটা কোথায়?",
                                   "where is the advantage?"])
def test_where_the_advantage_lies_is_no_place(real: Responder, asked: str) -> None:
    """"সুবিধাটা কোথায়?" (where does the advantage lie?) asks what it is: why open models
    are chosen, or what openness brings, not a place the article does not give."""
    _, turn = play(Conversation(real), "ওপেন-সোর্স ভাষা মডেলগুলোর জনপ্রিয়তা নিয়ে প্রতিবেদনটা কী বলছে?",
                   asked, start=NOW)
    assert facts(turn) in (["open_source_interest"], ["open_collaboration"])


def test_where_it_is_held_asks_a_place(real: Responder) -> None:
    assert Asked.WHERE in real.asks.asked(real.matcher.key("কোথায় হবে?"), bare=True)
