"""The pure core: knowledge, matching and answers. Imports nothing from Telegram or a database."""
