"""Several articles in one knowledge base, each matched as if it were served alone.

A word weighs by how few facts use it (bot.core.match): another article's facts would
change those weights and compete for every question, so adding an article would change
how the first one is answered. With several sources, each article's facts are matched on
their own, with the intents all articles share (small talk, declines of other subjects)
and the declines about its own facts; then the answers are compared. An article's
questions are answered as they were before another joined it, unless the other answers
them better (`bot.core.answer.Responder` compares them).
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.knowledge import Knowledge


def article_views(knowledge: Knowledge) -> tuple[Knowledge, ...]:
    """One knowledge base per source with facts, or none when there are fewer than two."""
    views = []
    for source_id in knowledge.sources:
        facts = {i: f for i, f in knowledge.facts.items() if f.citation.source_id == source_id}
        if not facts:
            continue
        declines = {i: d for i, d in knowledge.declines.items()
                    if not d.about or not facts.keys().isdisjoint(d.about)}
        topics = tuple(t for t in knowledge.topics if any(f.topic == t.id for f in facts.values()))
        views.append(replace(knowledge, facts=facts, declines=declines, topics=topics))
    return tuple(views) if len(views) > 1 else ()
