"""/review's screens: a card, the fact picker, the confirmation, the outcome (HTML + buttons).

Logged questions are users' words, normalized but untrusted: escaped, and cut to fit one
message (a card must stay one message under its buttons).
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.knowledge import Knowledge
from bot.core.message_length import MAX_MESSAGE, tg_len
from bot.teach import Action, Proposal
from bot.tg import texts
from bot.tg.keyboards import MAX_BUTTONS, label
from bot.tg.render import escape, escape_within
from bot.tg.review_session import ReviewSession

_ROOM = MAX_MESSAGE - 600  # what a card's lists may take, leaving room for a note under it
_QUESTION = 200  # characters of one logged question shown


def title(knowledge: Knowledge, intent_id: str) -> str:
    fact = knowledge.facts.get(intent_id)
    return fact.title if fact is not None else intent_id


def shown_questions(session: ReviewSession) -> tuple[str, ...]:
    """The card's phrasings that fit on it, most asked first: the only ones its buttons
    teach, ignore or decide. The rest wait for the next /review: a phrasing joins a card
    when it shares half its word weight, so one an admin never saw must not be taught."""
    return session.cluster.texts[: len(_phrasing_lines(session))] if session.cluster else ()


def _phrasing_lines(session: ReviewSession) -> list[str]:
    """The card's phrasing lines that fit in `_ROOM` under its head."""
    cluster = session.cluster
    assert cluster is not None
    used = tg_len(_head(session))
    lines: list[str] = []
    for phrasing in cluster.phrasings:
        line = f"×{phrasing.count} {escape(_cut(phrasing.text))}"
        # The first always shows (a phrasing is cut to _QUESTION): a card teaches something.
        if lines and used + tg_len(line) > _ROOM:
            break
        lines.append(line)
        used += tg_len(line) + 1
    return lines


def _head(session: ReviewSession) -> str:
    cluster = session.cluster
    assert cluster is not None
    signals = ", ".join(f"{texts.REVIEW_SIGNALS.get(str(s), str(s))} {n}"
                        for s, n in sorted(cluster.signals.items()))
    return texts.REVIEW_CARD.format(number=session.position + 1, total=len(session.clusters),
                                    users=cluster.users, count=cluster.count, signals=signals)


def card_text(session: ReviewSession, knowledge: Knowledge) -> str:
    cluster = session.cluster
    assert cluster is not None
    shown = _phrasing_lines(session)
    lines = [_head(session), "", *shown]
    if len(shown) < len(cluster.phrasings):
        lines.append(texts.REVIEW_MORE.format(count=len(cluster.phrasings) - len(shown)))
    counted = [(heading, _counts(counts, knowledge))
               for heading, counts in ((texts.REVIEW_ANSWERED, cluster.answered),
                                       (texts.REVIEW_OFFERED, cluster.offered),
                                       (texts.REVIEW_CHOSEN, cluster.chosen)) if counts]
    if cluster.reasons:
        reasons = {texts.VOTE_REASONS.get(r, r): n for r, n in cluster.reasons.items()}
        counted.append((texts.REVIEW_REASONS, _counts(reasons)))
    # The phrasings took their room; these lines share what is left of the message (a
    # dozen facts offered over the weeks ran a full card past 4,096), the least counted
    # cut first.
    room = MAX_MESSAGE - tg_len("\n".join(lines))
    for index, (heading, listed) in enumerate(counted):
        share = room // (len(counted) - index) - tg_len(heading) - 2  # "\n" and " "
        line = f"{heading} {escape_within(listed, max(share, 1))}"
        lines.append(line)
        room -= tg_len(line) + 1
    return "\n".join(lines)


def with_note(card: str, note: str) -> list[str]:
    """The card and a note under it (an outcome, a confirmation): one message if they fit,
    else two, since a full card and a long note together are too long for one."""
    if not note:
        return [card]
    joined = f"{card}\n\n{note}"
    return [joined] if tg_len(joined) <= MAX_MESSAGE else [card, note]


def card_keyboard(session: ReviewSession, knowledge: Knowledge) -> InlineKeyboardMarkup:
    card = session.card
    assert card is not None
    rows = [[InlineKeyboardButton(label(texts.REVIEW_ADD.format(title=title(knowledge, f))),
                                  callback_data=session.data("a", index))]
            for index, f in enumerate(card.closest)]
    choose = [InlineKeyboardButton(texts.REVIEW_CHOOSE, callback_data=session.data("c"))]
    if card.decline is not None:
        choose.append(InlineKeyboardButton(texts.REVIEW_DECLINE, callback_data=session.data("d")))
    rows.append(choose)
    rows.append([InlineKeyboardButton(texts.REVIEW_IGNORE, callback_data=session.data("i")),
                 InlineKeyboardButton(texts.REVIEW_SKIP, callback_data=session.data("s"))])
    return InlineKeyboardMarkup(rows)


def topics_keyboard(session: ReviewSession, knowledge: Knowledge) -> InlineKeyboardMarkup:
    """The topics "choose…" lists (remembered in the session: buttons carry indexes)."""
    session.topics = tuple(t.id for t in knowledge.topics
                           if knowledge.facts_in_topic(t.id))[: MAX_BUTTONS - 1]
    rows = [[InlineKeyboardButton(label(knowledge.topic_title(t)),
                                  callback_data=session.data("t", index))]
            for index, t in enumerate(session.topics)]
    return InlineKeyboardMarkup([*rows, _back(session)])


def facts_keyboard(session: ReviewSession, knowledge: Knowledge,
                   topic_id: str) -> InlineKeyboardMarkup:
    # As many as fit with the way back: Telegram refuses a keyboard of more buttons.
    session.facts = tuple(f.id for f in knowledge.facts_in_topic(topic_id))[: MAX_BUTTONS - 1]
    rows = [[InlineKeyboardButton(label(title(knowledge, f)),
                                  callback_data=session.data("f", index))]
            for index, f in enumerate(session.facts)]
    return InlineKeyboardMarkup([*rows, _back(session)])


def confirm_text(proposal: Proposal) -> str:
    """What an edit would break: eval questions right before and wrong after, and added
    questions another intent would still answer."""
    lines = [texts.REVIEW_BREAKS]
    for shift in proposal.broken:
        lines.append(escape(texts.REVIEW_BROKEN.format(
            question=_cut(shift.question), expect=shift.expect, after=shift.after)))
    lines.extend(f"• {escape(_cut(collision))}" for collision in proposal.collisions)
    return _fit(lines)


def confirm_keyboard(session: ReviewSession) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.REVIEW_APPLY_ANYWAY, callback_data=session.data("y")),
        InlineKeyboardButton(texts.REVIEW_CANCEL, callback_data=session.data("n")),
    ]])


def applied_text(proposal: Proposal, knowledge: Knowledge) -> str:
    target = proposal.lesson.target
    shown = title(knowledge, target) if proposal.lesson.action is Action.ADD else target
    lines = [texts.REVIEW_APPLIED.format(name=escape(proposal.name), count=len(proposal.added),
                                         target=escape(shown))]
    lines.extend(f"<code>+ {escape(_cut(line.strip()))}</code>" for line in proposal.lines)
    if not proposal.measured:
        lines.append(texts.REVIEW_UNMEASURED)
    elif proposal.broken:
        lines.append(texts.REVIEW_MEASURED_ANYWAY.format(measured=proposal.measured,
                                                         broken=len(proposal.broken)))
    else:
        lines.append(texts.REVIEW_MEASURED.format(measured=proposal.measured))
    return _fit(lines)


def _back(session: ReviewSession) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(texts.REVIEW_BACK, callback_data=session.data("b"))]


def _counts(counts: Mapping[str, int], knowledge: Knowledge | None = None) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{title(knowledge, k) if knowledge else k} ×{n}" for k, n in ordered)


def _cut(text: str) -> str:
    return text if len(text) <= _QUESTION else text[: _QUESTION - 1] + "…"


def _fit(lines: list[str]) -> str:
    """Lines (whole HTML lines: a tag is never cut) up to one message."""
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + tg_len(line) + 1 > _ROOM:
            kept.append("…")
            break
        kept.append(line)
        used += tg_len(line) + 1
    return "\n".join(kept)
