"""Knowledge holding titles longer than any message: every reply still fits Telegram's
limits (the fake Bot API refuses what Telegram refuses), and a tap is answered once.

Validation refuses such titles (tests/test_loader.py); these swap the knowledge in past it,
as a bug or a later format might, because a reply must never depend on that alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import KNOWLEDGE_DIR, BotThread, assert_valid_html, start_bot
from fake_telegram import MAX_INLINE_BUTTONS, Call, FakeTelegram

from bot.core.knowledge import Knowledge
from bot.core.loader import load_knowledge
from bot.core.message_length import MAX_MESSAGE, tg_len
from bot.tg import texts
from bot.watch import digest

FACT = "llamacon"
LONG_FACT_TITLE = "ল" * 4200
LONG_SOURCE_TITLE = "শ&" * 2150  # "&" grows fivefold once escaped (&amp;)
LONG_SECTION_TITLE = "অ" * 4500
LONG_TOPIC_TITLE = "ট<" * 2500


def overlong(knowledge: Knowledge) -> Knowledge:
    """`knowledge` with every title a user may see longer than a message."""
    sources = {i: replace(s, title=LONG_SOURCE_TITLE,
                          section_titles={h: LONG_SECTION_TITLE for h in s.sections})
               for i, s in knowledge.sources.items()}
    facts = {i: replace(f, citation=replace(f.citation, source_title=LONG_SOURCE_TITLE,
                                            section_title=LONG_SECTION_TITLE))
             for i, f in knowledge.facts.items()}
    facts[FACT] = replace(facts[FACT], title=LONG_FACT_TITLE)
    topics = tuple(replace(t, title=LONG_TOPIC_TITLE) for t in knowledge.topics)
    return replace(knowledge, sources=sources, facts=facts, topics=topics)


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    from conftest import DHAKA

    return overlong(load_knowledge(KNOWLEDGE_DIR, DHAKA))


@pytest.fixture
def long_bot(bot_settings: Any, knowledge: Knowledge) -> Iterator[BotThread]:
    running = start_bot(bot_settings)
    folder = digest(KNOWLEDGE_DIR)
    running.call(running.services.live.replace(lambda: (knowledge, folder)))
    assert running.services.knowledge.facts[FACT].title == LONG_FACT_TITLE
    yield running
    running.stop()


def fits(call: Call) -> None:
    assert tg_len(call.text) <= MAX_MESSAGE, tg_len(call.text)
    assert_valid_html(call.text)
    assert texts.ERROR not in call.text


def sent(fake: FakeTelegram, since: int) -> list[Call]:
    return fake.calls_to("sendMessage", since) + fake.calls_to("editMessageText", since)


def test_an_answer_with_an_overlong_title_and_citation_is_sent(
    long_bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    since = fake_telegram.mark()
    fake_telegram.message("লামাকন কবে?")
    fake_telegram.wait_for("sendMessage", lambda c: "<blockquote>" in c.text, since=since)
    replies = sent(fake_telegram, since)
    for reply in replies:
        fits(reply)
    assert replies[0].text.startswith("<b>ললল") and "…" in replies[0].text
    assert "লামাকন (LlamaCon)" in "".join(r.text for r in replies)  # the answer itself


def test_an_inline_answer_with_overlong_titles_is_accepted(
    long_bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    since = fake_telegram.mark()
    fake_telegram.inline("llamacon kobe")
    [call] = fake_telegram.wait_for("answerInlineQuery", since=since)
    results = call.params["results"]
    assert len(results) >= 2
    for result in results:
        text = result["input_message_content"]["message_text"]
        assert tg_len(text) <= MAX_MESSAGE and "<blockquote>" in text
        assert_valid_html(text)


def test_a_tap_on_a_fact_with_an_overlong_title_is_answered_once(
    long_bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    since = fake_telegram.mark()
    fake_telegram.callback(f"f:{FACT}")
    fake_telegram.wait_for("sendMessage", lambda c: "<blockquote>" in c.text, since=since)
    for reply in sent(fake_telegram, since):
        fits(reply)
    assert len(fake_telegram.calls_to("answerCallbackQuery", since)) == 1


@pytest.mark.parametrize("ask", ["/source", "m:source", "m:topics", "t:"])
def test_source_and_topic_screens_with_overlong_titles_fit(
    long_bot: BotThread, fake_telegram: FakeTelegram, ask: str
) -> None:
    since = fake_telegram.mark()
    if ask.startswith("/"):
        fake_telegram.message(ask)
    else:
        data = ask + long_bot.services.knowledge.topics[0].id if ask == "t:" else ask
        fake_telegram.callback(data)
    shown = fake_telegram.wait_for("sendMessage", since=since) if ask != "t:" else \
        fake_telegram.wait_for("editMessageText", since=since)
    for reply in shown:
        fits(reply)
    if ask in ("/source", "m:source"):
        assert "অঅঅ" in shown[0].text and "শ&amp;শ" in shown[0].text


def test_an_error_after_a_tap_was_answered_does_not_answer_it_again(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: the tap's handler answered it, the send failed, and the
    error handler answered it a second time (Telegram refuses that: one more error)."""
    fake_telegram.fail("sendMessage", 400, chat_id=111)
    since = fake_telegram.mark()
    fake_telegram.callback(f"f:{FACT}")
    [apology] = fake_telegram.wait_for("sendMessage", lambda c: texts.ERROR in c.text,
                                       since=since)
    assert apology.chat_id == 111
    assert len(fake_telegram.calls_to("answerCallbackQuery", since)) == 1


def many_facts(folder: Path, count: int, topic: str = "adoption") -> None:
    """`count` more facts in `topic`, in a file of their own (each valid: a quote of the
    article, questions of its own)."""
    lines = ["version: 1", "facts:"]
    for i in range(count):
        word = "".join(chr(ord("a") + (i * 7 + k * 3) % 26) for k in range(6)) + f"x{i}"
        lines += [f"  - id: extra_{i:03d}", f"    topic: {topic}",
                  f'    title: "অতিরিক্ত {word}"',
                  f'    answer: "{word} নিয়ে প্রতিবেদনে একটি কথা আছে।"',
                  f'    questions: ["{word} কী?", "what is {word}?"]',
                  "    citation:", "      source: llama-1b-downloads",
                  '      section: "মেটার লামা মডেল ১ বিলিয়ন ডাউনলোড ছাড়িয়েছে"',
                  '      quote: "মেটার লামা মডেল ১ বিলিয়ন ডাউনলোড ছাড়িয়েছে"']
    (folder / "facts-extra.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_topic_of_more_facts_than_a_keyboard_holds_is_still_shown(
    bot_settings: Any, kb: Path, fake_telegram: FakeTelegram
) -> None:
    """Telegram refuses an inline keyboard of more than 100 buttons ('reply markup is too
    long'), and a topic's screen had a button per fact: a topic of 100 facts or more (kb
    import --each sentence of a long article drafts them under one) answered every tap on
    it with an apology. The screen shows the buttons that fit, the way back among them."""
    many_facts(kb, 120)
    running = start_bot(replace(bot_settings, knowledge_dir=kb))
    try:
        assert len(running.services.knowledge.facts_in_topic("adoption")) > 120
        since = fake_telegram.mark()
        fake_telegram.callback("t:adoption")
        [shown] = fake_telegram.wait_for("editMessageText", since=since)
        time.sleep(0.5)  # an apology would follow the refused edit at once
        replies = sent(fake_telegram, since)
    finally:
        running.stop()
    assert replies == [shown], [r.text for r in replies]
    assert 0 < len(shown.buttons) <= MAX_INLINE_BUTTONS
    assert shown.buttons[-1]["callback_data"] == "m:back"
    assert shown.buttons[0]["callback_data"].startswith("f:")
