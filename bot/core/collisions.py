"""Example questions that the real matcher sends to another intent: overlaps between facts;
and the questions bot.yaml shows users as examples that the bot would not answer."""

from __future__ import annotations

from datetime import datetime

from bot.core.answer import AnswerKind, Responder
from bot.core.bot_section import EXAMPLES
from bot.core.knowledge import Site
from bot.core.yamlnodes import Problem


def find_collisions(responder: Responder) -> list[Problem]:
    """Each example must win for its own intent, clear of the runner-up by the answer margin,
    among the intents it is matched with (its article's, when there are several)."""
    found: dict[tuple[str, str], Problem] = {}
    for article in responder.articles or (responder,):
        for key, problem in _collisions(article):
            found.setdefault(key, problem)  # a shared intent's example: told once
    return list(found.values())


def _collisions(responder: Responder) -> list[tuple[tuple[str, str], Problem]]:
    knowledge = responder.knowledge
    margin = responder.policy.margin
    problems = []
    for intent_id, question in knowledge.examples():
        ranked = responder.matcher.match(question).ranked
        own = next((r for r in ranked if r.intent_id == intent_id), None)
        rival = next((r for r in ranked if r.intent_id != intent_id), None)
        if rival is None or (own is not None and own.score - rival.score >= margin):
            continue
        site = knowledge.question_sites.get((intent_id, question), Site("?", 1, 1))
        own_score = own.score if own else 0.0
        problems.append((
            (intent_id, question),
            Problem(
                site.file,
                site.line,
                site.column,
                f"example question {question!r} of {intent_id!r} matches {rival.intent_id!r} "
                f"as well ({rival.score:.0f} vs {own_score:.0f})",
                f"reword it with words only {intent_id!r} uses,"
                f" or move it to {rival.intent_id!r}",
            ),
        ))
    return problems


def unanswered_examples(responder: Responder, now: datetime) -> list[Problem]:
    """Each example question bot.yaml shows users must get a fact's answer."""
    problems = []
    for question in responder.knowledge.bot.examples:
        answer = responder.ask(question, now)
        if answer.kind is AnswerKind.FACT:
            continue
        site = responder.knowledge.question_sites.get((EXAMPLES, question), Site("?", 1, 1))
        problems.append(Problem(
            site.file, site.line, site.column,
            f"the bot's example {question!r} gets no fact's answer ({answer.kind})",
            "show users a question the bot answers, or add it to the fact it asks about",
        ))
    return problems
