"""The one object the handlers share: built once by the runner, reached via bot_data."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from telegram.ext import ContextTypes

from bot.broadcast.runtime import Broadcasting
from bot.config import Settings
from bot.core.answer import Responder
from bot.core.conversation import Conversation
from bot.core.knowledge import Knowledge
from bot.live import LiveKnowledge
from bot.metrics import Metrics
from bot.storage.question_log import Storage
from bot.tg.albums import Albums
from bot.tg.flood import FloodGate
from bot.tg.review_session import ReviewSessions
from bot.tg.taps import RecentTaps

KEY = "services"
MAX_REMEMBERED_REPLIES = 10_000  # answered messages whose edit edits the answer (~2 MB)
MAX_PENDING_EDITS = 20  # per bot: enough for a few admins, bounded against a flood of uploads


@dataclass
class RecentReplies:
    """The bot's messages that answered each of the last `size` answered user messages.

    In memory, not in the database: users correct a typo within minutes, and this costs no
    write per answer. An edit that reaches another replica, or comes after a restart, is
    answered with a new message instead of an edit of the old one.
    """

    size: int = MAX_REMEMBERED_REPLIES
    _replies: OrderedDict[tuple[int, int], tuple[int, ...]] = field(default_factory=OrderedDict)

    def remember(self, chat_id: int, message_id: int, reply_ids: tuple[int, ...]) -> None:
        key = (chat_id, message_id)
        self._replies[key] = reply_ids
        self._replies.move_to_end(key)
        while len(self._replies) > self.size:
            self._replies.popitem(last=False)

    def get(self, chat_id: int, message_id: int) -> tuple[int, ...]:
        return self._replies.get((chat_id, message_id), ())


@dataclass(frozen=True)
class PendingEdit:
    """An uploaded knowledge file waiting for an admin to apply or discard it."""

    admin_id: int  # who uploaded it
    name: str
    content: bytes
    base: str  # fingerprint of the file its preview replaced (see kbedit.apply)
    upload: int = 0  # its number among previews (`PendingEdits.upload`)


@dataclass
class PendingEdits:
    items: dict[str, PendingEdit] = field(default_factory=dict)
    size: int = MAX_PENDING_EDITS
    # File name -> the number of its newest preview. Previews of v1 and v2 of a file are
    # against the same base: without this, v1's Apply (older) would write v1 and leave
    # v2's refused as stale. Only the newest preview of a file can be applied.
    newest: dict[str, int] = field(default_factory=dict)
    uploads: int = 0

    def upload(self, name: str) -> int:
        """Number a new preview of file `name`; the earlier ones of it are superseded now
        (not when it is ready: two previews of a file staged at once end newest first)."""
        self.uploads += 1
        self.newest[name] = self.uploads
        # Bounded: forget files with nothing pending (their next upload is newest anyway).
        if len(self.newest) > 4 * self.size:
            waiting = {edit.name for edit in self.items.values()} | {name}
            self.newest = {n: u for n, u in self.newest.items() if n in waiting}
        return self.uploads

    def superseded(self, edit: PendingEdit) -> bool:
        """Whether a newer upload of `edit`'s file was previewed since `edit`'s preview."""
        return self.newest.get(edit.name, edit.upload) != edit.upload

    def add(self, edit: PendingEdit) -> str:
        """Keep `edit`; return the token its buttons carry (the oldest goes past `size`)."""
        while len(self.items) >= self.size:
            self.items.pop(next(iter(self.items)))
        token = secrets.token_urlsafe(6)
        self.items[token] = edit
        return token

    def take(self, token: str) -> PendingEdit | None:
        return self.items.pop(token, None)


@dataclass
class Services:
    settings: Settings
    live: LiveKnowledge  # the knowledge answers come from, and its reloads
    storage: Storage
    broadcasting: Broadcasting  # subscriptions' outbox and the broadcast sender
    clock: Callable[[], datetime]
    flood: FloodGate = field(default_factory=FloodGate)
    metrics: Metrics = field(default_factory=Metrics)
    replies: RecentReplies = field(default_factory=RecentReplies)
    # Albums (media groups) by chat: Telegram sends an album of ten photos as ten messages;
    # one reply for all of them, whichever carries the caption.
    albums: Albums = field(default_factory=Albums)
    taps: RecentTaps = field(default_factory=RecentTaps)  # answers' buttons tapped: once each
    pending_edits: PendingEdits = field(default_factory=PendingEdits)
    reviews: ReviewSessions = field(default_factory=ReviewSessions)  # admins' /review cards

    @property
    def responder(self) -> Responder:
        """The current responder: read it once per update (a reload replaces it whole)."""
        return self.live.responder

    @property
    def conversation(self) -> Conversation:
        """The current conversation rules, with `responder`: read once per update too."""
        return self.live.conversation

    @property
    def knowledge(self) -> Knowledge:
        return self.live.responder.knowledge

    def now(self) -> datetime:
        return self.clock()

    def is_admin(self, user_id: int | None) -> bool:
        """Whether `user_id` is an admin: every admin check asks this (see
        `bot.tg.handlers.admin.admin_services`)."""
        return self.settings.is_admin(user_id)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services = context.bot_data[KEY]
    assert isinstance(services, Services)
    return services
