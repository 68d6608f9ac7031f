"""Mechanisms learned in the eighteenth round. Each test fails without its mechanism."""

from __future__ import annotations

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.asks import Asked
from bot.core.conversation import Conversation
from bot.core.normalize import clean, formal


@pytest.mark.parametrize("question", ["লামা ঠিক কোন বছরে প্রথম এসেছিল?",
                                      "লামার প্রথম আত্মপ্রকাশ ঠিক কোন সালে ঘটেছিল?"])
def test_exactly_which_year_asks_the_year_not_the_month(real: Responder, question: str) -> None:
    """"ঠিক কবে" (exactly when) asks finer than a year, and "কোন বছরে" is keyed as "কবে": a
    question naming the year asks the year, which the launch fact gives."""
    assert Asked.MONTH not in real.asks.asked(real.matcher.key(question))
    assert facts(play(Conversation(real), question)[0]) == ["launch_2023"]


def test_exactly_when_still_asks_finer_than_a_year(real: Responder) -> None:
    assert Asked.MONTH in real.asks.asked(real.matcher.key("লামা ঠিক কবে এসেছিল?"))


@pytest.mark.parametrize(("message", "fact"), [
    ("আইচ্ছা ভাইসাব, মেটা এআই-ত মেলা টেকা ঢালের, কত?", "ai_investment"),
    ("আইচ্ছা, লামাকন বলি কিছু অইবো, কবে অইবো?", "llamacon"),
])
def test_chittagonian_grammar_words_weigh_little(real: Responder, message: str, fact: str) -> None:
    """"আইচ্ছা" (আচ্ছা), "বলি" (they say), "অইবো" (হবে), "মেলা" (many), "টেকা" (টাকা): the
    speech of Chittagong, unknown to the examples, must not veto the question."""
    assert facts(play(Conversation(real), message)[0]) == [fact]


def test_a_chittagonian_follow_up_asks_of_the_last_answer(real: Responder) -> None:
    turns = play(Conversation(real), "ডিপসিক আর লামার মধ্যে কোনটা ভালো?", "মেটা অখন কিতা করের?")
    assert facts(turns[1]) != []


@pytest.mark.parametrize("question", ["ওয়ার রুম কথাটার মানে কী?", "war room kothatar mane ki?",
                                      "What does the word 'war room' mean here?"])
def test_the_word_asked_about_is_no_how_many(real: Responder, question: str) -> None:
    """"কথাটার" (of the word) keys like "কত" (how many): it made "what does the phrase
    war room mean?" a question of how many work in the war rooms, which the article lacks."""
    assert facts(play(Conversation(real), question)[0]) == ["war_rooms"]


@pytest.mark.parametrize("more", ["আরো হঅ", "আরো কওকছাইন", "more context please"])
def test_more_in_chittagonian_and_asking_for_context(real: Responder, more: str) -> None:
    """"আরো হঅ" (Chittagong: tell more), "more context please": asks for the next fact."""
    turns = play(Conversation(real), "মেটা এই বছর এআই-তে কত টাকা খরচ করবে?", more)
    assert facts(turns[1]) not in ([], ["ai_investment"])


def test_own_is_no_word_of_acting_on_its_own(real: Responder) -> None:
    """"নিজের" (own) in "is it Meta's own?" keyed close to "নিজে থেকে" (on its own, the
    agentic models) and "নিজের মতো" (to one's liking, customising)."""
    turns = play(Conversation(real), "লামা জিনিসটা আসলে কী?", "এইটা কি মেটার নিজের বানানো?")
    assert facts(turns[1]) == ["what_is_llama"]
    assert facts(play(Conversation(real), "লামা কি নিজে থেকে কাজ করবে?")[0]) == ["agentic"]


@pytest.mark.parametrize("question", ["প্রযুক্তির জগতে লামা কী?", "In the tech world, what is Llama?"])
def test_the_world_a_question_is_set_in_is_no_subject(real: Responder, question: str) -> None:
    """"প্রযুক্তির জগতে" (in the world of technology) sets the scene; "জগতে" was a rare word
    of the outlook fact's examples ("এআই জগতে লামার ভূমিকা") and outweighed "what is Llama"."""
    assert facts(play(Conversation(real), question)[0]) == ["what_is_llama"]


@pytest.mark.parametrize("question", ["কোন বড় ব্র্যান্ড লামা ব্যবহার করে?", "which big brands run Llama?",
                                      "Which enterprises use Llama?"])
def test_brands_and_enterprises_are_companies(real: Responder, question: str) -> None:
    assert facts(play(Conversation(real), question)[0]) == ["corporate_adopters"]


def test_regulatory_is_the_articles_niyontrok_but_a_regulator_is_a_name(real: Responder) -> None:
    """"regulatory hurdles" are the article's "নিয়ন্ত্রক বাধা"; "which regulator?" asks a
    name the article does not give, and must stay unanswered."""
    turns = play(Conversation(real), "What regulatory hurdles did Meta face in Europe?")
    assert facts(turns[0]) == ["eu_privacy"]
    assert facts(play(Conversation(real), "Which EU regulator stopped the Llama launch?")[0]) == []


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("লামার লাইসেন্স নিয়ে কেন সমালোচনা?", "তাইলে কি ওটা ফ্রি না?", "ecosystem_strategy"),
    ("মেটা কেন লামা ফ্রি দিচ্ছে?", "oitar license ki pura open?", "ecosystem_strategy"),
    ("Why do developers criticize Llama's license?", "and it still did well?", None),
])
def test_a_follow_ups_spoken_grammar_is_no_unknown_subject(
        real: Responder, first: str, follow: str, fact: str | None) -> None:
    """"তাইলে" (then), "oitar" (of that), "pura" (whole), "well": words no example uses made
    a follow-up look like one about something the article lacks ("will it do video?")."""
    turns = play(Conversation(real), first, follow)
    assert facts(turns[1]) != []
    if fact is not None:
        assert facts(turns[1]) == [fact]


def test_outdoing_is_no_money(real: Responder) -> None:
    """"টেক্কা দেওয়া" (to outdo) keys like "টাকা": "did DeepSeek outdo Llama?" asked a sum."""
    turns = play(Conversation(real), "চীনের ডিপসিক নাকি লামারে টেক্কা দিয়া দিছে?")
    assert facts(turns[0]) == ["deepseek_r1"]


@pytest.mark.parametrize(("question", "fact"), [
    ("মেটার ওয়ার রুমগুলো ঠিক কী কাজ করে?", "war_rooms"),
    ("What exactly does Spotify use Llama for?", None),
])
def test_exactly_what_something_does_is_its_own_facts(
        real: Responder, question: str, fact: str | None) -> None:
    """"What exactly do the war rooms do?" insists on what the war rooms' fact tells, though
    "how many work in them?" is a detail it lacks; what a listed company does with Llama is
    still a detail the adopters' fact does not give."""
    assert facts(play(Conversation(real), question)[0]) == ([fact] if fact else [])


@pytest.mark.parametrize("question", ["লামাকনের আর কত দিন বাকি?", "how many days until llamacon"])
def test_days_left_ask_when_not_how_long(real: Responder, question: str) -> None:
    """"কত দিন বাকি?" (how many days left) was read as "how long does it last", which the
    article does not say; it asks the date, whose countdown the event's answer gives."""
    asked = real.asks.asked(real.matcher.key(question))
    assert Asked.DURATION not in asked and Asked.WHEN in asked
    assert Asked.DURATION in real.asks.asked(real.matcher.key("লামাকন কত দিন চলবে?"))


def test_days_left_after_the_event_is_answered_with_its_countdown(
        real: Responder) -> None:
    turns = play(Conversation(real), "llamacon kobe?", "আর কয়দিন বাকি?")
    assert facts(turns[1]) == ["llamacon"]


def test_every_example_of_the_knowledge_base_is_answered_by_its_fact_but_a_few(
        real: Responder) -> None:
    """QA: an admin's own example question got "the article does not say" when it seemed to
    ask something the answer lacks ("২৯ এপ্রিল মেটার কোন ইভেন্ট?" read as asking where), and
    "is WhatsApp's chatbot Llama?" fell back: Llama has a fact of its own, but the assistant's
    fact names WhatsApp and Llama's does not. Three examples of ours stay with another fact
    (they duplicate its meaning)."""
    conversation = Conversation(real)
    missed = [(fact.id, question) for fact in real.knowledge.facts.values()
              for question in fact.questions
              if facts(play(conversation, question)[0]) != [fact.id]]
    assert len(missed) <= 3, missed


def test_an_example_asking_a_detail_its_answer_lacks_is_still_its_facts(
        real: Responder) -> None:
    assert facts(play(Conversation(real), "২৯ এপ্রিল মেটার কোন ইভেন্ট?")[0]) == ["llamacon"]
    assert facts(play(Conversation(real), "হোয়াটসঅ্যাপের চ্যাটবটের পেছনে কি লামা?")[0]) == [
        "meta_ai_assistant"]
    # Not an example word for word: the detail the answer lacks is still not given.
    assert facts(play(Conversation(real), "২৯ এপ্রিল মেটার ইভেন্টটা কোন শহরে?")[0]) == []


@pytest.mark.parametrize(("text", "is_formal"), [
    ("চলতি বছরে কৃত্রিম বুদ্ধিমত্তা খাতে সর্বাধিক কত অর্থ ব্যয়ের সিদ্ধান্ত নিয়েছে মেটা?", True),
    ("ইউরোপীয় রাষ্ট্রসমূহে লামা উন্মোচনে কী বাধা?", True),
    ("পরীক্ষামূলক প্রযুক্তি নয়, লামা কি বাণিজ্যেও কাজে লাগে?", True),
    ("কলকাতা থেকে দার্জিলিং যাওয়ার কোন ট্রেনটা ভালো?", False),
    ("লামা কবে বের হইছে?", False),
])
def test_learned_word_endings_mark_the_formal_register(text: str, is_formal: bool) -> None:
    """"বুদ্ধিমত্তা", "-সমূহে", "-মূলক": the formal register in words no list names; a formal
    question is then sure of the one fact it leaves (`Responder._formal_and_lone`)."""
    assert formal(clean(text)) is is_formal


def test_a_formal_question_in_learned_words_gets_its_lone_fact(real: Responder) -> None:
    question = "চলতি বছরে কৃত্রিম বুদ্ধিমত্তা খাতে সর্বাধিক কত অর্থ ব্যয়ের সিদ্ধান্ত নিয়েছে মেটা?"
    assert facts(play(Conversation(real), question)[0]) == ["ai_investment"]


@pytest.mark.parametrize(("question", "fact"), [
    ("লামা কি একটা চ্যাটবট?", "what_is_llama"),
    ("Is Llama an app or a language model?", "what_is_llama"),
    ("lama ki kono software naki model?", "what_is_llama"),
    ("Meta AI ki ekta app?", "meta_ai_assistant"),
])
def test_a_subject_taken_for_a_kind_of_thing_asks_what_it_is(
        real: Responder, question: str, fact: str) -> None:
    """"Is Llama a chatbot or a language model?": a subject and kinds of thing it may be
    taken for ask what it is; the assistant's chatbot examples, or the install decline's
    app, made it a fallback."""
    assert facts(play(Conversation(real), question)[0]) == [fact]


def test_a_kind_of_thing_with_a_question_of_its_own_is_not_a_definition(
        real: Responder) -> None:
    assert facts(play(Conversation(real), "Llama app ta kivabe namabo?")[0]) == []


@pytest.mark.parametrize(("follow", "fact"), [
    ("ওই ল্যাবটা কোন দেশের যেন?", "deepseek_r1"),
    ("which country is that lab from?", "deepseek_r1"),
    ("ওরা কোন দেশের প্রতিষ্ঠান?", "deepseek_r1"),
    ("এগুলো কোথায় অবস্থিত?", None),  # these war rooms: the article names no place
])
def test_a_company_pointed_at_is_the_one_the_last_answer_names(
        real: Responder, follow: str, fact: str | None) -> None:
    """After the war rooms, "which country is that lab from?" asks of the rival they name
    (DeepSeek, whose fact says Chinese), not of Meta's war rooms, whose fact names no place."""
    turns = play(Conversation(real), "মেটা কেন ওয়ার রুম বানিয়েছে?", follow)
    assert facts(turns[1]) == ([fact] if fact else [])


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("Why did Meta have to hold back Llama in Europe?", "ethics angle?", "ethics_legal"),
    ("লামা কি ছবি বুঝবে?", "gaan shunleo bujhbe?", "multimodal"),
])
def test_an_angle_and_songs(real: Responder, first: str, follow: str, fact: str) -> None:
    """"angle" (aspect) is how a follow-up asks, not a subject the article lacks; songs are
    sound, which the multimodal models are to understand."""
    assert facts(play(Conversation(real), first, follow)[1]) == [fact]


@pytest.mark.parametrize(("question", "fact"), [
    ("লামা কোন দিকে এগোচ্ছে?", "future_outlook"),
    ("মেটা কি এজেন্টিক বৈশিষ্ট্যের দিকে এগোচ্ছে?", "agentic"),
])
def test_which_way_llama_is_heading_is_its_future(
        real: Responder, question: str, fact: str) -> None:
    """"কোন দিকে এগোচ্ছে?" (which way is it heading) is the outlook's "গতিপথ"; the agentic
    answer's "যোগ করার দিকে এগোচ্ছে" (moving towards adding) took it."""
    assert facts(play(Conversation(real), question)[0]) == [fact]


def test_sylheti_when_asks_a_time(real: Responder) -> None:
    """"কুনসময়" (Sylheti: at what time, when) asks when, as "কুনদিন" does."""
    assert Asked.WHEN in real.asks.asked(real.matcher.key("নয়া লামা মডেল কুনসময় আইবো?"))
    turns = play(Conversation(real), "মেটা নয়া লামা মডেল কুনসময় আনবো, ইতাইন কিতা কিতা পারবো?")
    assert facts(turns[0]) == ["reasoning_models"]


def test_a_time_the_article_lacks_offers_the_date_it_gives(real: Responder) -> None:
    """QA: "kobe hobe?" (when will it be?) after what Llama is got "the article does not
    say" offering only what Llama is; Llama's first launch, a date, is offered too."""
    turns = play(Conversation(real), "lama ki", "kobe hobe?")
    assert facts(turns[1]) == []
    assert "launch_2023" in turns[1].answer.suggestions


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("মেটা কেন লামা ফ্রি দিচ্ছে?", "এর সঙ্গে কী কী সরঞ্জাম দেওয়া হয়?", "ecosystem_strategy"),
    ("লামার নতুন মডেলে কি রিজনিং থাকবে?", "নতুনগুলো কী কী পারবে?", "reasoning_models"),
    ("লামা কি নিজে থেকে কাজ করবে?", "ki ki kaj?", None),  # the tasks are not named
])
def test_what_all_is_told_by_description_but_tasks(
        real: Responder, first: str, follow: str, fact: str | None) -> None:
    """"কী কী" (what all) asked a list of names, which no fact's description of its tools
    or new abilities gives, so the writers' "what tools come with it?" got "the article does
    not say"; a list of tasks is still one the agentic fact does not give."""
    turns = play(Conversation(real), first, follow)
    assert facts(turns[1]) == ([fact] if fact else [])


@pytest.mark.parametrize(("first", "follow", "fact"), [
    ("Why did Meta have to hold back Llama in Europe?", "was it cancelled outright anywhere?",
     "eu_privacy"),
    ("Why did Meta have to hold back Llama in Europe?", "On what grounds?", "eu_privacy"),
    ("মেটা এআই কী?", "and what powers it under the hood?", "meta_ai_assistant"),
    ("জাকারবার্গ লামা নিয়ে কী বলেছেন?", "উনার কথাটা হুবহু কী ছিল?", "zuckerberg_outlook"),
    ("লামাকন কবে?", "ওখান থেকে কী পাওয়া যাবে বলে আশা করা হচ্ছে?", "llamacon"),
])
def test_grammar_and_idioms_no_example_uses_are_no_unknown_subject(
        real: Responder, first: str, follow: str, fact: str) -> None:
    """"outright", "on what grounds", "under the hood", "হুবহু", "ওখান", Chittagonian "তুন",
    "লাই": a follow-up's word no example uses made it one about something the article lacks
    ("will it do video?"), though it asks of the last answer."""
    assert facts(play(Conversation(real), first, follow)[1]) == [fact]


@pytest.mark.parametrize(("question", "amount"), [
    ("AI model banate gele ethics ar legal dik ta koto important?", False),
    ("ethics koto ta jaruri?", False),
    ("R1 কত বড় মডেল?", True),  # a size
    ("লামা কত ডাউনলোড হয়েছে?", True),
])
def test_how_much_so_is_no_number(real: Responder, question: str, amount: bool) -> None:
    """"koto important?" (how important) asks a degree, which a fact's description tells; as
    a number it was "the article does not say"."""
    assert (Asked.AMOUNT in real.asks.asked(real.matcher.key(question))) is amount


@pytest.mark.parametrize("message", ["Llama install korbo kivabe? step by step bolo",
                                     "লামা কীভাবে ইনস্টল করব? ধাপে ধাপে বলো।"])
def test_how_to_answer_a_question_the_article_lacks_is_no_question(
        real: Responder, message: str) -> None:
    """"step by step bolo" after a question the article has no answer to (installing Llama)
    says how to answer it; alone it is the new models' step-by-step reasoning, a confident
    wrong fact."""
    assert facts(play(Conversation(real), message)[0]) == []
