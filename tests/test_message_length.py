"""Cutting texts to Telegram's limits, counted in UTF-16 units."""

from __future__ import annotations

from bot.core.message_length import shorten_words, tg_len


def test_a_text_that_fits_is_kept_whole() -> None:
    assert shorten_words("লামাকন ২৯ এপ্রিল", 100) == "লামাকন ২৯ এপ্রিল"


def test_a_long_text_is_cut_after_a_whole_word() -> None:
    text = "মেটার লামা মডেলগুলো মোট ১ বিলিয়ন, অর্থাৎ ১০০ কোটিরও বেশিবার ডাউনলোড হয়েছে।"
    cut = shorten_words(text, 30)
    assert cut.endswith("…") and tg_len(cut) <= 30
    assert text.startswith(cut[:-1])
    assert text[len(cut) - 1] == " "  # the next character begins a new word


def test_one_long_word_is_cut_where_it_must_be() -> None:
    cut = shorten_words("ক" * 50, 10)
    assert cut == "ক" * 9 + "…"
