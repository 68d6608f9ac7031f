"""The event command (/llamacon): its name is the knowledge base's (bot.yaml), so it follows
reloads, where PTB's CommandHandler fixes its commands when built."""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.ext.filters import MessageFilter

from bot.live import LiveKnowledge


class EventCommand(MessageFilter):
    """A message that is the live knowledge's event command: `/llamacon`, `/llamacon args`,
    or `/llamacon@thisbot` in a group (a command for another bot is not)."""

    def __init__(self, live: LiveKnowledge) -> None:
        super().__init__(name="EventCommand")
        self._live = live

    def filter(self, message: Message) -> bool:
        event = self._live.knowledge.bot.event
        if event is None or not message.text or not message.entities:
            return False
        first = message.entities[0]
        if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
            return False
        command, _, addressee = message.text[1 : first.length].partition("@")
        if addressee and addressee.lower() != (message.get_bot().username or "").lower():
            return False
        return command.lower() == event.command
