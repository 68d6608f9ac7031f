"""The second knowledge pack (tests/data/second_pack/): a fictional article imported with
`kb import` and finished by hand. It validates, passes its own eval gate, and still rests on
what the import drafted."""

import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.answer import Responder
from bot.core.article_import import draft_article
from bot.core.collisions import find_collisions
from bot.core.loader import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "tests" / "data" / "second_pack"
LLAMABOT = str(Path(sys.executable).parent / "llamabot")
TZ = ZoneInfo("Asia/Dhaka")


def test_the_pack_is_valid_with_eight_or_more_finished_facts() -> None:
    knowledge = load_knowledge(PACK / "knowledge", TZ)
    assert find_collisions(Responder(knowledge)) == []
    assert len(knowledge.facts) >= 8
    for fact in knowledge.facts.values():
        assert len(fact.questions) >= 8, fact.id
        assert any(q.isascii() and " " in q for q in fact.questions), fact.id  # romanized/English
        assert fact.entities, fact.id
    assert {"shruti", "kothamala", "tanzila"} <= set(knowledge.entities)


def test_the_pack_is_what_kb_import_drafted_then_finished() -> None:
    article = (PACK / "article.bn.txt").read_text("utf-8")
    draft = draft_article(article, "shruti-speech")
    knowledge = load_knowledge(PACK / "knowledge", TZ)
    source = knowledge.sources["shruti-speech"]
    assert source.text == draft.text
    assert (source.title, source.sections) == (draft.title, draft.sections)
    drafted = {s for f in draft.facts for s in (f.quote, *f.others)}
    # Every finished fact quotes a sentence the draft offered (its quote or another of the
    # paragraph's sentences): the admin chose, and never had to copy a quote by hand.
    assert {f.citation.quote for f in knowledge.facts.values()} <= drafted
    assert len(article.split()) >= 550  # about 600 words


def test_the_pack_passes_its_eval_gate() -> None:
    """The pack scores 90.7% in-scope and 100% rejection (knowledge/README.md, step 5); the
    gate leaves room for matcher changes made for the Llama pack, but no wrong fact."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
    result = subprocess.run(
        [LLAMABOT, "kb", "eval", str(PACK / "questions.yaml"), "--knowledge",
         str(PACK / "knowledge"), "--min-accuracy", "85", "--min-rejection", "90"],
        capture_output=True, text=True, env=environment, timeout=60,
    )
    assert result.returncode == 0, result.stdout
    assert "wrong facts asserted:    0" in result.stdout
