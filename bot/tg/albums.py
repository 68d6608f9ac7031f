"""Albums: one reply to an album, whichever of its items carries the caption.

Telegram sends an album (a media group) of ten photos as ten messages, and puts the caption
on whichever item the user captioned, not always the first. The album's caption is
answered once; an album without one gets one "I read text only" note. That note waits
`wait` seconds before it goes out, for the album's other items: if one of them carries a
caption meanwhile, the note is called off and only the caption is answered. Items of an
album arrive together (one getUpdates batch, or webhook calls a few milliseconds apart),
so a caption that comes later than that is answered after a note that went out.

In memory, like the webhook's update ids: an album whose items reach two replicas may get
a reply from each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram.error import TelegramError

from bot.tg.recent import RecentIds

log = logging.getLogger(__name__)

ALBUM_WAIT = 2.0  # seconds a note waits for a caption on the album's other items
AlbumKey = tuple[int, str]  # (chat id, media group id)


@dataclass
class Albums:
    wait: float = ALBUM_WAIT
    answered: RecentIds[AlbumKey] = field(default_factory=RecentIds)  # a caption answered
    noted: RecentIds[AlbumKey] = field(default_factory=RecentIds)  # a note sent or waiting
    pending: dict[AlbumKey, asyncio.Task[None]] = field(default_factory=dict)

    def caption(self, album: AlbumKey) -> bool:
        """An item of `album` carries a caption: whether to answer it (the album's first
        caption). A note waiting to go out for the album is called off."""
        note = self.pending.pop(album, None)
        if note is not None:
            note.cancel()
        return self.answered.add(album)

    def note_later(self, album: AlbumKey, note: Callable[[], Awaitable[object]]) -> None:
        """An item of `album` without a caption: `note` goes out after `wait` seconds,
        once per album, unless a caption comes first or was answered already."""
        if album in self.answered or not self.noted.add(album):
            return
        self.pending[album] = asyncio.get_running_loop().create_task(
            self._note(album, note), name="album-note")

    async def _note(self, album: AlbumKey, note: Callable[[], Awaitable[object]]) -> None:
        await asyncio.sleep(self.wait)
        self.pending.pop(album, None)  # sending: a caption arriving now no longer cancels it
        try:
            await note()
        except TelegramError as exc:  # outside any handler: the error handler never sees it
            log.info("could not send the note for an album in chat %s: %s", album[0], exc)

    async def close(self) -> None:
        """Call off the notes still waiting (the bot is stopping)."""
        notes, self.pending = list(self.pending.values()), {}
        for note in notes:
            note.cancel()
        await asyncio.gather(*notes, return_exceptions=True)
