"""The whole bot on the second knowledge pack alone, and on both packs together: the welcome,
/help, the fallback and a cited answer speak of the right article(s). End to end against the
fake Bot API."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import BotThread, plain, start_bot
from fake_telegram import FakeTelegram
from packs import SHRUTI, both_packs

LLAMA_TITLE = "মেটার লামা মডেল ১ বিলিয়ন ডাউনলোড ছাড়িয়েছে"
SHRUTI_TITLE = "ঢাকার স্টার্টআপ কথামালার বাংলা কণ্ঠ মডেল ‘শ্রুতি’ ১০ লাখ ডাউনলোড ছাড়াল"


@pytest.fixture
def shruti_bot(bot_settings: Any) -> Iterator[BotThread]:
    running = start_bot(replace(bot_settings, knowledge_dir=SHRUTI))
    yield running
    running.stop()


@pytest.fixture
def both_bot(bot_settings: Any, tmp_path: Path) -> Iterator[BotThread]:
    running = start_bot(replace(bot_settings, knowledge_dir=both_packs(tmp_path / "both")))
    yield running
    running.stop()


def test_the_second_pack_alone(shruti_bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [start] = fake_telegram.ask("/start")
    assert start.text.startswith("আসসালামু আলাইকুম, নমস্কার! আমি <b>শ্রুতিবট</b>।\n")
    assert "কথামালা ল্যাবসের বাংলা কণ্ঠ মডেল ‘শ্রুতি’" in start.text
    assert "লামা" not in plain(start) and "• শ্রুতির চ্যালেঞ্জ ও সমালোচনা" in start.text
    buttons = [b["callback_data"] for b in start.buttons]
    assert buttons[-2:] == ["m:topics", "m:source"]  # no event: no event or reminder button
    [help_] = fake_telegram.ask("/help")
    assert "<i>শ্রুতি কতবার ডাউনলোড হয়েছে?</i>" in help_.text and "llamacon" not in help_.text
    [unknown] = fake_telegram.ask("/llamacon")
    assert "এই কমান্ডটি আমি চিনি না" in unknown.text
    menu = next(c for c in fake_telegram.calls_to("setMyCommands") if "scope" not in c.params)
    assert "llamacon" not in {c["command"] for c in menu.params["commands"]}

    [fallback] = fake_telegram.ask("How do I reset my Facebook password?")
    assert "কথামালা ল্যাবসের বাংলা কণ্ঠ মডেল শ্রুতি" in fallback.text and "লামা" not in fallback.text
    [answer] = fake_telegram.ask("শ্রুতি কতবার ডাউনলোড হয়েছে?")
    assert "১০ লাখবার ডাউনলোড" in answer.text
    assert f"📖 <b>সূত্র:</b> {html.escape(SHRUTI_TITLE, quote=False)}" in answer.text
    [empty] = fake_telegram.ask("😀")
    assert empty.text.endswith("শ্রুতি নিয়ে একটি প্রশ্ন লিখুন, যেমন: শ্রুতি কতবার ডাউনলোড হয়েছে?")


def test_both_packs_together(both_bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [start] = fake_telegram.ask("/start")
    assert "আমি <b>এআই-খবরবট</b>" in start.text
    for title in (LLAMA_TITLE, SHRUTI_TITLE):
        assert f"• {html.escape(title, quote=False)}" in start.text
    assert "• লামাকন সম্মেলন" in start.text and "• শ্রুতির সামনের পরিকল্পনা" in start.text
    facts = both_bot.services.knowledge.facts
    samples = [b["callback_data"][2:] for b in start.buttons if b["callback_data"][:2] == "f:"]
    assert {facts[f].citation.source_id for f in samples} == {"llama-1b-downloads",
                                                               "shruti-speech"}
    assert "m:llamacon" in [b["callback_data"] for b in start.buttons]
    [help_] = fake_telegram.ask("/help")
    assert ("<i>লামা কতবার ডাউনলোড হয়েছে?</i> বা <i>শ্রুতি কতবার ডাউনলোড হয়েছে?</i>"
            in help_.text)
    [events] = fake_telegram.ask("/llamacon")
    assert "৯ দিন বাকি" in events.text
    [source] = fake_telegram.ask("/source")
    assert "আমার সব উত্তর এই ২টি প্রতিবেদন থেকে নেওয়া:" in source.text
    assert all(html.escape(t, quote=False) in source.text for t in (LLAMA_TITLE, SHRUTI_TITLE))

    [fallback] = fake_telegram.ask("How do I reset my Facebook password?")
    assert LLAMA_TITLE in plain(fallback) and SHRUTI_TITLE in plain(fallback)
    # Each answer names the article it rests on.
    [llama] = fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?")
    assert f"📖 <b>সূত্র:</b> {html.escape(LLAMA_TITLE, quote=False)}" in llama.text
    [shruti] = fake_telegram.ask("shruti koto bar download hoyeche")
    assert "১০ লাখবার ডাউনলোড" in shruti.text
    assert f"📖 <b>সূত্র:</b> {html.escape(SHRUTI_TITLE, quote=False)}" in shruti.text
