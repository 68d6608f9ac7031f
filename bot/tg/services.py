"""The object graph the handlers share, built once at start-up and reached via bot_data."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from telegram.ext import ContextTypes

from bot.answer import Responder
from bot.config import Settings
from bot.knowledge import Knowledge
from bot.loader import load_knowledge
from bot.storage.sqlite import Storage
from bot.tg.flood import FloodGate

log = logging.getLogger(__name__)
KEY = "services"
MAX_REMEMBERED_SUGGESTIONS = 10_000


@dataclass
class Services:
    settings: Settings
    storage: Storage
    responder: Responder  # replaced whole by `reload`; handlers read it once per update
    clock: Callable[[], datetime]
    flood: FloodGate = field(default_factory=FloodGate)
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # chat id -> the normalized question last answered with "did you mean" (bounded, recent)
    _suggested: OrderedDict[int, str] = field(default_factory=OrderedDict)

    @property
    def knowledge(self) -> Knowledge:
        return self.responder.knowledge

    def now(self) -> datetime:
        return self.clock()

    def remember_suggestion(self, chat_id: int, question: str) -> None:
        self._suggested[chat_id] = question
        self._suggested.move_to_end(chat_id)
        while len(self._suggested) > MAX_REMEMBERED_SUGGESTIONS:
            self._suggested.popitem(last=False)

    def suggested_question(self, chat_id: int) -> str | None:
        return self._suggested.get(chat_id)

    def is_admin(self, user_id: int | None) -> bool:
        return self.settings.is_admin(user_id)

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    async def reload(self) -> tuple[Knowledge, Knowledge]:
        """Load the knowledge directory, index it between replies, and swap the responder.

        Raises `KnowledgeError` (the old responder keeps serving). Returns (old, new).
        """
        async with self._reload_lock:
            settings = self.settings

            # Parsing and validating (a few ms, libyaml) happen in a thread; the index is
            # built here on the event loop in small steps between replies: a worker thread
            # would hold the interpreter lock the replies need for the whole build.
            knowledge = await asyncio.to_thread(
                load_knowledge, settings.knowledge_dir, settings.timezone)
            responder = Responder(knowledge, deferred=True)
            # Building allocates thousands of small objects: without this, the cyclic GC
            # would walk them (and the whole heap) several times in the middle of replies.
            gc.disable()
            try:
                for _ in responder.matcher.steps():
                    await asyncio.sleep(0)
            except BaseException:
                gc.enable()
                raise
            old = self.responder.knowledge
            self.responder = responder  # one attribute store: atomic for every reader
            # The new index lives until the next reload: freeze it before the GC runs again,
            # or its first pass would have to walk every object just built.
            gc.freeze()
            gc.enable()
            log.info("knowledge reloaded: version %s -> %s, %d facts",
                     old.version, responder.knowledge.version, len(responder.knowledge.facts))
            return old, responder.knowledge


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services = context.bot_data[KEY]
    assert isinstance(services, Services)
    return services
