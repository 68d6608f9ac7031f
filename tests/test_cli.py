"""The `llamabot` command, run as a real subprocess."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
LLAMABOT = str(Path(sys.executable).parent / "llamabot")


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [LLAMABOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


def test_ask_json_contract() -> None:
    result = run("ask", "--json", "--now", "2025-04-20", "lama koto bar download hoyeche")
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert set(row) >= {"question", "fact_id", "score", "answer", "citation", "suggestions"}
    assert row["fact_id"] == "downloads_milestone"
    assert 0 <= row["score"] <= 100
    assert set(row["citation"]) >= {"source", "section", "quote"}
    assert all(isinstance(s, str) for s in row["suggestions"])


def test_ask_json_reads_one_question_per_line_from_stdin() -> None:
    result = run("ask", "--json", "-", stdin="লামাকন কবে?\n\nHow do I reset my Facebook password?\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == [
        "লামাকন কবে?",
        "",
        "How do I reset my Facebook password?",
    ]
    assert rows[0]["fact_id"] == "llamacon"
    assert rows[1]["fact_id"] is None and rows[1]["citation"] is None
    assert rows[2]["fact_id"] is None


def test_ask_plain_text_shows_citation() -> None:
    result = run("ask", "লামা", "কপিরাইট", "মামলা")
    assert result.returncode == 0
    assert "সূত্র:" in result.stdout and "ই-বুক" in result.stdout


def test_shell_chats_until_end_of_input(tmp_path: Path) -> None:
    result = run(
        "shell", stdin="hello\nlamacon kobe\n1\nexit\n", env={"XDG_STATE_HOME": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("লামাবট>") == 3
    assert "Traceback" not in result.stderr


def test_main_job_without_token_is_the_console_chat(tmp_path: Path) -> None:
    result = run(stdin="ধন্যবাদ\n", env={"XDG_STATE_HOME": str(tmp_path)})
    assert result.returncode == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "লামাবট>" in result.stdout


def test_kb_validate_ok_and_broken(tmp_path: Path) -> None:
    ok = run("kb", "validate")
    assert ok.returncode == 0 and ok.stdout.startswith("OK: 22 facts")
    broken = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", broken)
    facts = broken / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(
            "id: what_is_llama", "id: downloads_milestone", 1
        ),
        encoding="utf-8",
    )
    result = run("kb", "validate", str(broken))
    assert result.returncode == 1
    # The entity that pointed at the renamed fact is reported too, in its own file.
    lines = [x for x in result.stdout.splitlines() if x.startswith(f"{facts}:")]
    assert any("duplicate fact id 'downloads_milestone'" in line for line in lines)
    as_json = run("kb", "validate", str(broken), "--format", "json")
    assert str(facts) in [p["file"] for p in json.loads(as_json.stdout)]


def test_broken_knowledge_gives_one_clear_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text("version: 1\nfacts: [\n", encoding="utf-8")
    result = run("ask", "--knowledge", str(tmp_path), "hello")
    assert result.returncode == 1
    assert "facts.yaml:3:1: YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run("ask", "--knowledge", str(tmp_path / "nope"), "hello")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_kb_eval_thresholds_set_the_exit_code() -> None:
    data = str(ROOT / "tests" / "data" / "eval_questions.yaml")
    report = run("kb", "eval", data, "--min-accuracy", "90", "--min-rejection", "85")
    assert report.returncode == 0, report.stdout
    assert "in-scope top-1 accuracy" in report.stdout and "by kind of question" in report.stdout
    assert run("kb", "eval", data, "--min-accuracy", "100").returncode == 1  # 98.9% < 100%


@pytest.mark.parametrize(
    "command",
    [[], ["ask"], ["shell"], ["run"], ["kb"], ["kb", "validate"], ["kb", "eval"], ["kb", "gaps"]],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "example" in result.stdout


def test_kb_validate_reports_examples_that_collide_between_facts(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", broken)
    facts = broken / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    # Give llamacon an example that is word for word one of ai_investment's.
    start = text.index("  - id: llamacon\n", text.index("\nfacts:"))
    questions_at = text.index("    questions:\n", start) + len("    questions:\n")
    text = text[:questions_at] + '      - "মেটা এআই-তে কত টাকা বিনিয়োগ করছে?"\n' + text[questions_at:]
    facts.write_text(text, encoding="utf-8")
    result = run("kb", "validate", str(broken))
    assert result.returncode == 1
    assert "of 'llamacon' matches 'ai_investment'" in result.stdout
    line = result.stdout.splitlines()[0]
    assert line.startswith(f"{facts}:") and "fix: reword it" in line


def test_kb_eval_against_lists_changed_answers(tmp_path: Path) -> None:
    edited = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", edited)
    facts = edited / "facts.yaml"
    start = facts.read_text(encoding="utf-8")
    # Remove every example of one fact but its first: its answers must change.
    lines = start.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: deepseek_r1")
    q = next(i for i in range(at, len(lines)) if lines[i].strip() == "questions:")
    end = next(i for i in range(q + 2, len(lines)) if not lines[i].startswith("      - "))
    facts.write_text("".join(lines[: q + 2] + lines[end:]), encoding="utf-8")
    data = str(ROOT / "tests" / "data" / "eval_questions.yaml")
    result = run("kb", "eval", data, "--against", str(edited))
    assert result.returncode == 0
    assert (
        "broken: " in result.stdout and "(expected deepseek_r1): deepseek_r1 -> " in result.stdout
    )
    assert result.stdout.rstrip().endswith(f"answers differ between knowledge and {edited}")


def test_kb_gaps_reports_from_the_database(tmp_path: Path, database_target: Any) -> None:
    from datetime import UTC, datetime

    from bot.storage.question_log import QuestionLog
    from bot.storage.records import TAP_KIND, QuestionRecord

    database = QuestionLog(database_target)
    now = datetime.now(UTC)
    rows = [QuestionRecord(now, "private", "llama er dam koto", "suggest", None, 55.0)] * 3
    rows += [QuestionRecord(now, "private", "ajke brishti hobe", "fallback", None, 10.0)]
    rows += [
        QuestionRecord(now, "button", "llama er dam koto", TAP_KIND, "ecosystem_strategy", 0.0)
    ]
    assert database.write([], rows)
    database.close()
    result = run("kb", "gaps", "--database", database_target.location)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. ×3 “llama er dam koto” — closest: ")
    assert "users chose: ecosystem_strategy ×1" in lines[0]
    assert lines[1].startswith("2. ×1 “ajke brishti hobe”")
    assert '      - "llama er dam koto"' in result.stdout
    missing = run("kb", "gaps", "--database", str(tmp_path / "none.sqlite3"))
    assert missing.returncode == 2 and "no database at" in missing.stderr
    unknown = run("kb", "gaps", "--database", "mysql://root@localhost/bot")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: unsupported database")
    assert "Traceback" not in unknown.stderr


def test_a_limit_of_zero_is_refused_not_read_as_an_empty_log(
    tmp_path: Path, database_target: Any
) -> None:
    """`kb gaps --limit 0` said "No unanswered questions logged yet." over a log full of them
    (and `broadcast status --limit 0` "no broadcasts yet"): a limit is 1 or more."""
    from datetime import UTC, datetime

    from bot.storage.question_log import QuestionLog
    from bot.storage.records import QuestionRecord

    database = QuestionLog(database_target)
    assert database.write([], [QuestionRecord(datetime.now(UTC), "private", "ajke brishti hobe",
                                              "fallback", None, 10.0)])
    database.close()
    for command in (["kb", "gaps"], ["broadcast", "status"]):
        result = run(*command, "--limit", "0", "--database", database_target.location)
        assert result.returncode == 2, result
        assert "argument --limit: '0' is out of range (1 to 1,000,000)" in result.stderr
        assert "No unanswered" not in result.stdout and "Traceback" not in result.stderr
    assert "ajke brishti hobe" in run("kb", "gaps", "--limit", "1", "--database",
                                      database_target.location).stdout


def test_kb_validate_locates_an_event_offset_too_large_to_compute(tmp_path: Path) -> None:
    """`remind_before: [99999999999d]` was an OverflowError traceback with exit 0."""
    broken = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", broken)
    events = broken / "events.yaml"
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace("[7d, 1d, 1h]", "[7d, 99999999999d]", 1), encoding="utf-8")
    line = next(
        n
        for n, row in enumerate(events.read_text(encoding="utf-8").splitlines(), 1)
        if "99999999999d" in row
    )
    result = run("kb", "validate", str(broken))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "1 problem(s) found" in result.stderr
    assert result.stdout.startswith(f"{events}:{line}:"), result.stdout
    assert "'99999999999d' is a year or more" in result.stdout


def test_kb_eval_against_summarises_every_section_that_changed(tmp_path: Path) -> None:
    """An emptied decline file changed answers, yet no summary line said why."""
    edited = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", edited)
    (edited / "decline.yaml").write_text("version: 1\n", encoding="utf-8")
    data = str(ROOT / "tests" / "data" / "eval_questions.yaml")
    result = run("kb", "eval", data, "--against", str(edited))
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("declines removed (") and " other_ai_products (" in first, first


def test_ask_shows_the_corrected_section_title_and_keeps_the_heading() -> None:
    """The article's misprinted heading (a Telugu word in Bengali) reached every citation."""
    as_json = json.loads(run("ask", "--json", "লামা মানে কী?").stdout)
    assert as_json["fact_id"] == "what_is_llama"
    assert as_json["citation"]["section"] == "লামার বিস্তৃত ইকোসিস্টেম এবং বাণিজ্যিক গ্রহণ"
    misprint = "\u0c35\u0c3f\u0c38\u0c4d\u0c24"  # Telugu letters inside the Bengali word
    assert as_json["citation"]["heading"] == f"লামার {misprint}ৃত ইকোসিস্টেম এবং বাণিজ্যিক গ্রহণ"
    plain = run("ask", "লামা মানে কী?").stdout
    assert "লামার বিস্তৃত ইকোসিস্টেম" in plain and misprint not in plain


@pytest.mark.parametrize("args", [
    ("data", "purge", "--older-than", "90d", "--now", "0001-01-01"),
    ("kb", "gaps", "--limit", "99999999999999999999"),
    ("broadcast", "status", "--limit", "99999999999999999999"),
    ("ask", "--now", "9999-12-31", "লামা কী?"),
])
def test_numbers_and_dates_out_of_range_get_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    database = tmp_path / "bot.db"
    database.touch()
    result = run(*args, env={"LLAMABOT_DATABASE": str(database)})
    assert result.returncode == 2
    assert "out of range" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", [
    "postgresql://bot@127.0.0.1:1/db?password=Pr1vateWord",
    "postgresql://bot:Pr1vate#Word@127.0.0.1:1/db",
    "postgresql://bot:Pr1vateWord@[::1:1/db",
])
@pytest.mark.parametrize("args", [("broadcast", "status"), ("kb", "gaps"),
                                  ("data", "purge", "--older-than", "90d")])
def test_the_database_password_never_reaches_the_terminal(url: str, args: tuple[str, ...]) -> None:
    result = run(*args, env={"LLAMABOT_DATABASE": url})
    assert result.returncode != 0
    assert "Pr1vate" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr



@pytest.mark.parametrize("value", ["nan", "-1", "101", "ninety"])
def test_a_threshold_that_is_no_percentage_is_refused_by_name(value: str) -> None:
    """Found by the red-team run: "--min-accuracy nan" failed every set without a reason."""
    result = run("kb", "eval", "tests/data/eval_questions.yaml", "--min-accuracy", value)
    assert result.returncode == 2 and "--min-accuracy" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_endless_question_file_is_refused_not_read_until_memory_runs_out() -> None:
    result = run("kb", "eval", "/dev/zero")
    assert result.returncode != 0 and "not a regular file" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(("questions", "option", "missing"), [
    ("[]", "--min-accuracy", "no in-scope questions"),
    ('[{q: "bitcoin price?", expect: null}]', "--min-accuracy", "no in-scope questions"),
    ("[]", "--min-rejection", "no out-of-scope questions"),
    ('[{q: "লামাকন কবে?", expect: llamacon}]', "--min-rejection", "no out-of-scope questions"),
])
def test_a_threshold_over_no_questions_fails(
        tmp_path: Path, questions: str, option: str, missing: str) -> None:
    """Found by the red-team run: 0 of 0 read as 100%, so a gate over nothing passed."""
    data = tmp_path / "questions.yaml"
    data.write_text(f"version: 1\nquestions: {questions}\n", encoding="utf-8")
    result = run("kb", "eval", str(data), option, "90")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert missing in result.stderr and option in result.stderr, result.stderr


@pytest.mark.parametrize("secret", ["s", "short_secret", "has space in it ok", "ü" * 20, "x" * 257])
def test_a_webhook_secret_telegram_would_refuse_or_one_easy_to_guess_is_refused(
        secret: str) -> None:
    result = run("run", "--webhook", "https://bot.example.org/tg", "--secret-token", secret,
                 env={"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: --secret-token must be 16 to 256 letters, digits, '_' or '-'")  # not echoed


def test_kb_validate_names_curly_quotes_around_a_quote(tmp_path: Path) -> None:
    """A quote typed on a phone or in a word processor came wrapped in “ ” and was refused
    as not verbatim, its closest sentence the very sentence written: the admin compared
    them and saw no difference. The message names the curly quotes."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    facts = folder / "facts.yaml"
    sentence = "আরও, লামার পারফরম্যান্সকে নতুন মডেল, যেমন চীনা AI ল্যাব ডিপসিকের R1 দ্বারা ছাড়িয়ে গেছে।"
    text = facts.read_text(encoding="utf-8")
    assert text.count(f'quote: "{sentence}"') == 1
    facts.write_text(text.replace(f'quote: "{sentence}"', f"quote: “{sentence}”"),
                     encoding="utf-8")
    result = run("kb", "validate", str(folder))
    assert result.returncode == 1
    [line] = [x for x in result.stdout.splitlines() if "not found verbatim" in x]
    assert "curly quotes" in line and 'write straight quotes "…"' in line, line


def test_the_console_tells_a_first_user_of_the_event_command(tmp_path: Path) -> None:
    """`llamabot` without a token: the banner, /help and an unknown command listed /topics,
    /source and /help but not /llamacon, which works there too (found by the QA run)."""
    result = run(stdin="/help\n/foo\n/llamacon\n", env={"XDG_STATE_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    banner, help_text, unknown, event = result.stdout.split("লামাবট> ")[:4]
    for shown in (banner, help_text, unknown):
        assert "/llamacon" in shown and "/topics" in shown, shown
    assert "লামাকন ২৯ এপ্রিল ২০২৫" in event


def test_kb_validate_puts_an_unknown_related_id_on_its_own_line(tmp_path: Path) -> None:
    """Found by a QA run: an unknown `related` id was reported at the fact's `id:` line,
    fifty lines above the typo in a long fact. The item is named where it stands."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    facts = folder / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    flow = "related: [open_source_interest, launch_2023, ecosystem_strategy]"
    block = ("related:\n      - license_criticism\n      - open_sorce_interest\n"
             "      - meta_ai_assistant")
    assert text.count(flow) == 1
    text = text.replace(flow, "related: [open_source_interest, lanch_2023, ecosystem_strategy]")
    text = text.replace(
        "related: [license_criticism, open_source_interest, meta_ai_assistant]", block, 1)
    facts.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    flow_line = next(n for n, row in enumerate(lines, 1) if "lanch_2023" in row)
    block_line = next(n for n, row in enumerate(lines, 1) if "open_sorce_interest" in row)
    result = run("kb", "validate", str(folder))
    assert result.returncode == 1
    found = [x for x in result.stdout.splitlines() if "lists as related" in x]
    assert len(found) == 2, result.stdout
    assert found[0].startswith(f"{facts}:{flow_line}:") and "'lanch_2023'" in found[0]
    assert found[1].startswith(f"{facts}:{block_line}:9:") and "'open_sorce_interest'" in found[1]


def test_kb_validate_gives_a_fix_for_every_event_date_and_duration(tmp_path: Path) -> None:
    """Found by a QA run: every other problem ends with "(fix: …)", an event's date and
    reminders only with words run on after a colon, so a script or an admin looking for
    the fix found none."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    events = folder / "events.yaml"
    original = events.read_text(encoding="utf-8")
    cases = [
        ("starts_at: 2025-04-29", "starts_at: 2025-13-40",
         "invalid date '2025-13-40' (fix: write 2025-04-29 or 2025-04-29T10:00:00+06:00)"),
        ("starts_at: 2025-04-29", "starts_at: 2025-04-29T10:00:00",
         "has no UTC offset (fix: add one, e.g. 2025-04-29T10:00:00+06:00)"),
        # Red-team: a date without its dashes was read as a time without an offset, and
        # the fix said to add one ("20250429+06:00"), where the date's form was wrong.
        ("starts_at: 2025-04-29", "starts_at: 20250429",
         "starts_at '20250429' is not a date written year-month-day (fix: write 2025-04-29,"
         " or 2025-04-29T10:00:00+06:00 for a time)"),
        ("starts_at: 2025-04-29", "starts_at: 20250429T1000",
         "starts_at '20250429T1000' is not a date written year-month-day (fix: write"
         " 2025-04-29T10:00:00+06:00"),
        ("starts_at: 2025-04-29", "starts_at: 2025-W18-2",
         "starts_at '2025-W18-2' is not a date written year-month-day (fix: write 2025-04-29,"
         " or 2025-04-29T10:00:00+06:00 for a time)"),
        ("starts_at: 2025-04-29", "starts_at: 2250-04-29",
         "starts_at 2250-04-29 is in 2250 (fix: write a date in the years 2000 to 2100)"),
        ("[7d, 1d, 1h]", "[7d, soon]",
         "invalid duration 'soon' (fix: write a number and a unit: 7d, 1h, 30m or 45s)"),
        ("[7d, 1d, 1h]", "[7d, 400d]",
         "remind_before '400d' is a year or more (fix: keep each reminder under 365d)"),
        ("[7d, 1d, 1h]", "[7d, 0h]", "remind_before '0h' is zero (fix: "),
    ]
    for old, new, expected in cases:
        assert original.count(old) == 1
        events.write_text(original.replace(old, new), encoding="utf-8")
        result = run("kb", "validate", str(folder))
        assert result.returncode == 1, new
        [line] = [x for x in result.stdout.splitlines() if x.startswith(f"{events}:")]
        assert expected in line, line
        assert line.endswith(")"), line


def test_kb_validate_refuses_questions_and_synonyms_with_no_letters(tmp_path: Path) -> None:
    """Red-team: an example question of punctuation alone ("!!!"), of a zero-width space, or
    a synonym "৳" passed validation, though nothing a user writes can match them (and every
    such synonym is the same empty word to the matcher). Each is refused where it stands.
    ("৳" alone now reads as money, the word a currency sign says: "§" stands in for it.)"""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    facts, synonyms = folder / "facts.yaml", folder / "synonyms.yaml"
    first = '      - "লামা কতবার ডাউনলোড হয়েছে?"\n'
    text = facts.read_text(encoding="utf-8")
    assert text.count(first) == 1
    facts.write_text(text.replace(first, first + '      - "!!!"\n      - "\u200b"\n'),
                     encoding="utf-8")
    at = text[:text.index(first)].count("\n") + 2  # the line after the first question
    words = synonyms.read_text(encoding="utf-8")
    [group] = [line for line in words.splitlines()  # the money group, one line
               if line.startswith("  - [টাকা, ") and line.endswith("]")]
    synonyms.write_text(words.replace(group, group[:-1] + ", §]"), encoding="utf-8")
    group_at = words[:words.index(group)].count("\n") + 1
    result = run("kb", "validate", str(folder))
    assert result.returncode == 1
    found = [x for x in result.stdout.splitlines() if "no letters" in x]
    assert found == [
        f"{facts}:{at}:9: example question '!!!' has no letters to match (fix: write the"
        " question in words, as a user would ask it)",
        f"{facts}:{at + 1}:9: example question '\\u200b' has no letters to match (fix: write"
        " the question in words, as a user would ask it)",
        f"{synonyms}:{group_at}:{len(group) + 2}: synonym '§' has no letters to match (fix:"
        " write the word in letters, or take it out of the group)",
    ], result.stdout


def test_kb_validate_says_once_that_the_facts_line_is_missing(tmp_path: Path) -> None:
    """Found by a QA run: with the `facts:` line of facts.yaml deleted, every fact read as a
    topic, and validate printed 124 lines ("unknown field 'answer' in a topic", then every
    decline, entity and event pointing at a fact it no longer found) and none said why."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    facts = folder / "facts.yaml"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("facts:\n")
    del lines[at]
    facts.write_text("".join(lines), encoding="utf-8")
    first = next(n for n, row in enumerate(lines, 1) if n > at and row.startswith("  - id:"))
    result = run("kb", "validate", str(folder))
    assert result.returncode == 1
    [problem] = result.stdout.splitlines()
    assert problem.startswith(f"{facts}:{first}:5: "), problem  # the first fact
    assert "`facts:` line" in problem and "(fix: " in problem, problem
    assert result.stderr.strip() == f"1 problem(s) found in {folder}"


def test_kb_validate_warns_of_an_event_already_past(tmp_path: Path) -> None:
    """Found by a QA run: a typo'd year (2020 for 2025) validated as OK without a word, and
    the event was then shown as held, its reminders never sent. A past event may be history,
    so it is a warning: the folder is still OK (exit 0), the line says where and what."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    events = folder / "events.yaml"
    ahead = run("kb", "validate", str(folder), "--now", "2025-04-20")
    assert ahead.returncode == 0 and ahead.stdout.count("\n") == 1, ahead.stdout  # OK alone
    events.write_text(events.read_text(encoding="utf-8").replace(
        "starts_at: 2025-04-29", "starts_at: 2020-04-29"), encoding="utf-8")
    line = next(n for n, row in enumerate(events.read_text(encoding="utf-8").splitlines(), 1)
                if "2020-04-29" in row)
    result = run("kb", "validate", str(folder), "--now", "2025-04-20")
    assert result.returncode == 0, result.stdout + result.stderr
    ok, warning = result.stdout.splitlines()
    assert ok.startswith("OK: 22 facts"), ok
    assert warning.startswith(f"{events}:{line}:16: warning: event 'llamacon' starts"
                              " 2020-04-29 00:00+06:00, before now"), warning
    assert "no reminders will be sent" in warning and "(fix: " in warning, warning
    as_json = run("kb", "validate", str(folder), "--now", "2025-04-20", "--format", "json")
    [found] = json.loads(as_json.stdout)
    assert as_json.returncode == 0 and found["warning"] is True and found["line"] == line


def test_kb_validate_warns_of_a_title_or_answer_wrapped_in_curly_quotes(tmp_path: Path) -> None:
    """Found by a QA run: `title: “১ বিলিয়ন ডাউনলোড”`, typed on a phone, is YAML text with
    its curly quotes, and every button and answer heading showed them. A value wrapped whole
    in curly quotes is a quoting mistake, warned of; quotes inside a text (small talk quoting
    example questions) are Bengali punctuation, and pass silently."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    facts = folder / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    assert text.count('title: "১ বিলিয়ন ডাউনলোড"') == 1
    facts.write_text(text.replace('title: "১ বিলিয়ন ডাউনলোড"', "title: “১ বিলিয়ন ডাউনলোড”")
                     .replace('title: "লামাকন সম্মেলন"', 'title: "“লামাকন” সম্মেলন"'),
                     encoding="utf-8")
    line = next(n for n, row in enumerate(facts.read_text(encoding="utf-8").splitlines(), 1)
                if "“১ বিলিয়ন" in row)
    result = run("kb", "validate", str(folder), "--now", "2025-04-20")
    assert result.returncode == 0, result.stdout + result.stderr
    ok, *warnings = result.stdout.splitlines()
    assert ok.startswith("OK: 22 facts") and len(warnings) == 1, result.stdout
    assert warnings[0].startswith(f"{facts}:{line}:12: warning: the title of fact"
                                  " 'downloads_milestone' is wrapped in curly quotes"), warnings
    assert '(fix: write straight quotes "…" around it' in warnings[0], warnings


def test_kb_validate_warns_of_a_first_question_wrapped_in_curly_quotes(tmp_path: Path) -> None:
    """A fact's first example question is its button and its line in /topics: typed on a
    phone as `- “লামা কতবার ডাউনলোড হয়েছে?”`, users saw the quotes, and nothing warned.
    Its other questions are only matched, where quotes are punctuation: they pass."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    facts = folder / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    first, other = '- "লামা কতবার ডাউনলোড হয়েছে?"', '- "লামার মোট ডাউনলোড সংখ্যা কত?"'
    assert text.count(first) == 1 and text.count(other) == 1
    facts.write_text(text.replace(first, "- “লামা কতবার ডাউনলোড হয়েছে?”")
                     .replace(other, "- “লামার মোট ডাউনলোড সংখ্যা কত?”"), encoding="utf-8")
    line = next(n for n, row in enumerate(facts.read_text(encoding="utf-8").splitlines(), 1)
                if "“লামা কতবার" in row)
    result = run("kb", "validate", str(folder), "--now", "2025-04-20")
    assert result.returncode == 0, result.stdout + result.stderr
    ok, *warnings = result.stdout.splitlines()
    assert ok.startswith("OK: 22 facts") and len(warnings) == 1, result.stdout
    assert warnings[0].startswith(
        f"{facts}:{line}:9: warning: the first question of fact 'downloads_milestone' (its"
        " button) is wrapped in curly quotes"), warnings


def test_kb_validate_of_a_file_or_a_missing_folder_says_so(tmp_path: Path) -> None:
    """`llamabot kb validate knowledge/facts.yaml` (checking the file just edited) said
    "knowledge/facts.yaml:1:1: no .yaml files found", of a .yaml file; a mistyped folder
    said the same. Each now says what it is, and what to run instead."""
    facts = run("kb", "validate", "knowledge/facts.yaml")
    assert facts.returncode == 1
    assert facts.stdout.startswith(
        "knowledge/facts.yaml:1:1: this is a file, not a knowledge folder (fix: validate the"
        " folder that holds it, with every file it refers to: llamabot kb validate"
        " knowledge)"), facts.stdout
    missing = run("kb", "validate", str(tmp_path / "knowlege"))
    assert missing.returncode == 1
    assert missing.stdout.startswith(
        f"{tmp_path / 'knowlege'}:1:1: no such folder (fix: point at the knowledge folder,"
        " e.g. knowledge/)"), missing.stdout
    empty = run("kb", "validate", str(tmp_path))
    assert empty.stdout.startswith(f"{tmp_path}:1:1: no .yaml files found"), empty.stdout


def test_kb_validate_names_an_event_s_unknown_fact_beside_its_other_mistakes(
    tmp_path: Path,
) -> None:
    """An event with a mistyped date and a mistyped fact_id was reported for the date only;
    the fact_id came up on the next run. Both are said at once, the fact_id on its own line
    with the fact it was likely meant to be."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    (folder / "party.yaml").write_text(
        'version: 1\nevents:\n  - id: launch_party\n    title: "লঞ্চ পার্টি"\n'
        "    starts_at: 2027-02-30\n    remind_before: [1d]\n    fact_id: lamacon\n",
        encoding="utf-8")
    result = run("kb", "validate", str(folder))
    assert result.returncode == 1
    party = folder / "party.yaml"
    assert f"{party}:5:16: invalid date '2027-02-30'" in result.stdout, result.stdout
    assert (f"{party}:7:14: event 'launch_party' points at unknown fact 'lamacon' (fix: set"
            " fact_id to the id of an existing fact: did you mean 'llamacon'?)"
            ) in result.stdout, result.stdout


def test_kb_validate_says_an_event_s_mistake_once_not_again_from_bot_yaml(
    tmp_path: Path,
) -> None:
    """Found by QA: a date typed "2025-4-29" was reported, then bot.yaml's event command
    was "unknown event 'llamacon' (fix: use one of: (no events defined))", which sent an
    admin looking for an event that events.yaml plainly defines."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    events = folder / "events.yaml"
    original = events.read_text(encoding="utf-8")
    for old, new in (("starts_at: 2025-04-29", "starts_at: 2025-4-29"),
                     ("title: \"লামাকন\"", "title: \"\"")):
        assert original.count(old) == 1
        events.write_text(original.replace(old, new), encoding="utf-8")
        result = run("kb", "validate", str(folder))
        assert result.returncode == 1, new
        [problem] = result.stdout.splitlines()  # the event's own mistake, once
        assert problem.startswith(f"{events}:"), problem


def test_kb_validate_counts_in_english_one_event_not_1_events() -> None:
    """Found by QA: the real folder's one event printed "OK: ..., 1 events"."""
    result = run("kb", "validate")
    assert result.returncode == 0
    assert ", 1 event (version " in result.stdout, result.stdout
    assert "1 events" not in result.stdout


@pytest.mark.parametrize(("old", "new"), [
    ('    title: "কপিরাইট মামলা"\n', '    title: "কপিরাইট মামলা\n'),
    ('      - "লামার বিরুদ্ধে কপিরাইট মামলা কী নিয়ে?"\n',
     '      - "লামার বিরুদ্ধে কপিরাইট মামলা কী নিয়ে?\n'),
])
def test_kb_validate_names_the_line_of_a_quote_left_open(
    tmp_path: Path, old: str, new: str,
) -> None:
    """Found by QA: a text whose closing quote was forgotten was reported lines further on,
    where YAML gave up ("did not find expected key"), with a hint about ':' and '#', and
    nothing pointed at the line to mend."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    facts = folder / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    assert original.count(old) == 1
    facts.write_text(original.replace(old, new), encoding="utf-8")
    line = original[: original.index(old)].count("\n") + 1
    result = run("kb", "validate", str(folder))
    assert result.returncode == 1
    [problem] = result.stdout.splitlines()
    assert f"the quote opened on line {line} is not closed" in problem, problem
    assert problem.endswith('")'), problem


@pytest.mark.parametrize("age", ["0d", "90h", "100000d"])
def test_data_purge_says_which_ages_it_takes(tmp_path: Path, age: str) -> None:
    """Found by QA: `--older-than 0d` was refused as "not an age in days such as 90d",
    which it plainly is: the line did not say that an age runs from 1d to 36500d."""
    sqlite3.connect(tmp_path / "db.sqlite3").close()  # a database there, so the age is read
    result = run("data", "purge", "--older-than", age, "--database",
                 str(tmp_path / "db.sqlite3"), cwd=tmp_path)
    assert result.returncode == 2
    assert "1d to 36500d" in result.stderr, result.stderr


def test_the_readme_s_resolved_example_is_what_ask_prints() -> None:
    """Found by QA: the README's `resolved` row said that after "লামা কী?", "এটা কি ফ্রি?"
    is read as "লামা কি ফ্রি"; `ask --json --chat` printed "কি ফ্রি" (its own words name
    the neighbouring fact). The example is read from the README, so it stays true."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `resolved` |"))
    first, second, reading = re.search(
        r'after "([^"]+)", "([^"]+)" is read as "([^"]+)"', row).groups()
    result = run("ask", "--json", "--chat", "-", stdin=f"{first}\n{second}\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[1]["turn"] == "follow_up" and rows[1]["resolved"] == reading, rows[1]


def test_days_left_until_an_event_is_its_countdown() -> None:
    """QA: "কত দিন বাকি?" after "llamacon kobe?" got "the article does not say", though the
    answer just before said "আর ৯ দিন বাকি"."""
    result = run("ask", "--json", "--chat", "--now", "2025-04-20T10:00+06:00", "-",
                 stdin="llamacon kobe?\nকত দিন বাকি?\n\nhow many days are left until llamacon?\n")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kind"] for r in replies] == ["fact", "fact", "fact"]
    assert all("আর ৯ দিন বাকি" in r["answer"] for r in replies)


def test_kb_validate_says_how_many_reminders_fall_due_at_once(tmp_path: Path) -> None:
    """Red team 14: `kb validate` shows what an upload's preview shows: how many reminders
    loading the folder makes fall due at once (one per event not begun), and the cap."""
    from bot.core.events import MAX_REMINDERS_AT_ONCE

    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    text = (folder / "events.yaml").read_text()
    for n in range(5):
        text += (f"  - id: extra_{n}\n    title: \"x\"\n    starts_at: 2025-04-21\n"
                 "    remind_before: [1d, 1h]\n    fact_id: llamacon\n")
    (folder / "events.yaml").write_text(text)
    done = run("kb", "validate", str(folder), "--now", "2025-04-20T10:00+06:00")
    assert done.returncode == 0, done.stderr
    assert "5 reminders would fall due at once when a bot loads this folder" in done.stdout
    assert f"at most {MAX_REMINDERS_AT_ONCE} are sent together" in done.stdout
    quiet = run("kb", "validate", str(folder), "--now", "2025-04-19T10:00+06:00")
    assert "fall due at once" not in quiet.stdout, quiet.stdout  # none due yet


def test_kb_validate_warns_of_reminders_skipped_for_falling_due_within_the_hour(
        tmp_path: Path) -> None:
    """Red team 15: at most MAX_REMINDERS_AT_ONCE reminders go out within REMINDER_WINDOW,
    however far apart they fall due; validation says which the scheduler will skip, as it
    says how many fall due at once, and not of reminders an hour apart."""
    from bot.core.events import MAX_REMINDERS_AT_ONCE

    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    base = (folder / "events.yaml").read_text()

    def sessions(apart: int) -> None:
        text = base
        for n in range(MAX_REMINDERS_AT_ONCE + 2):
            text += (f"  - id: session_{n}\n    title: \"x\"\n"
                     f"    starts_at: 2025-04-21T10:{n * apart:02d}:00+06:00\n"
                     "    remind_before: [1h]\n    fact_id: llamacon\n")
        (folder / "events.yaml").write_text(text)

    sessions(apart=10)
    done = run("kb", "validate", str(folder), "--now", "2025-04-20T10:00+06:00")
    assert done.returncode == 0, done.stderr
    assert ("2 reminders of events 'session_3', 'session_4' will be skipped when due: at most"
            f" {MAX_REMINDERS_AT_ONCE} reminders go out within 1 hour(s)") in done.stdout, \
        done.stdout
    assert "fall due at once" not in done.stdout
    sessions(apart=0)  # all at once, tomorrow: the scheduler skips these as well
    assert "2 reminders of events" in run("kb", "validate", str(folder), "--now",
                                          "2025-04-20T10:00+06:00").stdout
    (folder / "events.yaml").write_text(base + "".join(
        f"  - id: hourly_{n}\n    title: \"x\"\n    starts_at: 2025-04-21T{10 + n}:00:00+06:00\n"
        "    remind_before: [1h]\n    fact_id: llamacon\n" for n in range(6)))
    quiet = run("kb", "validate", str(folder), "--now", "2025-04-20T10:00+06:00")
    assert "skipped" not in quiet.stdout, quiet.stdout
