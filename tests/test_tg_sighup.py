"""SIGHUP reloads the knowledge base of the real `llamabot run` process, without a restart."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

from conftest import ADMIN_ID, KNOWLEDGE_DIR
from fake_telegram import FakeTelegram
from test_tg_process import bot_env, llamabot


def test_sighup_reloads_good_edits_and_refuses_broken_ones(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    facts = folder / "facts.yaml"
    with FakeTelegram(max_poll=0.3) as fake:
        env = bot_env(
            fake,
            tmp_path,
            LLAMABOT_KNOWLEDGE_DIR=str(folder),
            LLAMABOT_WATCH_SECONDS="0",
            LLAMABOT_LOG_LEVEL="INFO",
        )
        proc = llamabot("run", env=env, cwd=tmp_path)
        try:
            fake.wait_for("getUpdates", timeout=15)
            original = facts.read_text(encoding="utf-8")
            facts.write_text(original + "\n  - id: [broken\n", encoding="utf-8")
            since = fake.mark()
            proc.send_signal(signal.SIGHUP)
            # The reason and the report are two messages; both may be in before we look.
            told = fake.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID, since=since)
            assert "SIGHUP" in told[0].text
            refused = fake.wait_for("sendMessage", lambda c: "সমস্যা" in c.text, since=since)
            assert "facts.yaml:" in refused[0].text

            facts.write_text(original.replace("মোট ১ বিলিয়ন", "মোট এক বিলিয়ন"), encoding="utf-8")
            since = fake.mark()
            proc.send_signal(signal.SIGHUP)
            ok = fake.wait_for("sendMessage", lambda c: "facts changed" in c.text, since=since)
            assert "downloads_milestone" in ok[0].text
            assert proc.poll() is None  # still the same process
            [answer] = fake.ask("লামা কতবার ডাউনলোড হয়েছে?", user_id=77)
            assert "এক বিলিয়ন" in answer.text
        finally:
            _stop(proc)
        assert proc.returncode == 0


def test_a_sighup_while_the_bot_starts_does_not_kill_it(tmp_path: Path) -> None:
    """Found by the red-team run: a reload signal in the first half second (systemd's reload
    right after a restart) ended the process, which systemd counts as a clean stop."""
    import time

    with FakeTelegram(max_poll=0.3) as fake:
        env = bot_env(fake, tmp_path, LLAMABOT_WATCH_SECONDS="0")
        proc = llamabot("run", env=env, cwd=tmp_path)
        try:
            # Sent as soon as the process ignores it, which must be before the loop takes it
            # as "reload" (until then its default action ends the process).
            deadline = time.monotonic() + 10
            while not _ignores_sighup(proc.pid) and time.monotonic() < deadline:
                if _catches_sighup(proc.pid):
                    raise AssertionError("SIGHUP was never ignored before the loop caught it")
                time.sleep(0.005)
            proc.send_signal(signal.SIGHUP)
            fake.wait_for("getUpdates", timeout=15)
            assert proc.poll() is None
            [answer] = fake.ask("লামাকন কবে?", user_id=78)
            assert "লামাকন" in answer.text
        finally:
            _stop(proc)
        assert proc.returncode == 0


def _signal_mask(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1], 16)
    return 0


def _ignores_sighup(pid: int) -> bool:
    return bool(_signal_mask(pid, "SigIgn") & (1 << (signal.SIGHUP - 1)))


def _catches_sighup(pid: int) -> bool:
    return bool(_signal_mask(pid, "SigCgt") & (1 << (signal.SIGHUP - 1)))


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=15)
