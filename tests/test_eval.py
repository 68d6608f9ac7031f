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
