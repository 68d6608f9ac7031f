"""The values storage takes and returns: plain frozen records, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ANSWERED_KINDS = ("fact", "smalltalk")
GAP_KINDS = ("fallback", "suggest", "not_in_article")
# A "did you mean" choice: logged under the question it answered, so /gaps can propose
# that phrasing as an example of the fact the user picked.
TAP_KIND = "tap"


@dataclass(frozen=True)
class QuestionRecord:
    asked_at: datetime
    channel: str  # private, group, inline
    text: str  # normalized (bot.core.normalize.normalize_for_log), never the raw message
    kind: str
    fact_id: str | None
    score: float
    # A "did you mean" reply: its chat and the bot's message carrying the buttons, so a tap
    # on them is credited to this question (not to whatever the chat asked last).
    chat_id: int | None = None
    message_id: int | None = None
    # Kept for the admins' review, and purged with the row (`QuestionLog.purge`): who asked
    # (to count the users a gap touches), what was offered instead of an answer (did you
    # mean, closest facts) and, for a fact answer, its lead over the runner-up.
    asked_by: int | None = None
    offered: tuple[str, ...] = ()
    margin: float | None = None


@dataclass(frozen=True)
class TapRecord:
    """A "did you mean" button tapped on the bot's message `message_id` in `chat_id`."""

    tapped_at: datetime
    chat_id: int
    message_id: int
    user_id: int  # one tap per user and message counts; a later tap replaces the choice
    fact_id: str | None  # None: "none of these"


# Why a user voted an answer down (the chips under 👎), in storage's words.
VOTE_REASONS = ("wrong", "incomplete", "misunderstood")


@dataclass(frozen=True)
class VoteRecord:
    """👍 or 👎 on the bot's answer `message_id` in `chat_id`: one per user and answer, a
    later vote replacing the earlier (and its reason)."""

    voted_at: datetime
    chat_id: int
    message_id: int
    user_id: int
    up: bool
    reason: str | None = None  # one of VOTE_REASONS, only with a 👎

    def __post_init__(self) -> None:
        # Callback data is untrusted: nothing but a known reason on a 👎 reaches the table.
        if self.reason is not None and (self.up or self.reason not in VOTE_REASONS):
            raise ValueError(f"not a reason for a vote down: {self.reason!r}")


@dataclass(frozen=True)
class UserSeen:
    user_id: int
    seen_at: datetime
    language: str | None = None


@dataclass(frozen=True)
class Stats:
    users: int
    questions: int
    by_kind: dict[str, int]
    top_facts: tuple[tuple[str, int], ...]
    subscribers: int
    blocked: int  # unsubscribed because they blocked or removed the bot

    @property
    def answered(self) -> int:
        return sum(self.by_kind.get(kind, 0) for kind in ANSWERED_KINDS)

    @property
    def unanswered(self) -> int:
        return sum(self.by_kind.get(kind, 0) for kind in GAP_KINDS)


@dataclass(frozen=True)
class Gap:
    text: str
    count: int
    last_asked: str


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str  # "ok" or a short reason such as "database is locked"


@dataclass(frozen=True)
class FactFeedback:
    """What users made of one fact's answers in a period (for /stats)."""

    fact_id: str
    answered: int
    up: int
    down: int
    picked: int  # chosen from a "did you mean"


@dataclass(frozen=True)
class Activity:
    """Questions of one UTC hour by kind of answer (the /stats chart buckets them by day)."""

    hour: datetime  # UTC, the start of the hour
    kind: str
    count: int


@dataclass(frozen=True)
class Purged:
    """Rows deleted by a purge, per table."""

    questions: int  # taps included
    votes: int
    decisions: int
    users: int
    subscribers: int = 0  # chats unsubscribed before the cutoff
    deliveries: int = 0  # finished outbox rows (who got which broadcast)
    broadcasts: int = 0  # finished broadcasts (their text, the admin who sent them)

    @property
    def total(self) -> int:
        return (self.questions + self.votes + self.decisions + self.users + self.subscribers
                + self.deliveries + self.broadcasts)
