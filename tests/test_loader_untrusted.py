"""Knowledge files are untrusted input (an admin upload is one stolen phone away from an
attacker's): a source never names a file outside the folder, and no YAML file may expand
into more than it says or nest deep enough to break the reader."""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.loader import KnowledgeError, load_knowledge, load_steps

TZ = ZoneInfo("Asia/Dhaka")
SECRET = "TELEGRAM_BOT_TOKEN=123456:never-show-this"
ARTICLE = "শিরোনাম\n\nপ্রথম অংশ\n\nলামা এক বিলিয়ন বার ডাউনলোড হয়েছে।\n"
SOURCES = """version: 1
sources:
  - id: article
    title: "শিরোনাম"
    file: {file}
    sections: ["প্রথম অংশ"]
"""
FACTS = """version: 1
topics:
  - id: adoption
    title: "গ্রহণ"
facts:
  - id: downloads
    topic: adoption
    title: "ডাউনলোড"
    answer: "লামা এক বিলিয়নের বেশি বার ডাউনলোড হয়েছে।"
    questions: ["লামা কতবার ডাউনলোড হয়েছে?"]
    citation:
      source: article
      section: "প্রথম অংশ"
      quote: "{quote}"
"""


def folder(tmp_path: Path, file: str = "article.txt", quote: str = "a quote in no file") -> Path:
    """A knowledge folder whose source is `file`, next to a secret file outside it."""
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (knowledge / "sources.yaml").write_text(SOURCES.format(file=file), encoding="utf-8")
    (knowledge / "facts.yaml").write_text(FACTS.format(quote=quote), encoding="utf-8")
    return knowledge


def problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory, TZ)
    return [str(p) for p in caught.value.problems]


def stepwise_problems(directory: Path) -> list[str]:
    """The reload path of a running bot: the same loader, driven step by step."""
    steps = load_steps(directory, TZ)
    with pytest.raises(KnowledgeError) as caught:
        while True:
            next(steps)
    return [str(p) for p in caught.value.problems]


def test_a_source_inside_the_folder_still_gets_the_closest_sentence(tmp_path: Path) -> None:
    found = problems(folder(tmp_path))
    assert "closest is: লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।" in found[0]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("{outside}", "is an absolute path"),
        ("../secret.txt", "leaves the knowledge folder with '..'"),
        ("sub/../../secret.txt", "leaves the knowledge folder with '..'"),
        ("link.txt", "is a link to a file outside the knowledge folder"),
        ("linked/secret.txt", "is a link to a file outside the knowledge folder"),
        ("/proc/self/environ", "is an absolute path"),
        # A folder set up as the project's root would hold its settings: never a source.
        (".env", "is a hidden file"),
        ("sources/.git/config", "is a hidden file"),
    ],
)
def test_a_source_outside_the_folder_is_refused_and_never_quoted(
    tmp_path: Path, written: str, message: str
) -> None:
    knowledge = folder(tmp_path, written.format(outside=tmp_path / "secret.txt"))
    os.symlink(tmp_path / "secret.txt", knowledge / "link.txt")
    os.symlink(tmp_path, knowledge / "linked")
    (knowledge / ".env").write_text(SECRET + "\n", encoding="utf-8")
    (knowledge / "sources" / ".git").mkdir(parents=True)
    (knowledge / "sources" / ".git" / "config").write_text(SECRET + "\n", encoding="utf-8")
    for found in (problems(knowledge), stepwise_problems(knowledge)):
        sources = [p for p in found if "sources.yaml" in p]
        assert len(sources) == 1, found
        assert sources[0].startswith(f"{knowledge / 'sources.yaml'}:5:11: source file ")
        assert message in sources[0]
        text = "\n".join(found)
        assert "never-show-this" not in text
        assert "PATH=" not in text  # /proc/self/environ


def test_a_loop_of_links_cannot_be_read(tmp_path: Path) -> None:
    knowledge = folder(tmp_path, "loop.txt")
    os.symlink(knowledge / "loop.txt", knowledge / "loop.txt")
    found = [p for p in problems(knowledge) if "sources.yaml" in p]
    assert len(found) == 1 and ":5:11: cannot read source file 'loop.txt'" in found[0], found


def test_a_link_inside_the_folder_is_allowed(tmp_path: Path) -> None:
    knowledge = folder(tmp_path, "sources/link.txt", "লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "sources").mkdir()
    os.symlink(knowledge / "article.txt", knowledge / "sources" / "link.txt")
    assert set(load_knowledge(knowledge, TZ).facts) == {"downloads"}


# An anchored list of example questions, reused by many entries through an alias: the file
# is small, but every reuse is read (and normalised) again. The 311 KiB upload of
# this shape took 63 s and 4.9 GB; these are a thousandth of that.
def alias_bomb(entries: int, questions: int) -> str:
    listed = ", ".join(f'"q{i}"' for i in range(questions))
    lines = ["version: 1", "smalltalk:", f'  - {{id: s0, answer: "a", questions: &q [{listed}]}}']
    lines += [f'  - {{id: s{i}, answer: "a", questions: *q}}' for i in range(1, entries)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_the_alias(tmp_path: Path) -> None:
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "smalltalk.yaml").write_text(alias_bomb(200, 200), encoding="utf-8")
    for found in (problems(knowledge), stepwise_problems(knowledge)):
        assert len(found) == 1, found
        assert found[0].startswith(f"{knowledge / 'smalltalk.yaml'}:"), found
        assert "aliases in this file repeat more than 10000 YAML nodes" in found[0]


def test_nested_aliases_are_counted_as_they_expand(tmp_path: Path) -> None:
    """Billion laughs: each level repeats the one before ten times."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    levels = ['  - &l0 ["lol"]']
    levels += [f"  - &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 10)]
    (knowledge / "laughs.yaml").write_text(
        "version: 1\nsmalltalk:\n" + "\n".join(levels) + "\n", encoding="utf-8"
    )
    found = problems(knowledge)
    assert len(found) == 1, found
    assert "aliases in this file repeat more than 10000 YAML nodes" in found[0]


def test_modest_aliases_still_load(tmp_path: Path) -> None:
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "smalltalk.yaml").write_text(alias_bomb(10, 20), encoding="utf-8")
    loaded = load_knowledge(knowledge, TZ)
    assert loaded.smalltalk["s9"].questions == tuple(f"q{i}" for i in range(20))


def test_a_file_of_more_values_than_any_knowledge_file_needs_is_refused(tmp_path: Path) -> None:
    """100,000 values fit in a 200 KiB upload; each was checked and reported on its own
    (100,000 problems: thousands of Telegram messages)."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "many.yaml").write_text(
        "version: 1\ndecline: [" + ",".join(["1"] * 100_000) + "]\n", encoding="utf-8"
    )
    found = problems(knowledge)
    assert len(found) == 1, found[:3]
    assert found[0].startswith(f"{knowledge / 'many.yaml'}:2:"), found
    assert "more than 50000 YAML values in one file" in found[0]


def test_a_file_lists_at_most_100_problems_and_says_how_many_more(tmp_path: Path) -> None:
    """40,000 wrong entries were 40,000 problems: over a thousand Telegram messages."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "many.yaml").write_text(
        "version: 1\ndecline: [" + ",".join(["1"] * 40_000) + "]\n", encoding="utf-8"
    )
    found = problems(knowledge)
    assert len(found) == 101, len(found)
    assert found[0] == (
        f"{knowledge / 'many.yaml'}:1:1: 39900 more problems in this file are not listed "
        "(fix: correct the ones listed and check again)"
    )
    assert all("a decline entry must be a mapping" in p for p in found[1:])


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "loop.yaml").write_text("version: 1\nsmalltalk: &s [*s]\n", encoding="utf-8")
    found = problems(knowledge)
    assert found == [
        f"{knowledge / 'loop.yaml'}:2:16: alias *s is used inside the collection it names "
        "(fix: write the entries out instead of reusing them with *alias)"
    ]


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 990 + "]" * 990,
        "{a: " * 990 + "b" + "}" * 990,
        "".join(f"\n{'  ' * n}-" for n in range(1, 990)) + " x",
    ],
)
def test_deep_nesting_is_refused_with_one_located_line(tmp_path: Path, nested: str) -> None:
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "deep.yaml").write_text(f"version: 1\nfacts: {nested}\n", encoding="utf-8")
    for found in (problems(knowledge), stepwise_problems(knowledge)):
        assert len(found) == 1, found
        assert found[0].startswith(f"{knowledge / 'deep.yaml'}:"), found
        assert "YAML nested more than 20 levels deep" in found[0]


@pytest.mark.parametrize(
    ("version", "shown"),
    [
        ("9" * 5000, "'" + "9" * 5000 + "'"),
        ("2024-02-30", "'2024-02-30'"),
        ("2024-01-01 25:00:00", "'2024-01-01 25:00:00'"),
        ("1.0", "1.0"),  # equal to 1 in Python, and not what `version: 1` says
        ("true", "True"),
    ],
)
def test_a_version_yaml_cannot_construct_is_a_located_problem(
    tmp_path: Path, version: str, shown: str
) -> None:
    """Found by the fuzz run: these raised ValueError through every loading path."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "facts.yaml").write_text(
        FACTS.format(quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।").replace(
            "version: 1", f"version: {version}"
        ),
        encoding="utf-8",
    )
    found = problems(knowledge)
    assert found == [
        f"{knowledge / 'facts.yaml'}:1:10: unsupported version {shown} (fix: write `version: 1`)"
    ]


def test_kb_validate_reports_each_as_one_located_line(tmp_path: Path) -> None:
    """The command line reads the same files: no traceback, no secret, exit 1."""
    knowledge = folder(tmp_path, "../secret.txt")
    (knowledge / "bomb.yaml").write_text(alias_bomb(200, 200), encoding="utf-8")
    (knowledge / "deep.yaml").write_text("version: 1\nfacts: " + "[" * 990 + "]" * 990 + "\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "llamabot"), "kb", "validate", str(knowledge)],
        capture_output=True, text=True, env=environment, timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "never-show-this" not in result.stdout
    lines = result.stdout.splitlines()
    for file, message in [
        ("bomb.yaml", "aliases in this file repeat more than 10000 YAML nodes"),
        ("deep.yaml", "YAML nested more than 20 levels deep"),
        ("sources.yaml", "source file '../secret.txt' leaves the knowledge folder"),
    ]:
        assert any(line.startswith(f"{knowledge / file}:") and message in line for line in lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("questions: " + "[" * 990 + "]" * 990 + "\n", "nested too deeply"),
        ("questions:\n  - {q: 2024-02-30}\n", "day is out of range for month"),
        # PyYAML fails on an empty tagged value with AttributeError, KeyError, IndexError
        ("questions:\n  - {q: !!timestamp , expect: null}\n", "a value YAML cannot build"),
        ("questions:\n  - {q: !!bool , expect: null}\n", "a value YAML cannot build"),
        ("questions:\n  - {q: !!int , expect: null}\n", "a value YAML cannot build"),
    ],
)
def test_kb_eval_refuses_a_question_file_it_cannot_read_in_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    """All were tracebacks (RecursionError, ValueError, AttributeError, ...)."""
    questions = tmp_path / "questions.yaml"
    questions.write_text(content, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "llamabot"), "kb", "eval", str(questions)],
        capture_output=True, text=True, env=environment, timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {questions}: cannot read question file") and message in line


def test_kb_eval_refuses_turns_reused_through_aliases(tmp_path: Path) -> None:
    """Found by the tenth red-team run: a 15 KB dialogue file naming one list of 300 turns
    in 300 dialogues (`turns: *t`) kept kb eval busy for 25 seconds, and one of a megabyte
    for days: the knowledge loader bounds what aliases repeat, the eval files' reader did
    not. Labelled questions and dialogues are written out; an alias is refused in one line."""
    lines = ["dialogues:", "  - id: d0", "    turns: &t"]
    lines += ["      - {q: 'lama ki'}"] * 2000
    lines += [f"  - {{id: d{n}, turns: *t}}" for n in range(1, 2000)]
    dialogues = tmp_path / "dialogues.yaml"
    dialogues.write_text("\n".join(lines) + "\n", encoding="utf-8")
    questions = tmp_path / "questions.yaml"
    questions.write_text("questions:\n  - &q {q: lama ki, expect: null}\n  - *q\n",
                         encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
    for path, what, line, alias in ((dialogues, "dialogue file", 2004, "t"),
                                    (questions, "question file", 3, "q")):
        result = subprocess.run(
            [str(Path(sys.executable).parent / "llamabot"), "kb", "eval", str(path)],
            capture_output=True, text=True, env=environment, timeout=30,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"error: {path}: cannot read {what}: line {line}: an alias (*{alias}) repeats entries"
            " written above: write each one out"]


def test_a_tab_in_the_indentation_is_named(tmp_path: Path) -> None:
    """PyYAML calls it "a character that cannot start any token"; admins who are not
    programmers need to hear "tab"."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "tabbed.yaml").write_text("version: 1\nsynonyms:\n\t- [a, b]\n", encoding="utf-8")
    found = problems(knowledge)
    assert len(found) == 1 and found[0].startswith(f"{knowledge / 'tabbed.yaml'}:3:1: ")
    assert found[0].endswith("(fix: a tab: indent with spaces, not tabs)")


def test_a_pipe_or_a_device_in_the_folder_is_never_read(tmp_path: Path) -> None:
    """Found by the red-team run: a FIFO named *.yaml hung `kb validate` and the bot's start;
    a link to /dev/zero grew the bot's memory by gigabytes in seconds."""
    import os

    from bot.watch import digest

    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    os.mkfifo(knowledge / "pipe.yaml")
    (knowledge / "zero.bin").symlink_to("/dev/zero")
    found = problems(knowledge)
    assert found == [f"{knowledge / 'pipe.yaml'}:1:1: cannot read file: not a regular file"
                     " (a pipe, a device or a folder) (fix: save it as UTF-8 text)"]
    assert len(digest(knowledge)) == 64  # returns: neither waits for a writer nor reads zeros


def test_hidden_yaml_files_are_no_knowledge(tmp_path: Path) -> None:
    """Found by the red-team run: an editor's lock file (".#facts.yaml", a dangling link)
    failed every reload, upload and restart while someone edited; a macOS "._facts.yaml"
    copied along failed the folder too."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / ".#facts.yaml").symlink_to("admin@host.1234:1700000000")
    (knowledge / "._facts.yaml").write_bytes(b"\x00\x05\x16\x07 Mac OS X")
    loaded = load_knowledge(knowledge, TZ)
    assert [Path(f).name for f in loaded.files] == ["facts.yaml", "sources.yaml"]


@pytest.mark.parametrize("file", ["article\\0.txt", "article\\n.txt", "article\\u200e.txt"])
def test_a_source_path_with_a_control_character_is_a_problem_not_a_crash(
        tmp_path: Path, file: str) -> None:
    """Found by the red-team run: a NUL in `file:` raised ValueError out of every command."""
    found = problems(folder(tmp_path, file=f'"{file}"'))
    assert any("holds a control character" in p for p in found), found
    assert found == stepwise_problems(tmp_path / "knowledge")


def test_a_yaml_link_out_of_the_folder_is_refused_and_never_echoed(tmp_path: Path) -> None:
    """Found by the red-team run: `ln -s /etc/shadow knowledge/shadow.yaml` made `kb validate`
    (and a refused reload, to every admin) print lines of the file as YAML problems."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    shadow = tmp_path / "shadow"
    # Problem reports quote what they refuse: here "unknown field 'never-show-this'".
    shadow.write_text("never-show-this: 19000\n", encoding="utf-8")
    (knowledge / "shadow.yaml").symlink_to(shadow)
    (knowledge / "relative.yml").symlink_to("../shadow")
    for found in (problems(knowledge), stepwise_problems(knowledge)):
        assert found == [
            f"{knowledge / name}:1:1: cannot read file: it is a link to a file outside the"
            " knowledge folder (fix: put the file itself in the knowledge folder)"
            for name in ("relative.yml", "shadow.yaml")], found
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "llamabot"), "kb", "validate", str(knowledge)],
        capture_output=True, text=True, env=environment, timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "never-show-this" not in result.stdout + result.stderr
    assert "shadow.yaml:1:1: cannot read file: it is a link" in result.stdout, result.stdout


def test_a_yaml_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    (knowledge / "kept").mkdir()
    (knowledge / "facts.yaml").rename(knowledge / "kept" / "facts.yaml")
    (knowledge / "facts.yaml").symlink_to("kept/facts.yaml")
    assert set(load_knowledge(knowledge, TZ).facts) == {"downloads"}


def test_unknown_fact_ids_close_to_many_long_ids_are_checked_in_bounded_time(
    tmp_path: Path,
) -> None:
    """Red-team: an unknown event fact_id is told with the fact it likely meant, found by
    comparing it with every fact id, each comparison growing with the square of the ids'
    length. One 430 KB file of a thousand facts and a thousand events, every id 199 random
    letters, cost minutes of CPU (a stolen admin account's preview, sent again and again);
    the report lists 100 problems a file anyway."""
    knowledge = folder(tmp_path, quote="লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।")
    rng = random.Random(0)

    def long_id() -> str:
        return "f" + "".join(rng.choice(string.ascii_lowercase) for _ in range(198))

    lines = ["version: 1", "facts:", *(f"  - id: {long_id()}" for _ in range(1000)), "events:"]
    for number in range(1000):
        lines += [f"  - id: e{number}", f"    fact_id: {long_id()}"]
    (knowledge / "costly.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
    result = subprocess.run(  # a few seconds at most; minutes before
        [str(Path(sys.executable).parent / "llamabot"), "kb", "validate", str(knowledge)],
        capture_output=True, text=True, env=environment, timeout=60,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "problem(s) found" in result.stderr
