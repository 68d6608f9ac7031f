"""Mechanisms learned from the tenth round's blind development sets: a question that joins
the last answer's word to another fact's ("which companies objected?" after the licence's
critics) is a detail neither gives; "বাদ দাও, ..." asks afresh; a formal question with one
candidate fact gets it; details no fact gives (a breakdown, a benchmark, a specification);
what a question concedes is background. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation, TurnKind
from bot.core.focus import requests
from bot.core.normalize import clean, formal, in_sadhu

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


# ----------------------------------------------------------------- follow-ups

@pytest.mark.parametrize(("opening", "last", "follow_up"), [
    ("লামার লাইসেন্স নিয়ে সমালোচনা কী?", "license_criticism",
     "kon kon company apotti korse? naam bolo"),
    ("মেটা কেন ওয়ার রুম বানাল?", "war_rooms", "কোন কোন কোম্পানি ওয়ার রুম চালায়?"),
])
def test_a_detail_joining_the_last_fact_to_another_is_not_in_the_article(
        conversation: Conversation, opening: str, last: str, follow_up: str) -> None:
    first, second = play(conversation, opening, follow_up, start=NOW)
    assert facts(first) == [last]
    assert second.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert last in second.answer.suggestions


def test_another_subjects_question_with_the_last_facts_word_is_still_answered(
        conversation: Conversation) -> None:
    # DeepSeek is named and the war rooms are about it: no detail of the last fact.
    turns = play(conversation, "মেটা এআই-তে কত টাকা খরচ করবে?",
                 "ডিপসিক কোন মডেল দিয়ে লামাকে টপকেছে?", start=NOW)
    assert facts(turns[1]) == ["deepseek_r1"]


def test_besides_the_last_fact_asks_another_and_is_no_detail_of_it(
        conversation: Conversation) -> None:
    turns = play(conversation, "মেটা এআই-তে কত টাকা খরচ করবে?",
                 "টাকা ঢালার বাইরে প্রতিযোগিতায় টিকতে মেটা আর কী করছে?", start=NOW)
    assert turns[1].answer.kind is AnswerKind.FACT
    assert facts(turns[1]) != ["ai_investment"]


@pytest.mark.parametrize(("opening", "switch", "fact"), [
    ("ডিপসিক কী", "বাদ দেন, মেটা এআই কী?", "meta_ai_assistant"),
    ("ডিপসিক কী", "ok different question: who uses llama?", "corporate_adopters"),
])
def test_a_message_that_changes_the_subject_is_asked_afresh(
        conversation: Conversation, opening: str, switch: str, fact: str) -> None:
    turns = play(conversation, opening, switch, start=NOW)
    assert facts(turns[1]) == [fact]
    assert turns[1].context.fact == fact


def test_changing_the_subject_keeps_what_was_shown(conversation: Conversation) -> None:
    turns = play(conversation, "লামাকন কী?", "আচ্ছা বাদ দাও, লামা কী?", "আরও বলো", start=NOW)
    assert facts(turns[1]) == ["what_is_llama"]
    assert "llamacon" in turns[1].context.shown
    assert facts(turns[2]) and facts(turns[2])[0] not in ("llamacon", "what_is_llama")


def test_a_bare_switch_word_is_no_question_of_its_own(conversation: Conversation) -> None:
    turns = play(conversation, "লামাকন কী?", "বাদ দাও", start=NOW)
    assert turns[1].answer.kind is not AnswerKind.FACT


def test_a_short_question_close_to_the_last_fact_stays_with_it(
        conversation: Conversation) -> None:
    # Alone, "which model?" is Llama's ("what kind of model is Llama?"); after DeepSeek's
    # fact, whose words it is nearly as close to, it asks of DeepSeek's.
    turns = play(conversation, "ডিপসিক কি লামাকে পেছনে ফেলেছে?", "কোন মডেল দিয়ে?", start=NOW)
    assert facts(turns[1]) == ["deepseek_r1"]


def test_a_short_question_far_from_the_last_fact_moves_on(conversation: Conversation) -> None:
    turns = play(conversation, "ডিপসিক কি লামাকে পেছনে ফেলেছে?", "কত খরচ করবে?", start=NOW)
    assert facts(turns[1]) == ["ai_investment"]


def test_numbered_questions_inside_one_line_are_each_answered(
        conversation: Conversation) -> None:
    [turn] = play(conversation, "Two quick ones: 1) who makes Llama 2) when is LlamaCon?",
                  start=NOW)
    assert facts(turn) == ["what_is_llama", "llamacon"]


def test_an_example_of_grammar_words_beats_what_its_subject_is(real: Responder) -> None:
    # Only "লামা" is a word of substance: alone it would ask what Llama is. An admin taught
    # this very question to another fact, and an example spelled out is what it asks.
    answer = real.ask("লামা দিয়া কী কী করা যায়?", NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "versatility")
    assert real.ask("লামা কী?", NOW).fact_id == "what_is_llama"


def test_a_case_ending_typed_apart_after_a_word_is_no_pointer(
        conversation: Conversation) -> None:
    # "download er" is "the download's", not "its download": a question of its own.
    turns = play(conversation, "llamacon kobe?", "download er count koto?", start=NOW)
    assert facts(turns[1]) == ["downloads_milestone"]
    assert turns[1].kind is TurnKind.ANSWER


@pytest.mark.parametrize("pointing", ["eta ke baniyeche?", "এটা কে বানিয়েছে?"])
def test_it_after_a_question_naming_nothing_is_the_last_facts_subject(
        conversation: Conversation, pointing: str) -> None:
    turns = play(conversation, "ডাউনলোড এর সংখ্যা কত?", pointing, start=NOW)
    assert facts(turns[0]) == ["downloads_milestone"]
    assert facts(turns[1]) == ["what_is_llama"]


def test_a_compounds_first_question_is_not_pulled_to_its_storys_fact(
        conversation: Conversation) -> None:
    # Joined with the story, "koto download hoise" reads as the interest in open models the
    # story talks about; asked by itself it is the download count, and surer.
    [turn] = play(conversation, "amar teacher bollo open source model babohar korte. Llama naki "
                  "khub popular. Koto download hoise ar customize korar tool ki meta dey?",
                  start=NOW)
    assert facts(turn) == ["downloads_milestone", "ecosystem_strategy"]


def test_a_compounds_part_naming_its_own_subject_borrows_none(
        conversation: Conversation) -> None:
    # "...and what the report predicts for Llama's future": Llama's, not LlamaCon's future.
    [turn] = play(conversation, "Tell me LlamaCon's date and what the report predicts for "
                  "Llama's future overall", start=NOW)
    assert facts(turn) == ["llamacon", "future_outlook"]


def test_a_compounds_part_pointing_back_still_borrows(conversation: Conversation) -> None:
    # "এর সম্পর্ক" (its relation) with Meta AI: "its" is Llama, named before.
    [turn] = play(conversation, "লামা কী জিনিস, আর মেটা এআই এর সাথে এর সম্পর্ক কী?", start=NOW)
    assert "llamacon" not in facts(turn)


# ----------------------------------------------------------------- sadhu bhasha

def test_sadhu_is_told_by_its_verbs_and_words() -> None:
    assert in_sadhu(clean("মেটা কী পদক্ষেপ গ্রহণ করিয়াছে?"))
    assert in_sadhu(clean("ইহার নির্মাতা কে?"))
    assert not in_sadhu(clean("মেটা কী পদক্ষেপ নিয়েছে?"))
    assert not in_sadhu(clean("মিডিয়াতে দলিল কী বলে?"))  # nouns with a verb-like ending
    assert requests(clean("কারণ ব্যাখ্যা করিলে বাধিত হইব।"))
    assert not requests(clean("কারণটা কী ছিল।"))


def test_formal_spoken_bengali_is_formal_too() -> None:
    assert formal(clean("লামার সংক্ষিপ্ত পরিচিতি দিন"))
    assert formal(clean("মডেলসমূহ কবে এসেছে?"))
    assert formal(clean("মেটা কী পদক্ষেপ গ্রহণ করিয়াছে?"))
    assert not formal(clean("লামা কবে এসেছে?"))


# ----------------------------------------------------------------- small talk

@pytest.mark.parametrize("greeting", ["hello there!", "hey there"])
def test_a_greeting_with_a_filler_is_still_a_greeting(real: Responder, greeting: str) -> None:
    # "there" comes close to some fact's word and ranks it first; the greeting is the
    # small talk the message spells out.
    answer = real.ask(greeting, NOW)
    assert (answer.kind, answer.intent_id) == (AnswerKind.SMALLTALK, "greeting")


def test_grammar_words_that_spell_no_small_talk_still_fall_back(real: Responder) -> None:
    assert real.ask("ঠিক আছে", NOW).kind is AnswerKind.FALLBACK


# ----------------------------------------------------------------- one question, one fact

@pytest.mark.parametrize(("question", "fact"), [
    # sadhu, and the formal register of spoken Bengali: a lone candidate is the answer
    ("মেটার যুদ্ধকক্ষ গঠনের কারণ ব্যাখ্যা করিলে উপকৃত হইব।", "war_rooms"),
    ("মেটা কর্তৃক গঠিত সমর-কক্ষসমূহের উদ্দেশ্য সম্পর্কে আলোকপাত করুন", "war_rooms"),
    # synonyms: stalled is delayed; talk raised is criticism; giving is give; going past a
    # number is crossing it
    ("Why was Llama's EU launch stalled?", "eu_privacy"),
    ("লামার লাইসেন্স নিয়ে কী কথা উঠেছে?", "license_criticism"),
    ("So why is Meta giving Llama away free?", "ecosystem_strategy"),
    ("why's meta giving llama away free of charge", "ecosystem_strategy"),
    ("লামা কি একশো কোটি ডাউনলোড পেরিয়ে গেছে?", "downloads_milestone"),
    # an earnings meeting is an occasion, not a sum asked
    ("জাকারবার্গ আয়-সংক্রান্ত সভায় কী বলেছিলেন?", "zuckerberg_outlook"),
    ("আয়-বিষয়ক আলোচনায় জাকারবার্গ লামা নিয়ে কী বললেন?", "zuckerberg_outlook"),
    ("আয়-বিষয়ক সম্মেলনে জাকারবার্গ লামার ভবিষ্যৎ নিয়ে কী মন্তব্য করেন?", "zuckerberg_outlook"),
    # declared is announced
    ("এআই খাতে মেটার ঘোষিত ব্যয় কত?", "ai_investment"),
    # a concession is background
    ("Despite all that criticism, which firms run Llama?", "corporate_adopters"),
    # romanized grammar: "dicche" (is giving), "ashole" (actually)
    ("meta keno llama free te dicche, tader uddeshsho ta ki", "ecosystem_strategy"),
    ("war room ta ashole kisher?", "war_rooms"),
    # a comparison the fact makes is no benchmark asked
    ("নতুন লামা মডেলে কি o3-mini এর মতো রিজনিং থাকবে?", "reasoning_models"),
])
def test_a_question_gets_its_fact(real: Responder, question: str, fact: str) -> None:
    answer = real.ask(question, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, fact)


@pytest.mark.parametrize("question", [
    # another company in sadhu: still declined
    "গুগল কর্তৃক গঠিত যুদ্ধকক্ষের কারণ ব্যাখ্যা করিলে উপকৃত হইব।",
    # "কাহারা" asks who as "কারা" does: the filers, a detail the article does not give
    "মামলাটি কারা দায়ের করেছেন?",
    "মোকদ্দমাটি কাহারা দায়ের করিয়াছেন?",
    # a day asked in romanized words; a benchmark's result
    "llama kon date e 100 koti download paar korlo?",
    "Will Llama's reasoning models outscore o3-mini on benchmarks?",
    # a sum asked of the earnings is still a sum
    "মেটার আয় কত?",
])
def test_a_question_the_article_does_not_answer_gets_no_fact(
        real: Responder, question: str) -> None:
    assert real.ask(question, NOW).kind is not AnswerKind.FACT



# ----------------------------------------------------------------- subjects

def test_an_alias_is_keyed_as_questions_are(real: Responder) -> None:
    # The synonym groups make a question's "AI" "এআই"; the alias "stability ai" must be
    # read the same way, or the question names no one else and gets Meta's lawsuit.
    key = real.matcher.key("Stability AI এর বিরুদ্ধে মামলাটা কী নিয়ে?")
    assert "stability" in real.subjects.named(key)
    answer = real.ask("Stability AI এর বিরুদ্ধে শিল্পীদের মামলার অভিযোগ কী?", NOW)
    assert answer.kind is not AnswerKind.FACT


# ----------------------------------------------------------------- details the article lacks

def test_a_part_of_a_sum_is_a_detail_no_fact_gives(real: Responder) -> None:
    part = real.ask("মেটার ৮০ বিলিয়ন ডলারের মধ্যে কত যাবে চিপ কেনায়?", NOW)
    assert part.kind is AnswerKind.NOT_IN_ARTICLE
    assert part.suggestions == ("ai_investment",)
    whole = real.ask("মেটা এ বছর এআই খাতে কত খরচ করবে?", NOW)
    assert (whole.kind, whole.fact_id) == (AnswerKind.FACT, "ai_investment")


def test_which_sectors_asks_no_breakdown(real: Responder) -> None:
    from bot.core.asks import Asked

    sectors = real.asks.asked(real.matcher.key("কোন কোন খাতে লামা ব্যবহার হচ্ছে?"))
    part = real.asks.asked(real.matcher.key("how much of the budget goes to chips?"))
    assert Asked.SHARE not in sectors
    assert Asked.SHARE in part


@pytest.mark.parametrize("aside", ["আর ইউরোপের দিকটা কী?", "ইউরোপের দিকটা?"])
def test_the_side_of_another_subject_is_that_subjects_fact(
        conversation: Conversation, aside: str) -> None:
    # "দিকটা" (the side of it) asks nothing of its own: Europe's part of the story.
    turns = play(conversation, "লামার কপিরাইট মামলাটা কী?", aside, start=NOW)
    assert facts(turns[1]) == ["eu_privacy"]


def test_a_word_saying_what_is_asked_is_no_detail_of_the_last_fact(
        conversation: Conversation) -> None:
    # "নাম" (name) is the lawsuit's word in our examples, but asking a name is no sign the
    # question is about the lawsuit: the conference's name is LlamaCon.
    turns = play(conversation, "লামার কপিরাইট মামলাটা কী?",
                 "মেটার প্রথম জেনারেটিভ এআই ডেভেলপার সম্মেলনের নাম কী?", start=NOW)
    assert facts(turns[1]) == ["llamacon"]


@pytest.mark.parametrize(("opening", "last", "spec"), [
    ("What are the agentic features?", "agentic", "What parameter count will those models have?"),
    ("লামার বহুমুখিতা কী?", "versatility", "এর প্যারামিটার সংখ্যা কত?"),
])
def test_a_technical_specification_is_a_detail_the_article_lacks(
        conversation: Conversation, opening: str, last: str, spec: str) -> None:
    # Read with the last question the words come close to its fact (or the download
    # count's "how many"); no fact gives a parameter count, a GPU or running offline.
    turns = play(conversation, opening, spec, start=NOW)
    assert facts(turns[0]) == [last]
    assert turns[1].answer.kind is AnswerKind.NOT_IN_ARTICLE


@pytest.mark.parametrize("cheaper", ["R1 কি লামার তুলনায় সস্তা?", "is R1 cheaper to run than Llama?"])
def test_cheaper_asks_a_price(conversation: Conversation, cheaper: str) -> None:
    turns = play(conversation, "ডিপসিকের R1 লামাকে কীভাবে টপকাল?", cheaper, start=NOW)
    assert turns[1].answer.kind is AnswerKind.NOT_IN_ARTICLE


def test_truth_is_not_cheap(real: Responder) -> None:
    # "সত্যতা" (truth) and "সস্তা" (cheap) fold alike: only "চেয়ে/তুলনায় সস্তা" asks a price.
    from bot.core.asks import Asked

    key = real.matcher.key("লামা শতকোটিবার ডাউনলোড হয়েছে, এই দাবির সত্যতা কী?")
    assert Asked.MONEY not in real.asks.asked(key)


def test_what_a_listed_company_does_with_it_is_not_in_the_article_after_the_list(
        conversation: Conversation) -> None:
    turns = play(conversation, "Which firms run Llama?", "what does AT&T use it for?", start=NOW)
    assert facts(turns[0]) == ["corporate_adopters"]
    assert turns[1].answer.kind is AnswerKind.NOT_IN_ARTICLE


def test_it_after_deepseeks_fact_is_deepseeks_model_in_every_reading(
        conversation: Conversation) -> None:
    # Alone, "is it open source?" is Llama's strategy; "it" is DeepSeek's model, and no
    # reading of the message may bring Llama's fact back.
    turns = play(conversation, "ডিপসিক কী?", "ওটা কি ওপেন সোর্স?", start=NOW)
    assert facts(turns[0]) == ["deepseek_r1"]
    assert turns[1].answer.kind is AnswerKind.NOT_IN_ARTICLE


# ----------------------------------------------------------------- concessions

def test_what_a_question_concedes_is_taken_out() -> None:
    from bot.core.focus import without_concession

    assert without_concession("এত সমালোচনার পরও কোন কোম্পানি লামা চালায়?") == \
        "কোন কোম্পানি লামা চালায়?"
    assert without_concession("Despite the criticism, which firms use Llama?") == \
        "which firms use Llama?"
    assert without_concession("লামা কী?") is None


def test_a_conceded_criticism_after_the_critics_asks_the_adopters(
        conversation: Conversation) -> None:
    turns = play(conversation, "লামার লাইসেন্স নিয়ে সমালোচনা কী?",
                 "এত সমালোচনার পরও কোন কোন প্রতিষ্ঠান লামা চালাচ্ছে?", start=NOW)
    assert facts(turns[1]) == ["corporate_adopters"]


# ----------------------------------------------------------------- topics heard of

def test_a_topic_heard_of_then_another_question_asks_both(conversation: Conversation) -> None:
    [turn] = play(conversation, "agentic feature er kotha shunlam, r deepseek r1 er ghotona ta ki?",
                  start=NOW)
    assert facts(turn) == ["agentic", "deepseek_r1"]


def test_a_topic_heard_of_then_is_that_true_asks_once(conversation: Conversation) -> None:
    [turn] = play(conversation, "Llama 1 billion download korse shunlam, eta ki sotti?", start=NOW)
    assert facts(turn) == ["downloads_milestone"]


def test_and_an_aspect_the_last_fact_lacks_is_the_neighbour_that_holds_it(
        conversation: Conversation) -> None:
    # After the lawsuit, "and the licence?" is the licence's story next to it (its critics),
    # not the licence strategy the last question's words would pull in.
    turns = play(conversation, "লামার কপিরাইট মামলা কী নিয়ে?", "মামলার বিচারক কে?",
                 "ar license niye?", start=NOW)
    assert facts(turns[2]) == ["license_criticism"]
