"""Build the PTB `Application`: defaults, handlers in order, and the command menus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.bot_texts import EventCommand as EventCommandTexts
from bot.core.knowledge import Knowledge
from bot.live import LiveKnowledge
from bot.tg import migration, turns
from bot.tg.event_command import EventCommand
from bot.tg.handlers import (
    admin,
    callbacks,
    commands,
    errors,
    groups,
    inline,
    knowledge_edits,
    messages,
    review,
    subscriptions,
    votes,
)
from bot.tg.ordering import ChatOrderedProcessor
from bot.tg.pacing import ChatPacer
from bot.tg.request import JSONHTTPXRequest
from bot.tg.services import KEY, Services
from bot.tg.updates import TolerantBot, UpdatesRequest

log = logging.getLogger(__name__)


USER_COMMANDS = {
    # command: (default description, Bengali description); the event command (bot.yaml's
    # `event:`) comes after /topics, with its own descriptions.
    "start": ("Start: what I know", "শুরু: আমি কী জানি"),
    "topics": ("Browse questions by topic", "বিষয় ধরে প্রশ্ন"),
    "source": ("The article behind the answers", "উত্তরের সূত্র প্রতিবেদন"),
    "subscribe": ("Event reminders on", "ইভেন্টের রিমাইন্ডার চালু"),
    "unsubscribe": ("Event reminders off", "রিমাইন্ডার বন্ধ"),
    "help": ("How to ask", "কীভাবে প্রশ্ন করবেন"),
}
ADMIN_COMMANDS = {
    "stats": ("Usage statistics", "ব্যবহারের পরিসংখ্যান"),
    "gaps": ("Questions I could not answer", "যেসব প্রশ্নের উত্তর জানা নেই"),
    "review": ("Teach me what users asked", "ব্যবহারকারীদের প্রশ্ন থেকে শেখান"),
    "reload": ("Reload the knowledge base", "জ্ঞানভান্ডার আবার লোড"),
    "rollback": ("Undo the last uploaded knowledge file", "শেষ আপলোড করা ফাইল ফেরান"),
    "broadcast": ("Announce to all subscribers", "সব সাবস্ক্রাইবারকে ঘোষণা"),
    "stopall": ("Stop every broadcast and reminder being sent", "সব সম্প্রচার ও রিমাইন্ডার থামান"),
}


Extension = Callable[[Application], None]  # type: ignore[type-arg]


def build_application(services: Services, *, token: str, base_url: str,
                      extensions: Sequence[Extension] = (),
                      pacer: ChatPacer | None = None) -> Application:  # type: ignore[type-arg]
    """A configured but not yet initialized application; `services` lands in bot_data.

    `extensions` add their handlers first, so their commands and buttons win over this
    module's (the built-in /subscribe included) and its catch-alls. Every request goes
    through `pacer` (Telegram's limits; a default one if not given).
    """
    pacer = pacer or ChatPacer()
    pacer.on_moved(lambda old, new: migration.move_chat(services, old, new))
    defaults = Defaults(parse_mode=ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True))
    # JSON bodies: cheaper to encode than PTB's forms (see bot.tg.request). Pool sizes as
    # PTB's defaults: many sends at once, one long poll.
    bot = TolerantBot(token, base_url=base_url, base_file_url=file_url(base_url),
                      defaults=defaults, request=JSONHTTPXRequest(connection_pool_size=256),
                      updates=UpdatesRequest(connection_pool_size=1),
                      unreadable=services.metrics.errors.inc, rate_limiter=pacer)
    processor = ChatOrderedProcessor(metrics=services.metrics, arrival=turns.prefetcher(services),
                                     chat_queue=pacer.limits.queue)
    collect_pacing_metrics(services, pacer, processor)
    app = (
        Application.builder()
        .bot(bot)
        # Chats run concurrently (a slow send for one user delays no one else), each
        # chat's own updates in order.
        .concurrent_updates(processor)
        # No persistence and no job queue: state that must survive lives in our database.
        .build()
    )
    app.bot_data[KEY] = services
    for extend in extensions:
        extend(app)
    add_handlers(app, services.live)
    return app


def collect_pacing_metrics(services: Services, pacer: ChatPacer,
                           processor: ChatOrderedProcessor) -> None:
    """What Telegram's limits cost: updates dropped from a full chat queue, 429s."""

    async def dropped() -> dict[str, float]:
        return {"": processor.dropped}

    async def throttled() -> dict[str, float]:
        return {"": pacer.throttled}

    services.metrics.collect(
        "llamabot_updates_dropped_total", "counter",
        "Updates dropped unanswered: their chat had too many waiting for its turn.", dropped)
    services.metrics.collect(
        "llamabot_throttled_total", "counter",
        "429 answers to any request (that chat is then sent nothing until retry_after).",
        throttled)


def file_url(base_url: str) -> str:
    """The file download URL that goes with a Bot API URL (…/bot → …/file/bot)."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return "https://api.telegram.org/file/bot"


def add_handlers(app: Application, live: LiveKnowledge) -> None:  # type: ignore[type-arg]
    new_messages = filters.UpdateType.MESSAGE  # edits are answered by `messages.on_edit`
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, errors.flood_gate), group=-1)
    # Before the catch-alls below: plain /start, unknown commands, the generic button handler.
    app.add_handlers([
        CommandHandler("subscribe", subscriptions.on_subscribe, filters=new_messages),
        CommandHandler("unsubscribe", subscriptions.on_unsubscribe, filters=new_messages),
        CommandHandler("start", subscriptions.on_subscribe_link,
                       filters=new_messages & filters.Regex(subscriptions.LINK)),
        CommandHandler("broadcast", subscriptions.on_broadcast, filters=new_messages),
        CommandHandler("stopall", subscriptions.on_stop_all, filters=new_messages),
        CallbackQueryHandler(subscriptions.on_button, pattern=subscriptions.BUTTONS),
        # Files sent privately by anyone: users' go on to `messages.on_media`.
        MessageHandler(new_messages & private & filters.Document.ALL, knowledge_edits.on_document),
        CallbackQueryHandler(knowledge_edits.on_decision, pattern=knowledge_edits.DECISIONS),
        CommandHandler("rollback", knowledge_edits.on_rollback, filters=new_messages),
        CallbackQueryHandler(knowledge_edits.on_rollback_decision,
                             pattern=knowledge_edits.ROLLBACK),
        CallbackQueryHandler(votes.on_vote, pattern=votes.PATTERN),
        CommandHandler("review", review.on_review, filters=new_messages),
        CallbackQueryHandler(review.on_button, pattern=review.PATTERN),
    ])
    # A group later, so that `groups.on_my_chat_member` sees membership changes too.
    app.add_handler(ChatMemberHandler(subscriptions.on_my_chat_member,
                                      ChatMemberHandler.MY_CHAT_MEMBER), group=1)
    for name, callback in (("start", commands.start), ("help", commands.help_command),
                           ("topics", commands.topics), ("source", commands.source),
                           ("stats", admin.stats), ("gaps", admin.gaps),
                           ("reload", admin.reload)):
        app.add_handler(CommandHandler(name, callback, filters=new_messages))
    app.add_handler(MessageHandler(new_messages & EventCommand(live),
                                   commands.events))
    app.add_handler(CallbackQueryHandler(callbacks.on_button))
    app.add_handler(InlineQueryHandler(inline.on_inline))
    app.add_handler(ChatMemberHandler(groups.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migration.on_migrate))
    # A photo's or a file's caption is asked like a text (commands are only ever texts).
    text = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    app.add_handler(MessageHandler(new_messages & text, messages.on_text))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & text, messages.on_edit))
    app.add_handler(MessageHandler(new_messages & private & filters.COMMAND, commands.unknown))
    app.add_handler(MessageHandler(
        new_messages & ~filters.TEXT & ~filters.CAPTION & ~filters.StatusUpdate.ALL,
        messages.on_other))
    app.add_error_handler(errors.on_error)


def user_commands(event: EventCommandTexts | None) -> dict[str, tuple[str, str]]:
    """The users' menu: the bot's commands, with the knowledge base's event command."""
    commands = list(USER_COMMANDS.items())
    if event is not None:
        commands.insert(2, (event.command, (event.description_en, event.description)))
    return dict(commands)


async def set_commands(app: Application, admin_ids: frozenset[int],  # type: ignore[type-arg]
                       event: EventCommandTexts | None) -> None:
    """Publish the command menus (default and Bengali); admins also see their commands."""
    users = user_commands(event)
    user_default = [BotCommand(c, d[0]) for c, d in users.items()]
    user_bn = [BotCommand(c, d[1]) for c, d in users.items()]
    admin_default = user_default + [BotCommand(c, d[0]) for c, d in ADMIN_COMMANDS.items()]
    admin_bn = user_bn + [BotCommand(c, d[1]) for c, d in ADMIN_COMMANDS.items()]
    try:
        await app.bot.set_my_commands(user_default)
        await app.bot.set_my_commands(user_bn, language_code="bn")
    except TelegramError as exc:  # a menu is nice to have, not a reason to stay down
        log.warning("could not set the command menu: %s", exc)
    for admin_id in sorted(admin_ids):
        try:
            scope = BotCommandScopeChat(admin_id)
            await app.bot.set_my_commands(admin_default, scope=scope)
            await app.bot.set_my_commands(admin_bn, scope=scope, language_code="bn")
        except TelegramError as exc:  # an admin who never opened the bot has no chat yet
            log.info("no admin command menu for %s: %s", admin_id, exc)


class CommandMenus:
    """The command menus: published at start, and again when a reload changes the event
    command (bot.yaml's `event:`), so the menu offers the command the bot answers."""

    def __init__(self, app: Application, admin_ids: frozenset[int]) -> None:  # type: ignore[type-arg]
        self.app = app
        self.admin_ids = admin_ids
        self.event: EventCommandTexts | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(self, event: EventCommandTexts | None) -> None:
        self.event = event
        await set_commands(self.app, self.admin_ids, event)

    def knowledge_changed(self, knowledge: Knowledge) -> None:
        """A `LiveKnowledge` listener: republish when the event command changed."""
        if knowledge.bot.event == self.event:
            return
        task = asyncio.get_running_loop().create_task(self.publish(knowledge.bot.event))
        self._tasks.add(task)  # kept until done: the loop holds tasks only weakly
        task.add_done_callback(self._tasks.discard)
