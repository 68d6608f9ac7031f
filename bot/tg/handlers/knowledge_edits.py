"""Admins edit the knowledge base from Telegram: send a .yaml file, read what it would
change, then apply or discard it; /rollback undoes the last applied file.

Nothing reaches users unvalidated: an upload is checked with the whole folder in a
scratch copy, checked again when applied and written atomically; the knowledge checked
then is what the bot swaps in (no third load of the folder).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import kbedit
from bot.core.events import due_at_once, past_events
from bot.core.knowledge import Knowledge
from bot.core.loader import KnowledgeError
from bot.core.message_length import MAX_MESSAGE, shorten
from bot.core.times import admin_time
from bot.tg import texts
from bot.tg.addressed import thread_of
from bot.tg.handlers import messages
from bot.tg.handlers.admin import admin_services
from bot.tg.reloading import MAX_REPORT_MESSAGES, swapped, tell_admins
from bot.tg.render import escape, join_chunks, report_chunks
from bot.tg.reply import send_chunks
from bot.tg.services import PendingEdit, Services, services_of

log = logging.getLogger(__name__)
DECISIONS = r"^kb:(apply|discard|preview):"  # the buttons under a preview
ROLLBACK = r"^rb:(yes:[0-9a-f]{16}|no)$"  # the buttons under /rollback's confirmation
# Characters of an apply's record that /rollback's confirmation shows: a /review edit
# applied anyway records every warning, users' phrasings quoted, far past one message.
MAX_WHAT = 300
# Characters of a file name in an alert (200 in all): a name may have 100.
MAX_NAME_IN_ALERT = 60


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Validate an uploaded knowledge file and show what applying it would change."""
    message = update.effective_message
    user = update.effective_user
    services = services_of(context)
    if user is None or not services.is_admin(user.id):
        await messages.on_media(update, context)  # a user's file: not an admin command
        return
    if message is None or message.document is None:
        return
    document = message.document
    name = document.file_name or "upload"
    try:
        kbedit.check_file(name, document.file_size or 0)  # before downloading anything
        telegram_file = await document.get_file()
        content = bytes(await telegram_file.download_as_bytearray())
    except kbedit.EditError as err:
        await message.reply_html(texts.EDIT_REFUSED.format(reason=escape(str(err))))
        return
    except TelegramError as exc:
        log.warning("could not download the uploaded file %s: %s", name, exc)
        await message.reply_html(texts.EDIT_REFUSED.format(reason=escape(str(exc))))
        return
    await preview(context, services, message.chat_id, user.id, name, content)


async def preview(context: ContextTypes.DEFAULT_TYPE, services: Services, chat_id: int,
                  admin_id: int, name: str, content: bytes) -> None:
    """Validate `content` as `name` with the folder as it is now; send what applying it
    would change, with apply and discard buttons, or the problems. From now on, earlier
    previews of `name` are superseded, even if this upload turns out invalid: an admin who
    sent a newer version must not apply an older one by tapping its preview."""
    upload = services.pending_edits.upload(name)
    if await asyncio.to_thread(kbedit.same_file, services.settings.knowledge_dir, name, content):
        # Applying it would write nothing and keep no version for /rollback: say so.
        await send_chunks(context.bot, chat_id, [texts.EDIT_SAME.format(name=escape(name))])
        return
    try:
        staged = await asyncio.to_thread(
            kbedit.stage,
            services.settings.knowledge_dir,
            name,
            content,
            services.knowledge,
            services.settings.timezone,
        )
    except kbedit.EditError as err:
        refused = texts.EDIT_REFUSED.format(reason=escape(str(err)))
        await send_chunks(context.bot, chat_id, [refused])
        return
    except KnowledgeError as err:
        await send_chunks(context.bot, chat_id, _problems(name, err))
        return
    token = services.pending_edits.add(PendingEdit(admin_id, name, content, staged.base,
                                                      upload))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.EDIT_APPLY, callback_data=f"kb:apply:{token}"),
                InlineKeyboardButton(texts.EDIT_DISCARD, callback_data=f"kb:discard:{token}"),
            ]
        ]
    )
    # As `kb validate` warns, of the uploaded file and the events this upload adds or moves:
    # named by file, as problems are (the staged copy's folder is no path the admin knows).
    found = [w for w in staged.knowledge.warnings if Path(w.file).name == name]
    now = services.now()
    found += past_events(staged.knowledge, now, services.knowledge)
    found += due_at_once(staged.knowledge, now, services.knowledge)
    warnings = [str(replace(w, file=Path(w.file).name)) for w in found]
    *chunks, last = report_chunks(texts.EDIT_SUMMARY.format(name=escape(name)),
                                  [*staged.diff.value_lines(), *staged.diff.lines(),
                                   *warnings], most=MAX_REPORT_MESSAGES)
    try:
        await send_chunks(context.bot, chat_id, chunks)
    except TelegramError as exc:  # the buttons still go out: without them the edit is lost
        log.warning("could not send the start of the preview of %s: %s", name, exc)
    await send_chunks(context.bot, chat_id, [last], markup)


def _by(admin_id: int | None, chunks: list[str]) -> list[str]:
    """What an admin was told, for the other admins: who did it, first."""
    return join_chunks([texts.EDIT_BY_ANOTHER.format(admin=admin_id), *chunks], MAX_MESSAGE,
                       separator="\n")


def _problems(name: str, err: KnowledgeError) -> list[str]:
    return report_chunks(
        texts.EDIT_INVALID.format(name=escape(name), count=len(err.problems)),
        [f"• {p}" for p in err.problems], most=MAX_REPORT_MESSAGES,
    )


async def on_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Apply, discard or preview again a pending upload; only an admin may decide."""
    query = update.callback_query
    services = await admin_services(update, context)
    if query is None or services is None:
        return
    _, action, token = (query.data or "").split(":", 2)
    edit = services.pending_edits.take(token)
    if edit is None:
        await query.answer(texts.EDIT_EXPIRED, show_alert=True)
        return
    if services.pending_edits.superseded(edit):  # nothing to apply, preview or discard
        # The name is cut, not the alert: what the admin must know comes after it.
        name = shorten(edit.name, MAX_NAME_IN_ALERT)
        await query.answer(texts.EDIT_SUPERSEDED.format(name=name), show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    if action == "discard":
        await send_chunks(context.bot, chat_id, [texts.EDIT_DISCARDED])
    elif action == "preview":
        await preview(context, services, chat_id, query.from_user.id, edit.name, edit.content)
    else:
        try:
            chunks = await apply_edit(services, edit, query.from_user.id)
        except KnowledgeError as err:  # another file changed since the upload was checked
            await send_chunks(context.bot, chat_id, _problems(edit.name, err))
            return
        except kbedit.StaleEdit as err:
            # Keep the upload: one tap shows it against the file as it is now.
            again = services.pending_edits.add(edit)
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(
                texts.EDIT_PREVIEW_AGAIN, callback_data=f"kb:preview:{again}")]])
            stale = texts.EDIT_STALE.format(reason=escape(str(err)))
            await send_chunks(context.bot, chat_id, [stale], markup)
            return
        except kbedit.EditError as err:  # the folder cannot be written (permissions, disk)
            await send_chunks(context.bot, chat_id,
                              [texts.EDIT_REFUSED.format(reason=escape(str(err)))])
            return
        await send_chunks(context.bot, chat_id, chunks)
        await tell_admins(services, context.bot, _by(query.from_user.id, chunks),
                          besides=query.from_user.id)


async def apply_edit(services: Services, edit: PendingEdit, admin_id: int) -> list[str]:
    """Write the upload if its file is unchanged since the preview and the folder as it is
    now accepts it (raises kbedit.StaleEdit or KnowledgeError otherwise), and swap in the
    knowledge checked on the way; HTML chunks to send."""
    settings = services.settings
    now = services.now()

    # `by` names who applied it; the uploader only when another admin (said once, in
    # /rollback's "facts.yaml uploaded — admin 999 (upload)").
    uploader = f" by admin {edit.admin_id}" if edit.admin_id != admin_id else ""

    def write() -> tuple[Knowledge, str]:
        applied = kbedit.apply(settings.knowledge_dir, edit.name, edit.content, edit.base,
                               settings.timezone, now, by=f"admin {admin_id} (upload)",
                               what=f"{edit.name} uploaded{uploader}")
        return applied.knowledge, applied.digest

    swap = await services.live.replace(write)
    log.info("admin %s applied knowledge file %s (uploaded by admin %s)",
             admin_id, edit.name, edit.admin_id)
    outcome = swapped(swap, f"{edit.name} uploaded")
    return [texts.EDIT_APPLIED.format(name=escape(edit.name)), *outcome.messages]


async def on_rollback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Name the apply /rollback would undo (file, who, when), with a button that undoes
    that apply only: sent twice, or tapped twice, /rollback never undoes a second one.
    Only in a private chat: a /review edit's record quotes what users asked."""
    services = await admin_services(update, context, private=True)
    message = update.effective_message
    if services is None or message is None:
        return
    changes = await asyncio.to_thread(kbedit.history, services.settings.knowledge_dir)
    if not changes:
        await send_chunks(context.bot, message.chat_id, [texts.ROLLBACK_NONE],
                          thread=thread_of(message))
        return
    last = changes[-1]
    what = shorten(last.what or "?", MAX_WHAT)
    ask = texts.ROLLBACK_CONFIRM.format(name=escape(last.name), what=escape(what),
                                        by=escape(last.by or "?"),
                                        at=escape(admin_time(last.at, services.settings.timezone)))
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.ROLLBACK_YES, callback_data=f"rb:yes:{last.key}"),
        InlineKeyboardButton(texts.ROLLBACK_NO, callback_data="rb:no"),
    ]])
    await send_chunks(context.bot, message.chat_id, [ask], markup, thread=thread_of(message))


async def on_rollback_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Undo the apply the confirmation named, if it is still the latest; or nothing."""
    query = update.callback_query
    services = await admin_services(update, context, private=True)
    if query is None or services is None:
        return
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:  # one decision per confirmation: its buttons go
        try:
            await message.edit_reply_markup(reply_markup=None)
        except BadRequest as exc:
            log.info("could not remove the rollback buttons: %s", exc)
    chat_id = message.chat.id if message is not None else query.from_user.id
    expect = (query.data or "").removeprefix("rb:yes:")
    if expect == query.data or not expect:  # "rb:no"
        await send_chunks(context.bot, chat_id, [texts.ROLLBACK_KEPT], thread=thread_of(message))
        return
    chunks = await _roll_back(context, services, query.from_user.id, expect)
    await send_chunks(context.bot, chat_id, chunks, thread=thread_of(message))


async def _roll_back(context: ContextTypes.DEFAULT_TYPE, services: Services, admin_id: int,
                     expect: str) -> list[str]:
    """Restore the file the apply `expect` replaced, if nothing changed it since and the
    folder accepts it; swap in the knowledge checked on the way; tell every admin."""
    settings = services.settings
    restored: list[kbedit.RolledBack] = []

    def write() -> tuple[Knowledge, str]:
        done = kbedit.rollback(settings.knowledge_dir, settings.timezone, services.now(),
                               by=f"admin {admin_id}", expect=expect)
        restored.append(done)
        return done.knowledge, done.digest

    try:
        swap = await services.live.replace(write)
    except kbedit.StaleEdit as err:
        return [texts.ROLLBACK_REFUSED.format(reason=escape(str(err)))]
    except kbedit.EditError as err:
        return [texts.ROLLBACK_NONE if str(err).startswith("nothing")
                else texts.ROLLBACK_REFUSED.format(reason=escape(str(err)))]
    except KnowledgeError as err:  # another file came to rely on what the upload added
        return report_chunks(texts.ROLLBACK_INVALID.format(count=len(err.problems)),
                             [f"• {p}" for p in err.problems], most=MAX_REPORT_MESSAGES)
    [done] = restored
    name = done.name
    log.info("admin %s rolled back knowledge file %s", admin_id, name)
    # A /review edit undone: its questions are no longer decided, so /review shows them.
    if done.taught and not await services.storage.undecide(list(done.taught)):
        log.warning("the review decisions of the rolled-back edit could not be removed")
    chunks = [texts.ROLLBACK_DONE.format(name=escape(name)),
              *swapped(swap, f"{name} rolled back").messages]
    await tell_admins(services, context.bot, _by(admin_id, chunks), besides=admin_id)
    return chunks
