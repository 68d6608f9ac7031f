"""The built responder kept on disk: read back while nothing it depends on changed, never a
file that others could have written, rebuilt when damaged."""

import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from bot.core.answer import Responder
from bot.core.conversation import Context, Conversation
from bot.core.loader import KnowledgeError, load_knowledge
from bot.responder_cache import KEPT, ResponderCache

ROOT = Path(__file__).resolve().parent.parent
DHAKA = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 10, 0, tzinfo=DHAKA)
QUESTION = "লামাকন কবে?"
LLAMABOT = str(Path(sys.executable).parent / "llamabot")


def answer(responder: Responder, question: str = QUESTION) -> str:
    return Conversation(responder).reply(question, Context(), NOW).answer.text


def knowledge(tmp_path: Path, name: str = "kb") -> Path:
    folder = tmp_path / name
    shutil.copytree(ROOT / "knowledge", folder)
    return folder


def reworded(folder: Path, marker: str) -> Path:
    """`folder` with the LlamaCon answer saying `marker` as well."""
    facts = folder / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    assert "জেনারেটিভ AI নিয়ে মেটার প্রথম ডেভেলপার কনফারেন্স" in text
    facts.write_text(text.replace("জেনারেটিভ AI নিয়ে মেটার প্রথম ডেভেলপার কনফারেন্স",
                                  f"জেনারেটিভ AI নিয়ে মেটার প্রথম ডেভেলপার কনফারেন্স {marker}", 1),
                     encoding="utf-8")
    return folder


def cached_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("responder-*.pickle"))


def plant(cache_file: Path, tmp_path: Path, marker: str) -> None:
    """Put in `cache_file` the responder of another folder, whose LlamaCon answer says
    `marker`."""
    other = Responder(load_knowledge(reworded(knowledge(tmp_path, "other"), marker), DHAKA))
    cache_file.write_bytes(pickle.dumps(other))
    cache_file.chmod(0o600)


def test_a_second_build_reads_the_file_the_first_wrote(tmp_path: Path) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    first = ResponderCache(cache).responder(folder, DHAKA)
    [written] = cached_files(cache)
    # What the file holds is what the next build answers with: plant another responder there.
    plant(written, tmp_path, "PLANTED")
    second = ResponderCache(cache).responder(folder, DHAKA)
    assert "PLANTED" in answer(second) and "PLANTED" not in answer(first)


def test_the_cache_is_a_private_folder_of_private_files(tmp_path: Path) -> None:
    cache = tmp_path / "deep" / "cache"
    ResponderCache(cache).responder(knowledge(tmp_path), DHAKA)
    assert cache.stat().st_mode & 0o777 == 0o700
    [written] = cached_files(cache)
    assert written.stat().st_mode & 0o777 == 0o600
    assert not list(cache.glob(".*")), "no temporary file is left behind"


def test_an_edited_folder_is_built_again(tmp_path: Path) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    assert "EDITED" not in answer(ResponderCache(cache).responder(folder, DHAKA))
    assert "EDITED" in answer(ResponderCache(cache).responder(reworded(folder, "EDITED"), DHAKA))
    assert len(cached_files(cache)) == 2


def test_a_folder_edited_while_it_is_built_is_not_cached_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit between the folder's digest and its reading: the responder holds the edit,
    so filing it under the digest of the folder before would serve the edit once the folder
    is back as it was (a /rollback)."""
    import bot.responder_cache

    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    facts = folder / "facts.yaml"
    original = facts.read_bytes()

    def edited_meanwhile(directory: Path, tz: ZoneInfo) -> object:
        reworded(folder, "EDITED")
        return load_knowledge(directory, tz)

    monkeypatch.setattr(bot.responder_cache, "load_knowledge", edited_meanwhile)
    assert "EDITED" in answer(ResponderCache(cache).responder(folder, DHAKA))
    monkeypatch.undo()
    facts.write_bytes(original)
    assert "EDITED" not in answer(ResponderCache(cache).responder(folder, DHAKA))


def test_other_code_builds_again(tmp_path: Path) -> None:
    folder, cache, code = knowledge(tmp_path), tmp_path / "cache", tmp_path / "code"
    shutil.copytree(ROOT / "bot", code, ignore=shutil.ignore_patterns("__pycache__"))
    ResponderCache(cache, code=code).responder(folder, DHAKA)
    ResponderCache(cache, code=code).responder(folder, DHAKA)
    assert len(cached_files(cache)) == 1
    matcher = code / "core" / "match.py"
    matcher.write_text(matcher.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    ResponderCache(cache, code=code).responder(folder, DHAKA)
    assert len(cached_files(cache)) == 2


def test_a_file_read_back_counts_as_recently_used(tmp_path: Path) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    ResponderCache(cache).responder(folder, DHAKA)
    [used] = cached_files(cache)
    for edit in range(KEPT - 1):
        ResponderCache(cache).responder(reworded(knowledge(tmp_path, f"o{edit}"), "X"), DHAKA)
    ResponderCache(cache).responder(folder, DHAKA)  # read back: used most recently
    ResponderCache(cache).responder(reworded(knowledge(tmp_path, "last"), "Y"), DHAKA)
    assert len(cached_files(cache)) == KEPT and used.exists()


def test_only_the_newest_files_are_kept(tmp_path: Path) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    for edit in range(KEPT + 2):
        ResponderCache(cache).responder(reworded(folder, f"EDIT{edit}"), DHAKA)
    assert len(cached_files(cache)) == KEPT
    # The newest is among them: the same folder again is read, not built.
    [newest] = [p for p in cached_files(cache)
                if p.stat().st_mtime_ns == max(q.stat().st_mtime_ns for q in cached_files(cache))]
    plant(newest, tmp_path, "PLANTED")
    assert "PLANTED" in answer(ResponderCache(cache).responder(folder, DHAKA))


@pytest.mark.parametrize("writable", ["folder", "file"])
def test_a_cache_others_can_write_is_never_read(
        tmp_path: Path, writable: str, caplog: pytest.LogCaptureFixture) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    ResponderCache(cache).responder(folder, DHAKA)
    [written] = cached_files(cache)
    plant(written, tmp_path, "EVIL")
    (cache if writable == "folder" else written).chmod(0o777 if writable == "folder" else 0o666)
    with caplog.at_level(logging.WARNING, logger="bot.responder_cache"):
        responder = ResponderCache(cache).responder(folder, DHAKA)
    assert "EVIL" not in answer(responder)
    assert "২৯ এপ্রিল" in answer(responder)
    assert "not used" in caplog.text or "not read" in caplog.text


def test_a_link_in_place_of_the_file_is_not_followed(tmp_path: Path) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    ResponderCache(cache).responder(folder, DHAKA)
    [written] = cached_files(cache)
    elsewhere = tmp_path / "elsewhere.pickle"
    plant(elsewhere, tmp_path, "EVIL")
    written.unlink()
    written.symlink_to(elsewhere)
    assert "EVIL" not in answer(ResponderCache(cache).responder(folder, DHAKA))


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"a": "dict"})])
def test_a_damaged_file_is_built_again_and_replaced(tmp_path: Path, content: bytes) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    ResponderCache(cache).responder(folder, DHAKA)
    [written] = cached_files(cache)
    written.write_bytes(content)
    assert "২৯ এপ্রিল" in answer(ResponderCache(cache).responder(folder, DHAKA))
    assert isinstance(pickle.loads(written.read_bytes()), Responder)


def test_a_broken_folder_raises_and_caches_nothing(tmp_path: Path) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    (folder / "facts.yaml").write_text("version: 1\nfacts: [{id: x}]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        ResponderCache(cache).responder(folder, DHAKA)
    assert cached_files(cache) == []


def test_no_usable_cache_folder_still_answers(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    responder = ResponderCache(blocker / "cache").responder(knowledge(tmp_path), DHAKA)
    assert "২৯ এপ্রিল" in answer(responder)


def test_cache_folder_setting() -> None:
    def cache_dir(**env: str) -> Path | None:
        return load_settings(env=env, env_file=None).cache_dir

    assert cache_dir(LLAMABOT_CACHE_DIR="off") is None
    assert cache_dir(LLAMABOT_CACHE_DIR="/srv/c", XDG_CACHE_HOME="/x") == Path("/srv/c")
    assert cache_dir(XDG_CACHE_HOME="/x") == Path("/x/llamabot")
    # A relative XDG_CACHE_HOME is invalid (the XDG rule): the home folder's .cache instead.
    assert cache_dir(XDG_CACHE_HOME="x") == Path.home() / ".cache" / "llamabot"


def test_llamabot_ask_answers_alike_from_the_cache(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LLAMABOT_"))}
    env["LLAMABOT_CACHE_DIR"] = str(tmp_path / "cache")

    def ask() -> dict[str, object]:
        result = subprocess.run([LLAMABOT, "ask", "--json", "--now", "2025-04-20", QUESTION],
                                capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        row: dict[str, object] = json.loads(result.stdout)
        return row

    built = ask()
    assert len(cached_files(tmp_path / "cache")) == 1
    assert ask() == built and built["fact_id"] == "llamacon"
    env["LLAMABOT_CACHE_DIR"] = "off"
    shutil.rmtree(tmp_path / "cache")
    assert ask() == built
    assert not (tmp_path / "cache").exists()


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from zoneinfo import ZoneInfo
from bot.responder_cache import ResponderCache
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
responder = ResponderCache(Path(sys.argv[2])).responder(Path(sys.argv[1]), ZoneInfo("Asia/Dhaka"))
print(responder.knowledge.facts["llamacon"].title)
"""


def test_a_full_disk_caches_nothing_and_leaves_no_scrap(tmp_path: Path) -> None:
    folder, cache = knowledge(tmp_path), tmp_path / "cache"
    done = subprocess.run([sys.executable, "-c", FULL_DISK, str(folder), str(cache)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert list(cache.iterdir()) == []
