"""A group's conversations and feedback moved to its new id when it became a supergroup.

`Outbox.move_chat` moves the subscription and the queued messages; this moves what the
question log keeps per chat: the conversation contexts (per user in a group), the bot's
messages a reply continues (`answer_messages`), and the questions, taps and votes logged
on the bot's messages (a vote finds its question by chat and message, so they move
together). One transaction; running it again moves nothing more.

Message ids are per chat: a message id the new chat already has (in any of those tables)
names another message, so the old chat's rows for it stay where they are rather than be
taken for the new chat's. A context the new chat already has for a user is newer (they
wrote there since) and wins; the old one is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.connection import Connection

# Tables keyed by the chat and one of its message ids.
_BY_MESSAGE = ("answer_messages", "votes", "questions")


@dataclass(frozen=True)
class HistoryMove:
    """Rows now under the new chat id."""

    contexts: int
    answers: int  # the bot's messages a reply continues
    questions: int  # questions and taps
    votes: int

    def __bool__(self) -> bool:
        return any((self.contexts, self.answers, self.questions, self.votes))


def move_chat_rows(db: Connection, old: int, new: int) -> HistoryMove:
    """Move `old`'s rows to `new` inside the caller's transaction (nothing if they are equal)."""
    if old == new:  # its own rows would make way for themselves and be dropped
        return HistoryMove(0, 0, 0, 0)
    cur = db.execute(
        "UPDATE contexts SET chat_id = ? WHERE chat_id = ? AND NOT EXISTS"
        " (SELECT 1 FROM contexts c WHERE c.chat_id = ? AND c.user_id = contexts.user_id)",
        (new, old, new))
    contexts = cur.rowcount
    db.execute("DELETE FROM contexts WHERE chat_id = ?", (old,))
    # Read before any row moves: afterwards the moved ones would count as the new chat's.
    # Message ids both chats use: few, if any.
    clash = sorted(_message_ids(db, new) & _message_ids(db, old))
    keep = (f" AND (message_id IS NULL OR message_id NOT IN ({', '.join('?' * len(clash))}))"
            if clash else "")
    moved = {table: db.execute(
        f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?{keep}",  # table: one of ours
        (new, old, *clash)).rowcount for table in _BY_MESSAGE}
    return HistoryMove(contexts, moved["answer_messages"], moved["questions"], moved["votes"])


def _message_ids(db: Connection, chat_id: int) -> set[int]:
    return {int(m) for table in _BY_MESSAGE for (m,) in db.execute(
        f"SELECT DISTINCT message_id FROM {table} WHERE chat_id = ?"
        " AND message_id IS NOT NULL", (chat_id,))}
