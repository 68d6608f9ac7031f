"""Sending answers and logging the question: the shared tail of every answering handler."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, ReplyParameters, User
from telegram.error import BadRequest, RetryAfter
from telegram.request import BaseRequest

from bot.broadcast.sender import retry_after_seconds
from bot.core.answer import Answer, AnswerKind, Choice
from bot.storage.records import QuestionRecord, TapRecord, UserSeen
from bot.tg.addressed import thread_of as thread_of  # moved; see below
from bot.tg.keyboards import fact_buttons, with_votes
from bot.tg.ordering import pause
from bot.tg.render import render_answer
from bot.tg.services import Services

log = logging.getLogger(__name__)
# `thread_of` is re-exported until bot.tg.handlers.subscriptions imports it from
# bot.tg.addressed (it moved there so bot.tg.flood need not import this).
MAX_RETRY_WAIT = 5.0  # seconds
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,3}")  # IETF, as Telegram sends
_UNSET = BaseRequest.DEFAULT_NONE  # PTB's "not given": the bot's `Defaults` fill it in


async def send_text(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None,
                    reply: ReplyParameters | None, thread: int | None) -> int:
    """`bot.send_message(chat_id, text, ...)`, the same request through the same steps (the
    bot's defaults, its rate limiter, Telegram's errors as PTB raises them), returning only
    the new message's id: PTB's `Message` read back from the result (sender, chat, every
    button) cost about a tenth of a reply's CPU, and nothing here reads more than the id.
    tests/test_tg_request.py checks the request against `send_message`'s."""
    # Keys in `Bot.send_message`'s order, so that the JSON body is byte for byte its own.
    data = {"chat_id": chat_id, "text": text, "disable_notification": _UNSET,
            "link_preview_options": _UNSET, "message_thread_id": thread, "parse_mode": _UNSET,
            "protect_content": _UNSET, "reply_markup": _markup_dict(markup),
            "reply_parameters": reply}
    result = await bot._post("sendMessage", data)  # `send_message` less its `Message.de_json`
    return int(result["message_id"])


def _markup_dict(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    """`markup` as PTB sends it (`to_dict`): PTB serializes a markup on every call, 0.1 ms
    for an answer's buttons, while answers send the same few markups again and again."""
    return None if markup is None else _serialized(markup)


@lru_cache(maxsize=1024)
def _serialized(markup: InlineKeyboardMarkup) -> dict[str, Any]:
    return markup.to_dict()


async def send_chunks(bot: Bot, chat_id: int, chunks: list[str],
                      markup: InlineKeyboardMarkup | None = None,
                      reply_to: int | None = None, thread: int | None = None) -> list[int]:
    """Send HTML messages in order (to forum topic `thread`, if any); the keyboard goes on
    the last one. Returns their ids."""
    sent = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        # Only the first part quotes the question; allow_sending_without_reply keeps
        # the answer going if the user deleted their message meanwhile.
        reply = (ReplyParameters(reply_to, allow_sending_without_reply=True)
                 if reply_to is not None and index == 0 else None)
        markup_here = markup if last else None
        try:
            sent.append(await send_text(bot, chat_id, chunk, markup_here, reply, thread))
        except RetryAfter as exc:
            # One short wait and retry keeps a reply alive through a brief 429; longer
            # waits go to the error handler instead of stalling the update queue.
            seconds = retry_after_seconds(exc)
            if seconds > MAX_RETRY_WAIT:
                raise
            await pause(seconds)
            sent.append(await send_text(bot, chat_id, chunk, markup_here, reply, thread))
    return sent


async def edit_chunks(bot: Bot, chat_id: int, earlier: tuple[int, ...], chunks: list[str],
                      markup: InlineKeyboardMarkup | None = None,
                      thread: int | None = None) -> tuple[int, ...]:
    """Put `chunks` into the bot's `earlier` messages: edit them in order, send the parts
    that do not fit, delete the messages left over. Returns the ids now holding the reply.
    """
    ids: list[int] = []
    for index, chunk in enumerate(chunks):
        markup_here = markup if index == len(chunks) - 1 else None
        if index >= len(earlier):
            sent = await send_chunks(bot, chat_id, chunks[index:], markup, thread=thread)
            return (*ids, *sent)
        try:
            await bot.edit_message_text(chunk, chat_id=chat_id, message_id=earlier[index],
                                        reply_markup=markup_here)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():  # e.g. deleted: send it anew instead
                log.info("could not edit message %s, sending a new one: %s",
                         earlier[index], exc)
                sent = await send_chunks(bot, chat_id, [chunk], markup_here, thread=thread)
                ids.append(sent[0])
                continue
        ids.append(earlier[index])
    for message_id in earlier[len(chunks):]:
        try:
            await bot.delete_message(chat_id, message_id)
        except BadRequest as exc:  # already gone, or too old to delete: it can stay
            log.info("could not delete message %s: %s", message_id, exc)
    return tuple(ids)


def answer_markup(answer: Answer) -> InlineKeyboardMarkup | None:
    """Related-question buttons, or "did you mean" choices (`d:`, logged when tapped); a fact
    answer ends with its 👍 / 👎 row."""
    return _answer_markup(answer.choices, "d" if answer.kind is AnswerKind.SUGGEST else "f",
                          answer.kind is AnswerKind.FACT)


# Answers offer the same few buttons again and again, and a markup, like every PTB object,
# cannot change once made: one is made per set of buttons, not per message (about 40 µs).
@lru_cache(maxsize=1024)
def _answer_markup(choices: tuple[Choice, ...], prefix: str,
                   votes: bool) -> InlineKeyboardMarkup | None:
    markup = fact_buttons(choices, prefix=prefix)
    return with_votes(markup) if votes else markup


async def send_answer(bot: Bot, services: Services, chat_id: int, answer: Answer,
                      reply_to: int | None = None, thread: int | None = None) -> list[int]:
    """Render and send `answer`; returns the ids of the messages sent (buttons on the last)."""
    services.metrics.answers.inc(answer.kind.value)
    return await send_chunks(bot, chat_id, render_answer(answer), answer_markup(answer),
                             reply_to, thread)


def record_tap(services: Services, query: CallbackQuery, fact_id: str) -> None:
    """Log a "did you mean" choice under the question of the message whose button it was."""
    message = query.message
    if message is not None:  # a message too old for Telegram to include cannot be matched
        services.storage.record(tap=TapRecord(services.now(), message.chat.id,
                                              message.message_id, query.from_user.id, fact_id))


def _language_tag(code: str | None) -> str | None:
    """The user's language as Telegram gives it ("bn", "en-US"), if it is one: untrusted,
    and a NUL in it would make PostgreSQL refuse the whole batch of questions."""
    return code if code is not None and _LANGUAGE_TAG.fullmatch(code) else None


def record(services: Services, user: User | None, answer: Answer | None, channel: str,
           buttons: tuple[int, int] | None = None) -> None:
    """Queue the user sighting and the normalized question; only ids and counts are kept.

    A "did you mean" or fact answer also keeps where its buttons are, `buttons` (chat id,
    message id), so a tap or a vote on them is credited to this question.
    """
    now = services.now()
    # A user is someone who asked: /start (and perhaps /subscribe) alone is not counted.
    seen = (UserSeen(user.id, now, _language_tag(user.language_code))
            if user is not None and answer is not None else None)
    question = None
    if answer is not None:
        # Where the reply is, so a "did you mean" tap or a vote on a fact finds the question;
        # who asked and what was offered instead, for the admins' review.
        at = buttons if answer.kind in (AnswerKind.SUGGEST, AnswerKind.FACT) else None
        offered = (answer.suggestions
                   if answer.kind in (AnswerKind.SUGGEST, AnswerKind.NOT_IN_ARTICLE) else ())
        question = QuestionRecord(now, channel, answer.normalized,
                                  answer.kind.value, answer.fact_id, answer.score,
                                  at[0] if at else None, at[1] if at else None,
                                  asked_by=user.id if user is not None else None,
                                  offered=offered, margin=answer.margin)
    services.storage.record(seen, question)
