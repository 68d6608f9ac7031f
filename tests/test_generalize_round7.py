"""Mechanisms learned from the seventh blind development set (dev9): an English "when" that
joins a clause asks no time, and a question of a story that points back ("what is it?") is
about what the story named. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.answer import AnswerKind, Responder
from bot.core.asks import Asked, Asks
from bot.core.normalize import make_key, stems

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize("question", [
    "What should companies keep in mind when releasing AI models?",
    "Is Meta careful when it comes to privacy?",
])
def test_a_when_that_joins_a_clause_asks_no_time(question: str) -> None:
    assert Asked.WHEN not in Asks().asked(make_key(question))


@pytest.mark.parametrize("question", ["When is LlamaCon?", "when will it be held, and where?",
                                      "When launching, did Meta say when it would ship?"])
def test_a_when_that_asks_still_asks(question: str) -> None:
    assert Asked.WHEN in Asks().asked(make_key(question))


def test_a_conjunction_when_does_not_decline_the_answer(real: Responder) -> None:
    answer = real.ask("What lessons does the report draw about ethics and law when building "
                      "AI models?", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "ethics_legal")


@pytest.mark.parametrize("message", [
    "My nephew wrote about Llama for a school project and I felt lost. Who makes it and what "
    "is it?",
    "ভাগ্নে স্কুলের প্রজেক্টে লামা নিয়ে লিখেছে, আমি কিছুই বুঝিনি। এটা কে বানাইছে, এটা আসলে কী?",
])
def test_a_storys_question_pointing_back_is_about_what_the_story_named(
        real: Responder, message: str) -> None:
    answer = real.ask(message, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "what_is_llama")


@pytest.mark.parametrize("question", [
    "which open models are better?", "কোন বইগুলো দিয়ে?", "kon model gulo?",
    "kon closed source model gulor kotha?",
    "Which AI labs?",
])
def test_which_of_a_plural_asks_for_several(question: str) -> None:
    assert Asked.WHICH in Asks().asked(make_key(question))


@pytest.mark.parametrize("question", ["Which is the best?", "which model is it?"])
def test_which_of_one_is_no_list(question: str) -> None:
    assert Asked.WHICH not in Asks().asked(make_key(question))


def test_the_name_of_a_model_is_not_a_persons_name(real: Responder) -> None:
    # "ডিপসিকের মালিকের নাম" (its owner's name) is declined; its model's name is R1.
    model = real.ask("ডিপসিকের ওই মডেলটার নাম কী?", NOW)
    assert (model.kind, model.fact_id) == (AnswerKind.FACT, "deepseek_r1")
    assert real.ask("ডিপসিকের মালিকের নাম কী?", NOW).kind is not AnswerKind.FACT


def test_the_formal_plural_is_an_ending() -> None:
    assert "মডেল" in stems("মডেলসমূহ") and "দেশ" in stems("দেশসমূহের")
    # Spelling folds -সমূহ to -সমুহ before stems are taken.
    assert "মডেল" in stems("মডেলসমুহে")


@pytest.mark.parametrize(("question", "fact"), [
    ("লামা কবে প্রথম এসেছিল, অনুগ্রহপূর্বক বিবৃত করুন।", "launch_2023"),
    ("মেটার বিরুদ্ধে কপিরাইট মামলা প্রসঙ্গে আলোকপাত করুন", "copyright_lawsuit"),
    ("ডিপসিক প্রসঙ্গে আলোকপাত করুন", "deepseek_r1"),
    ("লামা মডেলসমূহ কতবার ডাউনলোড হয়েছে, উল্লেখ করুন", "downloads_milestone"),
])
def test_formal_requests_are_grammar(real: Responder, question: str, fact: str) -> None:
    # "অবহিত করুন", "আলোকপাত করুন" (please state, shed light on) ask nothing themselves:
    # as unknown words they made formal questions too unsure to answer.
    answer = real.ask(question, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, fact)


@pytest.mark.parametrize(("question", "kind"), [
    ("আয়-বিবরণী সভায় জাকারবার্গ কী বললেন?", Asked.MONEY),  # the earnings call, no sum
    ("কোন আইনি বিরোধে মেটা জড়িত?", Asked.NAMES),  # which legal dispute, not which law
])
def test_words_that_only_look_like_asking(question: str, kind: Asked) -> None:
    assert kind not in Asks().asked(make_key(question))


@pytest.mark.parametrize(("question", "kind"), [
    ("মেটার আয় কত?", Asked.MONEY), ("কোন আইনে মামলা হয়েছে?", Asked.NAMES),
    ("লামা কোন বছরে এসেছে?", Asked.WHEN),
])
def test_the_same_words_asking(question: str, kind: Asked) -> None:
    assert kind in Asks().asked(make_key(question))


def test_the_size_of_a_model_is_no_download_count(real: Responder) -> None:
    assert real.ask("লামা মডেলের প্যারামিটার সংখ্যা কত?", NOW).kind is not AnswerKind.FACT


@pytest.mark.parametrize(("question", "kind"), [
    ("ager bochor koto chilo?", Asked.PAST),  # "bochor" is keyed as the year group's বছর
    ("goto bochor koto download hoise", Asked.PAST),
])
def test_asking_phrases_meet_the_keys_synonyms_made(
        real: Responder, question: str, kind: Asked) -> None:
    assert kind in real.asks.asked(real.matcher.key(question))


def test_a_declined_question_pointing_back_waits_for_the_story(real: Responder) -> None:
    message = ("আমি ঢাকার একজন প্রোগ্রামার। শুনলাম মেটা প্রথমবারের মতো ডেভেলপারদের জন্য একটা "
               "সম্মেলন করছে। ওটার নাম কী আর কবে হচ্ছে?")
    answer = real.ask(message, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "llamacon")


@pytest.mark.parametrize("question", ["লামা বলতে কী বোঝায়, সংক্ষেপে ব্যাখ্যা করুন।",
                                      "what is meant by Llama?"])
def test_what_a_name_means_is_what_it_is(real: Responder, question: str) -> None:
    # "X বলতে কী বোঝায়" asks what X is: its fact, not one whose examples share the frame
    # ("নেটিভ মাল্টিমোডাল লামা বলতে কী বোঝায়?" still asks of the multimodal models).
    answer = real.ask(question, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "what_is_llama")
    multimodal = real.ask("নেটিভ মাল্টিমোডাল লামা বলতে কী বোঝায়?", NOW)
    assert multimodal.fact_id == "multimodal"


@pytest.mark.parametrize(("question", "fact"), [
    # the formal register (আত্মপ্রকাশ, উন্মোচিত, অতিক্রম, বৃহৎ, চিত্র) and English (leverage)
    ("লামার আত্মপ্রকাশ কোন সালে?", "launch_2023"),
    ("মেটা কোন বছর লামা উন্মোচিত করে?", "launch_2023"),
    ("কোন মডেল লামাকে অতিক্রম করেছে?", "deepseek_r1"),
    ("Which companies leverage Llama?", "corporate_adopters"),
    ("কোন কোন বৃহৎ প্রতিষ্ঠান লামা কাজে লাগাচ্ছে?", "corporate_adopters"),
    ("লামা কি চিত্র ও অডিও একসাথে অনুধাবন করতে পারবে?", "multimodal"),
    # the thesaurus rounds: বর্ষ, প্রথমবার, চালু; বিনা পয়সায় (without paying) is free
    ("লামা কোন বর্ষে প্রথমবার চালু হয়?", "launch_2023"),
    ("মেটা লামা বিনা পয়সায় দেয় কেন?", "ecosystem_strategy"),
    # the formal development set's own words
    ("লামার অভিষেক কোন বর্ষে?", "launch_2023"),
    ("বিকাশকারীরা লামার লাইসেন্সের সমালোচনা করছেন কেন?", "license_criticism"),
    ("লামা কি স্বাধীনভাবে কাজ সম্পন্ন করতে পারবে?", "agentic"),
    ("বহুমাধ্যমভিত্তিক লামা কী?", "multimodal"),
    # worry is the competition's pressure; a controversy is criticism; powered by
    ("ডিপসিক নিয়ে মেটা এত টেনশনে কেন?", "deepseek_r1"),
    ("Why is Meta worried about DeepSeek?", "deepseek_r1"),
    ("লামার লাইসেন্স নিয়ে বিতর্ক কেন?", "license_criticism"),
    ("Why is Llama's license controversial?", "license_criticism"),
    ("What is Meta AI powered by?", "meta_ai_assistant"),
])
def test_the_knowledge_bases_words_for_the_same_idea(
        real: Responder, question: str, fact: str) -> None:
    # Synonym groups of the knowledge base meet the words the examples use.
    answer = real.ask(question, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, fact)


@pytest.mark.parametrize(("question", "fact"), [
    # English fillers of speech are grammar, not words the facts must hold
    ("What is going on between Meta and the EU over privacy?", "eu_privacy"),
    # romanized "asked me" is the telling around the question
    ("amar bon jigesh korlo, lamacon kobe hobe?", "llamacon"),
])
def test_fillers_of_speech_weigh_nothing(real: Responder, question: str, fact: str) -> None:
    answer = real.ask(question, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, fact)


def test_must_i_pay_asks_whether_it_is_free(real: Responder) -> None:
    """synonyms.yaml: "টাকা দিয়ে কিনতে হয়" is in the free group; a ticket's price is still no
    fact of the article."""
    answer = real.ask("লামা ব্যবহার করতে কি টাকা দিয়ে কিনতে হয়?", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "ecosystem_strategy")
    assert real.ask("লামাকনের টিকিট কি টাকা দিয়ে কিনতে হয়?", NOW).kind is not AnswerKind.FACT


def test_how_much_an_open_model_saves_is_not_in_the_article(real: Responder) -> None:
    """decline.yaml's open_source_details: why open models draw companies is a fact, what
    they save in money is not."""
    assert real.ask("ওপেন মডেল ব্যবহার করলে কোম্পানির কত খরচ বাঁচে?", NOW).kind is not AnswerKind.FACT
    assert real.ask("ওপেন সোর্স মডেলের প্রতি কোম্পানিগুলোর আগ্রহ কেন?", NOW).fact_id == (
        "open_source_interest")


@pytest.mark.parametrize(("plain", "with_filler"), [
    ("মেটার সম্মেলনটা কবে?", "মেটার নিজেদের যে সম্মেলনটা হবে সেটা কবে?"),
    ("কোন কোম্পানি লামা ব্যবহার করে?", "এমন কোন কোম্পানি আছে যারা লামা ব্যবহার করে?"),
])
def test_own_and_such_are_grammar(real: Responder, plain: str, with_filler: str) -> None:
    """"নিজেদের" (their own), "এমন" (such) name nothing a fact must hold: the question is
    as sure with them as without."""
    sure, filled = real.ask(plain, NOW), real.ask(with_filler, NOW)
    assert filled.fact_id == sure.fact_id
    assert filled.score >= sure.score - 10


def test_a_word_for_on_its_own_beside_zuckerberg_asks_agentic(real: Responder) -> None:
    """synonyms.yaml: "একা একা", "by itself" join the agentic group; what Zuckerberg hinted
    about it is the agentic fact, not his outlook on the earnings call."""
    answer = real.ask("জাকারবার্গ কি বলেছেন লামা একা একা কাজ করতে পারবে?", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "agentic")
