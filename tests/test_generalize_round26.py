"""Mechanisms learned in the twenty-sixth round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.answer import AnswerKind, Responder

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("question", ["ওরা কি এটা খালি এক কামে লাগায়?",
                                      "মেটা কি এটা দিয়ে টাকা কামায়?"])
def test_a_causative_verb_is_no_word_the_article_lacks(real: Responder, question: str) -> None:
    """"লাগায়", "কামায়" (puts to use, earns) are verbs, as "লাগাচ্ছে" is:
    how something is asked, not a thing no fact knows, which would make a follow-up
    "the article does not say"."""
    assert not {"lagay", "kamay"} & set(real.matcher.match(question).unknown)


@pytest.mark.parametrize("question", ["Quick one: is the EU blocking Llama?",
                                      "quick one, why is the EU blocking Llama?"])
def test_the_place_named_outweighs_a_filler_s_words(real: Responder, question: str) -> None:
    """"one" of "quick one" is a word of the downloads' examples ("one billion"); the EU,
    which the question names, is the privacy fact's place, a little further behind."""
    answer = real.ask(question, NOW)
    assert answer.leading_fact == "eu_privacy"
    assert answer.kind is not AnswerKind.NOT_IN_ARTICLE
