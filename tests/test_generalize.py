"""Mechanisms that make answers hold on phrasings nobody wrote as examples.

Each test names the mechanism it needs: question finding in long messages,
synonym groups, subject agreement (entities), and the honest answer for a
detail the article does not give. The knowledge in most tests is built here,
so that a test fails without its mechanism, whatever the real examples say.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.answer import AnswerKind, Responder
from bot.core.focus import question_parts
from bot.core.knowledge import Decline, Entity, Knowledge
from bot.core.loader import load_knowledge
from bot.core.match import Matcher
from bot.core.normalize import make_key
from bot.core.subjects import Subjects
from bot.core.synonyms import Synonyms
from tests.test_loader import problems, write_kb

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)
KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


# ------------------------------------------------------------------ long messages


def test_the_question_is_found_after_a_lead_in_and_in_the_last_sentence() -> None:
    message = (
        "ভাই, কাল অফিসে সবাই এআই নিয়ে তর্ক করছিল, আমি চুপ করে ছিলাম কারণ কিছুই বুঝি না। "
        "তো আমার প্রশ্ন হলো, লামা প্রথম কবে বের হয়েছিল?"
    )
    assert question_parts(message)[0] == "লামা প্রথম কবে বের হয়েছিল?"
    story = (
        "My cousin was telling me about AI yesterday. I got lost. "
        "How many times was Llama downloaded?"
    )
    assert "How many times was Llama downloaded?" in question_parts(story)
    assert question_parts("লামাকন কবে?") == []  # short: matched whole


def test_a_story_before_the_question_does_not_veto_it(tmp_path: Path) -> None:
    small = Responder(load_knowledge(write_kb(tmp_path), TZ))
    message = (
        "আমার অফিসের সহকর্মীরা গতকাল সারা বিকেল তর্ক করছিল, আমি চুপচাপ শুনছিলাম আর কফি খাচ্ছিলাম। "
        "তো, লামা কতবার ডাউনলোড হয়েছে?"
    )
    whole = small.matcher.match(message)  # the story's words, unknown here, veto the answer
    assert whole.known_share < small.policy.min_known_share
    answer = small.ask(message, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "downloads")


def test_the_issues_long_message_is_answered(real: Responder) -> None:
    message = (
        "ভাই, কাল অফিসে সবাই এআই নিয়ে তর্ক করছিল, আমি চুপ করে ছিলাম কারণ কিছুই বুঝি না। "
        "তো আমার প্রশ্ন হলো, লামা প্রথম কবে বের হয়েছিল?"
    )
    answer = real.ask(message, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "launch_2023")


def test_a_long_off_topic_message_still_gets_no_fact(real: Responder) -> None:
    message = (
        "আমার বিড়ালটা দুদিন ধরে কিছু খাচ্ছে না, খুব চিন্তায় আছি। ডাক্তার দেখাতে হবে মনে হয়। "
        "তো আমার কী করা উচিত?"
    )
    assert real.ask(message, NOW).kind is AnswerKind.FALLBACK


# ------------------------------------------------------------------ synonyms


def test_synonyms_rewrite_words_phrases_and_inflected_words() -> None:
    synonyms = Synonyms([("খরচ", "ব্যয়", "invest"), ("লঞ্চ", "বের হয়েছিল")])
    assert synonyms.rewrite("মেটা কত ব্যয় করবে".split()) == "মেটা কত খরচ করবে".split()
    assert synonyms.rewrite("ব্যয়ের পরিমাণ".split()) == ["খরচ", "পরিমাণ"]  # through the stem
    assert synonyms.rewrite("লামা কবে বের হয়েছিল".split()) == ["লামা", "কবে", "লঞ্চ"]
    assert synonyms.rewrite(["invest"]) == ["খরচ"]
    assert Synonyms().rewrite(["ব্যয়"]) == ["ব্যয়"]


def test_spoken_content_words_take_their_standard_form(real: Responder) -> None:
    spoken = real.matcher.key("লামা দিয়া কী কাম হয়, কত ট্যাকা")
    standard = real.matcher.key("লামা দিয়া কী কাজ হয়, কত টাকা")
    assert spoken.skeleton == standard.skeleton and spoken.surface == standard.surface
    assert make_key("কামান").skeleton != make_key("কাজান").skeleton  # whole words only


def test_a_synonym_group_lets_an_unseen_word_meet_the_examples() -> None:
    examples = [("invest", "মেটা এআইতে কত খরচ করবে?"), ("launch", "লামা কবে লঞ্চ হয়েছে?")]
    plain = Matcher(examples)
    grouped = Matcher(examples, synonyms=Synonyms([("খরচ", "লগ্নি")]))
    question = "মেটা এআইতে কত লগ্নি করবে?"
    assert plain.match(question).known_share < 1.0  # লগ্নি is a word it has never seen
    assert grouped.match(question).known_share == 1.0
    assert grouped.match(question).ranked[0].score > plain.match(question).ranked[0].score


# ------------------------------------------------------------------ subjects


def test_subjects_are_found_in_every_script_with_case_endings() -> None:
    subjects = Subjects([("amazon", "অ্যামাজন"), ("amazon", "amazon"), ("openai", "open ai"),
                         ("usa", "usa")])
    assert subjects.named(make_key("অ্যামাজনের এআই খরচ কত?")) == {"amazon"}
    assert subjects.named(make_key("How much is Amazon spending?")) == {"amazon"}
    assert subjects.named(make_key("Is Open AI bigger?")) == {"openai"}
    assert subjects.named(make_key("open source models remind us")) == frozenset()  # not "usa"


LOOKALIKES = [
    "অ্যামাজন এআইতে কত খরচ করবে?",
    "Anthropic এর কি war room আছে?",
    "Claude কবে লঞ্চ হয়েছে?",
    "জাকারবার্গ থ্রেডস অ্যাপ নিয়ে কী বললেন?",
    "How much is Google spending on AI this year?",
]


@pytest.mark.parametrize("question", LOOKALIKES)
def test_a_fact_about_meta_is_not_given_for_another_subject(
    real: Responder, question: str
) -> None:
    answer = real.ask(question, NOW)
    assert answer.kind not in (AnswerKind.FACT, AnswerKind.SUGGEST), answer


@pytest.mark.parametrize(
    ("question", "fact"),
    [("মেটা এআইতে কত খরচ করবে?", "ai_investment"),
     ("জাকারবার্গ লামা নিয়ে কী বললেন?", "zuckerberg_outlook"),
     ("ডিপসিক কি লামাকে ছাড়িয়ে গেছে?", "deepseek_r1"),
     ("Which companies use Llama besides Spotify?", "corporate_adopters")],
)
def test_naming_the_facts_own_subjects_keeps_the_answer(
    real: Responder, question: str, fact: str
) -> None:
    answer = real.ask(question, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, fact)


def test_subject_agreement_needs_the_entities_on_the_fact(tmp_path: Path) -> None:
    kb = load_knowledge(write_kb(tmp_path), TZ)
    facts = dict(kb.facts)
    question = "গুগল কতবার ডাউনলোড হয়েছে?"
    entities = {"llama": Entity("llama", "লামা", ("লামা",)),
                "google": Entity("google", "গুগল", ("গুগল",))}
    # Google is a word the matcher knows (from a decline), so only subjects can tell.
    declines = {"search": Decline("search", ("গুগল সার্চ কী?",))}
    plain = Responder(Knowledge(kb.sources, kb.topics, facts, kb.smalltalk, kb.events,
                                declines=declines, entities=entities))
    assert plain.ask(question, NOW).kind is AnswerKind.FACT  # a fact about no one in particular
    about_llama = {"downloads": replace(facts["downloads"], entities=("llama",))}
    checked = Responder(Knowledge(kb.sources, kb.topics, about_llama, kb.smalltalk, kb.events,
                                  declines=declines, entities=entities))
    assert checked.ask(question, NOW).kind is AnswerKind.FALLBACK
    assert checked.ask("লামা কতবার ডাউনলোড হয়েছে?", NOW).kind is AnswerKind.FACT


# ------------------------------------------------------------------ details the article lacks


@pytest.mark.parametrize(
    ("question", "closest"),
    [("মামলার রায় কবে হবে?", "copyright_lawsuit"),
     ("লামাকনের টিকিট কীভাবে কিনব?", "llamacon")],
)
def test_a_missing_detail_is_said_honestly_with_the_closest_fact(
    real: Responder, question: str, closest: str
) -> None:
    answer = real.ask(question, NOW)
    assert answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert closest in answer.suggestions
    assert answer.citation is None and answer.fact_id is None


# ------------------------------------------------------------------ validation


LEXICON = """version: 1
entities:
  - id: google
    name: "গুগল"
    aliases: ["গুগল", "google"]
  - id: alphabet
    name: "অ্যালফাবেট"
    aliases: ["alphabet", "Google"]
  - id: nameless
    name: "?"
    aliases: ["!!"]
synonyms:
  - [খরচ, ব্যয়]
  - [বিনিয়োগ, ব্যয়]
  - [একা]
  - [অডিও, গুগল]
"""


def test_synonyms_and_entities_are_validated_with_their_place(tmp_path: Path) -> None:
    directory = write_kb(tmp_path, lexicon_yaml=LEXICON)
    facts = directory / "facts.yaml"
    text = facts.read_text(encoding="utf-8").replace(
        "    citation:", "    entities: [google, nobody]\n    citation:"
    )
    facts.write_text(text, encoding="utf-8")
    found = "\n".join(problems(directory))
    assert "alias 'Google' of entity 'alphabet' also names entity 'google'" in found
    assert "alias '!!' has no letters to match" in found
    assert "synonym 'ব্যয়' of the group of 'বিনিয়োগ' is also in the group of 'খরচ'" in found
    assert "a synonym group needs at least two words" in found
    assert "synonym 'গুগল' of the group of 'অডিও' is an alias of entity 'google'" in found
    assert "fact 'downloads' names unknown entity 'nobody'" in found
    assert f"{tmp_path / 'lexicon.yaml'}:" in found


def test_a_decline_about_something_that_is_not_a_fact_is_refused(tmp_path: Path) -> None:
    decline = """version: 1
decline:
  - id: verdict
    about: [downloads, verdict_date]
    questions: ["রায় কবে?"]
"""
    found = "\n".join(problems(write_kb(tmp_path, decline_yaml=decline)))
    assert "decline 'verdict' is about unknown fact 'verdict_date'" in found


# ------------------------------------------------------------ "X কী?": the fact that defines X


@pytest.mark.parametrize(
    ("question", "fact"),
    [("ডিপসিক", "deepseek_r1"), ("deepseek?", "deepseek_r1"),
     ("What exactly is Meta's Llama?", "what_is_llama"),
     ("লামা কী বস্তু গো, একটু বুঝিয়ে বলো না", "what_is_llama"),
     ("মেটা এআই জিনিসটা কী?", "meta_ai_assistant")],
)
def test_a_question_naming_only_a_subject_gets_the_fact_that_defines_it(
    real: Responder, question: str, fact: str
) -> None:
    answer = real.ask(question, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, fact)


def test_the_defining_fact_comes_from_the_entity_and_needs_the_subject_alone(
    real: Responder,
) -> None:
    knowledge = real.knowledge
    without = Responder(replace(knowledge, entities={
        i: replace(e, fact=None) for i, e in knowledge.entities.items()}))
    assert without.ask("deepseek?", NOW).kind is AnswerKind.SUGGEST  # in two facts: unsure
    assert real.ask("deepseek?", NOW).fact_id == "deepseek_r1"
    # Europe is named too, and is no part of what Llama is: not a definition question.
    answer = real.ask("ইউরোপে লামা পাওয়া যায় না কেন?", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "eu_privacy")


@pytest.mark.parametrize(("field", "problem"), [
    ("fact: no_such_fact", "entity 'llama' points at unknown fact 'no_such_fact'"),
    ("kind: animal", "unknown entity kind 'animal' (fix: write one of: person, company,"),
])
def test_an_entity_points_at_a_fact_and_has_a_known_kind(
        tmp_path: Path, field: str, problem: str) -> None:
    lexicon = f"""version: 1
entities:
  - id: llama
    name: "লামা"
    aliases: ["লামা"]
    {field}
"""
    found = "\n".join(problems(write_kb(tmp_path, lexicon_yaml=lexicon)))
    assert problem in found


def test_a_subject_named_as_a_comparison_is_not_the_subject(real: Responder) -> None:
    like = real.ask("o3-mini er moto model ashbe?", NOW)
    assert (like.kind, like.fact_id) == (AnswerKind.FACT, "reasoning_models")
    assert real.ask("o3-mini কবে রিলিজ হয়েছে?", NOW).kind is not AnswerKind.FACT


@pytest.mark.parametrize("message", ["কোন কোন বই?", "how much are the tickets?",
                                     "কী কী?",  # one grammar word twice: no "কী খবর?"
                                     # one small-talk word among words known elsewhere
                                     "চট্টগ্রামের ট্রেন সকাল কয়টায় ছাড়ে?"])
def test_small_talk_needs_its_own_words(real: Responder, message: str) -> None:
    assert real.ask(message, NOW).kind is not AnswerKind.SMALLTALK


def test_small_talk_in_grammar_words_of_its_own(real: Responder) -> None:
    answer = real.ask("কী কী জিজ্ঞেস করা যায়?", NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.SMALLTALK, "help")
