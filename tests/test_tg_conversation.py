"""End to end: the real bot (long polling) against the fake Bot API, command by command."""

from __future__ import annotations

import html
import re
from typing import Any

from conftest import FIXED_NOW, BotThread, assert_valid_html, uncertain_question
from fake_telegram import FakeTelegram


def test_start_greets_with_topics_and_buttons(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [reply] = fake_telegram.ask("/start")
    knowledge = bot.services.knowledge
    assert "লামাবট" in reply.text
    for topic in knowledge.topics:
        assert html.escape(topic.title, quote=False) in reply.text
    data = [b["callback_data"] for b in reply.buttons]
    assert {"m:topics", "m:llamacon", "m:source", "m:subscribe"} <= set(data)
    assert any(d.startswith("f:") for d in data)
    assert reply.params["parse_mode"] == "HTML"
    assert_valid_html(reply.text)


def test_start_deep_links(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [reply] = fake_telegram.ask("/start subscribe")
    assert "রিমাইন্ডার" in reply.text  # the deep link subscribes
    [reply] = fake_telegram.ask("/start llamacon")  # a shared link to one answer
    assert "৯ দিন বাকি" in reply.text
    [reply] = fake_telegram.ask("/start nonsense-payload")
    assert "লামাবট" in reply.text


def test_help_lists_commands(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [reply] = fake_telegram.ask("/help")
    for command in ("/topics", "/llamacon", "/source", "/help"):
        assert command in reply.text
    assert "@llama_test_bot" in reply.text
    assert_valid_html(reply.text)


def test_commands_menu_is_set_in_bengali_and_default(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    calls = fake_telegram.calls_to("setMyCommands")
    plain_menus = [c for c in calls if "scope" not in c.params]
    assert {c.params.get("language_code", "") for c in plain_menus} == {"", "bn"}
    bn = next(c for c in plain_menus if c.params.get("language_code") == "bn")
    assert {c["command"] for c in bn.params["commands"]} == {
        "start", "topics", "llamacon", "source", "subscribe", "unsubscribe", "help"}
    assert all(re.search("[\u0980-\u09ff]", c["description"]) for c in bn.params["commands"])
    # Admins get their commands in their own chat's menu.
    scoped = [c for c in calls if "scope" in c.params]
    assert scoped and all(c.params["scope"]["chat_id"] == 999 for c in scoped)


def test_topics_then_questions_then_answer(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    knowledge = bot.services.knowledge
    [menu] = fake_telegram.ask("/topics")
    topic = knowledge.topics[0]
    assert [b["callback_data"] for b in menu.buttons][0] == f"t:{topic.id}"
    calls = fake_telegram.tap(f"t:{topic.id}", method="editMessageText")
    edit = next(c for c in calls if c.method == "editMessageText")
    facts = knowledge.facts_in_topic(topic.id)
    assert [b["callback_data"] for b in edit.buttons] == [f"f:{f.id}" for f in facts] + ["m:back"]
    calls = fake_telegram.tap(f"f:{facts[0].id}", method="sendMessage")
    assert [c.method for c in calls][:2] == ["answerCallbackQuery", "sendMessage"]
    answer = calls[-1]
    assert html.escape(facts[0].citation.quote, quote=False) in answer.text
    assert "<blockquote>" in answer.text
    calls = fake_telegram.tap("m:back", method="editMessageText")
    assert calls[-1].params["text"].startswith("<b>বিষয়সমূহ</b>")


def test_every_callback_is_answered_even_unknown(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    for data in ("f:no_such_fact", "t:no_such_topic", "zzz", "", "f:#0000"):
        calls = fake_telegram.tap(data)
        answer = calls[-1]
        assert answer.method == "answerCallbackQuery"
        assert answer.params.get("show_alert") is True
    for data in ("m:llamacon", "m:source", "m:subscribe", "m:topics"):
        calls = fake_telegram.tap(data, method="sendMessage")
        assert calls[0].method == "answerCallbackQuery"


def test_llamacon_shows_date_and_days_left(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [reply] = fake_telegram.ask("/llamacon")
    assert "২৯ এপ্রিল ২০২৫" in reply.text and "৯ দিন বাকি" in reply.text
    assert "f:llamacon" in [b["callback_data"] for b in reply.buttons]


def test_llamacon_after_the_event_says_held(
    bot_settings: object, fake_telegram: FakeTelegram
) -> None:
    from conftest import start_bot

    later = FIXED_NOW.replace(year=2026)
    running = start_bot(bot_settings, clock=lambda: later)
    try:
        [reply] = fake_telegram.ask("/llamacon")
        assert "অনুষ্ঠিত হয়ে গেছে" in reply.text and "বাকি" not in reply.text
        # Nor elsewhere: /help only names the command; the deep link and the answer say held.
        for asked in ("/help", "/start llamacon", "লামাকন কবে?"):
            [reply] = fake_telegram.ask(asked)
            assert not re.search(r"[-০-৯\d]+ দিন বাকি|আগামীকাল|-[০-৯\d]", reply.text), asked
            assert asked == "/help" or "অনুষ্ঠিত হয়ে গেছে" in reply.text, asked
    finally:
        running.stop()


def test_source_describes_the_article(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [reply] = fake_telegram.ask("/source")
    source = next(iter(bot.services.knowledge.sources.values()))
    assert html.escape(source.title, quote=False) in reply.text
    for section in source.sections:  # as admins titled them (a misprint corrected)
        assert html.escape(source.section_title(section), quote=False) in reply.text
    assert_valid_html(reply.text)


def test_question_gets_cited_answer_and_related_buttons(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [reply] = fake_telegram.ask("লামা কতবার ডাউনলোড হয়েছে?")
    fact = bot.services.knowledge.facts["downloads_milestone"]
    assert "১ বিলিয়ন" in reply.text
    assert html.escape(fact.citation.source_title, quote=False) in reply.text
    assert f"<blockquote>{html.escape(fact.citation.quote, quote=False)}</blockquote>" in reply.text
    assert 2 <= len([b for b in reply.buttons if b["callback_data"].startswith("f:")]) <= 3
    assert all(len(b["callback_data"].encode()) <= 64 for b in reply.buttons)
    assert_valid_html(reply.text)


def test_uncertain_question_offers_did_you_mean(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    responder = bot.services.responder
    question = uncertain_question(responder)
    expected = responder.ask(question, FIXED_NOW).suggestions
    [reply] = fake_telegram.ask(question)
    assert [b["callback_data"] for b in reply.buttons] == [f"d:{f}" for f in expected]
    calls = fake_telegram.tap(f"d:{expected[0]}", method="sendMessage")
    chosen = responder.knowledge.facts[expected[0]]
    assert chosen.title in calls[-1].text  # the chosen fact's answer


def test_out_of_scope_gets_fallback(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    [reply] = fake_telegram.ask("আজ ঢাকার আবহাওয়া কেমন?")
    assert "দুঃখিত" in reply.text
    assert reply.buttons  # samples of what the bot does know


def test_bad_input_is_answered_safely(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    bad = ("   ", "😀😀😀🎉", "\x00\x01\x1b[31m\u200b", "<b>x</b>&", "<script>&amp;</script>")
    for text in bad:
        [reply] = fake_telegram.ask(text)
        assert reply.text.strip()
        assert_valid_html(reply.text)
        assert "<script>" not in reply.text
    long_question = "লামা কতবার ডাউনলোড হয়েছে? " * 200  # about 5,000 characters
    [reply] = fake_telegram.ask(long_question[:4096])
    assert len(reply.text) <= 4096
    assert "১ বিলিয়ন" in reply.text


def test_non_text_messages_get_a_note(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    sticker = {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 1,
               "height": 1, "is_animated": False, "is_video": False}
    photo = [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}]
    voice = {"file_id": "v", "file_unique_id": "vu", "duration": 1}
    for extra in ({"sticker": sticker}, {"photo": photo}, {"voice": voice}):
        [reply] = fake_telegram.ask(None, **extra)
        assert "লেখা" in reply.text
    # Files are for admins' knowledge edits: an admin's stray file is explained, not ignored.
    since = fake_telegram.mark()
    fake_telegram.message(None, user_id=999, document={"file_id": "d", "file_unique_id": "du"})
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 999, since=since)
    assert ".yaml" in reply.text


def test_unknown_command_in_private_points_to_help(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    [reply] = fake_telegram.ask("/frobnicate")
    assert "/help" in reply.text


def test_groups_answer_only_when_addressed(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    group = {"chat_id": -100, "chat_type": "supergroup", "user_id": 5}
    since = fake_telegram.mark()
    fake_telegram.message("লামা কতবার ডাউনলোড হয়েছে?", **group)  # not addressed: quiet
    sticker = {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 1,
               "height": 1, "is_animated": False, "is_video": False}
    fake_telegram.message(None, sticker=sticker, **group)  # quiet as well
    [mention] = fake_telegram.ask("@llama_test_bot লামা কতবার ডাউনলোড হয়েছে?", **group)
    assert "১ বিলিয়ন" in mention.text
    assert mention.params["reply_parameters"]["message_id"]  # replies to the asker
    [reply] = fake_telegram.ask("llamacon kobe", reply_to_bot=True, **group)
    assert "লামাকন" in reply.text
    [command] = fake_telegram.ask("/help@llama_test_bot", **group)
    assert "/topics" in command.text
    texts = [c.text for c in fake_telegram.calls_to("sendMessage", since)]
    assert len(texts) == 3  # the two unaddressed messages got nothing
    since = fake_telegram.mark()
    fake_telegram.message("/help@other_bot", **group)  # a command for another bot
    fake_telegram.ask("/source", **group)
    assert len(fake_telegram.calls_to("sendMessage", since)) == 1


def test_in_groups_the_bell_opens_the_private_chat(bot: BotThread,
                                                  fake_telegram: FakeTelegram) -> None:
    """QA: in a group, /start, a bare mention and the event's command showed the 🔔 button,
    but only private chats subscribe, so a tap just posted "write /subscribe to me
    privately" into the group. There it is a link to the bot's private chat that subscribes
    there (`/start subscribe`); in a private chat it still subscribes with a tap."""
    link = "https://t.me/llama_test_bot?start=subscribe"
    group = {"chat_id": -102, "chat_type": "group", "user_id": 8}

    def bells(reply: Any) -> list[dict[str, Any]]:
        label = bot.services.knowledge.bot.event.subscribe_button
        return [b for b in reply.buttons if b["text"] == label]

    [start] = fake_telegram.ask("/start", **group)
    [mention] = fake_telegram.ask("@llama_test_bot", **group)
    [event] = fake_telegram.ask("/llamacon", **group)
    calls = fake_telegram.tap("m:llamacon", method="sendMessage", user_id=8, chat_id=-102)
    for reply in (start, mention, event, calls[-1]):
        assert bells(reply) == [{"text": bells(reply)[0]["text"], "url": link}], reply.text
        assert "m:subscribe" not in [b.get("callback_data") for b in reply.buttons]
    for private in (fake_telegram.ask("/start")[0], fake_telegram.ask("/llamacon")[0]):
        assert [b.get("callback_data") for b in bells(private)] == ["m:subscribe"]
    # The link's /start in the private chat subscribes it.
    [subscribed] = fake_telegram.ask("/start subscribe", user_id=8)
    assert "রিমাইন্ডার" in subscribed.text


def test_an_address_holding_the_bots_name_is_no_mention(
        bot: BotThread, fake_telegram: FakeTelegram) -> None:
    """Found by the red-team run: the name inside an e-mail address counted as a mention."""
    group = {"chat_id": -101, "chat_type": "supergroup", "user_id": 6}
    since = fake_telegram.mark()
    for text in ("mail me x@llama_test_bot.com", "লামাকন কবে? me.@llama_test_bot",
                 "see 1@llama_test_bot"):
        fake_telegram.message(text, **group)
    fake_telegram.message("(@llama_test_bot) লামা কতবার ডাউনলোড হয়েছে?", **group)
    # A chat's messages are answered in order: when the last is answered, so were the others.
    fake_telegram.wait_for("sendMessage", lambda c: "<b>১ বিলিয়ন ডাউনলোড</b>" in c.text,
                           since=since)
    assert len(fake_telegram.calls_to("sendMessage", since)) == 1  # the others got nothing


def test_bot_added_to_group_says_hello(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    since = fake_telegram.mark()
    fake_telegram.push("my_chat_member", {
        "chat": {"id": -200, "type": "group", "title": "G"}, "from": {"id": 5, "is_bot": False,
                                                                   "first_name": "A"},
        "date": 0, "old_chat_member": {"status": "left", "user": fake_telegram.bot_user},
        "new_chat_member": {"status": "member", "user": fake_telegram.bot_user}})
    [hello] = fake_telegram.wait_for("sendMessage", since=since)
    assert hello.chat_id == -200 and "@llama_test_bot" in hello.text
    fake_telegram.my_chat_member(user_id=7, status="kicked")  # a block: logged, no reply
    fake_telegram.ask("/help")
    assert len(fake_telegram.calls_to("sendMessage", since)) == 2


def test_extensions_take_precedence_over_catch_alls(
    bot_settings: object, fake_telegram: FakeTelegram
) -> None:
    """Extensions' commands and buttons (e.g. /subscribe) beat the 'unknown' catch-alls."""
    from conftest import start_bot
    from telegram import Update
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

    async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("subscribed!")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("sub button")

    def extension(app: Application) -> None:  # type: ignore[type-arg]
        app.add_handler(CommandHandler("subscribe", subscribe))
        app.add_handler(CallbackQueryHandler(button, pattern=r"^(sub:on|m:subscribe)$"))

    running = start_bot(bot_settings, extensions=[extension])
    try:
        assert fake_telegram.ask("/subscribe")[0].text == "subscribed!"
        answer = fake_telegram.tap("m:subscribe")[-1]
        assert answer.params.get("text") == "sub button"
        assert "/help" in fake_telegram.ask("/frobnicate")[0].text  # catch-all still there
    finally:
        running.stop()

