"""The two knowledge packs of the tests, alone and served together from one folder."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LLAMA = ROOT / "knowledge"
SHRUTI = ROOT / "tests" / "data" / "second_pack" / "knowledge"
SHRUTI_QUESTIONS = ROOT / "tests" / "data" / "second_pack" / "questions.yaml"
# What serving both adds: one bot.yaml that introduces the bot with both articles.
BOTH = ROOT / "tests" / "data" / "both_packs"


def both_packs(folder: Path) -> Path:
    """A knowledge folder with both packs' files, as an admin would make it: the Llama
    folder, the Shruti pack's files copied in (their names do not clash), and the combined
    bot.yaml in place of each pack's own."""
    shutil.copytree(LLAMA, folder, ignore=shutil.ignore_patterns("README.md"))
    shutil.copytree(SHRUTI, folder, dirs_exist_ok=True)
    shutil.copy(BOTH / "bot.yaml", folder / "bot.yaml")
    return folder
