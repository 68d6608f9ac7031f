"""Telegram handlers, one module per feature; `bot.tg.app` registers them in order."""
