"""Pure pieces of the adapter: HTML rendering and splitting, callback codes, log redaction."""

from __future__ import annotations

import html
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.answer import Answer, AnswerKind, Choice
from bot.core.knowledge import Citation, Fact, Knowledge, Topic
from bot.logsetup import REDACTED, RedactingFilter, setup_logging
from bot.tg import keyboards
from bot.tg.render import MAX_MESSAGE, render_answer, split_plain, tg_len

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CITATION = Citation("src", "শিরোনাম <&>", "অংশ", "উদ্ধৃতি & <i>")
NOW = datetime(2025, 4, 20, tzinfo=ZoneInfo("Asia/Dhaka"))


def knowledge_with(fact_id: str = "f1") -> Knowledge:
    fact = Fact(fact_id, "t", "শিরোনাম", "উত্তর", ("প্রশ্ন?",), CITATION)
    return Knowledge({}, (Topic("t", "বিষয়"),), {fact_id: fact}, {}, ())


def fact_answer(text: str, fact_id: str = "f1") -> Answer:
    return Answer("q", AnswerKind.FACT, fact_id, 100.0, text, CITATION,
                  (Choice(fact_id, "প্রশ্ন?"),), fact_id, "শিরোনাম")


def test_answer_escapes_knowledge_text_and_cites() -> None:
    [message] = render_answer(fact_answer("১ < ২ & <b>x</b>"))
    assert "১ &lt; ২ &amp; &lt;b&gt;x&lt;/b&gt;" in message
    assert "শিরোনাম &lt;&amp;&gt;" in message
    assert "<blockquote>উদ্ধৃতি &amp; &lt;i&gt;</blockquote>" in message


def test_long_answer_is_split_at_paragraphs_with_the_citation_last() -> None:
    paragraphs = [f"অনুচ্ছেদ {i}: " + "লামা মডেল ডাউনলোড। " * 60 for i in range(8)]
    chunks = render_answer(fact_answer("\n\n".join(paragraphs)))
    assert len(chunks) > 1
    assert all(tg_len(c) <= MAX_MESSAGE for c in chunks)
    assert "<blockquote>" in chunks[-1] and all("<blockquote>" not in c for c in chunks[:-1])
    for chunk in chunks[1:]:  # every later part starts at a paragraph or sentence start
        assert chunk.startswith(("অনুচ্ছেদ", "লামা", "📖"))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ক খ া ি & < > a \n 😀 ।".split(" ") + [" "]),
               min_size=0, max_size=12_000),
       st.integers(min_value=20, max_value=MAX_MESSAGE))
def test_split_plain_keeps_every_word_and_every_limit(text: str, limit: int) -> None:
    pieces = split_plain(text, limit)
    assert all(tg_len(p) <= limit for p in pieces)
    joined = "".join(html.unescape(p) for p in pieces)
    assert joined.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert all("&" not in p.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
               for p in pieces)


def test_callback_data_fits_64_bytes_even_for_long_ids() -> None:
    long_id = "ফ্যাক্ট_" * 20
    data = keyboards.encode("f", long_id)
    assert len(data.encode()) <= 64
    assert keyboards.decode(data, ["other", long_id]) == ("f", long_id)
    assert keyboards.decode("f:short", []) == ("f", "short")
    assert keyboards.decode("f:#deadbeef", ["x"]) == ("f", None)
    markup = keyboards.fact_buttons([Choice(long_id, "প্রশ্ন?")])
    assert markup is not None and len(markup.inline_keyboard) == 1
    assert markup.inline_keyboard[0][0].callback_data == data


@contextmanager
def logged(level: str) -> Iterator[io.StringIO]:
    """The bot's logging set up at `level` into a string, pytest's handlers given back after."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("httpx").level)
    setup_logging(level, [TOKEN], stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("httpx").setLevel(saved[2])
        logging.captureWarnings(False)


def test_redacting_filter_covers_message_args_and_traceback() -> None:
    with logged("DEBUG") as stream:
        log = logging.getLogger("some.library")
        log.debug("url http://x/bot%s/getMe", TOKEN)
        log.info("secret part alone: %s", TOKEN.split(":")[1])
        try:
            raise RuntimeError(f"failed http://x/bot{TOKEN}/sendMessage")
        except RuntimeError:
            log.exception("request failed")
        logging.getLogger("httpx").info("HTTP Request: POST http://x/bot%s", TOKEN)
        log.warning("bad %s format %d", "only-one")  # a broken call must not crash logging
    output = stream.getvalue()
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert output.count(REDACTED) >= 3 and "RuntimeError" in output
    assert "HTTP Request" not in output  # httpx is raised to WARNING


def test_text_logs_escape_control_characters_but_keep_lines() -> None:
    """Whatever a call site logs, a terminal reading the text log runs no escape of it."""
    with logged("INFO") as stream:
        log = logging.getLogger("bot.example")
        log.warning("word %s", "/gaps\x1b[2J\x1b]0;title\x07\x9b31m\r")
        try:
            raise ValueError("\x1b[31mred")
        except ValueError:
            log.exception("two\tcolumns\nand lines")
    output = stream.getvalue()
    assert not any(c in output for c in "\x1b\x07\x9b\r"), repr(output)
    assert "word /gaps\\x1b[2J\\x1b]0;title\\x07\\x9b31m\\x0d" in output
    assert "two\tcolumns\nand lines" in output and "ValueError: \\x1b[31mred" in output


def test_redacting_filter_handles_url_encoded_tokens() -> None:
    f = RedactingFilter([TOKEN])
    assert f.redact("x=123456789%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") == f"x={REDACTED}"


def test_events_view_escapes_urls_and_handles_no_events() -> None:
    from datetime import timedelta

    from bot.core.knowledge import Event
    from bot.tg.views import events_view

    base = knowledge_with()
    event = Event("e", "সম্মেলন <১>", NOW + timedelta(days=3), (), "f1", 'https://x.org/?a=1&b="2"')
    knowledge = Knowledge(base.sources, base.topics, base.facts, {}, (event,))
    text, markup = events_view(knowledge, NOW)
    assert 'href="https://x.org/?a=1&amp;b=&quot;2&quot;"' in text
    assert "সম্মেলন &lt;১&gt;" in text and "৩ দিন বাকি" in text
    assert markup is not None
    text, markup = events_view(base, NOW)
    assert "কোনো অনুষ্ঠানের তথ্য নেই" in text and markup is None


def test_a_quoted_headline_is_not_named_twice() -> None:
    from bot.core.knowledge import Citation
    from bot.tg.render import citation_html

    title = "মেটার লামা মডেল ১ বিলিয়ন ডাউনলোড ছাড়িয়েছে"
    html = citation_html(Citation("src", title, title, title))
    assert html.count(title) == 2  # once as the source, once quoted
    other = citation_html(Citation("src", title, "অংশ", "বাক্য।"))
    assert "<i>অংশ</i>" in other


def test_a_citation_shows_the_section_title_admins_corrected() -> None:
    from bot.core.knowledge import Citation
    from bot.tg.render import citation_html

    misprint = "লামার \u0c35\u0c3f\u0c38\u0c4d\u0c24ৃত ইকোসিস্টেম"
    html = citation_html(Citation("src", "শিরোনাম", misprint, "বাক্য।", "লামার বিস্তৃত ইকোসিস্টেম"))
    assert "<i>লামার বিস্তৃত ইকোসিস্টেম</i>" in html and misprint not in html


def test_source_view_lists_the_corrected_section_titles() -> None:
    from pathlib import Path

    from bot.core.loader import load_knowledge
    from bot.tg.views import source_view

    knowledge = load_knowledge(Path(__file__).resolve().parent.parent / "knowledge", NOW.tzinfo)
    text, _ = source_view(knowledge)
    assert "• লামার বিস্তৃত ইকোসিস্টেম এবং বাণিজ্যিক গ্রহণ" in text
    assert not any("\u0c00" <= c <= "\u0c7f" for c in text)  # no Telugu letter


def test_events_view_fits_one_message_however_many_events() -> None:
    from datetime import timedelta

    from bot.core.events import bengali_number
    from bot.core.knowledge import Event
    from bot.core.message_length import MAX_MESSAGE, tg_len
    from bot.tg.views import events_view

    base = knowledge_with()
    events = tuple(Event(f"e{i}", "লামা কমিউনিটি মিটআপ " + "ক" * 180, NOW + timedelta(days=i + 1),
                         (), "f1", "https://example.org/" + "m" * 470) for i in range(60))
    text, markup = events_view(Knowledge(base.sources, base.topics, base.facts, {}, events), NOW)
    assert tg_len(text) <= MAX_MESSAGE
    shown = text.count("• ")
    assert 0 < shown < 60 and f"আরও {bengali_number(60 - shown)}টি অনুষ্ঠান" in text
    assert markup is not None  # one button per fact, not one per event
    assert len(markup.inline_keyboard) == 2


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ক া ্ & < a 😀".split(" ") + [" "]), max_size=6000),
       st.text(alphabet=st.sampled_from("ক & < 😀".split(" ")), min_size=1, max_size=6000),
       st.text(alphabet=st.sampled_from("ক & < 😀 ।".split(" ")), min_size=1, max_size=3000))
def test_an_answer_fits_whatever_its_titles_and_quote_hold(
        title: str, section: str, quote: str) -> None:
    """Found by the red-team run: a 4,200-letter title made an answer Telegram refused."""
    from bot.tg.render import escape_within

    citation = Citation("src", section + "x", section, quote, section * 2)
    answer = Answer("q", AnswerKind.FACT, "f1", 100.0, "উত্তর " * 900, citation,
                    (Choice("f1", "প্রশ্ন?"),), "f1", title or "শিরোনাম")
    chunks = render_answer(answer)
    assert all(tg_len(c) <= MAX_MESSAGE for c in chunks), [tg_len(c) for c in chunks]
    assert "<blockquote>" in chunks[-1] and chunks[-1].count("<blockquote>") == 1
    shown = escape_within(title, 50)
    assert tg_len(shown) <= 50 and title.startswith(html.unescape(shown.removesuffix("…")))
