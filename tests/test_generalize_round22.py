"""Mechanisms learned in the twenty-second round. Each test fails without its mechanism."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import fact_answers as facts
from conftest import play

from bot.core.answer import Responder
from bot.core.conversation import Context, Conversation
from bot.core.normalize import clean

NOW = datetime(2025, 4, 1, tzinfo=UTC)


def test_these_two_together_are_read_by_the_fact_related_to_both(real: Responder) -> None:
    """"What do these two show together?" after the lawsuit and Europe's troubles asks what
    the fact next to both tells (the ethics of building AI), not more of the last one; it
    had no subject of its own and was answered "did you mean" or nothing."""
    *_, turn = play(Conversation(real), "কপিরাইট মামলাটা কী নিয়ে?", "আর ইউরোপে কী হয়েছিল?",
                    "এই দুই ঘটনা মিলিয়ে কী বোঝা যায়?", start=NOW)
    assert facts(turn) == ["ethics_legal"]
    *_, turn = play(Conversation(real), "What is the copyright case against Meta about?",
                    "and the trouble in Europe?", "so what do both tell us?", start=NOW)
    assert facts(turn) == ["ethics_legal"]
    *_, turn = play(Conversation(real), "What is the copyright case against Meta about?",
                    "and the trouble in Europe?", "when did these two happen?", start=NOW)
    assert facts(turn) != ["ethics_legal"]  # a date, which that fact does not tell


def test_these_without_two_still_point_at_the_last_answer(real: Responder) -> None:
    """"এগুলো" (these) after the ethics fact is the points that fact makes: only "two",
    "both" or "together" read the last two answers as one."""
    *_, turn = play(Conversation(real), "ইউরোপে লামা আটকে গেল কেন?",
                    "এআই বানানোয় নৈতিক আর আইনি দিক নিয়ে প্রতিবেদন কী বলে?",
                    "সামনে এগুলো আরও জরুরি হবে কেন?", start=NOW)
    assert facts(turn) == ["ethics_legal"]


def test_the_meeting_he_said_it_at_is_the_earnings_call(real: Responder) -> None:
    """The only meeting the article names is the earnings call where Zuckerberg spoke:
    "কোন মিটিংয়ে?" after his outlook was "the article does not say"."""
    *_, turn = play(Conversation(real), "জাকারবার্গ এ বছর লামা নিয়ে কী আশা করেন?",
                    "কোন মিটিংয়ে?", start=NOW)
    assert facts(turn) == ["zuckerberg_outlook"]


def test_formal_the_said_points_back(real: Responder) -> None:
    """"উক্ত" (the said) and the old spelling "ঐ" are pointers of written Bengali: "উক্ত
    ল্যাবটি কোন দেশের?" after the war rooms asks of the rival they name."""
    for pointer in ("উক্ত", "ঐ"):
        *_, turn = play(Conversation(real), "মেটা ওয়ার রুম কেন খুলেছে?",
                        f"{pointer} ল্যাবটি কোন দেশের?", start=NOW)
        assert facts(turn) == ["deepseek_r1"], pointer


def test_what_it_is_after_a_fact_of_its_is_its_own_fact(real: Responder) -> None:
    """"eta ki jinis?" (what is it?) after Llama's downloads asks what Llama is, which
    that answer does not say: it was answered with the downloads again."""
    for question in ("eta asole ki jinis?", "what is it actually?"):
        *_, turn = play(Conversation(real), "লামার ডাউনলোড কত হলো?", question, start=NOW)
        assert facts(turn) == ["what_is_llama"], question
    *_, turn = play(Conversation(real), "ডিপসিক R1 কী?", "eta asole ki jinis?", start=NOW)
    assert facts(turn) == ["deepseek_r1"]  # that answer is its subject's own


def test_as_a_result_leans_on_the_last_answer(real: Responder) -> None:
    """"ফলে" (as a result) asks what followed from the last answer: "ফলে মেটা কী করছে?"
    after DeepSeek's fact got Europe's troubles, whose examples ask what Meta is doing."""
    *_, turn = play(Conversation(real), "ডিপসিক R1 কি লামার চেয়ে এগিয়ে?",
                    "ফলে মেটা কী করছে?", start=NOW)
    assert facts(turn) in (["deepseek_r1"], ["war_rooms"])


def test_things_named_before_a_shared_question_are_each_asked_it(real: Responder) -> None:
    """"লামা ও মেটা এআই কী?" asks what each is; it was read as one question and only Meta AI
    was told. A comparison, or words asking of both together, stays one question."""
    turn = Conversation(real).reply("মেটা এআই আর লামা কী?", Context(), NOW)
    assert facts(turn) == ["meta_ai_assistant", "what_is_llama"]
    turn = Conversation(real).reply("agentic ar multimodal mane ki?", Context(), NOW)
    assert facts(turn) == ["agentic", "multimodal"]
    turn = Conversation(real).reply("ডিপসিক আর লামার মধ্যে কোনটা ভালো?", Context(), NOW)
    assert facts(turn) == ["deepseek_r1"]
    turn = Conversation(real).reply("দুইটা প্রশ্ন, লামা কবে লঞ্চ হয়েছিল?", Context(), NOW)
    assert facts(turn) == ["launch_2023"]  # no thing named before: no part of its own


def test_another_matter_switches_the_topic(real: Responder) -> None:
    """"অন্য কথা, ..." (another thing) starts afresh, like "বাদ দাও, ..."."""
    *_, turn = play(Conversation(real), "কপিরাইট মামলাটা কী নিয়ে?", "অন্য কথা, লামাকন কবে?",
                    start=NOW)
    assert facts(turn) == ["llamacon"]


def test_a_romanized_r_after_a_name_is_its_possessive(real: Responder) -> None:
    """"meta r prothom event" is Meta's first event: it was cut at "r" into "eta ki meta"
    (answered with Zuckerberg's words) and a second part. Before a name it still joins two
    questions."""
    *_, turn = play(Conversation(real), "LlamaCon ki?", "eta ki meta r prothom event naki?",
                    start=NOW)
    assert facts(turn) == ["llamacon"]
    turn = Conversation(real).reply("llama kobe ashe r meta koto khoroch korbe?", Context(), NOW)
    assert facts(turn) == ["launch_2023", "ai_investment"]


def test_from_there_and_organised_for_whom_are_the_event_s(real: Responder) -> None:
    """"okhan theke" (from there) was an unknown word, and "আয়োজিত" (organised) too: each
    turned a question about LlamaCon into "the article does not say"."""
    *_, turn = play(Conversation(real), "LlamaCon kobe?", "okhan theke ki dekhabe meta?",
                    start=NOW)
    assert facts(turn) == ["llamacon"]
    *_, turn = play(Conversation(real), "লামাকন কী?", "এটা কাদের জন্য আয়োজিত?", start=NOW)
    assert facts(turn) == ["llamacon"]


def test_a_currency_sign_of_its_own_says_money(real: Responder) -> None:
    """"how much $$?" was read as "how much": a sign alone is money, one before a figure is
    the figure's."""
    assert clean("how much $$?") == "how much money"
    assert clean("$65 billion, ৳ 500") == "65 billion 500"
    *_, turn = play(Conversation(real), "why did Meta set up war rooms?", "how much $$?",
                    start=NOW)
    assert facts(turn) == ["ai_investment"]
