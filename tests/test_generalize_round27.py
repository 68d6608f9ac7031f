"""Mechanisms learned in the twenty-seventh round. Each mechanism has a test that fails
without it; the other tests guard what it must leave as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import Conversation, TurnKind

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("asked", ["What is the exact release date of Llama?",
                                   "llama er exact release date ki?"])
def test_an_exact_date_is_not_told_by_a_year(real: Responder, asked: str) -> None:
    """The article says only that Llama came out in 2023: the exact date it was released
    is a detail it does not give, and the launch fact is offered, not told as the answer."""
    answer = real.ask(asked, NOW)
    assert answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert answer.suggestions == ("launch_2023",)


@pytest.mark.parametrize("asked", ["release date?", "launch er date?"])
def test_a_date_asks_when(real: Responder, asked: str) -> None:
    """"release date?" after the launch asks when: the year the article gives."""
    _, turn = play(Conversation(real), "When was Llama launched?", asked, start=NOW)
    assert facts(turn) == ["launch_2023"]


@pytest.mark.parametrize("asked", ["মাস?", "kon mash e?", "which month?"])
def test_the_month_of_a_year_is_not_told(real: Responder, asked: str) -> None:
    """After the year Llama came out, which month it was is what the article does not say;
    a bare "মাস?" (month?) asks it as "কোন মাসে?" does."""
    first, month = play(Conversation(real), "লামা কবে লঞ্চ হয়েছিল?", asked, start=NOW)
    assert facts(first) == ["launch_2023"]
    assert month.answer.kind is AnswerKind.NOT_IN_ARTICLE


def test_the_month_of_a_dated_event_is_told(real: Responder) -> None:
    """LlamaCon's answer gives its day and month: "kon mash e?" is answered by it."""
    _, month = play(Conversation(real), "lamacon kobe?", "kon mash e?", start=NOW)
    assert facts(month) == ["llamacon"]


@pytest.mark.parametrize("asked", ["এ বিষয়ে জাকারবার্গ নিজে কিছু বলেছেন?",
                                   "zuckerberg nije llama niye ki bole?"])
def test_himself_after_a_person_stresses_who(real: Responder, asked: str) -> None:
    """"নিজে" after Zuckerberg is "himself": what he said is his outlook. Alone, "নিজে" is
    how the agentic models act ("by itself"), the fact these questions had got."""
    assert real.ask(asked, NOW).leading_fact == "zuckerberg_outlook"


def test_by_itself_after_llama_stays_agentic(real: Responder) -> None:
    """Llama is no person or company: "লামা কি নিজে থেকে কাজ করতে পারবে?" asks whether it
    acts on its own."""
    assert real.ask("লামা কি নিজে থেকে কাজ করতে পারবে?", NOW).leading_fact == "agentic"


def test_a_phrase_rewrite_is_not_met_by_its_sound() -> None:
    """A phrase rewritten to a name ("AT&T নিজে" to "AT&T") must not make Latin words that
    sound like the name ("being", like "বিং") that name."""
    from bot.core.synonyms import Synonyms
    synonyms = Synonyms([("ব্যবহার", "use")], [("বিং নিজে", "বিং")])
    assert synonyms.rewrite(["being", "use"]) == ["being", "ব্যবহার"]
    assert synonyms.rewrite(["বিং", "নিজে", "use"]) == ["বিং", "ব্যবহার"]


@pytest.mark.parametrize("asked", [
    "Those companies you listed - is it just one narrow use case for them?",
    "does that mean it's good for lots of different tasks, or just one niche?"])
def test_a_word_no_example_uses_does_not_hold_back_a_move_to_the_next_fact(
        real: Responder, asked: str) -> None:
    """After the adopters, whether Llama serves many tasks is its versatility, the fact next
    to theirs: "narrow", "lots" are how it is asked, not a thing the article lacks."""
    first, turn = play(Conversation(real), "Which companies use Llama?", asked, start=NOW)
    assert facts(first) == ["corporate_adopters"]
    assert facts(turn) == ["versatility"]


@pytest.mark.parametrize("asked", ["ভিডিও বুঝবো?", "what about video?"])
def test_a_word_no_fact_knows_about_the_last_answer_is_not_in_the_article(
        real: Responder, asked: str) -> None:
    """Read with the context the message stays on the models that see images; video, a
    thing no fact knows, is what the article does not say."""
    _, turn = play(Conversation(real), "will llama understand images?", asked, start=NOW)
    assert turn.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert turn.answer.suggestions == ("multimodal",)


def test_besides_opens_a_question_of_its_own(real: Responder) -> None:
    """"এছাড়া" (besides) is grammar, and joins two questions as "আর" does: alone it had
    made the question about Llama's future a fallback."""
    assert real.ask("এছাড়া সামগ্রিকভাবে লামার ভবিষ্যৎ কেমন দেখা যাচ্ছে?", NOW
                    ).leading_fact == "future_outlook"
    (turn,) = play(Conversation(real), "লামার ডাউনলোড থেকে ওপেন সোর্সের প্রতি আগ্রহ সম্পর্কে কী "
                   "বোঝা যায়? এছাড়া লামার ভবিষ্যৎ কেমন?", start=NOW)
    assert facts(turn) == ["open_source_interest", "future_outlook"]


def test_the_question_after_a_story_s_comma_is_read_alone(real: Responder) -> None:
    """"ভাই আমার চ্যানেলের জন্য স্ক্রিপ্ট লিখতেছি, ...": the words before the comma tell why
    the question is asked; read with them the bot was unsure, read alone the clause is Meta
    AI's apps."""
    (turn,) = play(Conversation(real), "ভাই আমার tech channel এর জন্য script লিখতেছি, Meta AI "
                   "আসলে কোন কোন platform এ আছে?", start=NOW)
    assert facts(turn) == ["meta_ai_assistant"]


@pytest.mark.parametrize(("sentence", "clause"), [
    ("ভাই আমি script লিখতেছি, Meta AI কোন কোন app এ আছে?", "Meta AI কোন কোন app এ আছে?"),
    ("Will the multimodal Llama be able to generate images, or only understand them?", None),
    ("Besides DeepSeek R1, which other new models have outperformed Llama?", None),
    ("আঁর মোবাইলের চার্জ তাড়াতাড়ি শেষ অই যায়, কিয়া করুম?", None),
    ("আমার নাতি বলছিল মেটার একটা AI আছে, ওটা কি জিনিস গো?", None),
])
def test_only_a_story_s_comma_cuts_a_question(sentence: str, clause: str | None) -> None:
    """A clause is cut off only when nothing before the comma asks (an English question's
    opening word asks), the question after it has words of its own and does not point back."""
    from bot.core.focus import question_parts
    parts = question_parts(sentence)
    if clause is None:
        assert all(p.startswith(sentence.split(",")[0]) for p in parts)
    else:
        assert clause in parts


@pytest.mark.parametrize("asked", ["ডোরড্যাশ কিসের কোম্পানি?", "What is DoorDash?", "spotify ki?"])
def test_what_a_company_named_in_passing_is_the_article_does_not_say(
        real: Responder, asked: str) -> None:
    """The article names DoorDash and Spotify among Llama's users and says nothing of what
    they are: the honest note, offering the users' fact first."""
    answer = real.ask(asked, NOW)
    assert answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert answer.suggestions[0] == "corporate_adopters"


@pytest.mark.parametrize("asked", ["ডোরড্যাশ কি লামা ব্যবহার করে?", "ডিপসিক কী?"])
def test_a_company_with_a_fact_or_asked_with_llama_is_answered(
        real: Responder, asked: str) -> None:
    """Whether DoorDash uses Llama is the users' fact; DeepSeek has a fact of its own."""
    assert real.ask(asked, NOW).kind is AnswerKind.FACT


def test_and_the_company_after_its_fact_asks_the_last_question(real: Responder) -> None:
    """"and DoorDash?" asks no "what": it asks the last question of DoorDash."""
    _, turn = play(Conversation(real), "Who uses Llama?", "and DoorDash?", start=NOW)
    assert facts(turn) == ["corporate_adopters"]


@pytest.mark.parametrize("asked", ["এটিএন্ডটি কোন বিভাগে লামা ব্যবহার করে?",
                                   "Which service does Spotify run Llama in?"])
def test_where_in_a_listed_company_llama_runs_is_not_told(real: Responder, asked: str) -> None:
    """Which department or service of AT&T or Spotify uses Llama asks what it is used for
    there, which the users' fact, listing them, does not tell."""
    answer = real.ask(asked, NOW)
    assert answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert answer.suggestions[:1] == ("corporate_adopters",)


@pytest.mark.parametrize("asked", ["oi 80 billion er moddhe shudhu Llama er jonno koto?",
                                   "ei takar kotota llama r pichone jabe?",
                                   "তার মধ্যে লামার ভাগে কত?"])
def test_how_much_of_a_whole_is_a_share_the_article_does_not_break_down(
        real: Responder, asked: str) -> None:
    """How much of the $80 billion goes to Llama, however the words fall between "of it"
    and "how much": the article gives the whole only."""
    _, turn = play(Conversation(real), "meta AI te koto taka dhalche?", asked, start=NOW)
    assert turn.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert turn.answer.suggestions == ("ai_investment",)


def test_how_many_in_all_is_still_the_count(real: Responder) -> None:
    assert real.ask("লামা মোট কতবার ডাউনলোড হয়েছে?", NOW).leading_fact == "downloads_milestone"


@pytest.mark.parametrize("asked", ["europe e Meta নিয়ে কী আইনি সমস্যা?",
                                   "in the EU Meta নিয়ে কী আপত্তি?"])
def test_the_one_fact_of_the_place_named_has_no_rival_about_no_place(
        real: Responder, asked: str) -> None:
    """The ethics fact's words (legal trouble, objections) come as close as Europe's; but the
    question names Europe, and a fact about no place it names is no rival."""
    answer = real.ask(asked, NOW)
    assert answer.kind is AnswerKind.FACT
    assert answer.fact_id == "eu_privacy"


@pytest.mark.parametrize("asked", ["What challenges did Llama face in the EU?",
                                   "EU te llama r ki challenge?"])
def test_a_fact_of_no_place_yields_to_the_one_next_to_it_about_the_place(
        real: Responder, asked: str) -> None:
    """The challenges ahead (Llama's future) are nobody's in particular: in the EU, the fact
    next to them about the EU tells what Llama met there; it was "the article does not
    say"."""
    answer = real.ask(asked, NOW)
    assert answer.kind is AnswerKind.FACT
    assert answer.fact_id == "eu_privacy"


def test_a_place_no_fact_is_about_is_still_not_in_the_article(real: Responder) -> None:
    assert real.ask("লামা বাংলাদেশে কতবার ডাউনলোড হয়েছে?", NOW).kind is not AnswerKind.FACT


def test_a_place_named_does_not_make_an_unknown_detail_sure(real: Responder) -> None:
    """The place makes Europe's fact the one meant, not a detail it lacks: which EU countries
    objected is still what the article does not name."""
    answer = real.ask("ইউরোপের ঠিক কোন কোন দেশে লামা বন্ধ আছে?", NOW)
    assert answer.kind is not AnswerKind.FACT


def test_then_after_that_is_grammar(real: Responder) -> None:
    """"তারপর" (after that) is grammar: as a word it had pulled "মেটা তারপর কী করল?" to a
    decline about people; beside DeepSeek's question it asks what Meta did next."""
    assert real.ask("মেটা তারপর কী করল?", NOW).suggestions[:1] == ("war_rooms",)
    (turn,) = play(Conversation(real), "ডিপসিক নাকি লামারে হারায় দিছে? মেটা তারপর কী করল?",
                   start=NOW)
    assert facts(turn) == ["deepseek_r1", "war_rooms"]


@pytest.mark.parametrize("asked", ["আরও বলো মা", "আরও বলো বাবা"])
def test_a_word_of_address_is_grammar(real: Responder, asked: str) -> None:
    """"মা", "বাবা" said to the listener ("tell me more, dear") ask nothing of their own: the
    message is "আরও বলো", more of the last answer."""
    _, more = play(Conversation(real), "লামা প্রথম কবে বের হয়েছিল?", asked, start=NOW)
    assert more.kind is TurnKind.MORE


@pytest.mark.parametrize(("asked", "fact"), [("কেডা কেডা ইউজ করে?", "corporate_adopters"),
                                             ("লামা কেডা বানাইছে?", "what_is_llama")])
def test_the_spoken_who_is_who(real: Responder, asked: str, fact: str) -> None:
    """"কেডা" is Dhaka speech's "কে" (who): unknown, it had made these a fallback."""
    assert real.ask(asked, NOW).leading_fact == fact


@pytest.mark.parametrize("message", [
    "amar boss bollo Llama naki 1 billion download cross korse. Sotti? And Spotify-r moto "
    "ar ki ki company use kore?",
    "পার্টনার কইলো ডোরড্যাশও নাকি লামা চালায়। সত্যি নাকি? আর লামা কি খালি একটা কামেই ভালো "
    "নাকি অনেক রকম কামে লাগে?"])
def test_a_doubted_hearsay_after_a_full_stop_is_a_question(
        real: Responder, message: str) -> None:
    """"X নাকি ... . সত্যি?": what was heard ("নাকি", "শুনলাম") and then doubted is asked,
    though a full stop closed it; the question after it is a second one."""
    (turn,) = play(Conversation(real), message, start=NOW)
    assert len(facts(turn)) == 2


def test_a_crore_is_koti(real: Responder) -> None:
    """"in crore?" after the downloads asks the count as "১০০ কোটি": crore is কোটি."""
    _, turn = play(Conversation(real), "how many downloads does llama have now", "in crore?",
                   start=NOW)
    assert facts(turn) == ["downloads_milestone"]


def test_ppl_are_people(real: Responder) -> None:
    """"ppl" was a word no example uses: the typed question was a fallback."""
    assert real.ask("how many ppl downloded it", NOW).leading_fact == "downloads_milestone"


@pytest.mark.parametrize("asked", ["লামা কি প্রাণী?", "lama ki kono prani?"])
def test_an_animal_is_not_how_old(real: Responder, asked: str) -> None:
    """"প্রাণী" (animal) spells the consonants of "পুরনো" (old): read as a word of its own, "is
    Llama an animal?" got the year Llama came out. Now it is the animal's decline."""
    answer = real.ask(asked, NOW)
    assert answer.kind is not AnswerKind.FACT
    assert answer.intent_id == "llama_animal"


@pytest.mark.parametrize("asked", ["Zuck ki bole?", "zuck ki bolse?"])
def test_chat_about_nothing_named_yields_to_the_fact_of_the_one_named(
        real: Responder, asked: str) -> None:
    """"Zuck ki bole?" sounds like "ekta joke bolo", chat the article has nothing to do
    with; the question names Zuckerberg, whom that chat never names and his fact is about."""
    answer = real.ask(asked, NOW)
    assert (answer.kind, answer.fact_id) == (AnswerKind.FACT, "zuckerberg_outlook")


@pytest.mark.parametrize("asked", ["ekta joke bolo", "জাকারবার্গের বয়স কত?"])
def test_chat_and_declines_naming_the_subject_still_decline(real: Responder, asked: str) -> None:
    """A joke names no one; Zuckerberg's age is a decline whose examples name him."""
    assert real.ask(asked, NOW).kind is not AnswerKind.FACT


def test_i_know_nothing_is_grammar(real: Responder) -> None:
    """"ami to kisui janina" (I know nothing) says how little the asker knows; "janina" had
    come close to "জানানোয়" in Europe's answer and pulled the question there."""
    assert real.ask("accha llama ta ashole ki, ami to kisui janina", NOW
                    ).leading_fact == "what_is_llama"


def test_a_message_naming_its_subject_borrows_none(real: Responder) -> None:
    """After Meta AI on Instagram, "লামা কি যে কেউ ব্যবহার করতে পারে?" names Llama itself:
    read with "Instagram" lent to it, it had become the assistant's fact."""
    *_, turn = play(Conversation(real), "ফেসবুকে যে মেটা এআই দেখি, ওটা কী দিয়ে তৈরি?",
                    "ইনস্টাতেও আছে?", "লামা কি যে কেউ ব্যবহার করতে পারে?", start=NOW)
    assert facts(turn) == ["ecosystem_strategy"]


@pytest.mark.parametrize("asked", [
    "I read that R1 cost very little to train, what did Zuckerberg say about that?",
    "DeepSeek's founder is in the news a lot, what did Zuckerberg say about him?"])
def test_a_clause_after_a_story_does_not_answer_what_the_whole_lacks(
        real: Responder, asked: str) -> None:
    """The whole message asks a detail the article lacks (what R1 cost); the clause after
    its comma, read alone, is only "what did Zuckerberg say?", which his fact answers."""
    assert real.ask(asked, NOW).kind is not AnswerKind.FACT


def test_an_event_named_is_no_subject_of_chat_elsewhere(real: Responder) -> None:
    """LlamaCon's speakers are a detail the article lacks; an event is not a person, company
    or place whose fact another subject's chat must yield to."""
    assert real.ask("llamacon e ke ke speech dibe?", NOW).kind is not AnswerKind.FACT


def test_a_detail_passed_over_leaves_no_far_lead_to_answer_from(real: Responder) -> None:
    """"লামা নামটা কেন রাখা হলো?" (why the name Llama?) is closest to a decline of a detail
    (what new models will be called), passed over as it asks no detail; the ethics fact, far
    behind, is not answered for leading what remains."""
    assert real.ask("লামা নামটা কেন রাখা হলো?", NOW).kind is not AnswerKind.FACT


@pytest.mark.parametrize("before", ["Zuck ki bole?", "জাকারবার্গ কী বলেছেন?"])
def test_a_declined_subject_question_is_not_read_with_the_last_one(
        real: Responder, before: str) -> None:
    """After Zuckerberg's outlook, "লামা কি প্রাণী?" names Llama and the animal, which only
    the animal's decline knows: read with the last question it had become his outlook again
    (found trying the Quickstart)."""
    _, turn = play(Conversation(real), before, "লামা কি প্রাণী?", start=NOW)
    assert turn.answer.kind is not AnswerKind.FACT
    assert turn.answer.intent_id == "llama_animal"


def test_a_question_word_alone_still_asks_of_the_last_answer(real: Responder) -> None:
    """"কোন দেশের?" after DeepSeek names nothing: it asks where DeepSeek is from."""
    _, turn = play(Conversation(real), "ডিপসিক কী?", "কোন দেশের?", start=NOW)
    assert facts(turn) == ["deepseek_r1"]


def test_how_many_people_in_its_short_form_asks_a_number(real: Responder) -> None:
    """"কজন" is "কতজন" (how many people): how many work in the war rooms the article does
    not say."""
    _, turn = play(Conversation(real), "মেটার ওয়ার রুম কী?", "ওই ওয়ার রুমে কজন লোক কাজ করে?",
                   start=NOW)
    assert turn.answer.kind is AnswerKind.NOT_IN_ARTICLE


def test_which_court_in_mixed_script_asks_a_place(real: Responder) -> None:
    _, turn = play(Conversation(real), "কপিরাইট মামলা কী নিয়ে?", "case টা কোন court এ চলছে?",
                   start=NOW)
    assert turn.answer.kind is AnswerKind.NOT_IN_ARTICLE
