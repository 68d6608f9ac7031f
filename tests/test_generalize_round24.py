"""Mechanisms learned in the twenty-fourth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("asked", ["কারা?", "kara?", "কোন কোন কোম্পানি?", "which companies?"])
def test_names_listed_in_passing_are_asked_of_their_own_fact(real: Responder, asked: str) -> None:
    """Llama's many uses are shown by the companies using it, so that answer names them; but
    "which ones?" after it asks the companies' own fact, not the same answer again."""
    *_, turn = play(Conversation(real), "লামা কী কী কাজে ব্যবহার করা যায়?", asked, start=NOW)
    assert facts(turn) == ["corporate_adopters"]


@pytest.mark.parametrize(("opening", "asked", "fact"), [
    ("লামার নতুন মডেলে কি রিজনিং থাকবে?", "কার মতো?", "reasoning_models"),
    ("মেটা এআই কোথায় পাওয়া যায়?", "কোন কোন অ্যাপে?", "meta_ai_assistant"),
])
def test_names_a_fact_is_for_stay_with_it(real: Responder, opening: str, asked: str,
                                          fact: str) -> None:
    """Only names told in passing move on: a fact that lists no names, or whose own examples
    ask for them, answers again."""
    first, turn = play(Conversation(real), opening, asked, start=NOW)
    assert facts(first) == [fact] and facts(turn) == [fact]


def test_a_list_announced_after_a_story_is_asked_item_by_item(real: Responder) -> None:
    """"...আমার তিনটা জিনিস জানা দরকার: X, Y আর Z। একটু বলবেন?": the items follow the
    announcement; the story before it was read as items too, and the message got nothing."""
    turn, = play(Conversation(real),
                 "অফিসে একটা প্রেজেন্টেশন বানাচ্ছি, বস কাল দেখবেন। তাই আমার তিনটা জিনিস জানা দরকার:"
                 " লামা কবে প্রথম এসেছিল, মেটা এআই কোথায় পাওয়া যায়, আর লামাকন কবে। একটু বলবেন?",
                 start=NOW)
    assert facts(turn) == ["launch_2023", "meta_ai_assistant", "llamacon"]


def test_these_two_matters_asks_both_told_before(real: Responder) -> None:
    """"এই দুইটা ব্যাপার খুলে বলবেন?" asks both things the sentence before named."""
    turn, = play(Conversation(real),
                 "শুনলাম ডিপসিক নাকি লামাকে টেক্কা দিয়েছে, আবার মেটা নাকি ওয়ার রুমও বানিয়েছে।"
                 " এই দুটো ব্যাপার একটু বুঝিয়ে বলবেন?", start=NOW)
    assert set(facts(turn)) == {"deepseek_r1", "war_rooms"}


def test_a_list_naming_its_first_item_keeps_it(real: Responder) -> None:
    turn, = play(Conversation(real), "Tell me about the war rooms, the AI budget and LlamaCon",
                 start=NOW)
    assert facts(turn) == ["war_rooms", "ai_investment", "llamacon"]


@pytest.mark.parametrize("message", [
    "ই-বুক নিয়ে মামলাটা কীসের? ইউরোপে লামা আটকাল কেন? এসব থেকে কী বোঝা যায়?",
    "lawsuit ta kisher? eu te keno atkay gelo? ar egula theke ki shikha?",
])
def test_a_last_part_pointing_at_the_parts_before_gets_what_they_tell_together(
        real: Responder, message: str) -> None:
    """"...? ...? আর এগুলো থেকে কী শিক্ষা?": "these" are the lawsuit and Europe's troubles,
    and the fact related to both reads them; alone the last part was a "did you mean"."""
    turn, = play(Conversation(real), message, start=NOW)
    assert facts(turn) == ["copyright_lawsuit", "eu_privacy", "ethics_legal"]


def test_held_up_is_delayed(real: Responder) -> None:
    """"hold up" (delay) had read as holding an event: LlamaCon's logistics."""
    answer = real.ask("How come Llama got held up in European countries?", NOW)
    assert answer.fact_id == "eu_privacy"


@pytest.mark.parametrize("catch", ["what's the catch?", "any catch?", "প্যাঁচটা কী?"])
def test_the_catch_is_a_drawback_not_a_limit_to_one_task(real: Responder, catch: str) -> None:
    """"What's the catch?" after Llama's many uses asks its drawback (the license's
    critics); grouped with "limited", it read as "is Llama limited to one task?"."""
    *_, turn = play(Conversation(real), "লামা কী কী কাজে ব্যবহার করা যায়?", catch, start=NOW)
    assert facts(turn) == ["license_criticism"]


def test_beating_is_outperforming(real: Responder) -> None:
    """"beating" was not in the outperform group ("beat" was), so it met no known word."""
    answer = real.ask("which lab has been beating Llama lately?", NOW)
    assert answer.fact_id == "deepseek_r1"
