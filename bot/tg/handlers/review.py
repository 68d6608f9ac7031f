"""/review: an admin walks the review queue one card at a time and teaches the bot.

A card's questions go to one of its closest facts, to any fact picked by topic, or to a
decline intent ("another subject"); or the card is ignored for good, or skipped. An edit
is proposed and measured (`bot.teach`), shown with what it would break and applied only
once confirmed if it breaks anything, then written and swapped in like an upload: history
entry with who and what, /rollback, every admin told of the reload.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import kbedit, teach
from bot.core.evaluation import LabelledQuestion, QuestionFileError, load_questions
from bot.core.knowledge import Knowledge
from bot.core.loader import KnowledgeError
from bot.core.review import NARROW_MARGIN, card, review_queue
from bot.tg import review_view as view
from bot.tg import texts
from bot.tg.handlers.admin import admin_services
from bot.tg.reloading import swapped, tell_admins, with_reason
from bot.tg.render import escape
from bot.tg.reply import send_chunks
from bot.tg.review_session import PREFIX, ReviewSession, Tap, parse
from bot.tg.services import Services

log = logging.getLogger(__name__)
PATTERN = rf"^{PREFIX}:"


async def on_review(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start a review: the first card of the queue (or that there is nothing to review)."""
    services = await admin_services(update, context, private=True)
    message, user = update.effective_message, update.effective_user
    if services is None or message is None or user is None:
        return
    items = await services.storage.review_items(NARROW_MARGIN)
    if items is None:
        health = await services.storage.health()
        await message.reply_html(texts.DB_UNAVAILABLE.format(reason=escape(health.detail)))
        return
    # Off the event loop: thousands of logged questions take a good part of a second.
    clusters = await asyncio.to_thread(review_queue, items, services.responder)
    if not clusters:
        await message.reply_html(texts.REVIEW_NONE)
        return
    session = services.reviews.start(user.id, clusters)
    await _send_card(context, services, session, message.chat_id)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A card's button: only the admin whose review it is, only on the card shown."""
    query = update.callback_query
    services = await admin_services(update, context, private=True)
    if query is None or services is None:
        return
    tap = parse(query.data or "")
    if tap is None:
        log.warning("refused /review button %r from admin %s", (query.data or "")[:64],
                    query.from_user.id)
        await query.answer(texts.REVIEW_BAD_BUTTON, show_alert=True)
        return
    session = services.reviews.get(tap.token)
    if session is None or session.admin_id != query.from_user.id:
        await query.answer(texts.REVIEW_EXPIRED, show_alert=True)
        return
    if tap.position != session.position or session.cluster is None or session.card is None:
        await query.answer(texts.REVIEW_DECIDED, show_alert=True)
        return
    await _dispatch(context, services, query, session, tap)


async def _dispatch(context: ContextTypes.DEFAULT_TYPE, services: Services,
                    query: CallbackQuery, session: ReviewSession, tap: Tap) -> None:
    knowledge = services.knowledge
    found = session.card
    assert found is not None and session.cluster is not None
    asked = view.shown_questions(session)  # never a phrasing the admin did not see
    lesson: teach.Lesson | None = None
    if tap.verb == "a" and tap.index is not None and tap.index < len(found.closest):
        lesson = teach.Lesson(teach.Action.ADD, found.closest[tap.index], asked)
    elif tap.verb == "f" and tap.index is not None and tap.index < len(session.facts):
        lesson = teach.Lesson(teach.Action.ADD, session.facts[tap.index], asked)
    elif tap.verb == "d" and found.decline is not None:
        lesson = teach.Lesson(teach.Action.DECLINE, found.decline, asked)
    elif tap.verb == "y" and session.proposal is not None:
        await query.answer(texts.REVIEW_WORKING)
        await _apply(context, services, query, session, session.proposal, confirmed=True)
        return
    elif tap.verb in ("c", "t", "b", "n", "i", "s"):
        await _navigate(context, services, query, session, tap, knowledge)
        return
    if lesson is None:  # an index past what the card offered, or no decline to add to
        await query.answer(texts.REVIEW_BAD_BUTTON, show_alert=True)
        return
    await query.answer(texts.REVIEW_WORKING)
    await _teach(context, services, query, session, lesson)


async def _navigate(context: ContextTypes.DEFAULT_TYPE, services: Services,
                    query: CallbackQuery, session: ReviewSession, tap: Tap,
                    knowledge: Knowledge) -> None:
    """The buttons that write nothing to the knowledge: pick, go back, ignore, skip."""
    text = view.card_text(session, knowledge)
    if tap.verb == "c":
        await query.answer()
        await _show(context, query, text, view.topics_keyboard(session, knowledge),
                    texts.REVIEW_PICK_TOPIC)
    elif tap.verb == "t":
        if tap.index is None or tap.index >= len(session.topics):
            await query.answer(texts.REVIEW_BAD_BUTTON, show_alert=True)
            return
        await query.answer()
        await _show(context, query, text,
                    view.facts_keyboard(session, knowledge, session.topics[tap.index]),
                    texts.REVIEW_PICK_FACT)
    elif tap.verb in ("b", "n"):
        await query.answer()
        note = texts.REVIEW_CANCELLED if session.proposal is not None else ""
        session.proposal = None
        await _show(context, query, text, view.card_keyboard(session, knowledge), note)
    elif tap.verb == "i":
        if not await services.storage.decide(list(view.shown_questions(session)),
                                             teach.Action.IGNORE.value,
                                             None, _by(query), services.now()):
            await query.answer(texts.REVIEW_FAILED.format(reason="database"), show_alert=True)
            return
        await query.answer()
        await _next(context, services, query, session, text, texts.REVIEW_IGNORED)
    else:  # "s": skipped for now; the next /review shows it again
        await query.answer()
        await _next(context, services, query, session, text, texts.REVIEW_SKIPPED)


async def _teach(context: ContextTypes.DEFAULT_TYPE, services: Services, query: CallbackQuery,
                 session: ReviewSession, lesson: teach.Lesson) -> None:
    """Propose the edit; apply it, or ask first when it would break something."""
    settings = services.settings
    knowledge = services.knowledge
    text = view.card_text(session, knowledge)
    try:
        questions = await asyncio.to_thread(_eval_questions, settings.eval_file)
        proposal = await asyncio.to_thread(
            teach.propose, settings.knowledge_dir, lesson, services.responder, questions,
            settings.timezone, services.now())
    except (teach.TeachError, QuestionFileError) as err:
        await _show(context, query, text, view.card_keyboard(session, knowledge),
                    _failed(str(err)))
        return
    except KnowledgeError as err:
        await _show(context, query, text, view.card_keyboard(session, knowledge),
                    _failed("; ".join(str(p) for p in err.problems)))
        return
    if proposal.needs_confirmation:
        session.proposal = proposal
        await _show(context, query, text, view.confirm_keyboard(session),
                    view.confirm_text(proposal))
        return
    await _apply(context, services, query, session, proposal, confirmed=False)


async def _apply(context: ContextTypes.DEFAULT_TYPE, services: Services, query: CallbackQuery,
                 session: ReviewSession, proposal: teach.Proposal, *, confirmed: bool) -> None:
    settings = services.settings
    by = _by(query)
    now = services.now()
    text = view.card_text(session, services.knowledge)

    def write() -> tuple[Knowledge, str]:
        applied = teach.apply(settings.knowledge_dir, proposal, settings.timezone, now, by=by,
                              confirmed=confirmed)
        return applied.knowledge, applied.digest

    session.proposal = None
    try:
        swap = await services.live.replace(write)
    except kbedit.StaleEdit as err:  # edited meanwhile: the next tap proposes afresh
        stale = texts.REVIEW_STALE.format(reason=escape(str(err)))
        await _show(context, query, text, view.card_keyboard(session, services.knowledge),
                    stale)
        return
    except (kbedit.EditError, teach.TeachError) as err:
        await _show(context, query, text, view.card_keyboard(session, services.knowledge),
                    _failed(str(err)))
        return
    except KnowledgeError as err:  # another file changed so that the folder no longer loads
        await _show(context, query, text, view.card_keyboard(session, services.knowledge),
                    _failed("; ".join(str(p) for p in err.problems)))
        return
    lesson = proposal.lesson
    log.info("%s: %d question(s) %s %s", by, len(proposal.added), lesson.action.value,
             lesson.target)
    outcome = view.applied_text(proposal, swap.new)
    # The questions the card showed (and taught): the rest wait for the next /review.
    if not await services.storage.decide(list(lesson.questions), lesson.action.value,
                                         lesson.target, by, services.now()):
        outcome += "\n" + texts.REVIEW_FAILED.format(reason="the decision was not saved")
    reason = texts.REVIEW_RELOAD.format(who=f"{by}, {lesson.target}")
    notice = with_reason(reason, swapped(swap, reason).messages)
    await _next(context, services, query, session, text, outcome, notice)


async def _next(context: ContextTypes.DEFAULT_TYPE, services: Services, query: CallbackQuery,
                session: ReviewSession, text: str, outcome: str,
                notice: list[str] | None = None) -> None:
    """Close the card shown with its outcome, tell the admins, then show the next card."""
    await _show(context, query, text, None, outcome)
    if notice:
        await tell_admins(services, context.bot, notice)
    session.advance()
    chat_id = _chat_id(query)
    if session.cluster is None:
        await send_chunks(context.bot, chat_id, [texts.REVIEW_DONE])
        return
    await _send_card(context, services, session, chat_id)


async def _send_card(context: ContextTypes.DEFAULT_TYPE, services: Services,
                     session: ReviewSession, chat_id: int) -> None:
    cluster = session.cluster
    assert cluster is not None
    responder = services.responder
    session.card = card(cluster, responder)
    knowledge = responder.knowledge
    await send_chunks(context.bot, chat_id, [view.card_text(session, knowledge)],
                      view.card_keyboard(session, knowledge))


async def _show(context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, text: str,
                markup: InlineKeyboardMarkup | None, note: str = "") -> None:
    """Put the card `text` and `note` under it into the card's message (a new message if it
    cannot be edited); a note that does not fit under a full card follows it, with `markup`."""
    first, *rest = view.with_note(text, note)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(first, reply_markup=None if rest else markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                log.info("could not edit the review card, sending it anew: %s", exc)
                rest = [first, *rest]
    else:
        rest = [first, *rest]
    if rest:
        await send_chunks(context.bot, _chat_id(query), rest, markup)


def _chat_id(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message is not None else query.from_user.id


def _by(query: CallbackQuery) -> str:
    return f"admin {query.from_user.id} (/review)"


def _failed(reason: str) -> str:
    return texts.REVIEW_FAILED.format(reason=escape(reason[:1000]))


def _eval_questions(path: Path) -> list[LabelledQuestion]:
    """The team's eval set; none (edits unmeasured, and the outcome says so) if absent."""
    return load_questions(path) if path.is_file() else []
