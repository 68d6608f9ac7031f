"""A message as a turn of its conversation: its context read, the turn sent, the context kept.

A private chat is one conversation; in a group each user has their own, so two people
asking at once never continue each other's questions. A Telegram reply to one of the
bot's answers continues from that answer's fact. Inline queries keep no context.

A message asking several things gets one message per answer, each with its fact's title,
its own citation and (for a "did you mean" part) its own buttons: on a phone each reads
on its own, each stays under Telegram's 4,096 units with the usual splitting, and a reply
to one of them points at exactly one fact. The related-question buttons come once, under
the last answer, to keep the screen short.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from telegram import Bot, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType

from bot.core.answer import Answer, AnswerKind
from bot.core.conversation import Context, Conversation, Turn, TurnKind
from bot.storage.contexts import ContextRecord, ConversationKey, Remembered
from bot.storage.records import TapRecord
from bot.tg.addressed import question_in, replies_to, speaker
from bot.tg.render import render_answer
from bot.tg.reply import answer_markup, edit_chunks, record, send_chunks
from bot.tg.services import Services


@dataclass(frozen=True)
class Part:
    """One answer of a turn as one Telegram message (split further if it is long)."""

    answer: Answer | None  # None: not an answer (the greeting for a bare @mention)
    chunks: list[str]
    markup: InlineKeyboardMarkup | None


@dataclass(frozen=True)
class Sent:
    """Where a turn went: the bot's message ids of each part, in order."""

    chat_id: int
    parts: tuple[Part, ...]
    ids: tuple[tuple[int, ...], ...]

    @property
    def all_ids(self) -> tuple[int, ...]:
        return tuple(i for ids in self.ids for i in ids)


def conversation_key(message: Message, user: User | None) -> ConversationKey:
    """Whose conversation `message` continues: its speaker's (`addressed.speaker`)."""
    private = message.chat.type == ChatType.PRIVATE
    return ConversationKey.of(message.chat.id, speaker(message, user), private)


def replied_answer(message: Message, bot_id: int) -> int | None:
    """The bot's message `message` replies to, if it does."""
    if message.reply_to_message is not None and replies_to(message, bot_id):
        return message.reply_to_message.message_id
    return None


def prefetcher(services: Services) -> Callable[[object], Callable[[], None] | None]:
    """What tells the database, as each update arrives, the context it will need: the
    updates of one getUpdates call are then read by one statement (see `Contexts`)."""

    def arrived(update: object) -> Callable[[], None] | None:
        if not services.settings.conversation or not isinstance(update, Update):
            return None
        message = update.message or update.edited_message
        try:
            bot = update.get_bot()
        except RuntimeError:  # an update built without a bot (tests): nothing to guess
            return None
        if message is None or question_in(message, bot.id, bot.username) is None:
            return None  # not a question for the bot: its handler reads nothing
        key = conversation_key(message, update.effective_user)
        reply_to = replied_answer(message, bot.id)
        contexts = services.storage.contexts
        contexts.prefetch(key, reply_to, services.now())
        return lambda: contexts.discard(key, reply_to)

    return arrived


async def recall(services: Services, key: ConversationKey, reply_to: int | None,
                 now: datetime) -> Remembered | None:
    """What the conversation remembers (one read); None when conversations are turned off."""
    if not services.settings.conversation:
        return None
    return await services.storage.contexts.read(key, reply_to, now)


async def read_turn(services: Services, message: Message, user: User | None, question: str,
                    bot_id: int, now: datetime) -> tuple[Turn, Remembered | None]:
    """`question` read as the next turn of its conversation (on its own when turned off:
    as a first message, whose every question is still answered)."""
    memory = await recall(services, conversation_key(message, user),
                          replied_answer(message, bot_id), now)
    conversation = services.conversation  # once: a reload may land during the read
    if memory is None:
        return conversation.reply(question, Context(), now), None
    return conversation.reply(question, starting_context(conversation, memory, now), now), memory


def starting_context(conversation: Conversation, memory: Remembered, now: datetime) -> Context:
    if memory.replied_fact is not None:
        return conversation.replying_to(memory.replied_fact, memory.context, now)
    return memory.context


def parts_of(turn: Turn) -> tuple[Part, ...]:
    """Each answer of `turn` rendered; related-question buttons only under the last one, and
    none under a number past the buttons."""
    parts = []
    for index, answer in enumerate(turn.answers):
        shown = answer
        if answer.kind is AnswerKind.FACT and index < len(turn.answers) - 1:
            shown = replace(answer, choices=())
        if answer.kind is AnswerKind.OUT_OF_RANGE:
            # The buttons on offer are just above, and only theirs are taps the log credits
            # to the "did you mean" they answer.
            shown = replace(answer, choices=())
        parts.append(Part(answer, render_answer(shown), answer_markup(shown)))
    return tuple(parts)


async def send_parts(bot: Bot, chat_id: int, parts: Sequence[Part], *,
                     reply_to: int | None = None, thread: int | None = None,
                     earlier: tuple[int, ...] = ()) -> Sent:
    """Send each part as its own message(s), or put them into the bot's `earlier` messages
    (an edited question); in groups each part quotes the question (`reply_to`)."""
    ids: list[tuple[int, ...]] = []
    rest = list(earlier)
    for index, part in enumerate(parts):
        if rest:
            # The last part takes every message left over, so edit_chunks deletes them.
            mine = rest if index == len(parts) - 1 else rest[: len(part.chunks)]
            rest = rest[len(mine):]
            ids.append(await edit_chunks(bot, chat_id, tuple(mine), part.chunks, part.markup,
                                         thread))
        else:
            sent = await send_chunks(bot, chat_id, part.chunks, part.markup, reply_to, thread)
            ids.append(tuple(sent))
    return Sent(chat_id, tuple(parts), tuple(ids))


def keep_turn(services: Services, user: User | None, turn: Turn, sent: Sent,
              channel: str | None, key: ConversationKey, memory: Remembered | None,
              now: datetime) -> None:
    """Count each answer and log it in the question log under `channel` (None: not asked,
    e.g. a link to an answer); keep the conversation's new context (`memory` None: off)."""
    offered: int | None = None
    for answer, ids in _answered(sent):
        services.metrics.answers.inc(answer.kind.value)
        if channel is not None:
            record(services, user, answer, channel, (sent.chat_id, ids[-1]) if ids else None)
        if answer.kind is AnswerKind.SUGGEST and ids and offered is None:
            offered = ids[-1]  # the message whose buttons `turn.context.choices` are
    if memory is None:
        return
    if offered is None and turn.context.choices:
        offered = memory.offered_message  # the same choices are still on offer
    answers = tuple((message_id, answer.fact_id) for answer, ids in _answered(sent)
                    if answer.kind is AnswerKind.FACT and answer.fact_id for message_id in ids)
    services.storage.record(context=ContextRecord(key, turn.context, now, answers, offered))


def _answered(sent: Sent) -> list[tuple[Answer, tuple[int, ...]]]:
    return [(part.answer, ids) for part, ids in zip(sent.parts, sent.ids, strict=True)
            if part.answer is not None]


def record_choice(services: Services, user: User | None, turn: Turn, chat_id: int,
                  memory: Remembered | None, now: datetime) -> None:
    """"২" or "না" answers a "did you mean" as a tap on its buttons would: logged under the
    question it was offered for ("none of these" as a tap on no fact: a gap for /gaps)."""
    if (turn.kind in (TurnKind.PICK, TurnKind.REJECT) and memory is not None
            and memory.offered_message is not None and user is not None):
        chosen = turn.answer.fact_id if turn.kind is TurnKind.PICK else None
        services.storage.record(tap=TapRecord(now, chat_id, memory.offered_message, user.id,
                                              chosen))
