"""Mechanisms learned in the twenty-eighth round. Each mechanism has a test that fails
without it; the other tests guard what it must leave as it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Conversation, TurnKind

NOW = datetime(2025, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize("asked", ["ok last question: lamacon kobe hobe?",
                                   "শেষ প্রশ্ন, লামাকন কবে?", "Final one - when is LlamaCon?"])
def test_a_last_question_preface_is_no_question(real: Responder, asked: str) -> None:
    """"last question:" before a question says how it is asked, not what: after the
    lawsuit, the question after it is read as if it stood alone."""
    _, turn = play(Conversation(real), "who sued meta?", asked, start=NOW)
    assert facts(turn) == ["llamacon"]


def test_a_last_question_preface_keeps_the_subject(real: Responder) -> None:
    """Unlike "অন্য প্রশ্ন" (another question), "শেষ প্রশ্ন" (last question) does not
    change the subject: "কবে হবে?" after it still asks of LlamaCon."""
    _, turn = play(Conversation(real), "লামাকন কী?", "শেষ প্রশ্ন, এটা কবে হবে?", start=NOW)
    assert facts(turn) == ["llamacon"]


@pytest.mark.parametrize("asked", ["onno kichu?", "অন্য কিছু আছে?", "anything more?"])
def test_anything_else_asks_for_more(real: Responder, asked: str) -> None:
    """"অন্য কিছু?" (something else?) after an answer asks for the next related fact."""
    first, more = play(Conversation(real), "lamacon ki?", asked, start=NOW)
    assert more.kind is TurnKind.MORE
    assert facts(more) and facts(more) != facts(first)


@pytest.mark.parametrize("asked", ["মেটা কি চুপ করে বসে আছে?",
                                   "মেটা কি হাত গুটিয়ে বসে আছে নাকি?"])
def test_sitting_idle_asks_for_a_response(real: Responder, asked: str) -> None:
    """"Is Meta sitting on its hands?" after DeepSeek asks what Meta did in response: the
    war rooms, not "the article does not say"."""
    _, turn = play(Conversation(real), "ডিপসিক কী?", asked, start=NOW)
    assert facts(turn) == ["war_rooms"]


@pytest.mark.parametrize("asked", ["ডিপসিকের মোকাবিলায় মেটা কী করছে?",
                                   "ডিপসিক সামলাতে মেটা কী করছে?"])
def test_dealing_with_a_rival_is_responding(real: Responder, asked: str) -> None:
    """"মোকাবিলা" and "সামলাতে" (to counter, to handle) say a response."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["war_rooms"]


def test_a_formal_word_for_investment(real: Responder) -> None:
    """"অর্থলগ্নি" (investment of money) was one unknown word; it is investment."""
    [turn] = play(Conversation(real), "মেটা এআই-তে কত অর্থলগ্নি করবে?", start=NOW)
    assert facts(turn) == ["ai_investment"]


def test_anything_about_a_place_asks_what_happened_there(real: Responder) -> None:
    """"Does the report say anything about X?" asks about X: "anything" is a word of the
    frame, like "something", not a content word that no example holds."""
    [turn] = play(Conversation(real), "Does the report say anything about Llama in Europe?",
                  start=NOW)
    assert facts(turn) == ["eu_privacy"]


@pytest.mark.parametrize("asked", ["Is a Llama conference for developers coming up?",
                                   "লামা সম্মেলন নিয়ে কী জানা যায়?"])
def test_the_llama_conference_is_llamacon(real: Responder, asked: str) -> None:
    """LlamaCon is the Llama conference: naming Llama with a conference is no other
    subject than LlamaCon's, which used to make its fact a "did you mean"."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["llamacon"]


def test_already_is_grammar(real: Responder) -> None:
    """"already" says when, not what: it weighed as a word no example uses, and after the
    license's critics "who is using it already?" stayed with them."""
    _, turn = play(Conversation(real), "Is Llama's license ok for commercial use?",
                   "kara use kortese already?", start=NOW)
    assert facts(turn) == ["corporate_adopters"]


@pytest.mark.parametrize("asked", [
    "দারুণ, আরও বলো তো", "wow nice, tell me more", "thik ache, r kichu?", "any other info?",
    "ok and then?", "that's it? nothing more?", "aro ektu khule bolo", "অন্য কোনো তথ্য আছে?",
    "এ বিষয়ে অতিরিক্ত কিছু জানাতে পারবেন?", "khub bhalo laglo, aro bolo",
])
def test_more_said_with_a_reaction_or_in_other_words(real: Responder, asked: str) -> None:
    """A request for more with a compliment, a nod or thanks around it, or in words of its
    own ("any other info?", "nothing more?"), is a request for more: it used to be read as
    a question (the thanks, the last fact again, or "the article does not say")."""
    first, more = play(Conversation(real), "lamacon ki?", asked, start=NOW)
    assert more.kind is TurnKind.MORE
    assert facts(more) and facts(more) != facts(first)


@pytest.mark.parametrize("asked", ["moja pailam, aro bolo", "wow 🔥 aro bolo bhai",
                                   "gimme the rest", "বাকিটা বলেন", "bah, baki ta bolo",
                                   "next point please"])
def test_more_in_words_no_fact_uses(real: Responder, asked: str) -> None:
    """A word for more ("rest", "বাকিটা", "next point", "sob") with words no example uses
    around it (a reaction, slang) asks for more: those words name nothing to ask about."""
    first, more = play(Conversation(real), "lamacon ki?", asked, start=NOW)
    assert more.kind is TurnKind.MORE
    assert facts(more) and facts(more) != facts(first)


def test_what_is_coming_next_is_a_question_not_more(real: Responder) -> None:
    """With a question word the words around "next" ask something ("what's coming next
    from them?"): the message is read as a question of its own."""
    _, turn = play(Conversation(real), "Meta ki reasoning model anbe?",
                   "what's coming next from them?", start=NOW)
    assert turn.kind is not TurnKind.MORE


UNSURE = "মডেল নিয়ে বলো"  # a "did you mean" of three facts


@pytest.mark.parametrize(("said", "position"), [
    ("হ্যাঁ, প্রথমটা", 1), ("yes the first one", 1), ("1 no ta", 1), ("haa oitai", 1),
    ("option 2 please", 2), ("জি, দ্বিতীয়টি", 2), ("3rd ta", 3), ("উপরেরটা", 1),
])
def test_a_choice_said_with_more_than_a_number(real: Responder, said: str,
                                               position: int) -> None:
    """"হ্যাঁ, প্রথমটা", "yes the first one", "option 2 please": a position with a nod and
    words of picking around it takes that choice, as "১" does."""
    conversation = Conversation(real)
    unsure, picked = play(conversation, UNSURE, said, start=NOW)
    assert unsure.context.choices
    assert picked.kind is TurnKind.PICK
    assert facts(picked) == [unsure.context.choices[position - 1]]


@pytest.mark.parametrize("said", ["না, এগুলো না", "none of the above", "কোনোটাই মেলেনি",
                                  "na bhai onno kichu", "not these"])
def test_none_of_the_choices_in_other_words(real: Responder, said: str) -> None:
    _, refused = play(Conversation(real), UNSURE, said, start=NOW)
    assert refused.kind is TurnKind.REJECT


@pytest.mark.parametrize("said", ["হ্যাঁ, লামার লাইসেন্সের কথা", "no, the lawsuit"])
def test_a_choice_with_words_of_its_own_is_a_question(real: Responder, said: str) -> None:
    """Words beyond picking ("the lawsuit") say what was meant: not a pick, nor a "no"."""
    _, turn = play(Conversation(real), UNSURE, said, start=NOW)
    assert turn.kind not in (TurnKind.PICK, TurnKind.REJECT)


@pytest.mark.parametrize(("said", "position"), [
    ("মাঝেরটা", 2), ("the middle one", 2), ("শেষেরটাই হবে", 3), ("last ta", 3),
    ("দুই লম্বরগান", 2), ("teesra wala", 3), ("ha 3 no ta den", 3),
])
def test_a_choice_by_its_place_or_in_dialect(real: Responder, said: str,
                                             position: int) -> None:
    """The middle of three is the second, the last the third; "লম্বরগান" (number) and
    "wala" are words of picking in Chittagonian and Hindi-tinged speech."""
    unsure, picked = play(Conversation(real), UNSURE, said, start=NOW)
    assert picked.kind is TurnKind.PICK
    assert facts(picked) == [unsure.context.choices[position - 1]]


@pytest.mark.parametrize("said", ["nah bro not that stuff", "egun n", "nope, different"])
def test_no_with_words_that_name_nothing_turns_all_down(real: Responder, said: str) -> None:
    """A short "no" whose other words no example uses names nothing meant instead."""
    _, refused = play(Conversation(real), UNSURE, said, start=NOW)
    assert refused.kind is TurnKind.REJECT


def test_anything_else_after_a_did_you_mean_is_no_refusal(real: Responder) -> None:
    _, turn = play(Conversation(real), UNSURE, "anything else?", start=NOW)
    assert turn.kind is not TurnKind.REJECT


@pytest.mark.parametrize("asked", ["আচ্ছা বুঝলাম, এরপর কী?", "bolte thako bhai", "পুরোটা বলো",
                                   "এর বেশি কিছু জানা নেই?", "tarpr ki hlo"])
def test_then_what_and_keep_telling(real: Responder, asked: str) -> None:
    """"এরপর কী?" (then what?) with a nod before it, "keep telling", "the whole of it",
    "nothing beyond that?" ask to go on."""
    first, more = play(Conversation(real), "lamacon ki?", asked, start=NOW)
    assert more.kind is TurnKind.MORE
    assert facts(more) and facts(more) != facts(first)


@pytest.mark.parametrize("why", ["কেন?", "why?", "keno?"])
def test_why_after_a_list_is_told_by_the_fact_that_names_it_and_says_why(
        real: Responder, why: str) -> None:
    """The adopters' answer names Spotify, AT&T and DoorDash and gives no reason; "why?"
    (do they use it) is the fact next to it that names them and says what makes Llama
    useful to them."""
    _, turn = play(Conversation(real), "কোন কোন কোম্পানি লামা ব্যবহার করে?", why, start=NOW)
    assert facts(turn) == ["versatility"]


@pytest.mark.parametrize(("first", "fact"), [("ইউরোপে লামার কী সমস্যা?", "eu_privacy"),
                                             ("meta war room keno banaise?", "war_rooms")])
def test_why_after_a_fact_with_its_own_reason_stays(real: Responder, first: str,
                                                    fact: str) -> None:
    _, turn = play(Conversation(real), first, "keno?", start=NOW)
    assert facts(turn) == [fact]


@pytest.mark.parametrize("opening", ["আপা, আরেকটা প্রশ্ন:", "ar ekta proshno chilo,",
                                     "Separately,", "এইটা বাদ, অন্য কথা বলি -",
                                     "ও দাদা, আরেকটা প্রশ্ন আছে,"])
def test_another_question_announced_in_words_of_its_own(real: Responder, opening: str) -> None:
    """An opening that announces another question or topic in words of talking ("আরেকটা
    প্রশ্ন", "অন্য কথা", "Separately") switches the subject: the question after it is read as
    it would be alone, not of Europe's troubles just answered."""
    _, turn = play(Conversation(real), "ইউরোপে লামার কী সমস্যা?", f"{opening} লামাকন কবে?",
                   start=NOW)
    assert facts(turn) == ["llamacon"]


def test_an_opening_of_address_alone_keeps_the_subject(real: Responder) -> None:
    """"আপা," (sister) announces nothing: "আপা, এটা কবে হবে?" still asks of LlamaCon."""
    _, turn = play(Conversation(real), "লামাকন কী?", "আপা, এটা কবে হবে?", start=NOW)
    assert facts(turn) == ["llamacon"]


def test_next_then_tell_asks_for_more(real: Responder) -> None:
    _, turn = play(Conversation(real), "lamacon ki?", "next কী আছে? বলো", start=NOW)
    assert turn.kind is TurnKind.MORE


@pytest.mark.parametrize("asked", ["egulo theke ki bojha jay?", "এসব থেকে কী শিক্ষা পাওয়া যায়?"])
def test_these_after_two_answers_reads_them_together(real: Responder, asked: str) -> None:
    """"what do these show?" after the lawsuit and Europe's troubles asks of both: the fact
    that reads them together (the ethics fact), as "এই দুটো" does. (Asking anything else,
    "these" after the ethics fact is its own points: test_generalize_round22.)"""
    _, _, turn = play(Conversation(real), "ইউরোপে লামার কী সমস্যা?", "আর কপিরাইট মামলা?",
                      asked, start=NOW)
    assert facts(turn) == ["ethics_legal"]


def test_these_before_a_noun_points_at_it(real: Responder) -> None:
    """"these war rooms" names what it points at: where they are is not in the article,
    not the rival's country."""
    _, _, turn = play(Conversation(real), "deepseek ki?", "meta ki korlo?",
                      "where are these war rooms located?", start=NOW)
    assert facts(turn) != ["deepseek_r1"]


@pytest.mark.parametrize("message", [
    "লামাকন কবে হবে। আর মেটা এআই-তে কত টাকা খরচ করবে?",
    "Llama koto bar download hoise. r kon kon company use kore?",
])
def test_a_question_closed_by_a_full_stop_before_and(real: Responder, message: str) -> None:
    """A sentence with a question word closed by a dari or full stop, and the next one
    opening with "আর" (and), asks two things: the first is no story to the second."""
    [turn] = play(Conversation(real), message, start=NOW)
    assert len(facts(turn)) == 2


def test_a_story_closed_by_a_full_stop_stays_a_story(real: Responder) -> None:
    """A told sentence without a question word is the story before the question."""
    [turn] = play(Conversation(real), "বন্ধু বলল লামা অনেক ডাউনলোড হয়েছে। আর লামাকন কবে?",
                  start=NOW)
    assert facts(turn) == ["llamacon"]


@pytest.mark.parametrize("asked", ["মেটার এআই নিয়ে বলো", "meta ai niye bolo"])
def test_a_name_inside_another_is_no_second_subject(real: Responder, asked: str) -> None:
    """"মেটা" inside "মেটার এআই" (Meta AI) is part of that name, not a second subject whose
    relation to the first is asked: "tell me about Meta AI" is what Meta AI is (it had been
    a "did you mean" of LlamaCon, or "meta ai niye bolo" an account-help fallback)."""
    [turn] = play(Conversation(real), asked, start=NOW)
    assert facts(turn) == ["meta_ai_assistant"]
