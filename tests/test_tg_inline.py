"""Inline mode end to end: `@bot question` returns up to five cited answers."""

from __future__ import annotations

from conftest import BotThread, assert_valid_html
from fake_telegram import Call, FakeTelegram


def inline(fake: FakeTelegram, query: str) -> Call:
    since = fake.mark()
    fake.inline(query)
    return fake.wait_for("answerInlineQuery", since=since)[0]


def test_inline_question_returns_cited_answers(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    call = inline(fake_telegram, "llamacon kobe")
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    first = results[0]
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "লামাকন" in first["title"] or "লামাকন" in content["message_text"]
    assert "<blockquote>" in content["message_text"] and "সূত্র" in content["message_text"]
    assert "৯ দিন বাকি" in content["message_text"]  # the fixed clock reaches inline answers too
    for result in results:
        assert len(result["id"].encode()) <= 64
        assert len(result["input_message_content"]["message_text"]) <= 4096
        assert_valid_html(result["input_message_content"]["message_text"])
    assert len({r["id"] for r in results}) == len(results)


def test_empty_inline_query_offers_samples(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    call = inline(fake_telegram, "")
    assert 1 <= len(call.params["results"]) <= 5


def test_unknown_inline_query_offers_to_ask_privately(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    call = inline(fake_telegram, "<b>bitcoin</b> & weather")
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "inline"


def test_inline_queries_are_not_flood_limited_or_logged(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    for _ in range(25):  # typing produces one query per keystroke
        inline(fake_telegram, "লামা")
    [reply] = fake_telegram.ask("/help")  # the same user is not throttled afterwards
    assert "/topics" in reply.text
    stats = bot.call(bot.services.storage.stats())
    assert stats.questions == 0


def test_a_result_s_description_ends_on_a_whole_word(
        bot: BotThread, fake_telegram: FakeTelegram) -> None:
    """Descriptions were the answer's first 100 characters, cut mid-word with no mark."""
    for result in inline(fake_telegram, "llamacon kobe").params["results"]:
        description = result["description"]
        assert len(description) <= 100
        if description.endswith("…"):
            words = description[:-1].split()
            assert words and all(w in result["input_message_content"]["message_text"]
                                 for w in words)
        else:
            assert description.split()[-1] in result["input_message_content"]["message_text"]
