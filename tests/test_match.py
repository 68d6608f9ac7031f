"""The matcher and the answer policy on the real knowledge base."""

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.answer import AnswerKind, Responder
from bot.core.loader import load_knowledge
from bot.core.match import Matcher
from bot.core.normalize import make_key
from bot.core.subjects import Subjects

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)
KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def responder() -> Responder:
    return Responder(load_knowledge(KNOWLEDGE, TZ))


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("লামা কতবার ডাউনলোড হয়েছে?", "downloads_milestone"),
        ("lama koto bar download hoyeche", "downloads_milestone"),
        ("How many times has Llama been downloaded?", "downloads_milestone"),
        ("Llama কতবার download হয়েছে", "downloads_milestone"),
        ("লামাকন কবে?", "llamacon"),
        ("ডিপসিক কি লামাকে ছাড়িয়ে গেছে?", "deepseek_r1"),
        ("meta AI te koto taka khoroch korbe", "ai_investment"),
        ("Which companies use Llama?", "corporate_adopters"),
    ],
)
def test_questions_in_every_script_find_their_fact(
    responder: Responder, question: str, fact: str
) -> None:
    answer = responder.ask(question, NOW)
    assert answer.kind is AnswerKind.FACT, answer
    assert answer.fact_id == fact


@pytest.mark.parametrize(
    "question",
    [
        "গুগল জেমিনি কতবার ডাউনলোড হয়েছে?",
        "How do I reset my Facebook password?",
        "আজকের আবহাওয়া কেমন?",
        "best biryani recipe",
    ],
)
def test_other_subjects_sharing_words_are_not_answered(responder: Responder, question: str) -> None:
    answer = responder.ask(question, NOW)
    assert answer.kind in (AnswerKind.FALLBACK, AnswerKind.SUGGEST), answer
    assert answer.fact_id is None and answer.citation is None


def test_fallback_is_polite_bengali_with_topics(responder: Responder) -> None:
    answer = responder.ask("What's the capital of France?", NOW)
    assert answer.kind is AnswerKind.FALLBACK
    assert answer.text.startswith("দুঃখিত")
    assert all(t.title in answer.text for t in responder.knowledge.topics)
    assert answer.suggestions and all(s in responder.knowledge.facts for s in answer.suggestions)


def test_small_talk_has_no_citation(responder: Responder) -> None:
    for question, intent in (("হ্যালো", "greeting"), ("ধন্যবাদ", "thanks"), ("tumi ke?", "identity")):
        answer = responder.ask(question, NOW)
        assert (answer.kind, answer.intent_id, answer.citation) == (
            AnswerKind.SMALLTALK,
            intent,
            None,
        )


def test_fact_answer_carries_citation_and_related(responder: Responder) -> None:
    answer = responder.ask("লামা কপিরাইট মামলা", NOW)
    assert answer.fact_id == "copyright_lawsuit"
    assert answer.citation is not None
    assert answer.citation.quote in responder.knowledge.sources[answer.citation.source_id].text
    assert answer.suggestions and "copyright_lawsuit" not in answer.suggestions


@pytest.mark.parametrize("text", ["", "   ", "😀🎉👍", "\x00\x01\x07\x1b", "।।।", "\u200c\u200d"])
def test_nothing_to_read_gets_the_empty_reply(responder: Responder, text: str) -> None:
    answer = responder.ask(text, NOW)
    assert answer.kind is AnswerKind.EMPTY
    assert "লিখুন" in answer.text


def test_huge_html_and_mixed_input_never_fail(responder: Responder) -> None:
    for text in ("লামা " * 1500, "<b>llama</b> &amp; <script>x</script>", "Llama ডাউনলোড 🚀 كم مرة"):
        answer = responder.ask(text, NOW)
        assert answer.text


def test_word_weights_favor_rare_words() -> None:
    matcher = Matcher([("a", "লামা ডিপসিক"), ("b", "লামা মামলা"), ("c", "লামা ইউরোপ")])
    ranked = matcher.match("ডিপসিক লামা").ranked
    assert ranked[0].intent_id == "a"
    # The others share only the common word: too far behind to be ranked at all.
    assert [r.intent_id for r in ranked] == ["a"]
    assert [r.intent_id for r in matcher.match("লামা").ranked] == ["a", "b", "c"]


def test_unknown_words_lower_known_share() -> None:
    matcher = Matcher([("a", "লামা কতবার ডাউনলোড হয়েছে")])
    assert matcher.match("লামা কতবার ডাউনলোড হয়েছে").known_share == 1.0
    assert matcher.match("গুগল জেমিনি কতবার ডাউনলোড হয়েছে").known_share < 0.7


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer(text: str) -> None:
    responder = _shared_responder()
    answer = responder.ask(text, NOW)
    assert 0.0 <= answer.score <= 100.0
    assert answer.text
    assert (answer.fact_id is None) == (answer.citation is None)


_CACHE: dict[str, Responder] = {}


def _shared_responder() -> Responder:
    if "r" not in _CACHE:
        _CACHE["r"] = Responder(load_knowledge(KNOWLEDGE, TZ))
    return _CACHE["r"]


def test_decline_intents_answer_with_the_fallback() -> None:
    from bot.core.knowledge import Decline

    knowledge = load_knowledge(KNOWLEDGE, TZ)
    examples = ("ChatGPT কতবার ডাউনলোড হয়েছে?", "gemini users")
    declines = {"other_ai": Decline("other_ai", examples)}
    responder = Responder(replace(knowledge, declines=declines))
    answer = responder.ask("chatgpt koto bar download hoise", NOW)
    expected = (AnswerKind.FALLBACK, None, "other_ai")
    assert (answer.kind, answer.fact_id, answer.intent_id) == expected
    assert responder.ask("lama koto bar download hoise", NOW).fact_id == "downloads_milestone"


@pytest.mark.parametrize("padding", [
    "আসসালামু আলাইকুম ভাই, {}", "hello, {} please", "ভাই একটা কথা জিগাই, {} কন তো",
])
def test_greetings_and_fillers_do_not_change_the_answer(responder: Responder,
                                                         padding: str) -> None:
    question = "লামা কতবার ডাউনলোড হয়েছে?"
    plain_answer = responder.ask(question, NOW)
    padded = responder.ask(padding.format(question), NOW)
    assert plain_answer.fact_id == "downloads_milestone"
    assert (padded.kind, padded.fact_id) == (plain_answer.kind, plain_answer.fact_id)


@pytest.mark.parametrize(
    "message",
    ["ঠিক আছে", "thik ache", "আর কিছু?", "really?", "where?", "ok", "ভাই", "আবার বলো", "হ্যাঁ",
     "how?", "why?"],
)
def test_grammar_and_fillers_alone_get_no_fact_and_no_wrong_small_talk(
    responder: Responder, message: str
) -> None:
    answer = responder.ask(message, NOW)
    assert answer.kind is AnswerKind.FALLBACK, answer


@pytest.mark.parametrize(
    ("message", "intent"),
    [("hi", "greeting"), ("hi bhai", "greeting"), ("কেমন আছো?", "greeting"),
     ("thanks bhai", "thanks"), ("ok bye", "goodbye"), ("বাই", "goodbye")],
)
def test_small_talk_spelled_out_in_grammar_words_still_answers(
    responder: Responder, message: str, intent: str
) -> None:
    answer = responder.ask(message, NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.SMALLTALK, intent)


@pytest.mark.parametrize(
    ("question", "decline"),
    [("গুগলের জেমিনি মডেল কতবার ডাউনলোড হয়েছে?", "other_ai_products"),
     ("How can I download Llama?", "install_and_run")],
)
def test_a_decline_that_nearly_ties_a_fact_wins(
    responder: Responder, question: str, decline: str
) -> None:
    ranked = responder.matcher.match(question).ranked
    assert ranked[0].intent_id in responder.knowledge.facts  # the fact does score higher
    answer = responder.ask(question, NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.FALLBACK, decline)


@pytest.mark.parametrize(("question", "named"), [
    ("চীনের ডিপসিক", {"china", "deepseek"}),
    ("লামাকে কি কোনো মডেল টপকে গেছে?", {"llama"}),
    ("লামাতে কী আছে?", {"llama"}),
    # A short name's letters at the start of another word: "চিনতে" (to know), "chinta".
    ("লামা কি ভেবে চিন্তে উত্তর দিতে পারবে?", {"llama"}),
    ("lama ki chinta korte parbe?", {"llama"}),
])
def test_a_short_name_takes_case_endings_not_any_letters(question: str, named: set[str]) -> None:
    knowledge = load_knowledge(KNOWLEDGE, TZ)
    subjects = Subjects((e.id, a) for e in knowledge.entities.values() for a in e.aliases)
    assert subjects.named(make_key(question)) == named


def test_a_question_ranks_alike_after_others_shared_its_words() -> None:
    """Each word's known neighbours are looked up once per index: what one question found
    must serve the next one unchanged."""
    knowledge = load_knowledge(KNOWLEDGE, TZ)
    examples = list(knowledge.examples(own_words=True))
    fresh, used = Matcher(examples, cache_size=0), Matcher(examples, cache_size=0)
    questions = ["লামার লাইসেন্স কেন সমালোচিত", "lama koto bar download hoyeche",
                 "লামাকন কবে হবে রে", "lama license niye somalochona keno",
                 "download er songkhya koto lamar"]
    for question in questions:
        used.match(question)
    for question in questions:
        assert used.match(question).ranked == fresh.match(question).ranked, question
        fresh = Matcher(examples, cache_size=0)


def test_the_word_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.core.match as match

    monkeypatch.setattr(match, "WORD_CACHE", 8)
    matcher = Matcher([("a", "lama koto download"), ("b", "lamacon kobe hobe")], cache_size=0)
    for n in range(40):
        matcher.match(f"lama kobe word{n}x zorp{n}q")
        assert len(matcher._similar) <= 8
    assert matcher.match("lamacon kobe").ranked[0].intent_id == "b"


def test_a_text_is_keyed_once_and_the_keys_kept_stay_bounded() -> None:
    """A conversation keys a message's words several times over: the same key comes back,
    equal to a fresh one, and no more texts are kept than rankings are."""
    examples = [("a", "lama koto download"), ("b", "lamacon kobe hobe")]
    matcher, fresh = Matcher(examples, cache_size=4), Matcher(examples, cache_size=0)
    first = matcher.key("Lamacon KOBE?")
    assert matcher.key("Lamacon KOBE?") is first
    assert first == fresh.key("Lamacon KOBE?")
    for n in range(20):
        matcher.key(f"lama kobe word{n}")
    assert len(matcher._keys) == 4
    assert fresh.key("lama") is not fresh.key("lama")  # no cache, nothing kept
    assert not fresh._keys


def test_a_responder_built_at_once_has_learned_everything() -> None:
    """What answers read besides the index is made when the responder is: the first question
    needing it does not wait, and a cached responder holds it."""
    responder = Responder(load_knowledge(KNOWLEDGE, TZ))
    assert responder._talk_words and responder._example_asks and responder._readings
    deferred = Responder(load_knowledge(KNOWLEDGE, TZ), deferred=True)
    assert deferred._example_asks is None
    for _ in deferred.steps():
        pass
    assert deferred._example_asks == responder._example_asks
