"""`llamabot kb review`, `kb gaps --format json|csv` and `data purge`, as real subprocesses on
real databases and a real copy of the knowledge folder; answers are fed on stdin."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_cli import ROOT, run

from bot.storage.connection import DatabaseTarget
from bot.storage.question_log import QuestionLog
from bot.storage.records import QuestionRecord, UserSeen, VoteRecord

NOW = datetime.now(UTC)
RAIN = ["ajke brishti hobe", "ajke ki brishti hobe naki", "আজকে বৃষ্টি হবে"]
RAM = ["llama chalate koto ram lage", "lama chalaite koto ram lagbe"]
ANNOUNCE = ["llamacon e ki ki announce hobe"]
RIGHT = "llama koto bar download hoyeche"  # an eval question the bot answers right today


def log_questions(target: DatabaseTarget, asked: dict[str, list[int]],
                  at: datetime = NOW) -> None:
    log = QuestionLog(target)
    rows = [QuestionRecord(at, "private", text, "fallback", None, 20.0, asked_by=user)
            for text, users in asked.items() for user in users]
    users = {user for found in asked.values() for user in found}
    assert log.write([UserSeen(u, at) for u in sorted(users)], rows), log.error
    log.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy)
    return copy


def review(target: DatabaseTarget, folder: Path, answers: str, *more: str) -> Any:
    return run("kb", "review", "--database", target.location, "--knowledge", str(folder),
               *more, stdin=answers)


def cards_shown(output: str) -> list[str]:
    return [line.split(":")[0] for line in output.splitlines() if line.startswith("Card ")]


def test_a_review_ignores_declines_and_adds_and_shows_nothing_twice(
    database_target: DatabaseTarget, folder: Path
) -> None:
    log_questions(database_target, {RAIN[0]: [1, 2], RAIN[1]: [3], RAIN[2]: [4],
                                    RAM[0]: [5, 6], RAM[1]: [7], ANNOUNCE[0]: [8]})
    facts = (folder / "facts.yaml").read_bytes()
    decline = (folder / "decline.yaml").read_bytes()
    # Card 1 (4 users): a wrong key first, then ignore. Card 2: decline as another subject.
    # Card 3: choose the llamacon fact from the list.
    result = review(database_target, folder, "x\ni\nd\nc\nllamacon\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert cards_shown(out) == ["Card 1 of 3", "Card 2 of 3", "Card 3 of 3"]
    assert "Card 1 of 3: 4 user(s), 4 question(s) (unanswered 4)" in out
    assert "  ×2 ajke brishti hobe" in out and "  ×1 আজকে বৃষ্টি হবে" in out
    assert "? 'x': type 1 to 3, c, d, i, s or q" in out
    assert "Ignored: these questions will not be shown again." in out
    assert "d  decline: another subject (adds to install_and_run)" in out
    assert 'decline.yaml: 2 line(s) added:\n  +       - "llama chalate koto ram lage"' in out
    assert "eval: 244 question(s), 0 broken" in out
    assert out.count("Applied to ") == 2 and out.rstrip().endswith("Review finished.")
    new_decline = (folder / "decline.yaml").read_text(encoding="utf-8")
    assert new_decline == decline.decode().replace(
        '"Windows এ llama setup করতে error আসতেছে"\n',
        '"Windows এ llama setup করতে error আসতেছে"\n'
        '      - "llama chalate koto ram lage"\n      - "lama chalaite koto ram lagbe"\n')
    added = set((folder / "facts.yaml").read_text().splitlines()) - set(facts.decode().splitlines())
    assert added == {'      - "llamacon e ki ki announce hobe"'}
    for question in RAM + ANNOUNCE:
        asked = run("ask", "--json", "--knowledge", str(folder), question)
        answer = json.loads(asked.stdout)
        assert answer["kind"] == ("fact" if question in ANNOUNCE else "fallback"), answer
    again = review(database_target, folder, "")
    assert again.returncode == 0
    assert "Nothing to review" in again.stdout


def test_questions_decided_in_a_review_leave_the_gaps_report(
    database_target: DatabaseTarget, folder: Path
) -> None:
    """QA: a question ignored or declined through `kb review` (or /review) stayed in `kb gaps`
    and /gaps, so admins took it for one still open. Decided questions leave the report; the
    log keeps them (the decision is kept beside it, as "What is stored" says)."""
    log_questions(database_target, {RAIN[0]: [1, 2], RAIN[1]: [3], RAIN[2]: [4],
                                    RAM[0]: [5, 6], RAM[1]: [7], ANNOUNCE[0]: [8]})

    def gaps() -> str:
        result = run("kb", "gaps", "--database", database_target.location, "--knowledge",
                     str(folder))
        assert result.returncode == 0, result.stderr
        return result.stdout

    before = gaps()
    assert all(f"“{q}”" in before for q in RAIN + RAM + ANNOUNCE), before
    # Card 1 (the rain): ignored; card 2 (the RAM): declined; card 3 (LlamaCon): skipped.
    result = review(database_target, folder, "i\nd\ns\n")
    assert result.returncode == 0, result.stderr
    after = gaps()
    assert not any(f"“{q}”" in after for q in RAIN + RAM), after
    assert f"1. ×1 “{ANNOUNCE[0]}”" in after  # skipped: still open
    log = QuestionLog(database_target)
    try:
        logged = log.stats()
    finally:
        log.close()
    assert logged is not None and logged.by_kind == {"fallback": 8}  # the log keeps them


def test_an_edit_that_breaks_a_right_question_is_not_applied_until_confirmed(
    database_target: DatabaseTarget, folder: Path
) -> None:
    log_questions(database_target, {RIGHT: [1, 2]})
    facts = (folder / "facts.yaml").read_bytes()
    refused = review(database_target, folder, "c\nlaunch_2023\nn\nq\n")
    assert refused.returncode == 0, refused.stderr
    assert "Applying would break:" in refused.stdout
    assert (f"  {RIGHT!r} (expected downloads_milestone): downloads_milestone -> None"
            in refused.stdout)
    assert "Cancelled: nothing was written." in refused.stdout
    assert (folder / "facts.yaml").read_bytes() == facts
    assert not (folder / ".history").exists() or not any(
        p.name.endswith("facts.yaml") for p in (folder / ".history").iterdir())
    # Not decided: the card comes back, and this time the admin confirms.
    confirmed = review(database_target, folder, "c\nlaunch_2023\ny\n")
    assert "Applied to facts.yaml" in confirmed.stdout, confirmed.stdout
    notes = (folder / ".history" / "notes.jsonl").read_text(encoding="utf-8")
    assert "1 question added to launch_2023 (applied anyway: " in notes
    assert "(kb review)" in json.loads(notes.splitlines()[-1])["by"]


def test_the_end_of_input_ends_the_review_without_a_traceback(
    database_target: DatabaseTarget, folder: Path
) -> None:
    log_questions(database_target, {RAIN[0]: [1]})
    result = review(database_target, folder, "c\n")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.rstrip().endswith("Review finished.")


def test_gaps_as_json_and_csv_for_a_spreadsheet(database_target: DatabaseTarget) -> None:
    log_questions(database_target, {RAIN[0]: [1, 2], RAIN[1]: [3], RAM[0]: [4]})
    log = QuestionLog(database_target)
    answered = QuestionRecord(NOW, "private", "llama ki free", "fact", "license_criticism",
                              90.0, 9, 70, asked_by=5, margin=30.0)
    assert log.write([], [answered], votes=[VoteRecord(NOW, 9, 70, 6, False, "incomplete")])
    log.close()
    result = run("kb", "gaps", "--format", "json", "--database", database_target.location)
    assert result.returncode == 0, result.stderr
    cards = json.loads(result.stdout)
    assert [(c["key"], c["users"], c["count"]) for c in cards] == [
        (RAIN[0], 3, 3), (RAM[0], 1, 1), ("llama ki free", 1, 1)]
    assert cards[0]["questions"] == [{"text": RAIN[0], "count": 2}, {"text": RAIN[1], "count": 1}]
    assert cards[0]["decline"] == "unrelated_chat" and len(cards[0]["closest"]) == 3
    assert cards[2]["signals"] == {"disliked": 1}
    assert cards[2]["answered"] == {"license_criticism": 1}
    assert cards[2]["reasons"] == {"incomplete": 1}
    table = run("kb", "gaps", "--format", "csv", "--limit", "1",
                "--database", database_target.location)
    assert table.returncode == 0, table.stderr
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert [(r["card"], r["users"], r["question"], r["count"], r["signals"]) for r in rows] == [
        ("1", "3", RAIN[0], "2", "unanswered=3"), ("1", "3", RAIN[1], "1", "unanswered=3")]
    assert rows[0]["closest_1"] == cards[0]["closest"][0]


def test_purge_deletes_rows_older_than_the_age_given(database_target: DatabaseTarget) -> None:
    log_questions(database_target, {"old question": [1]}, at=NOW - timedelta(days=100))
    log_questions(database_target, {"new question": [2]})
    result = run("data", "purge", "--older-than", "90d", "--database", database_target.location)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("deleted 1 question(s) and tap(s), 0 vote(s),"
                                    " 0 review decision(s) and 1 user(s) last seen before ")
    assert ("UTC, 0 chat(s) unsubscribed, 0 broadcast delivery row(s) and 0 broadcast(s)"
            " finished before then") in result.stdout
    gaps = json.loads(run("kb", "gaps", "--format", "json",
                          "--database", database_target.location).stdout)
    assert [c["key"] for c in gaps] == ["new question"]


@pytest.mark.parametrize("args, message", [
    (["data", "purge", "--older-than", "90 days"], "error: --older-than '90 days' is not an age"),
    (["data", "purge", "--older-than", "0d"], "error: --older-than '0d' is not an age"),
    (["kb", "review"], "error: no database at "),
    (["kb", "gaps", "--format", "csv"], "error: no database at "),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    database = tmp_path / "bot.sqlite3"
    if args[0] == "data":
        log_questions(DatabaseTarget.parse(database), {"q": [1]})
    result = run(*args, env={"LLAMABOT_DATABASE": str(database)})
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_a_broken_eval_file_is_one_line(tmp_path: Path, folder: Path) -> None:
    database = DatabaseTarget.parse(tmp_path / "bot.sqlite3")
    log_questions(database, {RAIN[0]: [1]})
    broken = tmp_path / "eval.yaml"
    broken.write_text("questions: [", encoding="utf-8")
    result = review(database, folder, "q\n", "--eval", str(broken))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {broken}: cannot read question file")
    # Named on purpose and missing: a typo, not a choice to measure nothing.
    missing = review(database, folder, "q\n", "--eval", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2
    assert missing.stderr == f"error: --eval '{tmp_path / 'none.yaml'}': no such file\n"


def test_a_choice_of_thousands_of_digits_is_no_traceback(
    database_target: DatabaseTarget, folder: Path
) -> None:
    """Found by the red-team run: Python refuses to read a number of over 4,300 digits."""
    log_questions(database_target, {RAIN[0]: [1]})
    result = review(database_target, folder, "9" * 5000 + "\n" + "c\n" + "9" * 5000 + "\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_a_read_only_knowledge_folder_is_refused_in_one_line() -> None:
    """The scratch copy an edit is checked in kept the folder's mode: staging failed with a
    PermissionError traceback (Telegram's uploads and /review stage the same way)."""
    import os
    import subprocess
    import tempfile

    from test_cli import LLAMABOT

    base = Path(tempfile.mkdtemp(prefix="llamabot-ro-"))  # under /tmp: another user reaches it
    try:
        base.chmod(0o777)  # the SQLite file's journal is written beside it
        folder = base / "knowledge"
        shutil.copytree(ROOT / "knowledge", folder)
        before = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
        database = base / "bot.sqlite3"
        log_questions(DatabaseTarget.parse(str(database)), {RAIN[0]: [1, 2]})
        database.chmod(0o666)
        folder.chmod(0o555)
        # Root writes into a read-only folder anyway: run as nobody then.
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        if os.geteuid() == 0 and not shutil.which("setpriv"):
            pytest.skip("running as root, without setpriv to run as another user")
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
        result = subprocess.run(
            [*(as_nobody if os.geteuid() == 0 else []), LLAMABOT, "kb", "review", "--database",
             str(database), "--knowledge", str(folder)],
            input="d\nq\n", capture_output=True, text=True, cwd=base, env=environment,
            timeout=120)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 0, result.stderr
        assert "Not applied: cannot edit the knowledge folder: .history: Permission denied" in (
            result.stdout), result.stdout
        assert {p.name: p.read_bytes() for p in folder.glob("*.yaml")} == before
    finally:
        for path in (base, *base.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(base)


def test_two_reviews_of_one_card_add_its_questions_once(tmp_path: Path, folder: Path) -> None:
    """A review answers from the knowledge it loaded; another review (or an upload) applied
    since: the same questions were added again, as many times as reviews decided the card."""
    import os
    import subprocess

    from test_cli import LLAMABOT

    database = DatabaseTarget.parse(str(tmp_path / "bot.sqlite3"))
    log_questions(database, {RAIN[0]: [1, 2], RAIN[2]: [3]})
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    command = [LLAMABOT, "kb", "review", "--database", database.location, "--knowledge",
               str(folder)]
    first = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=tmp_path, env=environment)
    try:
        shown = b""
        assert first.stdout is not None
        while b"choice> " not in shown:  # the first review shows the card, and waits
            chunk = os.read(first.stdout.fileno(), 65536)
            assert chunk, shown.decode()
            shown += chunk
        second = run(*command[1:], stdin="d\nq\n", cwd=tmp_path)
        assert "Applied to decline.yaml" in second.stdout, second.stdout + second.stderr
        out, err = first.communicate(b"d\ni\nq\n", timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert "Traceback" not in err.decode(), err.decode()
    decline = (folder / "decline.yaml").read_text(encoding="utf-8")
    assert decline.count(f'"{RAIN[0]}"') == 1 and decline.count(f'"{RAIN[2]}"') == 1
    assert "has every one of these questions already" in out.decode()


def test_a_wrong_key_is_told_the_keys_the_card_shows(tmp_path: Path, folder: Path) -> None:
    """QA 19: a card with no closest fact (nor a decline intent) answered a wrong key with
    "type a number shown, c, d, i, s or q", though it showed no number (nor d)."""
    target = DatabaseTarget.parse(tmp_path / "review.sqlite3")
    log_questions(target, {"আবহাওয়া কেমন": [1, 2], RAIN[0]: [3]})
    result = review(target, folder, "9\ns\nx\nq\n")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split("\nCard 2")
    assert "  1  add to" not in first and "  d  decline" in first
    assert "? '9': type c, d, i, s or q" in first
    assert "  3  add to" in second and "? 'x': type 1 to 3, c, d, i, s or q" in second
