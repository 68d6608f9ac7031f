"""Mechanisms learned in the seventeenth round. Each test fails without its mechanism."""

from __future__ import annotations

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import _SWITCH, Conversation
from bot.core.normalize import clean
from bot.core.synonyms import Synonyms


@pytest.mark.parametrize(("follow", "fact"), [
    ("Who filed it?", None),
    ("is that case still going on?", "copyright_lawsuit"),
])
def test_a_follow_up_moves_on_only_with_a_word_of_the_new_fact(
        real: Responder, follow: str, fact: str | None) -> None:
    """After the lawsuit, "who filed it?" read with Llama is "who made Llama?", and "that
    case" alone is Llama's use cases: neither fact holds a word the message brings, so the
    talk stays on the lawsuit (which does not say who filed it)."""
    turns = play(Conversation(real), "What's the copyright lawsuit against Meta over Llama about?",
                 follow)
    assert facts(turns[1]) == ([fact] if fact else [])
    if fact is None:
        assert turns[1].answer.kind is AnswerKind.NOT_IN_ARTICLE


@pytest.mark.parametrize("switch", ["Switching gears:", "Unrelated, but", "moving on,",
                                    "প্রসঙ্গ পাল্টাই—", "যাই হোক,", "separate q:", "switching:",
                                    "ভিন্ন প্রসঙ্গ।"])
def test_a_new_topic_announced_is_answered_as_a_first_question(
        real: Responder, switch: str) -> None:
    """"Switching gears: what is Meta AI?" in the middle of a talk about the lawsuit: the
    lead-in is no question, and its unknown words must not veto the one that follows."""
    turns = play(Conversation(real), "মেটার বিরুদ্ধে কপিরাইট মামলা কী নিয়ে?",
                 f"{switch} what is Meta AI?")
    assert facts(turns[1]) == ["meta_ai_assistant"]


@pytest.mark.parametrize(("message", "fact"), [
    ("কাল বন্ধুর সাথে খুব তর্ক হলো! ও বলল মেটা নাকি ‘ওয়ার রুম’ বানিয়েছে। ওটা আসলে কী কাজে তৈরি?",
     "war_rooms"),
    ("I'm new to all this and my team keeps mentioning it in meetings. "
     "What exactly is Llama and who makes it?", "what_is_llama"),
])
def test_a_question_opening_on_a_pointer_is_read_with_the_sentence_before(
        real: Responder, message: str, fact: str) -> None:
    """"ওটা" opening the last sentence of a story is what the sentence before named (the war
    rooms), not whatever "what was it made for" alone is closest to; "it" later in a
    question points within it."""
    turns = play(Conversation(real), message)
    assert facts(turns[0]) == [fact]


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("মেটার বিরুদ্ধে কপিরাইট মামলা কী নিয়ে?", "কোন বই?", None),
    ("ইউরোপে লামা কেন আটকে গেল?", "kon desh?", None),
    ("ইউরোপে লামা কেন আটকে গেল?", "কুন কুন দেশ?", None),
    ("কোন চীনা মডেল লামাকে ছাড়িয়ে গেছে?", "kon desh?", "deepseek_r1"),
    ("মেটা এআই-তে এ বছর কত খরচ করবে?", "kon bochor?", "ai_investment"),
])
def test_which_one_by_name_is_answered_only_by_a_fact_that_names_it(
        real: Responder, first: str, follow: str, fact: str | None) -> None:
    """"কোন বই?" after the lawsuit asks which books: "some e-books" names none, nor does
    "several EU countries" name a country; DeepSeek's answer names China."""
    turns = play(Conversation(real), first, follow)
    assert facts(turns[1]) == ([fact] if fact else [])


def test_a_phrase_with_a_case_ending_meets_its_group() -> None:
    """"প্রধান নির্বাহীর" (the chief executive's) is the group's "প্রধান নির্বাহী" with a
    genitive, as "খরচের" is "খরচ"; only the last word takes the ending."""
    synonyms = Synonyms([["সিইও", "প্রধান নির্বাহী"]])
    assert synonyms.rewrite(clean("প্রধান নির্বাহীর মতে").split()) == ["সিইও", "মতে"]
    assert synonyms.rewrite(clean("প্রধানের নির্বাহী").split()) == clean("প্রধানের নির্বাহী").split()


def test_the_chief_executives_goal_is_zuckerbergs(real: Responder) -> None:
    turns = play(Conversation(real), "প্রধান নির্বাহীর ভাষ্যমতে এ বছর লামা নিয়ে মেটার লক্ষ্য কী?")
    assert facts(turns[0]) == ["zuckerberg_outlook"]


@pytest.mark.parametrize(("text", "entity"), [
    ("ওপেন এআইয়ের নতুন মডেল", "openai"), ("মেটা এআইয়ের কাজ কী?", "meta_ai")])
def test_a_name_ending_in_a_vowel_takes_its_genitive(real: Responder, text: str,
                                                     entity: str) -> None:
    """"এআইয়ের": after a vowel the genitive is "-য়ের"; "মেটা এআইয়ের" is Meta AI, not only
    Meta, and the subject check must know it."""
    assert entity in real.subjects.named(real.matcher.key(text))


@pytest.mark.parametrize("turns", [
    ("Llama ki sotti 1 billion download cross korse?", "eta ki bojhay?",
     "monthly koto download hoy?"),
    ("লামাকন কী?", "কবে হবে?", "সম্মেলনে কারা বক্তব্য রাখবেন?"),
])
def test_a_figure_for_a_month_or_the_speakers_are_not_in_the_article(
        real: Responder, turns: tuple[str, ...]) -> None:
    """A total is not a month's figure, and an event's host is not its speakers: the article
    says neither."""
    played = play(Conversation(real), *turns)
    assert facts(played[-2])
    assert facts(played[-1]) == []


@pytest.mark.parametrize(("question", "fact"), [
    ("ওয়ার রুম বানানোর পেছনে reason টা কী?", "war_rooms"),
    ("can the new Llama models reason?", "reasoning_models"),
])
def test_the_reason_is_a_cause_and_to_reason_is_reasoning(
        real: Responder, question: str, fact: str) -> None:
    """"reason টা কী" asks why, not about the models that reason step by step."""
    assert facts(play(Conversation(real), question)[0]) == [fact]


@pytest.mark.parametrize("question", [
    "মাল্টিমোডাল লামা কি ভিডিও বুঝতে পারবে?",
    "মাল্টিমোডাল লামা কি বাংলা বুঝবে?",
    "Will the multimodal Llama generate images too?",
])
def test_media_and_languages_the_article_does_not_name_are_not_in_it(
        real: Responder, question: str) -> None:
    """The multimodal fact names text, pictures and sound: video, Bengali or making
    pictures is not what it says."""
    answer = play(Conversation(real), question)[0].answer
    assert answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert answer.suggestions[:1] == ("multimodal",)


def test_which_model_gets_it_first_is_not_in_the_article(real: Responder) -> None:
    turns = play(Conversation(real), "লামায় এজেন্টিক ফিচার আসবে?", "কোন মডেলে প্রথম আসবে?")
    assert facts(turns[0]) == ["agentic"]
    assert facts(turns[1]) == []


def test_came_out_in_its_spoken_form_is_a_launch(real: Responder) -> None:
    """"বেরিয়েছিল" is "বের হয়েছিল" said in one word: after "what is Llama?", "when did it
    come out?" is its launch."""
    turns = play(Conversation(real), "লামা কী?", "কবে বেরিয়েছিল?")
    assert facts(turns[1]) == ["launch_2023"]


@pytest.mark.parametrize("message", [
    "আমি আইন পড়ি, মেধাস্বত্ব নিয়ে থিসিস লিখছি। লামার কপিরাইট মামলা আর ইউরোপের প্রাইভেসি "
    "ঝামেলা নিয়েও পড়েছি। প্রতিবেদন এসব ঘটনা থেকে এআই তৈরির ক্ষেত্রে কোন বড় বার্তা দেয়?",
])
def test_the_message_of_two_stories_is_their_lesson(real: Responder, message: str) -> None:
    """"কোন বড় বার্তা দেয়" asks the lesson the report draws, as "কী শিক্ষা" does."""
    assert facts(play(Conversation(real), message)[0])[:1] == ["ethics_legal"]


@pytest.mark.parametrize("follow", ["এতে Meta কী react করলো?", "how's Meta responding?"])
def test_metas_response_to_deepseek_is_the_war_rooms(real: Responder, follow: str) -> None:
    turns = play(Conversation(real), "কোন চীনা মডেল লামাকে ছাড়িয়ে গেছে?", follow)
    assert facts(turns[1]) == ["war_rooms"]


@pytest.mark.parametrize(("question", "fact"), [
    ("why do developers choose open models when closed ones exist?", "open_source_interest"),
    ("When is LlamaCon?", "llamacon"),
])
def test_when_after_another_question_word_joins_a_clause(
        real: Responder, question: str, fact: str) -> None:
    """"why ... when closed ones exist?" asks why, not when: its "when" joins a clause."""
    assert facts(play(Conversation(real), question)[0]) == [fact]


def test_genai_is_generative_ai(real: Responder) -> None:
    """"জেনএআই" is the article's "জেনারেটিভ AI" shortened: unknown, it let a decline win."""
    message = "শুনলাম মেটার নিজের একটা জেনএআই কনফারেন্স হবে। ওটার নাম কী আর কবে?"
    assert facts(play(Conversation(real), message)[0])[:1] == ["llamacon"]


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("মেটা কি মাল্টিমোডাল লামা বানাচ্ছে?", "কবে রিলিজ হবে?", None),
    ("লামাকন কী?", "কবে হবে?", "llamacon"),
    ("লামায় কি রিজনিং আসবে?", "কবে আসবে?", "reasoning_models"),
])
def test_when_it_will_come_out_is_not_the_year_llama_first_did(
        real: Responder, first: str, follow: str, fact: str | None) -> None:
    """"কবে রিলিজ হবে?" asks a time still ahead: Llama's first launch in 2023 does not
    tell it; LlamaCon's date and the new models' "coming months" do."""
    turns = play(Conversation(real), first, follow)
    assert facts(turns[1]) == ([fact] if fact else [])


def test_another_of_the_same_kind_leans_on_the_last_answer(real: Responder) -> None:
    """"আর অন্য কোনো আইনি ঝামেলা?" after Europe's trouble answers alone as the ethics fact;
    "অন্য" asks for another legal trouble than Europe's: the lawsuit."""
    turns = play(Conversation(real), "ইউরোপে লামা কেন আটকে গেল?", "আর অন্য কোনো আইনি ঝামেলা?")
    assert facts(turns[1]) == ["copyright_lawsuit"]


@pytest.mark.parametrize(("question", "fact"), [
    ("Why are companies and devs picking open models when closed ones are available?",
     "open_source_interest"),
    ("meta ai capex this year?", "ai_investment"),
])
def test_nouns_joined_by_and_do_not_end_the_clause_and_capex_is_spending(
        real: Responder, question: str, fact: str) -> None:
    assert facts(play(Conversation(real), question)[0]) == [fact]


def test_which_country_meta_is_from_is_not_deepseeks_china(real: Responder) -> None:
    """Examples "ডিপসিক কোন দেশের কোম্পানি?" taught DeepSeek's fact to answer which country
    a company is from; Meta, which that fact mentions, then got "a Chinese lab" (found by
    the review end-to-end test). The examples were taken back."""
    answer = play(Conversation(real), "মেটা কোন দেশের কোম্পানি?")[0].answer
    assert answer.kind is not AnswerKind.FACT


def test_what_else_does_not_tell_the_same_fact_again(real: Responder) -> None:
    turns = play(Conversation(real), "Will Llama get agents that act on their own?",
                 "what else is coming?")
    assert facts(turns[0]) == ["agentic"]
    assert facts(turns[1]) not in ([], ["agentic"])


@pytest.mark.parametrize("follow", ["who complained about it?", "ওটা নিয়ে লোকজন এত crib করে কেন?"])
def test_complaining_is_criticism(real: Responder, follow: str) -> None:
    turns = play(Conversation(real), "মেটা কেন লামা ফ্রি দেয়?", follow)
    assert facts(turns[1]) == ["license_criticism"]


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("মেটা কি মাল্টিমোডাল লামা বানাচ্ছে?", "which data types?", "multimodal"),
    ("লামা কী?", "the copyright suit is about what?", "copyright_lawsuit"),
])
def test_suit_is_a_lawsuit_and_types_are_kinds(real: Responder, first: str, follow: str,
                                                fact: str) -> None:
    assert facts(play(Conversation(real), first, follow)[1]) == [fact]


@pytest.mark.parametrize(("message", "expected"), [
    ("On the January earnings call, what did Zuckerberg say about Llama and open source?",
     ["zuckerberg_outlook"]),
    ("What is Llama and LlamaCon?", ["what_is_llama", "llamacon"]),
])
def test_the_last_object_of_a_question_is_no_question_of_its_own(
        real: Responder, message: str, expected: list[str]) -> None:
    """"...about Llama and open source?": "open source?" closes the question's list of what
    it asks about; "and LlamaCon?" names a subject of its own, asked about too."""
    assert facts(play(Conversation(real), message)[0]) == expected


def test_where_a_suit_stands_asks_its_course_not_a_place(real: Responder) -> None:
    turns = play(Conversation(real), "লামাকন কী?", "where does the copyright suit stand?")
    assert facts(turns[1]) == ["copyright_lawsuit"]


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("DeepSeek R1 কী?", "tara kun desher?", "deepseek_r1"),
    ("meta ai ki?", "ita kun jinish diya chole?", "meta_ai_assistant"),
])
def test_sylheti_question_words_in_latin_letters_are_grammar(
        real: Responder, first: str, follow: str, fact: str) -> None:
    """"kun" (which), "kita" (what), "hokol" (all) were unknown words, and an unknown word
    makes a follow-up "the article does not say"."""
    assert facts(play(Conversation(real), first, follow)[1]) == [fact]


def test_a_question_beginning_with_switching_is_no_lead_in() -> None:
    """"Switching costs…?" asks about switching; only "switching:" announces a topic."""
    assert _SWITCH.match("switching: what is Meta AI?") is not None
    assert _SWITCH.match("Switching costs for Llama are high?") is None


@pytest.mark.parametrize(("follow", "fact"), [
    ("এইটা কি খালি লামার জন্য?", "ai_investment"),
    ("is that only for Llama?", "ai_investment"),
    ("এর কত অংশ শুধু লামার জন্য?", None),
])
def test_whether_the_last_answer_is_only_about_what_it_names_is_that_answer(
        real: Responder, follow: str, fact: str | None) -> None:
    """"is it only for Llama?" after Meta's AI spending asks how far that answer reaches
    (AI projects), not what Llama is; "how much of it for Llama" is a share none tells."""
    turns = play(Conversation(real), "মেটা এ বছর এআইতে কত খরচ করবে?", follow)
    assert facts(turns[1]) == ([fact] if fact else [])


@pytest.mark.parametrize("more", ["aro kita ase kou", "elaborate a bit more",
                                  "aro kichu kou ita lagi"])
def test_asking_for_more_in_sylheti_or_with_a_bit_is_more(real: Responder, more: str) -> None:
    turns = play(Conversation(real), "লামা কী?", more)
    assert facts(turns[1]) not in ([], ["what_is_llama"])


def test_english_words_of_time_and_telling_are_grammar(real: Responder) -> None:
    """"always", "now", "told" are no subject of a story: unknown, they outweighed it."""
    message = ("Zuck is always hyping something, first the metaverse, now AI. I missed the "
               "Q4 2024 earnings call. What did he say about Llama there?")
    assert facts(play(Conversation(real), message)[0]) == ["zuckerberg_outlook"]
