"""The object graph the handlers share, built once at start-up and reached via bot_data."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections import OrderedDict
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from telegram.ext import ContextTypes

from bot.config import Settings
from bot.core.answer import Responder
from bot.core.knowledge import Knowledge
from bot.core.loader import load_steps
from bot.metrics import Metrics
from bot.storage.question_log import Storage
from bot.tg.flood import FloodGate

log = logging.getLogger(__name__)
KEY = "services"
MAX_REMEMBERED_REPLIES = 10_000  # answered messages whose edit edits the answer (~2 MB)
# A reload runs in slices of this many seconds: a reply waits for one slice at most.
STEP_SECONDS = 0.0002
# A pause between slices that took longer than this means others ran meanwhile: a reply is
# under way, and the reload waits a moment longer (see `give_way`).
BUSY_SECONDS = 0.0001
BACK_OFF_SECONDS = 0.001
T = TypeVar("T")


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


@dataclass
class Services:
    settings: Settings
    storage: Storage
    responder: Responder  # replaced whole by `reload`; handlers read it once per update
    clock: Callable[[], datetime]
    flood: FloodGate = field(default_factory=FloodGate)
    metrics: Metrics = field(default_factory=Metrics)
    replies: RecentReplies = field(default_factory=RecentReplies)
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def knowledge(self) -> Knowledge:
        return self.responder.knowledge

    def now(self) -> datetime:
        return self.clock()

    def is_admin(self, user_id: int | None) -> bool:
        return self.settings.is_admin(user_id)

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    async def reload(self) -> tuple[Knowledge, Knowledge]:
        """Load, validate and index the knowledge folder between replies; swap the responder.

        Raises `KnowledgeError` (the old responder keeps serving). Returns (old, new).
        """
        async with self._reload_lock:
            settings = self.settings
            # A reload allocates thousands of small objects: left on, the cyclic GC would walk
            # them (and the whole heap) several times in the middle of replies.
            gc.disable()
            try:
                # All on the event loop, in slices between replies: in a worker thread,
                # parsing would take the interpreter lock from the replies for milliseconds.
                knowledge = await between_replies(
                    load_steps(settings.knowledge_dir, settings.timezone))
                responder = Responder(knowledge, deferred=True)
                await between_replies(responder.matcher.steps())
                await give_way()  # freeing the old index takes a millisecond: not mid-reply
                old = self.responder.knowledge
                self.responder = responder  # one attribute store: atomic for every reader
                # The new index lives until the next reload: freeze it before the GC runs
                # again, or its first pass would have to walk every object just built.
                gc.freeze()
            finally:
                gc.enable()
            log.info("knowledge reloaded: version %s -> %s, %d facts",
                     old.version, responder.knowledge.version, len(responder.knowledge.facts))
            return old, responder.knowledge


async def between_replies(steps: Generator[None, None, T]) -> T:
    """Run `steps` to the end on the event loop, a slice at a time, replies first."""
    loop = asyncio.get_running_loop()
    while True:
        await give_way()
        pause_at = loop.time() + STEP_SECONDS
        try:
            while loop.time() < pause_at:
                next(steps)
        except StopIteration as done:
            result: T = done.value
            return result


async def give_way() -> None:
    """Let the loop run what is ready; if that was a reply under way, let it finish first."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(0)
    if loop.time() - start > BUSY_SECONDS:
        # Each of the reply's many callbacks would otherwise wait for a slice of ours.
        await asyncio.sleep(BACK_OFF_SECONDS)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services = context.bot_data[KEY]
    assert isinstance(services, Services)
    return services
