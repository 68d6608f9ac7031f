"""Mechanisms learned in the twenty-first round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Context, Conversation
from bot.core.match import Matcher
from bot.core.normalize import make_key

NOW = datetime(2025, 4, 1, tzinfo=UTC)


def test_english_grammar_words_spell_no_bengali_word() -> None:
    """Keyed by their consonants, "can" was কোন and "does" was দেশের: a Bengali question
    about a country took credit from an English example about giving Llama away. On the
    blind holdouts, keying English grammar words as themselves gave 9 more questions right
    and 9 fewer confident wrong facts."""
    assert make_key("can does").skeleton != make_key("কোন দেশের").skeleton
    matcher = Matcher([("country", "ডিপসিক কোন দেশের কোম্পানি?"),
                       ("free", "Why does Meta give it away, can anyone use it?")])
    assert [s.intent_id for s in matcher.match("কোন দেশের?").ranked] == ["country"]
    assert [s.intent_id for s in matcher.match("Why does Meta give it away?").ranked] == ["free"]


def test_an_english_grammar_word_meets_only_itself() -> None:
    """Fuzzy look-ups made "how" meet "who" and "the" meet "them": grammar is exactly itself."""
    matcher = Matcher([("who", "who is the ceo of meta"), ("what", "what is the goal of meta")])
    scores = {s.intent_id: s.score for s in matcher.match("how meta").ranked}
    assert scores["who"] == scores["what"]  # "meta" alone: "how" is not "who"


def test_a_pointer_ending_a_longer_question_leans_on_the_last_answer(
        real: Responder) -> None:
    """English ends on what it points at: "so what did Meta do about it?" (seven words, so
    only the first two were searched for a pointer) was read alone, as Zuckerberg's outlook."""
    alone = Conversation(real).reply("so what did Meta do about it?", Context(), NOW)
    assert alone.answer.fact_id != "war_rooms"
    *_, turn = play(Conversation(real), "DeepSeek R1 কী?", "so what did Meta do about it?",
                    start=NOW)
    assert facts(turn) == ["war_rooms"]


def test_a_question_how_to_download_is_no_download_count(real: Responder) -> None:
    """"How can I download Llama?" had been declined only because "can" spelled কোন; the
    decline of installing now holds an English example of downloading."""
    answer = real.ask("How can I download Llama?", NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.FALLBACK, "install_and_run")
    assert real.ask("How many times has Llama been downloaded?", NOW).fact_id == (
        "downloads_milestone")


def test_a_dialect_what_is_grammar_not_an_unknown_word(real: Responder) -> None:
    """Chittagonian "কিয়া" (what) was an unknown word: its weight vetoed the answer."""
    answer = real.ask("লামা কিয়া, একটু বুঝাই কও", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "what_is_llama")


def test_a_dialect_they_points_at_the_last_answer(real: Responder) -> None:
    """Sylheti "ইতারা" (they) is a pointer: which country "they" are from is the last
    answer's (DeepSeek is a Chinese lab), not a detail the article lacks."""
    *_, turn = play(Conversation(real), "ডিপসিক R1 কী?", "ইতারা কোন দেশর?", start=NOW)
    assert facts(turn) == ["deepseek_r1"]
