"""Knowledge files are untrusted input (an admin upload is one stolen phone away from an
attacker's): a source never names a file outside the folder, and no YAML file may expand
into more than it says or nest deep enough to break the reader."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.loader import KnowledgeError, load_knowledge, load_steps

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
    ],
)
def test_a_source_outside_the_folder_is_refused_and_never_quoted(
    tmp_path: Path, written: str, message: str
) -> None:
    knowledge = folder(tmp_path, written.format(outside=tmp_path / "secret.txt"))
    os.symlink(tmp_path / "secret.txt", knowledge / "link.txt")
    os.symlink(tmp_path, knowledge / "linked")
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
