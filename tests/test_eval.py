"""The figures the matcher must reach on the labelled question file."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.answer import Responder
from bot.core.evaluation import evaluate, format_report, load_questions
from bot.core.loader import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Dhaka")


def test_eval_file_is_large_and_balanced() -> None:
    knowledge = load_knowledge(ROOT / "knowledge", TZ)
    questions = load_questions(ROOT / "tests" / "data" / "eval_questions.yaml")
    assert len(questions) >= 200
    for fact in knowledge.facts:
        assert sum(q.expect == fact for q in questions) >= 6, fact
    assert sum(q.expect is None for q in questions) >= 40
    assert {q.kind for q in questions} >= {"bn_formal", "bn_colloquial", "romanized", "english"}


def test_accuracy_and_rejection_reach_the_targets() -> None:
    responder = Responder(load_knowledge(ROOT / "knowledge", TZ))
    questions = load_questions(ROOT / "tests" / "data" / "eval_questions.yaml")
    report = evaluate(responder, questions, datetime(2025, 4, 20, tzinfo=TZ))
    facts = set(responder.knowledge.facts)
    summary = format_report(report, facts)
    assert report.accuracy(facts) >= 0.95, summary
    assert report.rejection() >= 0.90, summary


def test_a_question_two_facts_answer_is_right_with_either(tmp_path: Path) -> None:
    """`expect_any:` in a question file: "which companies use Llama?" is answered by the
    adopters' fact and by the uses they show; either counts, anything else does not."""
    path = tmp_path / "questions.yaml"
    path.write_text(
        "questions:\n"
        "- {q: \"লামাকন কবে?\", expect_any: [reasoning_models, llamacon]}\n"
        "- {q: \"লামাকন কবে?\", expect_any: [reasoning_models, future_outlook]}\n"
        "- {q: \"লামাকন কবে?\", expect: llamacon}\n", encoding="utf-8")
    questions = load_questions(path)
    assert questions[0].expect == "reasoning_models"
    responder = Responder(load_knowledge(ROOT / "knowledge", TZ))
    report = evaluate(responder, questions, datetime(2025, 4, 20, tzinfo=TZ))
    assert [o.correct for o in report.outcomes] == [True, False, True]
    facts = set(responder.knowledge.facts)
    assert report.accuracy(facts) == 2 / 3


def test_a_miss_of_a_question_two_facts_answer_names_both(tmp_path: Path) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text("questions:\n- {q: \"লামাকন কবে?\", expect_any: [reasoning_models, "
                    "future_outlook]}\n", encoding="utf-8")
    responder = Responder(load_knowledge(ROOT / "knowledge", TZ))
    report = evaluate(responder, load_questions(path), datetime(2025, 4, 20, tzinfo=TZ))
    text = format_report(report, set(responder.knowledge.facts))
    assert "expected reasoning_models or future_outlook, got llamacon" in text
