"""Teaching from the review (bot.teach) on a real copy of the knowledge folder: the edit adds
only lines, is measured against the eval set, is refused until confirmed when it breaks a
question that was right, and is undone byte for byte by a rollback."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import kbedit, teach
from bot.core.answer import AnswerKind, Responder
from bot.core.evaluation import load_questions
from bot.core.loader import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 10, 0, tzinfo=TZ)
EVAL = load_questions(ROOT / "tests" / "data" / "eval_questions.yaml")
# Right today (tests/data/eval_questions.yaml): added to another fact, it goes wrong.
RIGHT = "llama koto bar download hoyeche"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    return copy


def responder(folder: Path) -> Responder:
    return Responder(load_knowledge(folder, TZ))


def added_lines(before: bytes, after: bytes) -> list[str]:
    old, new = before.decode().splitlines(), after.decode().splitlines()
    for line in old:  # every old line is still there, in order
        new.remove(line) if line in new else pytest.fail(f"line lost: {line!r}")
    return new


def test_declining_another_subject_adds_only_lines_and_rolls_back_byte_for_byte(
    folder: Path,
) -> None:
    current = responder(folder)
    rain = ("ajke brishti hobe", "ajke ki brishti hobe naki")
    before = (folder / "decline.yaml").read_bytes()
    lesson = teach.Lesson(teach.Action.DECLINE, "unrelated_chat", rain)
    proposal = teach.propose(folder, lesson, current, EVAL, TZ, NOW)
    assert (proposal.name, proposal.added, proposal.measured) == ("decline.yaml", rain, len(EVAL))
    assert not proposal.broken and not proposal.needs_confirmation
    assert (folder / "decline.yaml").read_bytes() == before  # nothing written yet
    applied = teach.apply(folder, proposal, TZ, NOW, by="admin 999")
    after = (folder / "decline.yaml").read_bytes()
    assert added_lines(before, after) == [f'      - "{q}"' for q in rain]
    taught = Responder(applied.knowledge)
    for question in rain:
        answer = taught.ask(question, NOW)
        assert (answer.kind, answer.intent_id) == (AnswerKind.FALLBACK, "unrelated_chat")
    [change] = kbedit.history(folder)
    assert (change.name, change.by) == ("decline.yaml", "admin 999")
    assert change.what == "2 questions declined as unrelated_chat"
    assert change.at == "2025-04-20T04:00:00+00:00"
    assert kbedit.rollback(folder, TZ, NOW).name == "decline.yaml"
    assert (folder / "decline.yaml").read_bytes() == before
    assert kbedit.history(folder) == []


def test_adding_to_a_fact_makes_the_users_questions_answered(folder: Path) -> None:
    current = responder(folder)
    asked = ("llamacon e ki ki announce hobe", "llamacon er main ghoshona ki")
    fact_id = "llamacon"
    proposal = teach.propose(folder, teach.Lesson(teach.Action.ADD, fact_id, asked), current,
                             EVAL, TZ, NOW)
    assert not proposal.needs_confirmation, (proposal.broken, proposal.collisions)
    assert proposal.lines == tuple(f'      - "{q}"' for q in asked)
    taught = Responder(teach.apply(folder, proposal, TZ, NOW, by="alice").knowledge)
    assert [taught.ask(q, NOW).fact_id for q in asked] == [fact_id, fact_id]
    assert Responder(load_knowledge(folder, TZ)).knowledge.facts[fact_id].questions[-2:] == asked


def test_an_edit_that_breaks_a_right_question_waits_for_confirmation(folder: Path) -> None:
    current = responder(folder)
    assert any(q.text == RIGHT for q in EVAL)
    assert current.ask(RIGHT, NOW).fact_id == "downloads_milestone"
    before = (folder / "facts.yaml").read_bytes()
    # Another fact about Llama (LlamaCon's would not claim it: a question naming Llama and not
    # LlamaCon is not about LlamaCon).
    lesson = teach.Lesson(teach.Action.ADD, "launch_2023", (RIGHT,))
    proposal = teach.propose(folder, lesson, current, EVAL, TZ, NOW)
    assert proposal.needs_confirmation
    broken = {s.question: (s.expect, s.before, s.after) for s in proposal.broken}
    # Two facts now claim it: neither wins clearly, and the bot no longer answers it.
    assert broken[RIGHT] == ("downloads_milestone", "downloads_milestone", None)
    assert any(c.startswith(f"{RIGHT!r} matches downloads_milestone") for c in proposal.collisions)
    with pytest.raises(teach.Unconfirmed, match="breaks 'llama koto bar download hoyeche'") as err:
        teach.apply(folder, proposal, TZ, NOW, by="admin 999")
    assert err.value.proposal is proposal
    assert (folder / "facts.yaml").read_bytes() == before
    assert kbedit.history(folder) == []
    applied = teach.apply(folder, proposal, TZ, NOW, by="admin 999", confirmed=True)
    assert Responder(applied.knowledge).ask(RIGHT, NOW).fact_id is None
    [change] = kbedit.history(folder)
    assert change.what.startswith("1 question added to launch_2023 (applied anyway: ")
    kbedit.rollback(folder, TZ, NOW)
    assert (folder / "facts.yaml").read_bytes() == before


def test_a_file_edited_since_the_proposal_is_not_overwritten(folder: Path) -> None:
    current = responder(folder)
    proposal = teach.propose(folder, teach.Lesson(teach.Action.DECLINE, "unrelated_chat",
                                                  ("ajke brishti hobe",)), current, [], TZ, NOW)
    assert proposal.measured == 0
    edited = (folder / "decline.yaml").read_bytes() + b"# a hand edit\n"
    (folder / "decline.yaml").write_bytes(edited)
    with pytest.raises(kbedit.StaleEdit):
        teach.apply(folder, proposal, TZ, NOW, by="alice")
    assert (folder / "decline.yaml").read_bytes() == edited


@pytest.mark.parametrize("lesson, message", [
    (teach.Lesson(teach.Action.ADD, "no_such_fact", ("q",)), "there is no fact 'no_such_fact'"),
    (teach.Lesson(teach.Action.DECLINE, "downloads_milestone", ("q",)),
     "no decline intent 'downloads_milestone'"),
    (teach.Lesson(teach.Action.ADD, "downloads_milestone", ("লামা কতবার ডাউনলোড হয়েছে", " ")),
     "has every one of these questions already"),
    (teach.Lesson(teach.Action.IGNORE, "downloads_milestone", ("q",)),
     "does not edit the knowledge"),
])
def test_lessons_that_cannot_be_taught_are_refused(folder: Path, lesson: teach.Lesson,
                                                    message: str) -> None:
    before = (folder / "facts.yaml").read_bytes()
    with pytest.raises(teach.TeachError, match=message):
        teach.propose(folder, lesson, responder(folder), EVAL, TZ, NOW)
    assert (folder / "facts.yaml").read_bytes() == before


def test_questions_the_intent_has_already_are_not_added_twice(folder: Path) -> None:
    again = "lama ekhon koto download"
    lesson = teach.Lesson(teach.Action.ADD, "downloads_milestone",
                          ("লামা কতবার ডাউনলোড হয়েছে", again, again))
    proposal = teach.propose(folder, lesson, responder(folder), [], TZ, NOW)
    assert proposal.added == ("lama ekhon koto download",)


def test_teaching_a_fact_a_question_about_another_subject_asks_for_confirmation(
    folder: Path,
) -> None:
    """Found by the red-team run: "amazon ai te koto khoroch korbe" added to Meta's
    investment fact was applied as "nothing broke", and the bot declined it as before:
    the question names Amazon, which the fact is not about."""
    lesson = teach.Lesson(teach.Action.ADD, "ai_investment", ("amazon ai te koto khoroch korbe",))
    proposal = teach.propose(folder, lesson, responder(folder), EVAL, TZ, NOW)
    assert proposal.needs_confirmation
    assert any("would still not be answered with ai_investment" in c
               for c in proposal.collisions)
    with pytest.raises(teach.Unconfirmed, match="would still not be answered"):
        teach.apply(folder, proposal, TZ, NOW, by="admin 1")


def test_a_rolled_back_lesson_hands_back_the_questions_it_taught(folder: Path) -> None:
    """So that /rollback can put them back in the review (second red-team run)."""
    rain = ("ajke brishti hobe", "ajke ki brishti hobe naki")
    lesson = teach.Lesson(teach.Action.DECLINE, "unrelated_chat", rain)
    proposal = teach.propose(folder, lesson, responder(folder), EVAL, TZ, NOW)
    teach.apply(folder, proposal, TZ, NOW, by="admin 999")
    assert kbedit.rollback(folder, TZ, NOW).taught == rain
