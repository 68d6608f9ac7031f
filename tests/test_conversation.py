"""Turns of a conversation read with their context (the pure core, plain calls)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import play, uncertain_question

from bot.core.answer import AnswerKind, Responder
from bot.core.conversation import EXPIRY, Context, Conversation, Turn, TurnKind
from bot.core.dialogue_eval import evaluate_dialogues, load_dialogues
from bot.core.loader import load_knowledge

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def conversation() -> Conversation:
    return Conversation(Responder(load_knowledge(ROOT / "knowledge", TZ)))


def facts(turn: Turn) -> list[str | None]:
    return [a.fact_id for a in turn.answers]


def test_a_bare_question_word_asks_about_the_last_subject(conversation: Conversation) -> None:
    first, second = play(conversation, "লামাকন কী?", "কবে?")
    assert facts(first) == ["llamacon"]
    assert (second.kind, facts(second)) == (TurnKind.FOLLOW_UP, ["llamacon"])
    alone = conversation.reply("কবে?", Context(), NOW)
    assert alone.answer.kind is not AnswerKind.FACT  # without context it is unclear


def test_a_question_the_fact_cannot_answer_is_said_honestly(conversation: Conversation) -> None:
    *_, where = play(conversation, "লামাকন কী?", "কোথায় হবে?")
    assert where.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert "llamacon" in where.answer.suggestions


def test_why_after_an_answer_is_that_answer(conversation: Conversation) -> None:
    first, why = play(conversation, "Is Meta being sued over Llama?", "কেন?")
    assert facts(first) == ["copyright_lawsuit"]
    assert facts(why) == ["copyright_lawsuit"]


def test_a_first_question_the_article_cannot_answer_still_sets_the_subject(
        conversation: Conversation) -> None:
    # The article does not say who sued Meta; the lawsuit is what the talk is about now.
    first, why, more = play(conversation, "who sued meta?", "কেন?", "আরও বলো")
    assert first.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert first.answer.suggestions[0] == "copyright_lawsuit"
    assert facts(why) == ["copyright_lawsuit"]
    assert more.kind is TurnKind.MORE and facts(more) != ["copyright_lawsuit"]
    *_, told = play(conversation, "who sued meta?", "আরও বলো")
    assert (told.kind, facts(told)) == (TurnKind.MORE, ["copyright_lawsuit"])


def test_tell_me_more_gives_the_next_fact_not_shown_yet(conversation: Conversation) -> None:
    turns = play(conversation, "why is meta being sued?", "আরও বলো", "tell me more")
    shown = [facts(t)[0] for t in turns]
    assert turns[1].kind is TurnKind.MORE and turns[2].kind is TurnKind.MORE
    assert len(set(shown)) == 3  # never the same fact twice
    assert turns[1].answer.text.startswith("আরও একটি তথ্য")


def test_when_nothing_is_left_to_tell_it_says_so(conversation: Conversation) -> None:
    count = len(conversation.responder.knowledge.facts)
    turns = play(conversation, "why is meta being sued?", *["আরও বলো"] * count)
    assert turns[-1].kind is TurnKind.NO_MORE
    assert turns[-1].answer.kind is AnswerKind.NO_MORE and turns[-1].answer.choices


def test_another_subject_alone_re_asks_the_last_question(conversation: Conversation) -> None:
    first, google = play(conversation, "মেটা AI-তে কত বিনিয়োগ করছে?", "আর গুগলের?")
    assert facts(first) == ["ai_investment"]
    assert google.answer.kind is not AnswerKind.FACT  # Google's spending is not in the article


def test_a_clear_question_is_never_pulled_by_the_context(conversation: Conversation) -> None:
    *_, clear = play(conversation, "লামাকন কী?", "মেটা এআই-তে কত খরচ করবে?")
    assert (clear.kind, facts(clear)) == (TurnKind.ANSWER, ["ai_investment"])


def test_two_questions_in_one_message_get_two_answers(conversation: Conversation) -> None:
    turn = conversation.reply("লামা কী আর লামাকন কবে?", Context(), NOW)
    assert (turn.kind, facts(turn)) == (TurnKind.COMPOUND, ["what_is_llama", "llamacon"])
    single = conversation.reply("লামা কী জিনিস, লামা আসলে কী?", Context(), NOW)
    assert single.kind is not TurnKind.COMPOUND  # one thing asked twice


def test_did_you_mean_is_answered_in_words(conversation: Conversation) -> None:
    unsure = conversation.reply(uncertain_question(conversation.responder), Context(), NOW)
    assert unsure.answer.kind is AnswerKind.SUGGEST
    offered = unsure.answer.suggestions
    second = conversation.reply("২", unsure.context, NOW)
    assert (second.kind, facts(second)) == (TurnKind.PICK, [offered[1]])
    yes = conversation.reply("হ্যাঁ", unsure.context, NOW)
    assert facts(yes) == [offered[0]]
    no = conversation.reply("কোনোটাই না", unsure.context, NOW)
    assert no.kind is TurnKind.REJECT and no.rejected == offered
    assert no.answer.kind is AnswerKind.REJECTED and not no.context.choices


def test_the_last_choice_is_picked_by_saying_last(conversation: Conversation) -> None:
    """"শেষেরটা" after a "did you mean" was asked as a question of its own (another fact,
    "the article does not say" or the fallback); it picks the last choice, as "২" the
    second."""
    unsure = conversation.reply(uncertain_question(conversation.responder), Context(), NOW)
    offered = unsure.answer.suggestions
    assert len(offered) > 1
    for said in ("শেষেরটা", "শেষটা", "last one", "shesher ta", "Last"):
        last = conversation.reply(said, unsure.context, NOW)
        assert (last.kind, facts(last)) == (TurnKind.PICK, [offered[-1]]), said


def test_context_expires(conversation: Conversation) -> None:
    first = conversation.reply("লামাকন কী?", Context(), NOW)
    late = conversation.reply("কবে?", first.context, NOW + EXPIRY + timedelta(seconds=1))
    assert late.answer.kind is not AnswerKind.FACT


def test_yes_to_an_expired_did_you_mean_picks_nothing_and_says_so(
        conversation: Conversation) -> None:
    """"হ্যাঁ" to a "did you mean" more than 15 minutes old picked nothing (right: its
    choices are forgotten) but got a 👍 "anything else?", as if the bot had said yes to
    something. It says there is no offer open to say yes to, and what to ask."""
    unsure = conversation.reply(uncertain_question(conversation.responder), Context(), NOW)
    later = NOW + EXPIRY + timedelta(seconds=1)
    for said in ("হ্যাঁ", "yes", "Yes!"):
        late = conversation.reply(said, unsure.context, later)
        assert late.kind is TurnKind.ANSWER and facts(late) == [None], said
        assert not late.answer.text.startswith("👍"), said
        assert "প্রস্তাব খোলা নেই" in late.answer.text and late.answer.choices, said
    # With an answer to nod to, "হ্যাঁ" is still a nod.
    *_, nod = play(conversation, "লামাকন কী?", "হ্যাঁ")
    assert nod.answer.text.startswith("👍")


def test_the_blind_dialogue_set_meets_its_floor(conversation: Conversation) -> None:
    """A regression floor on tests/data/dialogues_dev.yaml (figures in the README)."""
    dialogues, compounds = load_dialogues(ROOT / "tests" / "data" / "dialogues_dev.yaml")
    report = evaluate_dialogues(conversation, dialogues, compounds, NOW)
    assert report.follow_up_accuracy() >= 0.80
    assert report.compound_accuracy() >= 0.85


def test_a_fact_chosen_directly_moves_the_context_to_it(conversation: Conversation) -> None:
    first = conversation.reply("why is meta being sued?", Context(), NOW)
    chosen = conversation.choose("llamacon", first.context, NOW)
    assert (chosen.kind, facts(chosen)) == (TurnKind.PICK, ["llamacon"])
    when = conversation.reply("কবে?", chosen.context, NOW)
    assert facts(when) == ["llamacon"]
    late = conversation.choose("llamacon", first.context, NOW + EXPIRY + timedelta(seconds=1))
    assert late.context.shown == ("llamacon",)  # an expired context is not carried on


def test_none_of_these_logs_the_question_the_choices_were_for(
    conversation: Conversation,
) -> None:
    # A question unsure after an answer (unsure alone, a word may be sure in a context).
    opening, unsure_question = next(
        (opening, q) for opening in ("লামাকন কী?", "লামা কী?", "why is meta being sued?")
        for q in ("download", "meta", "মেটা", "llama", "ai", "ইংরেজি শেখার সহজ উপায় কী",
                  "best budget phone under 20k", "open models")
        if play(conversation, opening, q)[1].answer.kind is AnswerKind.SUGGEST)
    first, unsure, no = play(conversation, opening, unsure_question, "না")
    assert unsure.answer.kind is AnswerKind.SUGGEST
    assert no.kind is TurnKind.REJECT
    # The gap is the question that got "did you mean", not the one answered before it.
    assert no.answer.normalized == unsure.answer.normalized != first.answer.normalized


def test_a_reply_to_an_answer_continues_from_its_fact(conversation: Conversation) -> None:
    llamacon, lawsuit = play(conversation, "লামাকন কী?", "why is meta being sued?")
    replying = conversation.replying_to("llamacon", lawsuit.context, NOW + timedelta(seconds=5))
    when = conversation.reply("কবে?", replying, NOW + timedelta(seconds=6))
    assert facts(when) == ["llamacon"]
    more = conversation.reply("আরও বলো", replying, NOW + timedelta(seconds=6))
    assert facts(more)[0] not in ("llamacon", "copyright_lawsuit")  # both were shown
    gone = conversation.replying_to("no_such_fact", lawsuit.context, NOW)
    assert gone == lawsuit.context


def test_facts_a_reload_removed_are_dropped_from_the_context(conversation: Conversation) -> None:
    # A context read from the database may have been written with another knowledge version.
    stale = Context(facts=("gone_fact",), choices=("gone_fact", "llamacon"),
                    question="লামাকন কী", at=NOW)
    for message in ("আরও বলো", "কবে?", "এটা কি ফ্রি?", "১"):
        turn = conversation.reply(message, stale, NOW)
        assert "gone_fact" not in (*turn.context.facts, *turn.context.choices), message
    assert facts(conversation.reply("১", stale, NOW)) == ["llamacon"]
    assert facts(conversation.choose("llamacon", stale, NOW)) == ["llamacon"]


def test_grammar_alone_after_an_answer_does_not_repeat_it(conversation: Conversation) -> None:
    *_, no = play(conversation, "লামাকন কী?", "না")
    assert no.answer.kind is not AnswerKind.FACT


def test_one_question_about_two_things_is_not_cut(conversation: Conversation) -> None:
    for message in ("লামার লাইসেন্স আর মামলা",
                    "কপিরাইট মামলা আর গোপনীয়তার উদ্বেগ এআই তৈরিতে কী শিক্ষা দেয়?"):
        assert conversation.reply(message, Context(), NOW).kind is not TurnKind.COMPOUND, message
    # Cut only into parts that stand as questions: "লামা কী?" and "মেটা এআই কী?".
    turn = conversation.reply("লামা ও মেটা এআই কী?", Context(), NOW)
    assert [a.question for a in turn.answers] == ["লামা কী?", "মেটা এআই কী?"]
    assert facts(turn) == ["what_is_llama", "meta_ai_assistant"]


def test_a_list_asked_for_gets_every_item(conversation: Conversation) -> None:
    turn = conversation.reply("Tell me about the war rooms, the $80 billion investment, and "
                              "DeepSeek R1", Context(), NOW)
    assert turn.kind is TurnKind.COMPOUND
    assert set(facts(turn)) == {"war_rooms", "ai_investment", "deepseek_r1"}


def test_who_after_an_answer_that_says_who_in_words(conversation: Conversation) -> None:
    """"কিছু ডেভেলপার ও কোম্পানি" says who without a name: the answer stands."""
    first, who = play(conversation, "লামার লাইসেন্স নিয়ে সমালোচনা কেন?", "কারা?")
    assert facts(first) == facts(who) == ["license_criticism"]


# ------------------------------------------------ learned from the second blind dev set


@pytest.mark.parametrize("more", ["আরও কিছু জানান", "aro details dao plz", "আরও তথ্য দিন",
                                  "tell me more about llama", "আর?", "চালিয়ে যান",
                                  "আর কিছু বলবা?", "ar kisu jana jay?", "keep going",
                                  # a case ending typed apart ("details e") is grammar
                                  "ar ektu details e bolo", "hmm, r?", "continue koro",
                                  "r ki jano?", "next কী আছে? বলো"])
def test_more_in_words_of_its_own(conversation: Conversation, more: str) -> None:
    """Not a listed phrase: a word asking for more, the rest grammar, telling or the subject."""
    first, then = play(conversation, "লামা কতবার ডাউনলোড হয়েছে?", more)
    assert facts(first) == ["downloads_milestone"]
    assert then.kind is TurnKind.MORE


def test_more_with_a_new_subject_is_a_new_question(conversation: Conversation) -> None:
    *_, then = play(conversation, "লামা কতবার ডাউনলোড হয়েছে?", "আরও বলো লামাকন কবে")
    assert then.kind is not TurnKind.MORE and facts(then) == ["llamacon"]


@pytest.mark.parametrize("other", ["ar mistral er?", "ar Microsoft er?"])
def test_a_case_ending_written_apart_is_not_a_pointer(
    conversation: Conversation, other: str
) -> None:
    """"mistral er" is Mistral's, not "its": the last question is asked of Mistral."""
    *_, then = play(conversation, "meta AI te koto taka khoroch korche?", other)
    assert then.answer.kind is not AnswerKind.FACT


def test_a_whole_question_about_another_subject_borrows_no_subject(
    conversation: Conversation,
) -> None:
    first, then = play(conversation, "মেটা এআই-তে কত টাকা খরচ করবে?", "আর গুগল কত খরচ করছে?")
    assert facts(first) == ["ai_investment"]
    assert then.answer.kind is not AnswerKind.FACT


def test_a_pointer_asks_about_the_last_answer_not_the_bot(conversation: Conversation) -> None:
    *_, then = play(conversation, "ডিপসিক R1 কী?", "eta ke banaise?")
    assert then.answer.kind is not AnswerKind.SMALLTALK


def test_a_part_answered_by_the_whole_message_keeps_the_other_parts(
    conversation: Conversation,
) -> None:
    """The whole message matches LlamaCon as well as its first part does: that is no reason
    to drop the second part."""
    turn = conversation.reply("লামাকন কবে হবে? আর নতুন রিজনিং মডেলগুলো কবে আসবে?", Context(), NOW)
    assert (turn.kind, facts(turn)) == (TurnKind.COMPOUND, ["llamacon", "reasoning_models"])


def test_when_after_a_count_asks_when_the_count_was_reached(conversation: Conversation) -> None:
    """"কবে?" after the downloads asks when they passed a billion (the article does not
    say); after "what is Llama?" it asks when Llama came out."""
    *_, when = play(conversation, "লামা কতবার ডাউনলোড হয়েছে?", "কবে?")
    assert when.answer.kind is AnswerKind.NOT_IN_ARTICLE
    *_, when = play(conversation, "লামা কী?", "কবে?")
    assert facts(when) == ["launch_2023"]


def test_a_short_question_pointing_back_is_not_small_talk(conversation: Conversation) -> None:
    *_, then = play(conversation, "লামা কী?", "who made it?")
    assert then.answer.kind is not AnswerKind.SMALLTALK


def test_it_is_what_the_last_answer_was_about(conversation: Conversation) -> None:
    # The last question named Llama; its answer was DeepSeek's model. "Who made it?" asks
    # of R1, not of Llama.
    first, made = play(conversation, "ডিপসিক R1 কি লামার চেয়ে ভালো পারফর্ম করে?",
                       "এটা কাদের বানানো?")
    assert facts(first) == ["deepseek_r1"]
    assert facts(made) == ["deepseek_r1"]
    *_, staff = play(conversation, "ডিপসিক R1 কি লামার চেয়ে ভালো পারফর্ম করে?",
                     "ওদের অফিসে কর্মী কতজন?")
    assert staff.answer.kind is AnswerKind.NOT_IN_ARTICLE  # not Llama's downloads


def test_anything_else_on_a_side_of_it_asks_for_more(conversation: Conversation) -> None:
    first, more = play(conversation, "Is Meta facing any copyright lawsuit over Llama?",
                       "anything else on the legal side?")
    assert facts(first) == ["copyright_lawsuit"]
    assert more.kind is TurnKind.MORE
    # "আরও" before a word is "more X", no request: "why will these matter more?"
    *_, why = play(conversation, "Is Meta facing any copyright lawsuit over Llama?",
                   "ভবিষ্যতে এগুলো কেন আরও গুরুত্বপূর্ণ হবে?")
    assert why.kind is not TurnKind.MORE


def test_a_follow_up_about_something_no_fact_knows_is_not_in_the_article(
        conversation: Conversation) -> None:
    first, video = play(conversation, "লামা কি এখন ছবি আর অডিও একসাথে বুঝতে পারবে?",
                        "ভিডিও এডিট করতে পারবে এটা?")
    assert facts(first) == ["multimodal"]
    assert video.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert "multimodal" in video.answer.suggestions
    *_, flights = play(conversation, "What are the agentic features Meta hinted at?",
                       "will those agents be able to book flights for me?")
    assert flights.answer.kind is AnswerKind.NOT_IN_ARTICLE
    # Words every question may hold are no such thing: "by when?" is still the fact's.
    *_, by_when = play(conversation, "মেটা নতুন কী কী লামা মডেল আনছে রিজনিং সহ?", "কবে নাগাদ?")
    assert facts(by_when) == ["reasoning_models"]


def test_who_made_it_after_an_answer_asks_of_that_answer(conversation: Conversation) -> None:
    # "who made/makes/built" are one word to the matcher (a synonym group), and without
    # "you" a bare "who made it?" asks of the last answer, not of the bot.
    first, made = play(conversation, "লামা জিনিসটা আসলে কী?", "কে বানাইছে?")
    assert facts(first) == ["what_is_llama"]
    assert facts(made) == ["what_is_llama"]
    *_, makes = play(conversation, "What is Llama?", "Who makes it?")
    assert facts(makes) == ["what_is_llama"]
    *_, bot = play(conversation, "লামা জিনিসটা আসলে কী?", "তোমাকে কে বানাইছে?")
    assert bot.answer.kind is AnswerKind.SMALLTALK


def test_a_pointer_stays_with_the_last_answer_unless_another_fact_clearly_leads(
        conversation: Conversation) -> None:
    first, tools = play(conversation, "মেটা লামা ফ্রিতে দিচ্ছে কেন, এতে ওদের লাভটা কী?",
                        "ওরা সাথে কোনো টুলও দেয়?")
    assert facts(first) == ["ecosystem_strategy"]
    assert facts(tools) == ["ecosystem_strategy"]  # not what Llama is
    *_, material = play(conversation, "What's the copyright case against Meta about?",
                        "what kind of material are they accused of training on?")
    assert facts(material) == ["copyright_lawsuit"]
    # Another fact far ahead still moves it: "when did it first come out?" after downloads.
    *_, launch = play(conversation, "লামা মডেল এখন পর্যন্ত মোট কতবার ডাউনলোড হয়েছে?",
                      "এটা প্রথম কবে রিলিজ হইছিল?")
    assert facts(launch) == ["launch_2023"]


@pytest.mark.parametrize(("message", "expected"), [
    ("llamacon kobe r meta AI te koto khoroch korbe?", {"llamacon", "ai_investment"}),
    ("Llama কী জিনিস + কোন কোন company use করে?", {"what_is_llama", "corporate_adopters"}),
    ("1. llama ki\n2. koto download hoise\n3. llamacon kobe",
     {"what_is_llama", "downloads_milestone", "llamacon"}),
    ("What's LlamaCon. What's Meta AI.", {"llamacon", "meta_ai_assistant"}),
    ("copyright mamla, europe er somossa ar ethics - ei tin ta niye bolo",
     {"copyright_lawsuit", "eu_privacy", "ethics_legal"}),
])
def test_questions_joined_by_marks_people_type(
        conversation: Conversation, message: str, expected: set[str]) -> None:
    """A romanized "r" after a question, "+", "&", a full stop, a numbered list, a dash."""
    turn = conversation.reply(message, Context(), NOW)
    assert turn.kind is TurnKind.COMPOUND
    assert set(facts(turn)) == expected


def test_a_romanized_genitive_r_does_not_split(conversation: Conversation) -> None:
    turn = conversation.reply("llama r future kemon dekhchen?", Context(), NOW)
    assert turn.kind is not TurnKind.COMPOUND


def test_sylheti_question_words(conversation: Conversation) -> None:
    turn = conversation.reply("লামা কুন বছর বাইর অইছে? আর ইউরোপো কিতা সমস্যা অইছে?", Context(), NOW)
    assert set(facts(turn)) == {"launch_2023", "eu_privacy"}


def test_question_words_typed_without_apostrophes(conversation: Conversation) -> None:
    first, when = play(conversation, "wats llamacon??", "whens it")
    assert facts(first) == ["llamacon"]
    assert facts(when) == ["llamacon"]


def test_a_part_unsure_between_close_facts_beside_a_sure_part_is_answered(
        conversation: Conversation) -> None:
    turn = conversation.reply("Open source approach-এর লাভ কী, আর 1 billion download কী "
                              "indicate করে?", Context(), NOW)
    assert set(facts(turn)) == {"open_collaboration", "open_source_interest"}
    # Not when the message asks what the article lacks, nor for a part read with another
    # part's subject.
    for message in ("kon kon company llama er license niye shomalochona korse, naam gula bolen",
                    "agentic feature ta kon model e prothom ashbe, ar kobe?"):
        assert conversation.reply(message, Context(), NOW).kind is not TurnKind.COMPOUND


def test_after_an_unsure_first_question_a_follow_up_goes_on_from_the_first_choice(
        conversation: Conversation) -> None:
    first = conversation.reply(uncertain_question(conversation.responder), Context(), NOW)
    assert first.answer.kind is AnswerKind.SUGGEST
    choice = first.answer.suggestions[0]
    who = conversation.reply("who?", first.context, NOW)  # the choice's who, or "not said"
    assert who.kind is TurnKind.FOLLOW_UP
    assert facts(who) == [choice] or who.answer.suggestions[:1] == (choice,)
    more = conversation.reply("more on this please", first.context, NOW)
    assert (more.kind, facts(more)) == (TurnKind.MORE, [choice])


@pytest.mark.parametrize(("opening", "follow_up", "fact"), [
    ("আর মাল্টিমোডালটা কী?", "ইতা কিতা কিতা বুঝতো পারবো?", "multimodal"),  # Sylheti "it"
    ("meta war room keno banaise?", "oigula diye meta ki korte chay?", "war_rooms"),
    ("Why does Meta give Llama away for free?", "Is its license a fully open one?",
     "ecosystem_strategy"),
])
def test_spoken_pointers(conversation: Conversation, opening: str, follow_up: str,
                         fact: str) -> None:
    first, then = play(conversation, opening, follow_up)
    assert facts(first) == [fact]
    assert facts(then) == [fact]


def test_a_new_subject_another_fact_is_about_keeps_its_did_you_mean(
        conversation: Conversation) -> None:
    *_, switch = play(conversation, "Why is Meta being sued over Llama?", "is it still ongoing?",
                      "Why did some EU countries hold up Llama's rollout?")
    # Unsure alone, and the EU is what another fact is about: no "the article does not say".
    assert switch.answer.kind is not AnswerKind.NOT_IN_ARTICLE


def test_he_points_at_the_person_the_last_answer_names(conversation: Conversation) -> None:
    # The agentic features were hinted at by Zuckerberg (a person, by the entity's kind).
    first, said = play(conversation, "agentic feature mane ki llama te?",
                       "uni llama niye ar ki bolechen?")
    assert facts(first) == ["agentic"]
    assert said.kind is not TurnKind.MORE  # what else *he* said, not more of the last answer
    assert facts(said) == ["zuckerberg_outlook"]
    *_, goal = play(conversation, "জাকারবার্গে লামা লইয়া কিতা কইছইন?", "হেইন উনার লক্ষ্য কিতা?")
    assert facts(goal) == ["zuckerberg_outlook"]


def test_exactly_what_or_what_called_after_a_fact_asks_more_than_it_told(
        conversation: Conversation) -> None:
    *_, exactly = play(conversation, "কোন কোন company Llama use করে?",
                       "Spotify এটা দিয়ে exactly কী কাজ করে?")
    assert exactly.answer.kind is AnswerKind.NOT_IN_ARTICLE
    *_, called = play(conversation, "Why does Meta give Llama away for free?",
                      "What tools does it come with?", "What are those tools called?")
    assert called.answer.kind is AnswerKind.NOT_IN_ARTICLE
    # A name the fact gives is answered: DeepSeek's model is R1.
    *_, model = play(conversation, "ডিপসিক কোন দেশের ল্যাব?", "what's their model called?")
    assert facts(model) == ["deepseek_r1"]


def test_a_question_word_with_verbs_alone_asks_of_the_last_answer(
        conversation: Conversation) -> None:
    first, whom = play(conversation, "মেটার ওয়ার রুম কী জিনিস?", "কার লাইগা বানাইলো?")
    assert facts(first) == ["war_rooms"]
    assert facts(whom) == ["war_rooms"]  # to learn from DeepSeek: said by the last answer
    *_, where = play(conversation, "ডিপসিক R1 কি লামার চেয়ে ভালো পারফর্ম করে?", "কোথাকার?")
    assert facts(where) == ["deepseek_r1"]  # a Chinese lab


def test_it_after_a_fact_that_defines_a_subject_is_that_subject_not_another_facts(
        conversation: Conversation) -> None:
    # Alone, "when was it released?" reads "it" as Llama: after DeepSeek's fact it is R1,
    # whose release the article does not date.
    *_, released = play(conversation, "deepseek er R1 ki llama ke pichone fele dise?",
                        "oita kobe release hoisilo?")
    assert released.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert "deepseek_r1" in released.answer.suggestions
    # "ওদের" (their) after Llama's maker is Meta, not Llama: Meta AI is Meta's.
    *_, apps = play(conversation, "লামা কোন কোম্পানি বানিয়েছে?",
                    "ওদের এআই অ্যাসিস্ট্যান্ট কোন কোন অ্যাপে আছে?")
    assert facts(apps) == ["meta_ai_assistant"]


@pytest.mark.parametrize(("opening", "follow_up", "fact"), [
    ("LlamaCon কী?", "কাদের জন্য?", "llamacon"),  # for whom
    ("মেটা এআই-তে কত টাকা বিনিয়োগ করছে?", "kon somoyer moddhe?", "ai_investment"),
    ("What new reasoning models is Meta planning for Llama?", "similar to what?",
     "reasoning_models"),
])
def test_more_question_words_ask_of_the_last_answer(
        conversation: Conversation, opening: str, follow_up: str, fact: str) -> None:
    first, second = play(conversation, opening, follow_up)
    assert facts(first) == [fact]
    assert facts(second) == [fact]


def test_a_pointer_a_few_words_in_still_points_at_the_last_answer(
        conversation: Conversation) -> None:
    # "এটা" as the third word of six: not a story's pointer, the last answer's.
    *_, events = play(conversation, "এআই বানাতে নৈতিক আর আইনি দিক কেন ভাবতে হবে?",
                      "কোন ঘটনা থেকে এটা বোঝা গেল?")
    assert facts(events) == ["ethics_legal"]


def test_a_case_ending_typed_after_a_name_is_no_pointer(conversation: Conversation) -> None:
    # "llama er" is Llama's, not "its": a whole new question, not one about the license.
    *_, future = play(conversation, "Llama ki free te use kora jay?", "kono restriction ache?",
                      "llama er bhobishot kemon hobe?")
    assert facts(future) == ["future_outlook"]
    # Alone after "and", a name and its ending still ask the last question of that name.
    *_, theirs = play(conversation, "llama ki?", "license e kono jhamela?", "ar deepseek er?")
    assert theirs.answer.kind is not AnswerKind.FACT


def test_who_made_it_after_a_fact_that_defines_a_subject_asks_of_that_subject(
        conversation: Conversation) -> None:
    # The last question named Llama, but the answer was DeepSeek's model: its maker.
    *_, maker = play(conversation, "কোন নতুন মডেল লামাকে টপকে গেছে?", "কে বানাইছে?")
    assert facts(maker) == ["deepseek_r1"]


@pytest.mark.parametrize(("opening", "follow_up", "fact"), [
    # "there" points at where the last answer happens
    ("ইউরোপে লামা আটকে গেল কেন?", "ওইখানে কি একেবারে বাদ পড়ছে?", "eu_privacy"),
    # "অহন" is spoken "এখন" (now), no unknown subject
    ("লামা প্রথম কবে বাজারে আসে?", "অহন কোন কোন কোম্পানি এইটা চালায়?", "corporate_adopters"),
])
def test_spoken_there_and_now(conversation: Conversation, opening: str, follow_up: str,
                              fact: str) -> None:
    *_, turn = play(conversation, opening, follow_up)
    assert facts(turn) == [fact]


def test_an_english_opener_cut_short_by_also_is_no_question(conversation: Conversation) -> None:
    turn = conversation.reply("is meta also teaching llama to understand images n audio?",
                              Context(), NOW)
    assert facts(turn) == ["multimodal"]


def test_there_is_the_place_of_the_last_answer(conversation: Conversation) -> None:
    # Alone, "when will it launch there?" gets Llama's first launch; there is Europe.
    *_, when = play(conversation, "ইউরোপে লামা আটকে আছে কেন?", "ওখানে কবে নাগাদ ছাড়বে?")
    assert when.answer.kind is AnswerKind.NOT_IN_ARTICLE
    assert "eu_privacy" in when.answer.suggestions


@pytest.mark.parametrize(("opening", "follow_up", "fact"), [
    # unsure alone between the license's critics and the lawsuit: the lawsuit, just told
    ("লামার বিরুদ্ধে কপিরাইট মামলা হয়েছে কেন?", "কী অভিযোগ?", "copyright_lawsuit"),
    # romanized "মানে?" (meaning?)
    ("lama ki multimodal hobe?", "mane?", "multimodal"),
    # whose, in romanized and sadhu Bengali: a bare question word
    ("লামার নতুন রিজনিং মডেল আসছে?", "kar moto?", "reasoning_models"),
    ("ওয়ার রুম কেন বানানো হলো?", "কাহার নিকট হইতে?", "war_rooms"),
])
def test_a_short_follow_up_is_of_the_last_answer(
        conversation: Conversation, opening: str, follow_up: str, fact: str) -> None:
    *_, turn = play(conversation, opening, follow_up)
    assert facts(turn) == [fact]


def test_itself_is_grammar(conversation: Conversation) -> None:
    *_, itself = play(conversation, "Is Meta AI on WhatsApp?", "ok, and what is llama itself?")
    assert facts(itself) == ["what_is_llama"]


def test_that_before_a_noun_names_what_the_last_answer_mentioned(
        conversation: Conversation) -> None:
    # "that copyright lawsuit", mentioned by the ethics answer, has its own fact.
    *_, lawsuit = play(conversation, "এআই বানাতে নৈতিক আর আইনি দিক কেন ভাবতে হবে?",
                       "ওই কপিরাইট মামলাটা কী নিয়ে?")
    assert facts(lawsuit) == ["copyright_lawsuit"]
    # "this versatility" is the last answer's own subject.
    *_, why = play(conversation, "লামা কি নানা কাজে লাগে?", "এই বহুমুখিতা কেন গুরুত্বপূর্ণ?")
    assert facts(why) == ["versatility"]


def test_which_ones_after_a_fact_that_lists_them(conversation: Conversation) -> None:
    # The outlook lists what will shape Llama's future (policy, progress, regulation).
    *_, which = play(conversation, "লামার ভবিষ্যৎ কেমন দেখাচ্ছে?", "কোন কোন বিষয় সেটা ঠিক করবে?")
    assert facts(which) == ["future_outlook"]


def test_more_about_a_subject_goes_on_from_the_last_answer_about_it(
        conversation: Conversation) -> None:
    *_, more = play(conversation, "How many times has Llama been downloaded?",
                    "and what is DeepSeek R1?", "tell me more about llama")
    # Not DeepSeek's related facts: the downloads answer's, the last one about Llama.
    assert facts(more) == ["open_source_interest"]
    # Never asked about before: the fact that says what it is.
    *_, fresh = play(conversation, "ডিপসিক কী?", "লামা নিয়ে আরও বলো")
    assert facts(fresh) == ["what_is_llama"]


@pytest.mark.parametrize(("opening", "follow_up", "fact"), [
    ("What is LlamaCon about?", "which day?", "llamacon"),  # day: a question word
    ("why r people so mad about llama's license", "who?", "license_criticism"),  # criticise
])
def test_words_people_type_for_asking_and_criticising(
        conversation: Conversation, opening: str, follow_up: str, fact: str) -> None:
    first, second = play(conversation, opening, follow_up)
    assert facts(first) == [fact] and facts(second) == [fact]


def test_any_fine_asks_an_outcome(conversation: Conversation) -> None:
    *_, fine = play(conversation, "Is Meta being sued over Llama?", "any fine amount yet?")
    assert fine.answer.kind is not AnswerKind.FACT


def test_a_pointer_after_a_name_is_still_a_pointer(conversation: Conversation) -> None:
    # "spotify eta diye ki kore?": "eta" (it) is no case ending of Spotify's name.
    *_, does = play(conversation, "Which companies are using Llama?",
                    "what does doordash do with it?")
    assert does.answer.kind is AnswerKind.NOT_IN_ARTICLE
    *_, bangla = play(conversation, "কোন কোন কোম্পানি লামা চালায়?", "spotify eta diye ki kore?")
    assert bangla.answer.kind is AnswerKind.NOT_IN_ARTICLE


def test_besides_this_asks_for_another_fact(conversation: Conversation) -> None:
    *_, other = play(conversation, "ইউরোপে লামা কেন আটকে গেল?",
                     "er baire ar kono ainer jhamela ache?")
    assert facts(other) and facts(other) != ["eu_privacy"]
    assert facts(other)[0] in {"copyright_lawsuit", "ethics_legal", "license_criticism"}


def test_what_is_it_and_who_uses_it_answers_both(conversation: Conversation) -> None:
    turn = conversation.reply("What's Llama, and who uses it?", Context(), NOW)
    assert facts(turn) == ["what_is_llama", "corporate_adopters"]


def test_it_with_a_new_ask_about_the_same_subject_moves_on(conversation: Conversation) -> None:
    # After why Llama is free, "has anyone criticised it?" asks the critics of Llama: the
    # question alone is answered about the subject "it" points at, not the last answer again.
    *_, critics = play(conversation, "Why does Meta give Llama away for free?",
                       "এটা নিয়ে কেউ সমালোচনা করেছে?")
    assert facts(critics) == ["license_criticism"]


@pytest.mark.parametrize("then", ["then?", "and then?", "what next?"])
def test_then_asks_to_go_on(conversation: Conversation, then: str) -> None:
    first, more = play(conversation, "How much is Meta spending on AI this year?", then)
    assert more.kind is TurnKind.MORE
    assert facts(more) != facts(first)


def test_the_copyright_trouble_after_europe_is_the_lawsuit(conversation: Conversation) -> None:
    # The answer about Europe no longer opens with "besides the copyright lawsuit", which
    # made "কপিরাইটের সমস্যা" read as Europe's trouble.
    *_, trouble = play(conversation, "মেটা কেন ইউরোপে লামা আটকাল?", "আর কপিরাইটের সমস্যা?")
    assert facts(trouble) == ["copyright_lawsuit"]


def test_what_about_a_subject_of_the_same_story_is_its_own_fact(
        conversation: Conversation) -> None:
    # "what about Europe?" after the lawsuit: the lawsuit's question of Europe has no answer,
    # Europe's part of the legal story does.
    *_, europe = play(conversation, "মেটার বিরুদ্ধে কপিরাইট মামলা কেন?", "আর ইইউ?")
    assert facts(europe) == ["eu_privacy"]
    # Asked how much, a fact that gives no amount is no answer for another subject.
    *_, spent = play(conversation, "মেটা এআইতে কত খরচ করবে?", "আর ডিপসিক কত?")
    assert spent.answer.kind is not AnswerKind.FACT


def test_which_books_after_the_lawsuit_is_not_in_the_article(conversation: Conversation) -> None:
    *_, books = play(conversation, "মেটার বিরুদ্ধে কপিরাইট মামলা কেন?", "কোন বইগুলো?")
    assert books.answer.kind is AnswerKind.NOT_IN_ARTICLE


@pytest.mark.parametrize(("opening", "follow_up"), [
    ("লামাকন কবে হবে?", "ঘরে বসে অনলাইনে দেখা যাবে?"),
    ("মেটা এআইতে কত খরচ করবে?", "এর মধ্যে কত টাকা ডেটা সেন্টারে যাবে?"),
])
def test_a_follow_up_bringing_words_the_fact_lacks_is_not_in_the_article(
        conversation: Conversation, opening: str, follow_up: str) -> None:
    # Read with the context it names the last fact, but that fact holds none of what the
    # message brings (watching online, data centres): the article does not say.
    first, then = play(conversation, opening, follow_up)
    assert first.answer.kind is AnswerKind.FACT
    assert then.answer.kind is not AnswerKind.FACT


def test_orthat_asks_what_the_answer_meant(conversation: Conversation) -> None:
    first, meant = play(conversation, "লামা কি এজেন্টিক হবে?", "অর্থাৎ?")
    assert facts(meant) == facts(first) == ["agentic"]


@pytest.mark.parametrize("pointer", ["ওইটা", "এইটা"])
def test_spoken_that_points_back(conversation: Conversation, pointer: str) -> None:
    # "ওইটা কার বানানো?" (who made that?) after DeepSeek's R1: that is R1.
    *_, made = play(conversation, "ডিপসিক R1 জিনিসটা কী?", f"{pointer} কার বানানো?")
    assert facts(made) == ["deepseek_r1"]


@pytest.mark.parametrize(("message", "expected"), [
    # a romanized "r" or a texted "n" between two parts that each ask
    ("lamacon kobe hobe r meta koto taka khoroch korbe?", {"llamacon", "ai_investment"}),
    ("what is the copyright case about n when is llamacon", {"copyright_lawsuit", "llamacon"}),
    # a part asking to be told stands as a question of its own
    ("ওয়ার রুম কেন খোলা হলো? সাথে ডিপসিকের খবরটাও দাও", {"war_rooms", "deepseek_r1"}),
    # items joined by "+", and "both of them"
    ("copyright lawsuit + EU privacy", {"copyright_lawsuit", "eu_privacy"}),
    ("লামাকন আর ওয়ার রুম, দুটো সম্পর্কেই জানাবেন", {"llamacon", "war_rooms"}),
])
def test_parts_joined_by_texted_and_requests_and_lists(conversation: Conversation, message: str,
                                                      expected: set[str]) -> None:
    turn = conversation.reply(message, Context(), NOW)
    assert turn.kind is TurnKind.COMPOUND, message
    assert set(facts(turn)) == expected, message


def test_a_romanized_r_of_possession_does_not_split(conversation: Conversation) -> None:
    """"meta r" is Meta's: only one side asks, so the message is one question."""
    turn = conversation.reply("eta ki meta r prothom conference?", Context(), NOW)
    assert turn.kind is not TurnKind.COMPOUND


def test_a_request_shaping_the_answer_is_no_second_question(conversation: Conversation) -> None:
    """"company wise bolo" asks the adopters company by company; "...র কথাও বলো" asks more."""
    turn = conversation.reply("llama ke ke use kortese, company wise bolo", Context(), NOW)
    assert (turn.kind, facts(turn)) == (TurnKind.ANSWER, ["corporate_adopters"])


def test_with_after_a_possessive_is_no_break(conversation: Conversation) -> None:
    """"লামার সাথে" is "with Llama"; cut there, "কী করল" lost its subject."""
    turn = conversation.reply("ডিপসিক লামার সাথে কী করল, আর মেটা জবাবে কী করল?", Context(), NOW)
    assert (turn.kind, set(facts(turn))) == (TurnKind.COMPOUND, {"deepseek_r1", "war_rooms"})


def test_the_request_for_a_list_is_not_one_of_its_items(conversation: Conversation) -> None:
    turn = conversation.reply("লামাকন কবে, ওয়ার রুম কেন আর মামলা কী নিয়ে — তিনটা নিয়েই একটু বলো",
                              Context(), NOW)
    assert facts(turn) == ["llamacon", "war_rooms", "copyright_lawsuit"]


def test_a_part_unsure_of_one_fact_only_is_answered_beside_a_sure_one(
        conversation: Conversation) -> None:
    """Alone "which Chinese model made Meta set them up?" is a "did you mean" of one fact;
    beside a part answered surely, it is that fact."""
    alone = conversation.reply("which Chinese model made Meta set them up?", Context(), NOW)
    assert alone.answer.kind is AnswerKind.SUGGEST
    turn = conversation.reply("What's a war room and which Chinese model made Meta set them "
                              "up?", Context(), NOW)
    assert set(facts(turn)) == {"war_rooms", "deepseek_r1"}


def test_more_with_nothing_said_yet_offers_the_topics_not_a_fallback(
        conversation: Conversation) -> None:
    """Found by the red-team run: "আরও বলো" as a first message (or after a context expired)
    was a fallback, logged as a gap for the admins to "teach"."""
    from bot.core.answer import AnswerKind

    for text in ("আরও বলো", "tell me more", "aro bolo"):
        (turn,) = play(conversation, text, start=NOW)
        assert turn.kind is TurnKind.NO_MORE
        assert turn.answer.kind is AnswerKind.NO_MORE and turn.answer.suggestions
        assert "কোন বিষয়ে আরও জানতে চান" in turn.answer.text
