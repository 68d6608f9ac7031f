"""Read Telegram updates one by one, so that one the library cannot read stops no other.

PTB reads a whole `getUpdates` batch at once: one update it trips on (a field a newer Bot
API sends in a shape it does not expect, a broken proxy) fails the call, the offset never
moves past it, and every chat waits behind it for good. The webhook has the same problem
one update at a time: a 500 makes Telegram redeliver it, and hold the updates behind it,
for hours. Such an update is taken as an empty one (no handler answers it, and the offset
moves past it), counted, and logged by its id only: its content is a user's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter, Defaults, ExtBot
from telegram.request import BaseRequest

from bot.core.message_length import MAX_ALERT, shorten
from bot.tg.recent import RecentIds
from bot.tg.request import JSONHTTPXRequest

log = logging.getLogger(__name__)

OnUnreadable = Callable[[], None]
# Callback queries remembered as answered: a failing handler's error is handled within
# seconds, while thousands of taps would come in meanwhile only under a flood.
_ANSWERED_KEPT = 4096


def read_update(data: dict[str, Any], bot: Bot, unreadable: OnUnreadable) -> Update:
    """`data` as an `Update`; an empty update of the same id when PTB cannot read it."""
    try:
        return Update.de_json(data, bot)
    except Exception as exc:  # noqa: BLE001 - whatever PTB trips on in a malformed update
        unreadable()
        log.error("update %s cannot be read (%s): taken as empty", data.get("update_id"),
                  type(exc).__name__)
    update = Update(update_id=int(data["update_id"]))
    update.set_bot(bot)
    return update


class UpdatesRequest(JSONHTTPXRequest):
    """The request `getUpdates` goes through; it keeps the last body it received, so that a
    batch PTB could not read can be read again without asking Telegram again."""

    __slots__ = ("last_body",)

    def __init__(self, connection_pool_size: int = 1) -> None:
        super().__init__(connection_pool_size)
        self.last_body = b""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, self.last_body = await super().do_request(*args, **kwargs)
        return status, self.last_body


class TolerantBot(ExtBot[Any]):
    """An `ExtBot` whose `get_updates` survives an update it cannot read (see the module),
    that remembers the callback queries it answered (`answered`): Telegram takes one
    answer per tap, so the error handler must not answer one a handler already did; and
    whose answers to them never run past Telegram's 200 characters.

    `updates` must be the bot's `get_updates_request`."""

    def __init__(self, token: str, *, base_url: str, base_file_url: str, defaults: Defaults,
                 request: BaseRequest, updates: UpdatesRequest,
                 unreadable: OnUnreadable, rate_limiter: BaseRateLimiter[Any] | None = None,
                 ) -> None:
        super().__init__(token, base_url=base_url, base_file_url=base_file_url,
                         defaults=defaults, request=request, get_updates_request=updates,
                         rate_limiter=rate_limiter)
        self._updates = updates
        self._unreadable = unreadable
        self._answered: RecentIds[str] = RecentIds(_ANSWERED_KEPT)

    async def answer_callback_query(self, callback_query_id: str, text: str | None = None,
                                    *args: Any, **kwargs: Any) -> bool:
        # Every answer goes through here, so no alert, whatever it names (a file, a
        # database error), can run past Telegram's limit and be refused whole.
        if text is not None:
            text = shorten(text, MAX_ALERT)
        done = await super().answer_callback_query(callback_query_id, text, *args, **kwargs)
        self._answered.add(callback_query_id)
        return done

    def answered(self, callback_query_id: str) -> bool:
        """Whether the bot answered this callback query (one of its latest few thousand)."""
        return callback_query_id in self._answered

    async def get_updates(self, offset: int | None = None, limit: int | None = None,
                          timeout: Any = None, allowed_updates: Sequence[str] | None = None,
                          **kwargs: Any) -> tuple[Update, ...]:
        try:
            return await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
        except TelegramError:
            raise  # network trouble, a conflict: PTB's own retry handles those
        except Exception:  # noqa: BLE001 - PTB could not read the batch: read it one by one
            body, self._updates.last_body = self._updates.last_body, b""
        try:
            result = json.loads(body)["result"]
        except (ValueError, KeyError, TypeError):
            return ()
        if not isinstance(result, list):
            return ()
        return tuple(read_update(data, self, self._unreadable) for data in result
                     if isinstance(data, dict) and type(data.get("update_id")) is int)
