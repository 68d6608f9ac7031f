"""`llamabot kb import`, run as a real subprocess: the files it writes, and every refusal as
one line with exit code 2, writing nothing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LLAMABOT = str(Path(sys.executable).parent / "llamabot")
ARTICLE = (
    "নদী পরিষ্কারের ড্রোন এখন বুড়িগঙ্গায়\n\n"
    "ঢাকার একটি তরুণ দল নদী পরিষ্কারের জন্য একটি ড্রোন বানিয়েছে। ড্রোনটি প্রতিদিন ২০০ কেজি"
    " প্লাস্টিক তোলে।\n\n"
    "কীভাবে কাজ করে\n\n"
    "ড. নাসরিন হক বলেন, “ড্রোনটি সৌরশক্তিতে চলে।” দলটি আগামী বছর আরও ড্রোন নামাবে।\n"
)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))
    }
    return subprocess.run(
        [LLAMABOT, *args], capture_output=True, text=True, cwd=cwd, env=environment, timeout=60
    )


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_import_writes_the_copy_and_a_draft_that_validate_refuses_until_finished(
    tmp_path: Path, article: Path
) -> None:
    out = tmp_path / "new" / "knowledge"  # created
    result = run("kb", "import", str(article), "--id", "river-drone", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    draft = out / "facts-river-drone.yaml"
    assert result.stdout.splitlines() == [
        f"drafted 3 facts under 2 topics from 1 section headings: wrote "
        f"{out / 'sources/river-drone.bn.txt'} and {draft}",
        f"next: write each answer marked TODO (llamabot kb validate {out} lists them)",
    ]
    assert files(out) == ["facts-river-drone.yaml", "sources", "sources/river-drone.bn.txt"]
    assert (out / "sources/river-drone.bn.txt").read_text("utf-8") == ARTICLE
    data = yaml.safe_load(draft.read_text("utf-8"))
    assert data["sources"] == [{
        "id": "river-drone", "title": "নদী পরিষ্কারের ড্রোন এখন বুড়িগঙ্গায়",
        "file": "sources/river-drone.bn.txt", "language": "bn", "sections": ["কীভাবে কাজ করে"],
    }]
    assert [f["answer"] for f in data["facts"]] == ["TODO"] * 3

    checked = run("kb", "validate", str(out))
    assert checked.returncode == 1
    lines = draft.read_text("utf-8").splitlines()
    todo = [n for n, line in enumerate(lines, 1) if line == '    answer: "TODO"']
    assert [line.split(": answer is still TODO")[0] for line in checked.stdout.splitlines()] == [
        f"{draft}:{n}:13" for n in todo
    ]

    answer = '"ঢাকার একটি দল নদী পরিষ্কারের ড্রোন বানিয়েছে।"'
    draft.write_text(draft.read_text("utf-8").replace('"TODO"', answer), encoding="utf-8")
    assert run("kb", "validate", str(out)).stdout.startswith("OK: 3 facts")


def test_title_and_each_sentence(tmp_path: Path, article: Path) -> None:
    out = tmp_path / "kb"
    result = run("kb", "import", str(article), "--id", "d", "--title", "নদীর ড্রোন",
                 "--each", "sentence", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((out / "facts-d.yaml").read_text("utf-8"))
    assert data["sources"][0]["title"] == "নদীর ড্রোন"
    assert len(data["facts"]) == 5  # the headline and four sentences


def test_the_default_folder_is_the_knowledge_folder(tmp_path: Path, article: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    result = run("kb", "import", str(article), "--id", "river-drone", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (knowledge / "facts-river-drone.yaml").is_file()
    # A careless admin is told at once what a draft in the live folder does (red-team run).
    assert "cannot start" in result.stderr and "--out" in result.stderr
    # The Llama pack is untouched, and the folder is refused until the draft is finished.
    assert run("kb", "validate", str(knowledge)).stdout.count("answer is still TODO") == 3


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "error: {article}: no such file"),
        ("folder", "error: {article} is a folder, not an article's text file"),
        ("latin1", "error: {article} is not UTF-8 text (byte 0xe9 at offset 3): save it as UTF-8"),
        ("empty", "error: {article}: the article has no text"),
        ("blank", "error: {article}: the article has no text"),
        ("no headline", "error: {article}: its first line is not a headline (a short line without"
                        " a full stop): give the title with --title"),
        ("bad id", "error: {article}: the source id 'River Drone' must be lowercase letters,"
                   " digits, '-' and '_' (at most 60; it names the files)"),
        ("source clash", "error: source id 'llama-1b-downloads' already exists in"
                         " {out}/sources.yaml: choose another --id"),
        ("file clash", "error: {out}/sources/river-drone.bn.txt already exists: choose another"
                       " --id, or remove it first"),
        ("out is a file", "error: {out} is not a folder"),
        ("too big", "error: {article} has more than 1,048,576 bytes: import one article"),
    ],
)
def test_every_refusal_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, case: str, message: str
) -> None:
    article, out = tmp_path / "article.txt", tmp_path / "kb"
    source_id = "River Drone" if case == "bad id" else "river-drone"
    if case == "source clash":
        shutil.copytree(ROOT / "knowledge", out)
        source_id = "llama-1b-downloads"
        (out / "sources/llama-1b-downloads.bn.txt").rename(out / "sources/moved.txt")
    if case == "file clash":
        (out / "sources").mkdir(parents=True)
        (out / "sources/river-drone.bn.txt").write_text("an older copy\n", encoding="utf-8")
    if case == "out is a file":
        out.write_text("", encoding="utf-8")
    contents = {
        "latin1": "café".encode("latin-1") + b" \xe9t\xe9\n",
        "empty": b"",
        "blank": "\n  \n।\n".encode(),
        "no headline": "ঢাকার একটি দল নদী পরিষ্কারের ড্রোন বানিয়েছে।\n\nড্রোনটি চলে।\n".encode(),
        "too big": ARTICLE.encode() + b"x" * (1 << 20),
    }
    if case == "folder":
        article.mkdir()
    elif case != "missing":
        article.write_bytes(contents.get(case, ARTICLE.encode()))
    before = files(out) if out.is_dir() else None
    result = run("kb", "import", str(article), "--id", source_id, "--out", str(out))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == message.format(article=article, out=out) + "\n"
    if out.is_dir():
        assert files(out) == before
    elif case != "out is a file":
        assert not out.exists()


@pytest.mark.parametrize("value", ["!!timestamp", "!!bool", "!!int", "2024-02-30"])
def test_a_yaml_file_yaml_cannot_build_is_left_to_validate(tmp_path: Path, article: Path,
                                                           value: str) -> None:
    """The id check skips a file it cannot read (a traceback before, for an empty tagged
    value): `kb validate` reports it with its line."""
    out = tmp_path / "kb"
    out.mkdir()
    (out / "broken.yaml").write_text(f"version: 1\nfacts:\n  - id: {value}\n", encoding="utf-8")
    result = run("kb", "import", str(article), "--id", "river-drone", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "sources" / "river-drone.bn.txt").exists()


def test_a_device_or_pipe_is_read_only_up_to_the_bound(tmp_path: Path) -> None:
    """/dev/zero states no size: it was read to the end (the process was killed)."""
    result = run("kb", "import", "/dev/zero", "--id", "zero", "--out", str(tmp_path / "kb"))
    assert result.returncode == 2
    assert result.stderr == "error: /dev/zero has more than 1,048,576 bytes: import one article\n"
    assert not (tmp_path / "kb").exists()


@pytest.mark.parametrize("kind", ["pipe", "device", "outside"])
def test_the_id_check_reads_the_folder_as_the_loader_does(tmp_path: Path, article: Path,
                                                          kind: str) -> None:
    """The id check read every *.yaml of the folder whole: a pipe waited for a writer
    forever, a link to /dev/zero filled the memory, a link out of the folder was read. It
    skips them now, as files `kb validate` reports."""
    out = tmp_path / "kb"
    out.mkdir()
    odd = out / "odd.yaml"
    if kind == "pipe":
        os.mkfifo(odd)
    elif kind == "device":
        odd.symlink_to("/dev/zero")
    else:
        (tmp_path / "elsewhere.yaml").write_text(
            "version: 1\nsources:\n  - id: river-drone\n", encoding="utf-8")
        odd.symlink_to(tmp_path / "elsewhere.yaml")
    result = subprocess.run(
        ["prlimit", f"--as={1200 << 20}", LLAMABOT, "kb", "import", str(article), "--id",
         "river-drone", "--out", str(out)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert (out / "facts-river-drone.yaml").exists()


@pytest.mark.parametrize("link", ["sources", "copy"])
def test_the_copy_is_written_inside_the_folder_or_not_at_all(tmp_path: Path, article: Path,
                                                             link: str) -> None:
    """`sources/` a link out of the folder: the copy was written there, outside (and the
    folder then refused it); a dangling link named as the copy was replaced, though the
    import writes "never over an existing file"."""
    out, elsewhere = tmp_path / "kb", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "sources").parent.mkdir()
    if link == "sources":
        (out / "sources").symlink_to(elsewhere)
    else:
        (out / "sources").mkdir()
        (out / "sources" / "river-drone.bn.txt").symlink_to(elsewhere / "gone.txt")
    before = files(out)
    result = run("kb", "import", str(article), "--id", "river-drone", "--out", str(out))
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert str(out / "sources") in result.stderr
    assert files(out) == before and list(elsewhere.iterdir()) == []
