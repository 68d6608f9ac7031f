"""A group upgraded to a supergroup gets a new chat id: what is kept under the old one moves.

Telegram says so twice: a service message in each chat (`migrate_to_chat_id`,
`migrate_from_chat_id`), and a 400 with `migrate_to_chat_id` to a message sent to the old
id (PTB's `ChatMigrated`, seen by `bot.tg.pacing`). Either moves the subscription and the
queued broadcast messages (the outbox), and the conversations, questions and votes kept
under the old id (the question log), each in one storage update that may run again
harmlessly: a follow-up in the supergroup continues the conversation begun in the group.

Only a service message that can be real moves anything: `migrate_to_chat_id` in a basic
group, `migrate_from_chat_id` in a supergroup, the old id a basic group's (negative, not
-100…) and the new id a supergroup's (-100…). Anything else (a forged update in a private
chat, one naming its own chat, a supergroup "coming from" a private chat or another
supergroup) would move or drop someone's subscription, so it is ignored.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.storage.connection import DatabaseError
from bot.tg.services import Services, services_of

log = logging.getLogger(__name__)
# Supergroup and channel ids are -100 followed by the chat's number: -1001234567890.
SUPERGROUP_ID_MAX = -1_000_000_000_000


async def move_chat(services: Services, old: int, new: int) -> None:
    """Move the chat `old`'s subscription, queued messages, conversations and feedback to
    `new`."""
    history = await services.storage.move_chat(old, new)
    if history is None:  # the database refused: logged by the storage
        log.error("chat %s is now %s, but its conversations and votes could not be moved",
                  old, new)
    elif history:
        log.info("chat %s is now %s: %d conversation(s), %d answer(s), %d question(s) and"
                 " %d vote(s) moved", old, new, history.contexts, history.answers,
                 history.questions, history.votes)
    outbox = services.broadcasting.outbox
    if outbox is None:  # the database is down: a later send to `old` will tell us again
        log.warning("chat %s is now %s, but the database is unavailable: nothing moved",
                    old, new)
        return
    now = services.now()
    try:
        moved = await outbox.call(lambda o: o.move_chat(old, new, now))
    except DatabaseError as exc:
        log.error("chat %s is now %s, but its subscription could not be moved: %s",
                  old, new, exc)
        return
    if moved.subscription or moved.queued:
        log.info("chat %s is now %s: subscription %s, %d queued message(s) moved", old, new,
                 "moved" if moved.subscription else "not moved", moved.queued)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The service message of a group's upgrade, in the old chat or in the new one."""
    message = update.effective_message
    if message is None:
        return
    chat = message.chat
    if message.migrate_to_chat_id is not None and chat.type == ChatType.GROUP:
        old, new = chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None and chat.type == ChatType.SUPERGROUP:
        old, new = message.migrate_from_chat_id, chat.id
    else:
        log.info("a group upgrade told in a %s chat (%s) ignored: only a group moves, to a"
                 " supergroup", chat.type, chat.id)
        return
    if new > SUPERGROUP_ID_MAX or not SUPERGROUP_ID_MAX < old < 0:
        log.info("a group upgrade from %s to %s ignored: not from a group to a supergroup id",
                 old, new)
        return
    await move_chat(services_of(context), old, new)
