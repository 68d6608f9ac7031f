"""SIGHUP reloads the knowledge base of the real `llamabot run` process, without a restart."""

from __future__ import annotations

import shutil
import signal
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
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=15)
        assert proc.returncode == 0
