"""Conversations on the command line (`ask --chat`, `shell`) and the dialogue gate of `kb eval`,
run as real `llamabot` subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import DHAKA, FIXED_NOW, KNOWLEDGE_DIR, uncertain_question

from bot.core.conversation import Context, Conversation

LLAMABOT = str(Path(sys.executable).parent / "llamabot")
NOW = FIXED_NOW.isoformat()


def llamabot(*args: str, stdin: str = "", cwd: Path | None = None,
             **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    environment.update(env)
    return subprocess.run([LLAMABOT, "--knowledge", str(KNOWLEDGE_DIR), "--now", NOW, *args],
                          input=stdin, capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd, env=environment, timeout=60)


def chat(*lines: str, chat: bool = True) -> list[dict[str, Any]]:
    """One JSON object per turn of `ask --json [--chat] -` fed these stdin lines."""
    result = llamabot("ask", "--json", *(["--chat"] if chat else []), "-",
                      stdin="".join(f"{line}\n" for line in lines))
    assert result.returncode == 0, result.stderr
    return [json.loads(row) for row in result.stdout.splitlines()]


def one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for word in expected:
        assert word in result.stderr, result.stderr


@pytest.fixture(scope="module")
def responder() -> Any:
    from bot.core.answer import Responder
    from bot.core.loader import load_knowledge

    return Responder(load_knowledge(KNOWLEDGE_DIR, DHAKA))


# ----------------------------------------------------------------------------- ask --chat

def test_chat_lines_are_turns_of_one_conversation() -> None:
    what, when = chat("লামাকন কী?", "কবে?")
    assert (what["turn"], what["fact_id"]) == ("answer", "llamacon")
    assert (when["turn"], when["kind"], when["fact_id"]) == ("follow_up", "fact", "llamacon")
    assert when["question"] == "কবে?" and "লামাকন" in when["resolved"]
    assert [a["fact_id"] for a in when["answers"]] == ["llamacon"]
    assert when["answers"][0]["answer"] == when["answer"]
    assert when["answers"][0]["citation"] == when["citation"]
    # Without --chat every line stands alone, as before.
    alone = chat("লামাকন কী?", "কবে?", chat=False)[1]
    assert alone["turn"] == "answer" and alone["fact_id"] != "llamacon"
    assert alone["answers"] == [] and alone["resolved"] is None


def test_an_empty_line_starts_a_new_conversation() -> None:
    rows = chat("লামাকন কী?", "", "কবে?", "   ", "লামাকন কী?", "কবে?")
    assert [r["question"] for r in rows] == ["লামাকন কী?", "কবে?", "লামাকন কী?", "কবে?"]
    assert rows[1]["fact_id"] is None and rows[1]["turn"] == "answer" and rows[1]["answers"] == []
    assert rows[3]["fact_id"] == "llamacon"


def test_a_compound_line_gives_one_answer_per_part() -> None:
    for row in (chat("লামা কী আর লামাকন কবে?")[0],
                chat("লামা কী আর লামাকন কবে?", chat=False)[0]):
        assert (row["turn"], row["kind"], row["fact_id"]) == ("compound", "fact", "what_is_llama")
        assert [a["fact_id"] for a in row["answers"]] == ["what_is_llama", "llamacon"]
        assert all(a["citation"]["quote"] and a["answer"] for a in row["answers"])
        assert row["answer"] == "\n\n".join(a["answer"] for a in row["answers"])
        assert not {"what_is_llama", "llamacon"} & set(row["suggestions"])


def test_did_you_mean_picks_and_rejections_in_words(responder: Any) -> None:
    question = uncertain_question(responder)
    offered = list(responder.ask(question, FIXED_NOW).suggestions)
    asked, second = chat(question, "২")
    assert (asked["kind"], asked["answers"]) == ("suggest", [])
    assert (second["turn"], second["fact_id"]) == ("pick", offered[1])
    assert chat(question, "হ্যাঁ")[1]["fact_id"] == offered[0]
    no = chat(question, "কোনোটাই না")[1]
    assert (no["turn"], no["kind"], no["fact_id"]) == ("reject", "rejected", None)
    assert no["answers"] == []
    assert no["suggestions"]  # topics to try


def test_tell_me_more_until_nothing_is_left() -> None:
    rows = chat("why is meta being sued?", *["আরও বলো"] * 30)
    assert (rows[1]["turn"], rows[1]["kind"]) == ("more", "fact")
    told = [r["fact_id"] for r in rows if r["fact_id"]]
    assert len(told) == len(set(told))  # never the same fact twice
    assert (rows[-1]["turn"], rows[-1]["kind"], rows[-1]["fact_id"]) == ("no_more", "no_more", None)


def test_a_detail_the_article_lacks_is_not_in_article() -> None:
    where = chat("লামাকন কী?", "কোথায় হবে?")[1]
    assert (where["turn"], where["kind"], where["fact_id"]) == ("follow_up", "not_in_article", None)
    assert "llamacon" in where["suggestions"]


def test_plain_text_chat_reads_follow_ups_too() -> None:
    result = llamabot("ask", "--chat", "-", stdin="লামাকন কী?\nকবে?\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("সূত্র:") == 2


def test_chat_takes_its_turns_from_stdin_only() -> None:
    one_line_error(llamabot("ask", "--chat", "লামাকন কী?"), "--chat", "-")


# ----------------------------------------------------------------------------- shell

def shell(typed: str, tmp_path: Path) -> list[str]:
    """The shell's replies to `typed`, one per turn."""
    result = llamabot("shell", stdin=typed, XDG_STATE_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.split("লামাবট> ")[1:]


def test_shell_keeps_the_context(tmp_path: Path) -> None:
    llamacon = chat("লামাকন কী?")[0]["answer"]
    what, when, more = shell("লামাকন কী?\nকবে?\nআরও বলো\nexit\n", tmp_path)
    assert what.startswith(llamacon) and when.startswith(llamacon)
    assert more.startswith("আরও একটি তথ্য")


def test_shell_picks_by_number_and_by_word(tmp_path: Path, responder: Any) -> None:
    question = uncertain_question(responder)
    offered = responder.ask(question, FIXED_NOW).suggestions

    def told(fact_id: str) -> str:
        return str(responder.answer_fact(fact_id, FIXED_NOW).text)

    for typed, fact_id in (("2", offered[1]), ("হ্যাঁ", offered[0]), ("প্রথমটা", offered[0])):
        _, picked = shell(f"{question}\n{typed}\nexit\n", tmp_path)
        assert picked.startswith(told(fact_id)), typed
    # A number picks among the related questions shown after an answer, as before, and the
    # conversation goes on from the fact picked.
    conversation = Conversation(responder)
    asked = conversation.reply("লামাকন কী?", Context(), FIXED_NOW)
    chosen = asked.answer.suggestions[0]
    after = conversation.choose(chosen, asked.context, FIXED_NOW)
    more = conversation.reply("আরও বলো", after.context, FIXED_NOW).answer
    _, picked, told_more = shell("লামাকন কী?\n1\nআরও বলো\nexit\n", tmp_path)
    assert picked.startswith(told(chosen))
    assert more.text.startswith("আরও একটি তথ্য") and told_more.startswith(more.text)


def test_shell_numbers_every_part_of_a_compound_answer(tmp_path: Path, responder: Any) -> None:
    [both] = shell("লামা কী আর লামাকন কবে?\nexit\n", tmp_path)
    row = chat("লামা কী আর লামাকন কবে?")[0]
    assert both.count("সূত্র:") == 2
    for number, _ in enumerate(row["suggestions"], 1):
        assert f"  {number}. " in both
    _, picked = shell("লামা কী আর লামাকন কবে?\n1\nexit\n", tmp_path)
    assert picked.startswith(responder.answer_fact(row["suggestions"][0], FIXED_NOW).text)


# ----------------------------------------------------------------------------- kb eval, dialogues

DIALOGUES = """\
version: 1
dialogues:
- id: llamacon
  turns:
  - q: লামাকন কী?
    expect: llamacon
  - q: কবে?
    expect: {when}
    kind: bare_question
  - q: আরও বলো
    expect_any: [{related}]
    kind: more
compound:
- q: লামা কী আর লামাকন কবে?
  expect: [what_is_llama, {second}]
  kind: and
"""


def dialogue_file(tmp_path: Path, responder: Any, *, when: str = "llamacon",
                  second: str = "llamacon") -> Path:
    related = ", ".join(responder.knowledge.facts["llamacon"].related)
    path = tmp_path / "dialogues.yaml"
    path.write_text(DIALOGUES.format(when=when, second=second, related=related), encoding="utf-8")
    return path


def test_kb_eval_reports_a_dialogue_file(tmp_path: Path, responder: Any) -> None:
    result = llamabot("kb", "eval", str(dialogue_file(tmp_path, responder)))
    assert result.returncode == 0, result.stderr
    assert "follow-up turns right:   100.0% (2/2)" in result.stdout
    assert "compound, every part:    100.0% (1/1)" in result.stdout
    assert "bare_question" in result.stdout and "more" in result.stdout


@pytest.mark.parametrize(("option", "broken"), [
    ("--min-follow-up", {"when": "copyright_lawsuit"}),
    ("--min-compound", {"second": "copyright_lawsuit"}),
])
def test_kb_eval_dialogue_gates_set_the_exit_code(tmp_path: Path, responder: Any, option: str,
                                                  broken: dict[str, str]) -> None:
    good = llamabot("kb", "eval", str(dialogue_file(tmp_path, responder)), option, "100")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = llamabot("kb", "eval", str(dialogue_file(tmp_path, responder, **broken)), option, "100")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "copyright_lawsuit, got" in bad.stdout  # the miss is named
    lenient = llamabot("kb", "eval", str(dialogue_file(tmp_path, responder, **broken)), option, "0")
    assert lenient.returncode == 0


def test_kb_eval_dev_dialogues_meet_the_ci_gate() -> None:
    """The figures scripts/test holds tests/data/dialogues_dev.yaml to."""
    path = KNOWLEDGE_DIR.parent / "tests" / "data" / "dialogues_dev.yaml"
    result = llamabot("kb", "eval", str(path), "--min-follow-up", "80", "--min-compound", "85")
    assert result.returncode == 0, result.stdout


def test_kb_eval_options_must_fit_the_file(tmp_path: Path, responder: Any) -> None:
    dialogues = str(dialogue_file(tmp_path, responder))
    questions = str(KNOWLEDGE_DIR.parent / "tests" / "data" / "eval_questions.yaml")
    one_line_error(llamabot("kb", "eval", questions, "--min-follow-up", "80"),
                   "--min-follow-up", "dialogue")
    one_line_error(llamabot("kb", "eval", dialogues, "--min-accuracy", "80"),
                   "--min-accuracy", "question")
    one_line_error(llamabot("kb", "eval", dialogues, "--against", str(KNOWLEDGE_DIR)), "--against")
    only_compound = tmp_path / "compound.yaml"
    only_compound.write_text("compound:\n- q: লামা কী আর লামাকন কবে?\n"
                             "  expect: [what_is_llama, llamacon]\n", encoding="utf-8")
    # A gate over nothing would always pass.
    one_line_error(llamabot("kb", "eval", str(only_compound), "--min-follow-up", "80"),
                   "no follow-up turns")
    assert llamabot("kb", "eval", str(only_compound), "--min-compound", "100").returncode == 0


@pytest.mark.parametrize(("content", "message"), [
    ("dialogues: 5\n", "`dialogues:` must be a list"),
    ("compound: {q: x}\n", "`compound:` must be a list"),
    ("dialogues:\n- turns: [{q: kobe, expect_any: 5}]\n", "`expect_any:` must be a list"),
    ("dialogues:\n- turns: [{q: kobe, expect_any: [[a]]}]\n", "`expect_any:` must be a list"),
    ("dialogues:\n- turns: [{q: kobe, expect: [a, b]}]\n", "`expect:` must be one fact id"),
    ("compound:\n- {q: lama ar lamacon, expect: 5}\n", "`expect:` must be a list"),
    # Was taken letter by letter: l, l, a, m...
    ("compound:\n- {q: lama ar lamacon, expect: llamacon}\n", "`expect:` must be a list"),
    # A compound expecting nothing is right whatever the bot says: a gate that cannot fail
    # (files written with `expect_all:` were read that way).
    ("compound:\n- {q: lama ar lamacon, expect_all: [llamacon]}\n", "unknown key `expect_all`"),
    ("compound:\n- {q: lama ar lamacon, expect: []}\n", "needs `expect:`"),
    ("dialogues:\n- turns: [{q: kobe, expect_all: [llamacon]}]\n", "unknown key `expect_all`"),
    # A misspelt `expect:` made the question an out-of-scope one.
    ("questions:\n- {q: lamacon kobe, expext: llamacon}\n", "unknown key `expext`"),
    # A YAML error is one line too, with where it is (it was PyYAML's several lines).
    ("dialogues:\n- turns: [{q: কবে?, expect: llamacon}]\n", "line 2, column 18"),
    ("questions:\n- {q: কবে?, expect: llamacon}\n", "line 2, column 10"),
    # A kind that is no text was taken as its Python spelling ("[1]"), a group of its own.
    ("questions:\n- {q: lamacon kobe, expect: llamacon, kind: [1]}\n",
     "question #1: `kind:` must be text"),
    ("questions:\n- {q: lamacon kobe, expect: llamacon, kind: 5}\n",
     "question #1: `kind:` must be text"),
    ("compound:\n- {q: lama ar lamacon, expect: [llamacon], kind: [1]}\n",
     "compound #1: `kind:` must be text"),
    ("dialogues:\n- turns: [{q: kobe, expect: llamacon, kind: {a: 1}}]\n",
     "dialogue 1, 'kobe': `kind:` must be text"),
    # As a dialogue's: one fact id or none (a list was compared whole, never right).
    ("questions:\n- {q: lamacon kobe, expect: [llamacon]}\n",
     "question #1: `expect:` must be one fact id or null"),
    ("questions:\n- {q: lamacon kobe, expect_any: llamacon}\n",
     "question #1: `expect_any:` must be a list of fact ids"),
    ("questions:\n- {q: lamacon kobe, expect_any: []}\n",
     "question #1: `expect_any:` must be a list of fact ids"),
    ("questions:\n- {q: lamacon kobe, expect: llamacon, expect_any: [llamacon]}\n",
     "question #1: give `expect:` or `expect_any:`, not both"),
])
def test_kb_eval_refuses_a_bad_file_in_one_line(tmp_path: Path, content: str,
                                                         message: str) -> None:
    path = tmp_path / "dialogues.yaml"
    path.write_text(content, encoding="utf-8")
    result = llamabot("kb", "eval", str(path))
    one_line_error(result, str(path), message)


def test_the_shell_shows_the_commands_its_answers_mention(tmp_path: Path) -> None:
    """The greeting says "/topics লিখুন": on the console it was read as a question (the help
    text again, which says /topics again)."""
    topics, picked, source, unknown = shell("/topics\n3\n/source\n/subscribe\nexit\n", tmp_path)
    assert topics.startswith("বিষয় ধরে প্রশ্ন") and "লামাকন সম্মেলন" in topics
    third = next(line for line in topics.splitlines() if line.startswith("  3. "))
    assert picked.startswith(chat(third.removeprefix("  3. "))[0]["answer"])
    assert source.startswith("যে প্রতিবেদন থেকে উত্তর দিই") and "সূত্র" not in source
    assert unknown.startswith("এই কমান্ডটি এখানে নেই")
    [event] = shell("/llamacon\nexit\n", tmp_path)
    assert "লামাকন" in event and "তারিখে" in event


def test_a_number_in_a_chat_picks_what_the_last_turn_offered() -> None:
    """As in the shell: "2" after an answer picked nothing in `ask --chat` (a fallback)."""
    first, picked = chat("লামাকন কী?", "2")
    assert picked["fact_id"] == first["suggestions"][1]
    [alone] = chat("2")  # nothing offered yet: nothing to pick, and no question (QA 19)
    assert (alone["turn"], alone["kind"], alone["fact_id"]) == ("out_of_range", "out_of_range",
                                                                None)


def test_a_number_beyond_the_offer_says_which_numbers_can_be_chosen(
        tmp_path: Path, responder: Any) -> None:
    """QA: "৪" after three numbered questions (a "did you mean", or an answer's related
    questions) got "the article does not say" or the fallback, and the offer was gone: the
    "২" typed next picked nothing. It names the numbers to choose from and keeps the offer."""
    question = uncertain_question(responder)
    offered = list(responder.ask(question, FIXED_NOW).suggestions)
    unsure, beyond, picked = chat(question, "৪", "২")
    assert unsure["kind"] == "suggest" and len(offered) == 3
    assert (beyond["turn"], beyond["kind"], beyond["fact_id"]) == (
        "out_of_range", "out_of_range", None)
    assert "১ থেকে ৩-এর মধ্যে একটি নম্বর লিখুন" in beyond["answer"]
    assert beyond["suggestions"] == offered  # still on offer, as the shell numbers them
    assert (picked["turn"], picked["fact_id"]) == ("pick", offered[1])
    # The same after an answer's related questions, however the number is written.
    for typed in ("4", "৪।", "চতুর্থটা", "0", "99"):
        first, beyond, picked = chat("লামাকন কী?", typed, "2")
        assert (beyond["turn"], beyond["kind"]) == ("out_of_range", "out_of_range"), typed
        assert "১ থেকে ৩-এর মধ্যে" in beyond["answer"], typed
        assert picked["fact_id"] == first["suggestions"][1], typed
    [alone] = chat("4")  # nothing offered: nothing to pick, says so (QA 19)
    assert alone["turn"] == "out_of_range" and "নম্বর দিয়ে বেছে নেওয়ার মতো" in alone["answer"]
    # The shell: the numbers it shows (3 here, 30-odd after /topics), then a pick still works.
    _, beyond, picked = shell(f"{question}\n4\n2\nexit\n", tmp_path)
    assert beyond.startswith("এই নম্বরের কোনো প্রশ্ন নেই। ১ থেকে ৩-এর মধ্যে একটি নম্বর লিখুন।")
    assert picked.startswith(responder.answer_fact(offered[1], FIXED_NOW).text)
    topics, beyond, picked = shell("/topics\n999\n3\nexit\n", tmp_path)
    count = sum(line.startswith("  ") and ". " in line for line in topics.splitlines())
    assert f"১ থেকে {str(count).translate(str.maketrans('0123456789', '০১২৩৪৫৬৭৮৯'))}-এর মধ্যে" \
        in beyond
    third = next(line for line in topics.splitlines() if line.startswith("  3. "))
    assert picked.startswith(chat(third.removeprefix("  3. "))[0]["answer"])


def test_a_number_in_words_picks_what_a_fallback_offered() -> None:
    """QA 19: after the fallback's three numbered questions "৩" picked the third but
    "তৃতীয়টা" (or "second") was asked as a question: "তৃতীয়টা" got the ethics fact, "second"
    the fallback again. A number in words picks what the last turn offered, as digits do."""
    for typed, position in (("তৃতীয়টা", 2), ("second", 1), ("প্রথমটা", 0)):
        fallback, picked = chat("আবহাওয়া কেমন?", typed)
        assert fallback["kind"] == "fallback" and len(fallback["suggestions"]) == 3
        assert (picked["turn"], picked["kind"], picked["fact_id"]) == (
            "pick", "fact", fallback["suggestions"][position]), typed
    beyond = chat("আবহাওয়া কেমন?", "চতুর্থটা")[1]
    assert (beyond["turn"], beyond["kind"]) == ("out_of_range", "out_of_range")


def test_a_number_said_with_its_word_picks_too(responder: Any) -> None:
    """QA 19: "২ নম্বর", "নম্বর ২", "২য়টা", "2nd one" after an answer's three questions got
    "the article does not say" of the answer's subject: the number was asked as a question.
    They pick as "২" does, after a "did you mean" too; past the offer they say which there are."""
    for typed in ("২ নম্বর", "২ নম্বরটা", "নম্বর ২", "২য়টা", "2nd one", "no. 2", "২ নং"):
        first, picked = chat("লামাকন কী?", typed)
        assert (picked["turn"], picked["fact_id"]) == ("pick", first["suggestions"][1]), typed
    question = uncertain_question(responder)
    unsure, picked = chat(question, "৩ নম্বর")
    assert (picked["turn"], picked["fact_id"]) == ("pick", unsure["suggestions"][2])
    beyond = chat("লামাকন কী?", "৪র্থটা")[1]
    assert (beyond["turn"], beyond["kind"]) == ("out_of_range", "out_of_range")
    # A question about a number is still a question.
    assert chat("লামাকন কী?", "২০২৩ সালে কী হয়েছিল?")[1]["turn"] != "pick"
