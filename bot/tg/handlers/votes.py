"""👍 / 👎 under fact answers: one vote per user and answer, acknowledged with a toast.

A 👎 swaps the vote row for reason chips (the answer's other buttons stay); a chip records
the reason and brings the vote row back. Nothing here sends a message: the chat stays the
user's. The vote joins its question in the database through the answer's chat and message
(see `bot.storage.question_log`), off the reply path like every other record.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.storage.records import VOTE_REASONS, VoteRecord
from bot.tg import keyboards, texts
from bot.tg.services import services_of

log = logging.getLogger(__name__)
PATTERN = r"^v:"


async def on_vote(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record a 👍, a 👎 or a 👎's reason from the buttons under an answer."""
    query = update.callback_query
    if query is None:
        return
    if query.message is None:  # an inline answer's: ours carry no vote buttons, so forged
        await query.answer(texts.VOTE_REFUSED)
        return
    data = query.data or ""
    reason, voter = keyboards.reason_of(data) or (None, None)
    known = data in (keyboards.VOTE_UP, keyboards.VOTE_DOWN) or reason in VOTE_REASONS
    message = query.message if isinstance(query.message, Message) else None
    # Untrusted: only our own codes, and only those the message really carries (a chip
    # tapped on a keyboard that no longer shows it is stale). A message too old for
    # Telegram to include keeps no keyboard to check against.
    if not known or (message is not None and not _offered(message.reply_markup, data)):
        log.info("refused vote button %r from user %s", data[:64], query.from_user.id)
        await query.answer(texts.VOTE_REFUSED)
        return
    if voter is not None and voter != query.from_user.id:
        # In a group the chips of someone's 👎 are everyone's to see, not to tap.
        await query.answer(texts.VOTE_NOT_YOURS)
        return
    services = services_of(context)
    services.storage.record(vote=VoteRecord(
        services.now(), query.message.chat.id, query.message.message_id, query.from_user.id,
        up=data == keyboards.VOTE_UP, reason=reason))
    if data == keyboards.VOTE_UP:
        await query.answer(texts.VOTE_UP_THANKS)
        return
    if data == keyboards.VOTE_DOWN:
        await query.answer(texts.VOTE_DOWN_ASK)
        row = keyboards.reason_row(query.from_user.id)
    else:
        await query.answer(texts.VOTE_REASON_THANKS)
        row = keyboards.vote_row()
    if message is not None:
        await _swap_row(message, row)


def _offered(markup: InlineKeyboardMarkup | None, data: str) -> bool:
    if markup is None:  # Telegram always sends the keyboard tapped; without one, trust it
        return True
    return any(button.callback_data == data for row in markup.inline_keyboard for button in row)


async def _swap_row(message: Message, row: list[InlineKeyboardButton]) -> None:
    markup = keyboards.votes_replaced(message.reply_markup, row)
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except BadRequest as exc:  # two quick taps, or a message too old to edit: the vote counts
        log.info("could not swap the vote row of message %s: %s", message.message_id, exc)
