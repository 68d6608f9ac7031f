"""An upload is untrusted input: a stolen admin account must not read the server's files
through it, nor stall the bot with a small file that expands to a huge one."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ADMIN_ID, BotThread
from fake_telegram import FakeTelegram
from test_tg_knowledge import with_new_answer
from test_tg_knowledge_apply import APPLIED, apply_button, preview, tap

from bot.kbedit import MAX_FILES, MAX_FOLDER_BYTES

LLAMABOT = str(Path(sys.executable).parent / "llamabot")
SECRET = "LLAMABOT_DATABASE=postgresql://bot:never-show-this@db/bot"
LEAK = """version: 1
sources:
  - id: leak
    title: "leak"
    file: {file}
    sections: []
facts:
  - id: leak_fact
    topic: adoption
    title: "leak"
    answer: "leak"
    questions: ["leak?"]
    citation: {{source: leak, section: "leak", quote: "a quote that is in no file"}}
"""


def outside_paths(secret: Path) -> list[str]:
    # The upload is checked in a scratch copy under the temporary folder: '..' from there.
    scratch_depth = "../../" + str(secret.relative_to(Path(tempfile.gettempdir()).resolve()))
    # A link already in the folder, named by no source until the upload names it.
    return [str(secret), "../secret.txt", scratch_depth, "/proc/self/environ", "notes.txt"]


def test_an_upload_cannot_read_a_file_outside_the_folder(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    bot, folder = editable_bot
    secret = tmp_path.resolve() / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    (folder / "notes.txt").symlink_to(secret)
    version = bot.services.knowledge.version
    for written in outside_paths(secret):
        since = fake_telegram.mark()
        fake_telegram.document("leak.yaml", LEAK.format(file=written).encode(), user_id=ADMIN_ID)
        [report] = fake_telegram.wait_for(
            "sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since
        )
        assert "leak.yaml:5:11: source file " in report.text, report.text
        assert not report.buttons
    sent = json.dumps([c.params for c in fake_telegram.calls], ensure_ascii=False)
    assert "never-show-this" not in sent
    assert "PATH=" not in sent  # /proc/self/environ
    assert bot.services.knowledge.version == version


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "version: 1\nsmalltalk:\n  - {id: s0, answer: a, questions: &q ["
            + ", ".join(f"q{i}" for i in range(2000))
            + "]}\n"
            + "".join(f"  - {{id: s{i}, answer: a, questions: *q}}\n" for i in range(1, 1000)),
            "aliases in this file repeat more than 10000 YAML nodes",
        ),
        ("version: 1\nfacts: " + "[" * 990 + "]" * 990 + "\n", "nested more than 20 levels"),
    ],
)
def test_an_upload_that_expands_or_nests_too_far_is_refused(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram, content: str, message: str
) -> None:
    bot, folder = editable_bot
    since = fake_telegram.mark()
    fake_telegram.document("bomb.yaml", content.encode(), user_id=ADMIN_ID)
    [report] = fake_telegram.wait_for(
        "sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since, timeout=10
    )
    assert "bomb.yaml:" in report.text and message in report.text, report.text
    assert not report.buttons


def test_a_control_character_is_located_and_named_in_plain_words(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Found by the red-team run: a NUL was reported at 1:1 in the YAML library's words
    ("unacceptable character #x0000 ... position 10")."""
    content = 'version: 1\nsmalltalk:\n  - {id: hello, answer: "নমস্কার\0", questions: [hi]}\n'
    since = fake_telegram.mark()
    fake_telegram.document("hello.yaml", content.encode(), user_id=ADMIN_ID)
    [report] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                      since=since)
    column = content.splitlines()[2].index("\0") + 1
    assert f"hello.yaml:3:{column}: a control character (U+0000, NUL)" in report.text, report.text
    assert "position" not in report.text and "#x0000" not in report.text
    assert not report.buttons


@pytest.mark.parametrize("escape", [r"\e]0;pwned\a", r"\x1b[2J", r"\u009b31m", r"\0"])
def test_a_control_character_written_as_an_escape_is_refused(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram, tmp_path: Path,
    escape: str
) -> None:
    """YAML refuses a raw control character but makes one of an escape in double quotes
    ("\\e", "\\x1b", "\\u009b"): an upload (or a hand edit) that kb validate called OK put a
    terminal's escape sequence into the questions `llamabot shell` lists and every answer
    Telegram shows. Refused where it is written, as a raw one is."""
    bot, folder = editable_bot
    text = (folder / "facts.yaml").read_text(encoding="utf-8")
    question = '      - "লামা কতবার ডাউনলোড হয়েছে?"'
    content = text.replace(question, question[:-1] + escape + '"', 1)
    line = content[: content.index(escape)].count("\n") + 1
    since = fake_telegram.mark()
    fake_telegram.document("facts.yaml", content.encode(), user_id=ADMIN_ID)
    [report] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID,
                                      since=since)
    assert f"facts.yaml:{line}:" in report.text and "control character (U+" in report.text, \
        report.text
    assert not report.buttons
    assert (folder / "facts.yaml").read_text(encoding="utf-8") == text
    # The same file in a folder, checked from the shell: one located line, no OK.
    (folder / "facts.yaml").write_text(content, encoding="utf-8")
    done = subprocess.run([LLAMABOT, "kb", "validate", str(folder)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1, done.stdout
    assert f"facts.yaml:{line}:" in done.stdout and "control character" in done.stdout
    assert "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stdout


def test_a_stolen_admin_account_cannot_fill_the_disk_with_new_knowledge_files(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    """Red-team: an admin could upload any number of new .yaml files (each up to 512 KiB,
    and 20 history copies of each) until the disk was full. Past MAX_FILES knowledge files,
    or MAX_FOLDER_BYTES of them, an upload is refused before anything is written; a file
    already there can still be replaced."""
    bot, folder = editable_bot
    for n in range(MAX_FILES - len(list(folder.glob("*.yaml")))):
        (folder / f"deployed{n}.yaml").write_text("version: 1\n", encoding="utf-8")
    extra = 'version: 1\nsmalltalk:\n  - id: bye2\n    answer: "বিদায়"\n    questions: ["tata"]\n'
    refused = preview(fake_telegram, "one-more.yaml", extra.encode())
    assert "one-more.yaml would be a new knowledge file" in refused.text, refused.text
    assert f"already holds {MAX_FILES} knowledge files" in refused.text
    assert not refused.buttons
    assert not (folder / "one-more.yaml").exists()
    assert not list((folder / ".history").glob("*--*"))

    shown = preview(fake_telegram, "facts.yaml", with_new_answer(folder))
    assert APPLIED in tap(fake_telegram, apply_button(shown)).text

    # Size: files deployed by hand, each under the upload limit, take what the folder may.
    for deployed in folder.glob("deployed*.yaml"):
        deployed.unlink()
    taken = sum(p.stat().st_size for p in folder.glob("*.yaml"))
    (folder / "bulk.yaml").write_bytes(b"version: 1\n#" + b"x" * (MAX_FOLDER_BYTES - taken - 2000)
                                       + b"\n")
    refused = preview(fake_telegram, "one-more.yaml", extra.encode() + b"#" * 2000 + b"\n")
    assert f"the limit is {MAX_FOLDER_BYTES // 1024} KiB" in refused.text, refused.text
    assert not refused.buttons and not (folder / "one-more.yaml").exists()
    assert len(list((folder / ".history").glob("*--*"))) == 1  # facts.yaml's apply alone
    # A small new file still fits.
    shown = preview(fake_telegram, "one-more.yaml", extra.encode())
    assert APPLIED in tap(fake_telegram, apply_button(shown)).text
    assert "bye2" in bot.services.knowledge.smalltalk
