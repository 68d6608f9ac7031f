"""Gap reports: grouping is storage's job; here, closest facts and the YAML to paste."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.core.answer import Responder
from bot.core.gaps import AskedGap, explain, format_report, suggested_yaml
from bot.core.loader import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Dhaka"))


def test_report_names_closest_fact_and_user_choices() -> None:
    responder = Responder(load_knowledge(ROOT / "knowledge", ZoneInfo("Asia/Dhaka")))
    gaps = [
        AskedGap("llama er dam koto", 5, {"ecosystem_strategy": 3, "license_criticism": 1}),
        AskedGap("ajke brishti hobe", 2),
    ]
    entries = explain(gaps, responder, NOW)
    report = format_report(entries)
    assert report.splitlines()[0].startswith("1. ×5 “llama er dam koto” — closest: ")
    assert "users chose: ecosystem_strategy ×3, license_criticism ×1" in report
    assert entries[0].belongs_to == "ecosystem_strategy"
    assert entries[1].belongs_to is None
    pasted = suggested_yaml(entries)
    assert pasted.startswith("# facts.yaml, under `questions:` of ecosystem_strategy:")
    assert yaml.safe_load(pasted.split("\n", 1)[1]) == ["llama er dam koto"]


def test_empty_report() -> None:
    assert format_report([]) == "No unanswered questions logged yet."
    assert suggested_yaml([]) == ""


def test_report_names_the_choices_users_turned_down() -> None:
    responder = Responder(load_knowledge(ROOT / "knowledge", ZoneInfo("Asia/Dhaka")))
    gaps = [AskedGap("meta", 3, {"ai_investment": 1},
                     refused={"zuckerberg_outlook": 2, "what_is_llama": 1})]
    [line] = format_report(explain(gaps, responder, NOW)).splitlines()
    assert line.endswith("users chose: ai_investment ×1;"
                         " turned down: zuckerberg_outlook ×2, what_is_llama ×1")


def test_words_that_steer_a_conversation_are_no_gap() -> None:
    responder = Responder(load_knowledge(ROOT / "knowledge", ZoneInfo("Asia/Dhaka")))
    entries = explain([AskedGap("আরও বলো", 3), AskedGap("tell me more", 2),
                       AskedGap("ajke brishti hobe", 2)], responder, NOW)
    assert [e.text for e in entries] == ["ajke brishti hobe"]
