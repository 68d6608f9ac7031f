"""The bot's article-specific texts, exactly as users of the Llama knowledge base get them.

These texts moved from Python into knowledge/bot.yaml: this test holds them word for word,
so a user of this knowledge base sees no change. End to end against the fake Bot API.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from conftest import DHAKA, KNOWLEDGE_DIR, ROOT, BotThread, start_bot
from fake_telegram import FakeTelegram

LLAMABOT = str(Path(sys.executable).parent / "llamabot")
NAME = "লামাবট"
EXAMPLE = "লামা কতবার ডাউনলোড হয়েছে?"
WELCOME = (
    "আসসালামু আলাইকুম, নমস্কার! আমি <b>লামাবট</b>।\n"
    "মেটার লামা মডেলের ১ বিলিয়ন ডাউনলোড নিয়ে একটি সংবাদ প্রতিবেদন থেকে আমি বাংলায় উত্তর দিই, "
    "প্রতিটি উত্তরের সঙ্গে সূত্র উল্লেখ করে।\n\n"
    "যেসব বিষয়ে জানি:\n{topics}\n\n"
    "বাংলা, Banglish বা English-এ প্রশ্ন লিখুন, অথবা নিচের বোতাম চাপুন।"
)
HELP = (
    "<b>কীভাবে ব্যবহার করবেন</b>\n"
    "যেকোনো প্রশ্ন লিখে পাঠান, যেমন: <i>লামা কতবার ডাউনলোড হয়েছে?</i> বা "
    "<i>llamacon kobe?</i>\n\n"
    "/topics — বিষয় ধরে প্রশ্ন বেছে নিন\n"
    "/llamacon — লামাকন সম্মেলনের তারিখ ও কত দিন বাকি\n"
    "/source — যে প্রতিবেদন থেকে উত্তর দিই\n"
    "/subscribe — লামাকনের মতো ইভেন্টের রিমাইন্ডার পান; /unsubscribe — বন্ধ করুন\n"
    "/help — এই সাহায্য\n\n"
    "যেকোনো চ্যাটে <code>@llama_test_bot প্রশ্ন</code> লিখেও উত্তর পাঠাতে পারেন। "
    "গ্রুপে আমাকে মেনশন করুন বা আমার বার্তার উত্তর দিন।"
)
FALLBACK = (
    "দুঃখিত, এই প্রশ্নের উত্তর আমার জানা নেই। আমি শুধু মেটার লামা মডেলের ১ বিলিয়ন ডাউনলোড "
    "নিয়ে একটি সংবাদ প্রতিবেদনের তথ্য থেকে উত্তর দিই। যেসব বিষয়ে জিজ্ঞেস করতে পারেন: {topics}।"
)
EMPTY = f"আপনার বার্তায় পড়ার মতো কোনো লেখা পাইনি। লামা নিয়ে একটি প্রশ্ন লিখুন, যেমন: {EXAMPLE}"
OTHER_SCRIPT = (
    "দুঃখিত, আমি শুধু বাংলা আর ইংরেজি (English) লেখা পড়তে পারি। লামা নিয়ে আপনার প্রশ্নটি "
    f"বাংলায় বা ইংরেজিতে লিখুন, যেমন: {EXAMPLE}"
)
NON_TEXT = "আমি শুধু লেখা পড়তে পারি। লামা নিয়ে আপনার প্রশ্নটি লিখে পাঠান।"
GROUP_HELLO = (
    "সবাইকে শুভেচ্ছা! আমি লামাবট। লামা নিয়ে প্রশ্ন করতে আমাকে মেনশন করুন "
    "(@llama_test_bot প্রশ্ন) বা আমার বার্তার উত্তর দিন।"
)
SUBSCRIBED = (
    "🔔 আপনি রিমাইন্ডার চালু করেছেন। লামাকনসহ অনুষ্ঠানের আগে আপনাকে জানিয়ে দেব।\n"
    "বন্ধ করতে চাইলে /unsubscribe লিখুন।"
)
CONSOLE_BANNER = (
    "লামাবট কনসোল। মেটার লামা নিয়ে প্রশ্ন করুন (বাংলা, Banglish বা English)।\n"
    "প্রস্তাবিত প্রশ্ন বেছে নিতে তার নম্বর লিখুন; /topics বিষয়ের তালিকা, /llamacon লামাকনের"
    " তারিখ ও বাকি দিন, /source প্রতিবেদন, /help সাহায্য; বের হতে Ctrl-D বা 'exit'।"
)
STICKER = {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 1, "height": 1,
           "is_animated": False, "is_video": False}


def topics(bot: BotThread, separator: str, bullet: str = "") -> str:
    return separator.join(bullet + t.title for t in bot.services.knowledge.topics)


def test_start_and_help_read_as_before(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [start] = fake_telegram.ask("/start")
    bullets = html.escape(topics(bot, "\n", "• "), quote=False)
    assert start.text == WELCOME.format(topics=bullets)
    labels = [b["text"] for b in start.buttons]
    assert labels[-4:] == ["📚 বিষয়সমূহ", "📅 লামাকন", "📰 সূত্র", "🔔 লামাকনের রিমাইন্ডার"]
    assert [b["callback_data"] for b in start.buttons][-4:] == [
        "m:topics", "m:llamacon", "m:source", "m:subscribe"]
    [help_] = fake_telegram.ask("/help")
    assert help_.text == HELP
    [events] = fake_telegram.ask("/llamacon")
    assert events.buttons[-1] == {"text": "🔔 লামাকনের রিমাইন্ডার", "callback_data": "m:subscribe"}


def test_fallback_empty_and_notes_read_as_before(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [fallback] = fake_telegram.ask("How do I reset my Facebook password?")
    assert fallback.text.startswith(html.escape(FALLBACK.format(topics=topics(bot, ", ")),
                                                quote=False))
    assert fake_telegram.ask("😀🎉")[0].text == EMPTY
    assert fake_telegram.ask("लामा कब है?")[0].text == OTHER_SCRIPT
    assert fake_telegram.ask(None, sticker=STICKER)[0].text == NON_TEXT
    assert fake_telegram.ask("/subscribe", user_id=21)[0].text == SUBSCRIBED


def test_group_greeting_inline_button_and_menu_read_as_before(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    since = fake_telegram.mark()
    fake_telegram.push("my_chat_member", {
        "chat": {"id": -250, "type": "group", "title": "G"},
        "from": {"id": 5, "is_bot": False, "first_name": "A"}, "date": 0,
        "old_chat_member": {"status": "left", "user": fake_telegram.bot_user},
        "new_chat_member": {"status": "member", "user": fake_telegram.bot_user}})
    [hello] = fake_telegram.wait_for("sendMessage", since=since)
    assert hello.text == GROUP_HELLO
    fake_telegram.inline("<b>bitcoin</b> & weather")
    [inline] = fake_telegram.wait_for("answerInlineQuery", since=since)
    assert inline.params["button"]["text"] == "লামাবটকে সরাসরি জিজ্ঞেস করুন"
    menus = [c for c in fake_telegram.calls_to("setMyCommands") if "scope" not in c.params]
    described = {(c.params.get("language_code", ""), d["command"]): d["description"]
                 for c in menus for d in c.params["commands"]}
    assert described[("", "llamacon")] == "LlamaCon date and countdown"
    assert described[("bn", "llamacon")] == "লামাকনের তারিখ ও বাকি দিন"
    assert [d["command"] for d in menus[0].params["commands"]] == [
        "start", "topics", "llamacon", "source", "subscribe", "unsubscribe", "help"]


def test_console_banner_and_prompt_read_as_before() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
    result = subprocess.run(
        [LLAMABOT, "--knowledge", str(KNOWLEDGE_DIR), "shell"], input="😀\nexit\n",
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=environment,
        timeout=60, check=True)
    assert result.stdout.startswith(CONSOLE_BANNER + "\n")
    assert f"\n{NAME}> {EMPTY}\n" in result.stdout


def test_subscribing_after_the_event_promises_no_reminder_for_it(
    bot_settings: Any, fake_telegram: FakeTelegram
) -> None:
    """Found by QA: after LlamaCon, /llamacon said it was held, and the 🔔 button under it
    answered "I will tell you before events, LlamaCon among them"."""
    after = datetime(2025, 5, 2, 10, 0, tzinfo=DHAKA)
    running = start_bot(bot_settings, clock=lambda: after)
    try:
        [events] = fake_telegram.ask("/llamacon")
        assert "অনুষ্ঠিত হয়ে গেছে" in events.text
        [subscribed] = fake_telegram.ask("/subscribe")
        assert "লামাকন" not in subscribed.text, subscribed.text
        assert subscribed.text.startswith("🔔 আপনি রিমাইন্ডার চালু করেছেন।")
    finally:
        running.stop()
