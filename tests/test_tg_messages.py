"""What users send besides plain new text: captions, files, edits, forum topics, a bare
mention, other scripts. End to end against the fake Bot API."""

from __future__ import annotations

import time
from typing import Any

import pytest
from conftest import ADMIN_ID, FIXED_NOW, BotThread
from fake_telegram import FakeTelegram, _entities

LLAMACON = "লামাকন কবে?"
PHOTO = [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}]
VIDEO = {"file_id": "v", "file_unique_id": "vu", "width": 1, "height": 1, "duration": 1}
READS_TEXT = "লেখা"  # "I read text": the note for messages without any


def document(name: str = "photo.pdf") -> dict[str, Any]:
    return {"file_id": "d", "file_unique_id": "du", "file_name": name}


def caption(text: str) -> dict[str, Any]:
    return {"caption": text, "caption_entities": _entities(text)}


def edit(fake: FakeTelegram, message: dict[str, Any], text: str) -> int:
    """Push the edited version of `message` (the same id, new text), as Telegram does."""
    changed = {**message, "text": text, "edit_date": int(time.time())}
    changed.pop("entities", None)
    if _entities(text):
        changed["entities"] = _entities(text)
    return fake.push("edited_message", changed)


def test_a_caption_is_asked_like_a_text(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    for media in ({"photo": PHOTO}, {"video": VIDEO}, {"document": document()}):
        [reply] = fake_telegram.ask(None, **media, **caption(LLAMACON))
        assert "৯ দিন বাকি" in reply.text, media
    group = {"chat_id": -410, "chat_type": "supergroup", "user_id": 5}
    since = fake_telegram.mark()
    fake_telegram.message(None, photo=PHOTO, **caption(LLAMACON), **group)  # not addressed
    [reply] = fake_telegram.ask(None, photo=PHOTO, **caption(f"@llama_test_bot {LLAMACON}"),
                                **group)
    assert "৯ দিন বাকি" in reply.text
    assert len(fake_telegram.calls_to("sendMessage", since)) == 1


def test_a_users_file_gets_the_text_note_not_the_admin_refusal(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    for name in ("notes.pdf", "facts.yaml"):
        [reply] = fake_telegram.ask(None, user_id=12, document=document(name))
        assert READS_TEXT in reply.text and "অ্যাডমিন" not in reply.text
    # An admin's file is still a knowledge upload (checked in test_tg_knowledge); a stray
    # one is explained.
    [reply] = fake_telegram.ask(None, user_id=ADMIN_ID, document=document("notes.pdf"))
    assert ".yaml" in reply.text


def test_an_edited_question_edits_the_earlier_answer(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    message = fake_telegram.make_message("আজ ঢাকার আবহাওয়া কেমন?", user_id=13)
    since = fake_telegram.mark()
    fake_telegram.push("message", message)
    [first] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 13, since=since)
    assert "৯ দিন বাকি" not in first.text
    edit(fake_telegram, message, LLAMACON)  # the typo fixed
    [edited] = fake_telegram.wait_for("editMessageText", since=since)
    assert edited.params["message_id"] == first.message_id and edited.chat_id == 13
    assert "৯ দিন বাকি" in edited.text
    assert edited.buttons and all(b["callback_data"].startswith("f:")
                                  for b in edited.buttons[:-2])
    assert [b["callback_data"] for b in edited.buttons[-2:]] == ["v:up", "v:down"]
    assert len(fake_telegram.calls_to("sendMessage", since)) == 1  # no second answer


def test_an_edit_without_an_earlier_answer_is_answered_anew(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    group = {"chat_id": -420, "chat_type": "supergroup", "user_id": 14}
    message = fake_telegram.make_message(LLAMACON, **group)
    since = fake_telegram.mark()
    fake_telegram.push("message", message)  # not addressed: no answer
    edit(fake_telegram, message, f"@llama_test_bot {LLAMACON}")  # now it is
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == -420, since=since)
    assert "৯ দিন বাকি" in reply.text
    assert reply.params["reply_parameters"]["message_id"] == message["message_id"]
    # An edit that changes nothing the bot answered (still not addressed) stays quiet.
    other = fake_telegram.make_message("hello all", **group)
    fake_telegram.push("message", other)
    edit(fake_telegram, other, "hello everyone")
    fake_telegram.ask("/help", **group)  # handled after both, in order
    assert len(fake_telegram.calls_to("sendMessage", since)) == 2


def test_forum_topic_replies_stay_in_their_topic(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    topic = {"chat_id": -430, "chat_type": "supergroup", "user_id": 15,
             "message_thread_id": 7, "is_topic_message": True}
    in_topic = {"message_thread_id": 7, "is_topic_message": True}
    sent = [fake_telegram.ask(f"@llama_test_bot {LLAMACON}", **topic)[0],
            fake_telegram.ask("/source", **topic)[0],
            fake_telegram.ask("/subscribe", **topic)[0],
            fake_telegram.ask("/llamacon", **topic)[0]]
    for data in ("f:llamacon", "m:source", "m:llamacon", "m:subscribe"):
        calls = fake_telegram.tap(data, method="sendMessage", user_id=15, chat_id=-430,
                                  message_id=sent[0].message_id, **in_topic)
        sent.append(calls[-1])
    fake_telegram.fail("sendMessage", 500, chat_id=-430)  # the apology too
    sent += fake_telegram.ask(f"@llama_test_bot {LLAMACON}", count=2, **topic)[1:]
    assert [call.params.get("message_thread_id") for call in sent] == [7] * len(sent)


def test_a_bare_mention_gets_the_greeting(bot: BotThread, fake_telegram: FakeTelegram) -> None:
    group = {"chat_id": -440, "chat_type": "supergroup", "user_id": 16}
    for text in ("@llama_test_bot", " @llama_test_bot ?"):
        [reply] = fake_telegram.ask(text, **group)
        assert "লামাবট" in reply.text and "m:topics" in [b.get("callback_data")
                                                       for b in reply.buttons]
    [reply] = fake_telegram.ask("@llama_test_bot", user_id=16)  # privately too
    assert "লামাবট" in reply.text


def test_other_scripts_get_a_note_on_the_languages_read(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    empty = bot.services.knowledge.voice.render("empty")  # the knowledge base's (bot.yaml)
    for text in ("लामा कब है?", "متى مؤتمر لاما؟", "Когда?", "羊驼什么时候?"):
        [reply] = fake_telegram.ask(text, user_id=17)
        assert "বাংলা" in reply.text and "ইংরেজি" in reply.text, text
        assert empty not in reply.text
    [reply] = fake_telegram.ask("😀🎉", user_id=17)  # nothing to read at all
    assert reply.text == empty
    answer = bot.services.responder.ask("लामा कब है?", FIXED_NOW)  # the console says the same
    assert "ইংরেজি" in answer.text


def test_an_answer_of_another_length_reuses_edits_and_removes_messages(
    fake_telegram: FakeTelegram,
) -> None:
    import asyncio

    from fake_telegram import TOKEN, Failure
    from telegram import Bot

    from bot.tg.reply import edit_chunks

    async def run(earlier: tuple[int, ...], chunks: list[str]) -> tuple[int, ...]:
        async with Bot(TOKEN, base_url=fake_telegram.base_url) as bot:
            return await edit_chunks(bot, 50, earlier, chunks, thread=7)

    since = fake_telegram.mark()
    assert asyncio.run(run((1, 2, 3), ["a", "b"])) == (1, 2)  # shorter: the rest deleted
    assert [c.params["message_id"] for c in fake_telegram.calls_to("editMessageText", since)
            ] == [1, 2]
    assert [c.params["message_id"] for c in fake_telegram.calls_to("deleteMessage", since)
            ] == [3]
    since = fake_telegram.mark()
    ids = asyncio.run(run((1,), ["a", "b"]))  # longer: the rest sent, in the same topic
    [extra] = fake_telegram.calls_to("sendMessage", since)
    assert ids == (1, extra.message_id) and extra.params["message_thread_id"] == 7
    since = fake_telegram.mark()
    fake_telegram.failures.append(Failure("editMessageText", 400,
                                          description="Bad Request: message is not modified"))
    fake_telegram.failures.append(Failure("editMessageText", 400,
                                          description="Bad Request: message to edit not found"))
    ids = asyncio.run(run((1, 2), ["same", "gone"]))
    [anew] = fake_telegram.calls_to("sendMessage", since)  # only the deleted one is resent
    assert ids == (1, anew.message_id) and anew.text == "gone"


def test_an_update_the_bot_cannot_read_does_not_stop_polling(
    bot: BotThread, fake_telegram: FakeTelegram
) -> None:
    # getUpdates returns a batch; one update PTB cannot read fails the whole call, and the
    # same offset would be asked again forever, every chat waiting behind it.
    since = fake_telegram.mark()
    fake_telegram.push("message", {"message_id": 1, "chat": {"id": 303}})  # no date, no sender
    fake_telegram.message(LLAMACON, user_id=304)
    [reply] = fake_telegram.wait_for("sendMessage", since=since, timeout=10)
    assert reply.chat_id == 304 and "লামাকন" in reply.text


@pytest.mark.parametrize("chat", [{}, {"chat_id": -412, "chat_type": "supergroup",
                                      "reply_to_bot": True}])
@pytest.mark.parametrize("captioned", [(1,), (0, 2)])
def test_an_album_captioned_on_its_second_item_gets_the_answer_only(
    bot: BotThread, fake_telegram: FakeTelegram, chat: dict[str, Any],
    captioned: tuple[int, ...]
) -> None:
    """Found by the red-team run: Telegram puts the caption on whichever item the user
    captioned; with it on the second, the first got "I read text only" and the second the
    answer, two replies to one album. An album captioned twice is answered once too."""
    since = fake_telegram.mark()
    where = chat.get("chat_id", 413)
    for index in range(3):
        extra = caption(LLAMACON) if index in captioned else {}
        fake_telegram.message(None, user_id=413, photo=PHOTO, media_group_id="album-2",
                              **chat, **extra)
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == where and "লামাকন" in c.text,
                           since=since)
    from bot.tg.render import render_answer

    [hello] = render_answer(bot.services.responder.ask("hello", FIXED_NOW))
    fake_telegram.message("hello", user_id=413, **chat)  # handled after the whole album
    fake_telegram.wait_for("sendMessage", lambda c: c.text == hello, since=since)
    replies = [c.text for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == where]
    assert sum("লামাকন" in r for r in replies) == 1, replies
    assert sum(READS_TEXT in r for r in replies) == 0, replies
    assert not bot.services.albums.pending  # and no note waits to go out later


@pytest.mark.parametrize("captioned", [0, 3, None])
def test_an_album_gets_one_reply_not_one_per_photo(
    bot: BotThread, fake_telegram: FakeTelegram, captioned: int | None
) -> None:
    """Found by the red-team run: an album of ten photos replying to the bot got the answer
    and nine "I read text only" notes (Telegram sends an album as one message per photo)."""
    since = fake_telegram.mark()
    for index in range(10):
        extra = caption(LLAMACON) if index == captioned else {}
        fake_telegram.message(None, user_id=412, photo=PHOTO, media_group_id="album-1", **extra)
    fake_telegram.message("hello", user_id=412)  # answered after the album: it is all handled
    fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 412 and "লামাকন" not in c.text
                           and READS_TEXT not in c.text, since=since)
    if captioned is None:  # the note waits a moment for a caption on a later item
        fake_telegram.wait_for("sendMessage", lambda c: READS_TEXT in c.text, since=since)
    assert not bot.services.albums.pending
    replies = [c.text for c in fake_telegram.calls_to("sendMessage", since) if c.chat_id == 412]
    notes = sum(READS_TEXT in r for r in replies)
    answers = sum("লামাকন" in r for r in replies)
    assert (answers, notes) == ((0, 1) if captioned is None else (1, 0))
