"""Moved to `bot.storage.async_outbox`: this alias goes once bot.broadcast.runtime and
bot.broadcast.service import `AsyncOutbox` from there."""

from bot.storage.async_outbox import AsyncOutbox as AsyncOutbox
