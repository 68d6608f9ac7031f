"""The knowledge the bot answers from now, and the one way to replace it while it answers.

Whoever asks for a reload (the folder watcher, /reload, an applied upload, /rollback,
SIGHUP) goes through `LiveKnowledge`; whoever must follow the knowledge (the reminder
scheduler) listens to it. Nothing here knows Telegram.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TypeVar

from bot.core.answer import Responder
from bot.core.conversation import Conversation
from bot.core.kbdiff import KnowledgeDiff, diff_knowledge
from bot.core.knowledge import Knowledge
from bot.core.loader import load_steps
from bot.responder_cache import ResponderCache
from bot.watch import digest

log = logging.getLogger(__name__)
# A reload runs in slices of this many seconds: a reply waits for one slice at most.
STEP_SECONDS = 0.0002
# A pause between slices that took longer than this means others ran meanwhile: a reply is
# under way, and the reload waits a moment longer (see `give_way`).
BUSY_SECONDS = 0.0001
BACK_OFF_SECONDS = 0.001
T = TypeVar("T")
Listener = Callable[[Knowledge], None]


@dataclass(frozen=True)
class Swap:
    """One replacement of the live knowledge."""

    old: Knowledge
    new: Knowledge
    diff: KnowledgeDiff


class LiveKnowledge:
    """The current responder (and its knowledge) for `directory`, replaced whole on reload.

    Readers take `responder` once per question: a swap is one attribute store, so a reader
    sees the old index or the new one, never a mix. Reloads run one at a time.
    """

    def __init__(self, directory: Path, tz: tzinfo, responder: Responder,
                 folder_digest: str | None = None) -> None:
        self.directory = directory
        self.tz = tz
        # The responder, and the conversation rules reading turns with it: one object, so
        # a swap replaces both in one store.
        self._conversation = Conversation(responder)
        # The digest of the folder `responder` was loaded from (None: not known).
        self._digest = folder_digest
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()

    @classmethod
    def load(cls, directory: Path, tz: tzinfo, cache: ResponderCache) -> LiveKnowledge:
        """Load `directory` at once (at start-up: no replies to give way to), or take what
        `cache` built from the same files; raises `KnowledgeError`."""
        folder_digest = digest(directory)  # before reading: an edit meanwhile counts as new
        live = cls(directory, tz, cache.responder(directory, tz, folder_digest), folder_digest)
        gc.freeze()  # the index lives long: spare it from every GC pass
        return live

    @property
    def responder(self) -> Responder:
        return self._conversation.responder

    @property
    def conversation(self) -> Conversation:
        """Reads a message as a turn of its conversation, with `responder`."""
        return self._conversation

    @property
    def knowledge(self) -> Knowledge:
        return self._conversation.responder.knowledge

    @property
    def reloading(self) -> bool:
        return self._lock.locked()

    def listen(self, listener: Listener) -> None:
        """Call `listener(new knowledge)` after each swap, on the event loop."""
        self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def reload(self) -> Swap:
        """Load, validate and index the folder between replies, then swap it in.

        Raises `KnowledgeError` (the old knowledge keeps serving).
        """
        async with self._lock:
            return await self._reload(await asyncio.to_thread(digest, self.directory))

    async def reload_if_changed(self) -> Swap | None:
        """`reload` unless the folder holds what is live already (e.g. a file the bot wrote)."""
        async with self._lock:
            folder_digest = await asyncio.to_thread(digest, self.directory)
            if folder_digest == self._digest:
                return None
            return await self._reload(folder_digest)

    async def replace(self, write: Callable[[], tuple[Knowledge, str]]) -> Swap:
        """Run `write` in a worker thread, then swap in the knowledge it returns.

        For the bot's own edits of the folder: `write` changes it and returns the knowledge
        it validated with the folder's digest after the change, so no load is needed and
        a reload waiting meanwhile finds the folder unchanged. Its errors pass on, and
        nothing is swapped.
        """
        async with self._lock:
            with _gc_paused():
                knowledge, folder_digest = await asyncio.to_thread(write)
                return await self._swap(knowledge, folder_digest)

    async def _reload(self, folder_digest: str) -> Swap:
        with _gc_paused():
            # All on the event loop, in slices between replies: in a worker thread,
            # parsing would take the interpreter lock from the replies for milliseconds.
            knowledge = await between_replies(load_steps(self.directory, self.tz))
            return await self._swap(knowledge, folder_digest)

    async def _swap(self, knowledge: Knowledge, folder_digest: str) -> Swap:
        responder = Responder(knowledge, deferred=True)
        await between_replies(responder.steps())
        await give_way()  # freeing the old index takes a millisecond: not mid-reply
        old = self.knowledge
        self._conversation = Conversation(responder)  # one store: atomic for every reader
        self._digest = folder_digest
        # The new index lives until the next reload: freeze it before the GC runs again,
        # or its first pass would have to walk every object just built.
        gc.freeze()
        log.info("knowledge replaced: version %s -> %s, %d facts",
                 old.version, knowledge.version, len(knowledge.facts))
        for listener in tuple(self._listeners):
            try:
                listener(knowledge)
            except Exception:  # one listener's bug must not stop the others being told
                log.exception("a knowledge listener failed")
        return Swap(old, knowledge, diff_knowledge(old, knowledge))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic GC off while a reload allocates thousands of small objects: left on, it
    would walk them (and the whole heap) several times in the middle of replies."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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
