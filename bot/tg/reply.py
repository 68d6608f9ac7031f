"""Sending answers and logging the question: the shared tail of every answering handler."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters, User
from telegram.error import RetryAfter

from bot.answer import Answer, AnswerKind
from bot.normalize import normalize_for_log
from bot.storage.records import TAP_KIND, QuestionRecord, UserSeen
from bot.tg.keyboards import fact_buttons
from bot.tg.render import render_answer
from bot.tg.services import Services

MAX_RETRY_WAIT = 5.0  # seconds


async def send_chunks(bot: Bot, chat_id: int, chunks: list[str],
                      markup: InlineKeyboardMarkup | None = None,
                      reply_to: int | None = None) -> None:
    """Send HTML messages in order; the keyboard goes on the last one."""
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        # Only the first part quotes the question; allow_sending_without_reply keeps
        # the answer going if the user deleted their message meanwhile.
        reply = (ReplyParameters(reply_to, allow_sending_without_reply=True)
                 if reply_to is not None and index == 0 else None)
        markup_here = markup if last else None
        try:
            await bot.send_message(chat_id, chunk, reply_markup=markup_here,
                                   reply_parameters=reply)
        except RetryAfter as exc:
            # One short wait and retry keeps a reply alive through a brief 429; longer
            # waits go to the error handler instead of stalling the update queue.
            delay = exc.retry_after  # timedelta with PTB_TIMEDELTA (see bot.tg.app), else int
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            if seconds > MAX_RETRY_WAIT:
                raise
            await asyncio.sleep(seconds)
            await bot.send_message(chat_id, chunk, reply_markup=markup_here,
                                   reply_parameters=reply)


async def send_answer(bot: Bot, services: Services, chat_id: int, answer: Answer,
                      reply_to: int | None = None) -> None:
    knowledge = services.knowledge
    services.metrics.answers.inc(answer.kind.value)
    markup = None
    if answer.kind is AnswerKind.SUGGEST:
        services.remember_suggestion(chat_id, normalize_for_log(answer.question))
        markup = fact_buttons(answer.suggestions, knowledge, prefix="d")
    elif answer.suggestions:
        markup = fact_buttons(answer.suggestions, knowledge)
    await send_chunks(bot, chat_id, render_answer(answer, knowledge), markup, reply_to)


def record_tap(services: Services, chat_id: int, fact_id: str) -> None:
    """Log that a "did you mean" choice answered the chat's last uncertain question."""
    asked = services.suggested_question(chat_id)
    if asked:
        services.storage.record(None, QuestionRecord(services.now(), "button", asked, TAP_KIND,
                                                     fact_id, 0.0))


def record(services: Services, user: User | None, answer: Answer | None, channel: str) -> None:
    """Queue the user sighting and the normalized question; only ids and counts are kept."""
    now = services.now()
    seen = UserSeen(user.id, now, user.language_code) if user is not None else None
    question = None
    if answer is not None:
        question = QuestionRecord(now, channel, normalize_for_log(answer.question),
                                  answer.kind.value, answer.fact_id, answer.score)
    services.storage.record(seen, question)
