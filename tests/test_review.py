"""The review queue (bot.core.review): logged questions grouped into cards by the matcher's
own words, counted, ordered by users touched, with their closest facts."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.answer import Responder
from bot.core.loader import load_knowledge
from bot.core.review import Logged, Signal, card, cluster, matcher_words, review_queue

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def responder() -> Responder:
    return Responder(load_knowledge(ROOT / "knowledge", ZoneInfo("Asia/Dhaka")))


def asked(text: str, *users: int, signal: Signal = Signal.UNANSWERED,
          **more: object) -> list[Logged]:
    return [Logged(text, signal, user, **more) for user in users]  # type: ignore[arg-type]


RAIN = ["ajke brishti hobe", "ajke ki brishti hobe naki", "আজকে বৃষ্টি হবে?"]
RAM = ["llama chalate koto ram lage", "lama chalaite koto ram lagbe", "llama চালাতে কত RAM লাগে"]
GEMINI = ["gemini koto download hoyeche", "gemini kotobar download hoise"]
SHARE = ["meta share dam koto", "মেটার শেয়ারের দাম কত"]


def test_phrasings_of_one_question_share_a_card_and_others_do_not(responder: Responder) -> None:
    logged = [item for group in (RAIN, RAM, GEMINI, SHARE) for text in group
              for item in asked(text, hash(text) % 1000)]
    logged += asked("lamar download koto", 5000)  # Llama's downloads: not Gemini's
    cards = review_queue(logged, responder)
    assert sorted(sorted(c.texts) for c in cards) == sorted(
        [sorted(RAIN), sorted(RAM), sorted(GEMINI), sorted(SHARE), ["lamar download koto"]])


def test_cards_are_ordered_by_users_touched_and_counted(responder: Responder) -> None:
    logged = (asked(RAIN[0], 1, 2, 3) + asked(RAIN[1], 3, 4)
              + asked(RAM[0], 1, 1, 1, 1, 1, 1)  # one user, many times
              + asked(GEMINI[0], 7, 8) + asked(GEMINI[1], 9)
              + asked(GEMINI[0], 10, signal=Signal.DISLIKED, answered="downloads_milestone",
                      reason="wrong")
              # a "did you mean" asked, then refused: one question (the log holds both)
              + asked(GEMINI[1], 11, offered=("downloads_milestone", "open_source_interest"))
              + asked(GEMINI[1], 11, signal=Signal.REJECTED,
                      offered=("downloads_milestone", "open_source_interest")))
    cards = review_queue(logged, responder)
    assert [(c.key, c.users, c.count) for c in cards] == [
        (GEMINI[0], 5, 5), (RAIN[0], 4, 5), (RAM[0], 1, 6)]
    gemini = cards[0]
    assert [(p.text, p.count) for p in gemini.phrasings] == [(GEMINI[0], 3), (GEMINI[1], 2)]
    assert gemini.signals == {Signal.UNANSWERED: 4, Signal.DISLIKED: 1, Signal.REJECTED: 1}
    assert gemini.answered == {"downloads_milestone": 1}
    assert gemini.offered == {"downloads_milestone": 1, "open_source_interest": 1}
    assert gemini.reasons == {"wrong": 1}


def test_a_refused_did_you_mean_is_one_question_on_its_card(responder: Responder) -> None:
    """A "did you mean" asked once and turned down once ("none of these", or "না") showed as
    "×2" with each choice "offered ×2": the log holds the question (a gap) and the refusal
    (a tap on no fact), and both were counted as questions, both as offers. The refusal says
    what happened to the question: counted as a signal, not as a question or an offer."""
    offered = ("downloads_milestone", "launch_2023")
    logged = (asked("lama koto", 2, offered=offered)  # as the log reads them (review_items)
              + asked("lama koto", 2, signal=Signal.REJECTED, offered=offered))
    [found] = review_queue(logged, responder)
    assert [(p.text, p.count) for p in found.phrasings] == [("lama koto", 1)]
    assert (found.count, found.users) == (1, 1)
    assert found.signals == {Signal.UNANSWERED: 1, Signal.REJECTED: 1}
    assert found.offered == {"downloads_milestone": 1, "launch_2023": 1}


def test_picks_say_which_fact_users_meant_but_make_no_card(responder: Responder) -> None:
    logged = (asked("lama kobe", 1, 2, offered=("launch_2023", "llamacon"))
              + asked("lama kobe", 1, signal=Signal.PICKED, chosen="launch_2023")
              + asked("lama kobe", 2, signal=Signal.PICKED, chosen="launch_2023")
              + asked("picked only", 3, signal=Signal.PICKED, chosen="llamacon"))
    [found] = review_queue(logged, responder)
    assert (found.key, found.count, found.users) == ("lama kobe", 2, 2)
    assert found.chosen == {"launch_2023": 2}
    shown = card(found, responder)
    assert shown.closest[0] == "launch_2023"  # what users chose comes first
    assert len(shown.closest) == 3 and len(set(shown.closest)) == 3
    assert all(f in responder.knowledge.facts for f in shown.closest)


def test_a_card_offers_the_decline_its_questions_come_closest_to(
    responder: Responder,
) -> None:
    [rain] = review_queue(asked(RAIN[0], 1) + asked(RAIN[1], 2), responder)
    assert card(rain, responder).decline == "unrelated_chat"
    [ram] = review_queue(asked(RAM[0], 1), responder)
    assert card(ram, responder).decline == "install_and_run"
    # Only declines that send the fallback ("another subject"), never a detail of a fact.
    about = {d.id for d in responder.knowledge.declines.values() if d.about}
    [share] = review_queue(asked(SHARE[0], 1), responder)
    assert card(share, responder).decline not in about


def test_questions_of_grammar_alone_stay_apart_and_nothing_is_lost() -> None:
    def words(text: str) -> dict[str, float]:
        return {w: 1.0 for w in text.split() if w != "ki"}

    logged = asked("ki", 1) + asked("ki ki", 2) + asked("alpha beta", 3) + asked("beta alpha", 4)
    cards = cluster(logged, words)
    assert sorted(sorted(c.texts) for c in cards) == [["alpha beta", "beta alpha"], ["ki"],
                                                      ["ki ki"]]
    assert sum(c.count for c in cards) == 4


def test_inflected_and_romanized_forms_are_the_same_words(responder: Responder) -> None:
    words = matcher_words(responder.matcher)
    assert words("মেটার শেয়ারের দাম").keys() == words("meta share dam").keys()
    assert words("lamar download").keys() == words("লামার ডাউনলোড").keys()
    assert "kt" not in words("কী") and words("কী") == {}


def test_words_that_steer_a_conversation_are_no_card(responder: Responder) -> None:
    """Found by the red-team run: "আরও বলো" logged before a context began became a card, and
    adding it to a fact was reported as taught though the conversation never asks the
    matcher about it."""
    logged = asked("আরও বলো", 1, 2, 3) + asked("হ্যাঁ", 4) + asked("২", 5) + asked(RAIN[0], 6)
    assert [list(c.texts) for c in review_queue(logged, responder)] == [[RAIN[0]]]


def test_a_card_offers_the_facts_users_were_offered_when_the_matcher_ranks_none(
    responder: Responder,
) -> None:
    """Found by QA: "lama er dam koto" got "the report does not say" with two facts as
    buttons, and /gaps named one of them as closest, but its /review card (and `kb review`,
    and `kb gaps --format csv`) had no fact to add it to: the matcher ranks only declines
    for it, and the card looked at nothing else."""
    text = "lama er dam koto"
    assert not [r for r in responder.matcher.match(text).ranked
                if r.intent_id in responder.knowledge.facts]
    offered = ("license_criticism", "ecosystem_strategy")
    [found] = review_queue(asked(text, 1, 2, offered=offered), responder)
    assert card(found, responder).closest == offered
