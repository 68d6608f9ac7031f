"""Inline mode: `@bot question` in any chat offers up to five cited answers."""

from __future__ import annotations

import hashlib
from datetime import datetime

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.core.answer import AnswerKind, Responder
from bot.core.message_length import MAX_MESSAGE, shorten_words, tg_len
from bot.tg import keyboards, texts
from bot.tg.render import citation_html, split_plain, title_html
from bot.tg.services import services_of

MAX_RESULTS = 5
_DESCRIPTION = 100  # characters of the answer shown under each result's title


def inline_fact_ids(responder: Responder, query: str, now: datetime) -> tuple[str, ...]:
    """The facts to offer: the match and its relatives, the suggestions, or a sample."""
    query = query.strip()
    if not query:
        return responder.knowledge.sample_facts(MAX_RESULTS)
    answer = responder.ask(query, now)
    if answer.kind is AnswerKind.FACT and answer.fact_id is not None:
        ids = (answer.fact_id, *answer.suggestions)
    elif answer.kind is AnswerKind.SUGGEST:
        ids = answer.suggestions
    else:
        ids = ()
    return tuple(dict.fromkeys(ids))[:MAX_RESULTS]


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query; an empty result still offers to ask the bot privately."""
    query = update.inline_query
    if query is None:
        return
    services = services_of(context)
    responder = services.responder
    now = services.now()
    results = []
    for fact_id in inline_fact_ids(responder, query.query, now):
        answer = responder.answer_fact(fact_id, now)  # asks the fact's canonical question
        # One message only in inline mode (Telegram refuses all results if one is longer):
        # the body is cut to leave room for the title and the citation, each bounded.
        cite = f"\n\n{citation_html(answer.citation)}" if answer.citation is not None else ""
        head = f"<b>{title_html(answer.title)}</b>\n\n" if answer.title is not None else ""
        room = MAX_MESSAGE - tg_len(head) - tg_len(cite)
        body = (split_plain(answer.text, room) or [""])[0]
        html = head + body + cite
        results.append(InlineQueryResultArticle(
            # Result ids are limited to 64 bytes; a hash fits whatever the fact id is.
            id=hashlib.sha256(fact_id.encode()).hexdigest()[:32],
            title=keyboards.label(answer.question),
            description=shorten_words(" ".join(answer.text.split()), _DESCRIPTION),
            input_message_content=InputTextMessageContent(html, parse_mode=ParseMode.HTML),
        ))
    await query.answer(
        results,
        cache_time=300,
        is_personal=False,
        button=InlineQueryResultsButton(responder.knowledge.voice.fill(texts.INLINE_ASK_PRIVATELY),
                                        start_parameter="inline"),
    )
