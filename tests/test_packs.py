"""Several articles in one knowledge base: the Llama pack and the Shruti pack (tests/data/
second_pack/) served together. Facts cite either source, topics and events may mix them, and
each article's questions are answered as they were when it was served alone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from packs import LLAMA, SHRUTI, SHRUTI_QUESTIONS, both_packs

from bot.core.answer import Answer, AnswerKind, Responder
from bot.core.collisions import find_collisions, unanswered_examples
from bot.core.loader import load_knowledge
from bot.core.normalize import clean

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 10, 0, tzinfo=TZ)
LLAMABOT = str(Path(sys.executable).parent / "llamabot")
LLAMA_QUESTIONS = [ROOT / "tests" / "data" / name for name in (
    "eval_questions.yaml", "holdout_questions.yaml", "dev2_questions.yaml", "dev3_questions.yaml")]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return both_packs(tmp_path_factory.mktemp("both") / "knowledge")


@pytest.fixture(scope="module")
def together(both: Path) -> Responder:
    return Responder(load_knowledge(both, TZ))


def questions(path: Path) -> list[dict[str, str | None]]:
    loaded: list[dict[str, str | None]] = yaml.safe_load(path.read_text("utf-8"))["questions"]
    return loaded


def outcome(answer: Answer) -> tuple[str, str | None]:
    """What a user gets: a fact or small talk (which one), or no answer (of any kind)."""
    if answer.kind in (AnswerKind.FACT, AnswerKind.SMALLTALK):
        return answer.kind, answer.intent_id
    return "no answer", None


def test_both_packs_validate_without_collisions(together: Responder) -> None:
    knowledge = together.knowledge
    assert set(knowledge.sources) == {"llama-1b-downloads", "shruti-speech"}
    assert len(together.articles) == 2
    assert find_collisions(together) == []
    assert unanswered_examples(together, NOW) == []


def test_the_llama_pack_is_answered_as_when_alone(together: Responder) -> None:
    """Every labelled Llama question (923) gets the same fact, small talk or no answer, but
    where the second pack's synonym groups (shared by the whole knowledge base: "ভার্সন" is
    "সংস্করণ") turn an unsure answer into the right one: none goes wrong."""
    alone = Responder(load_knowledge(LLAMA, TZ))
    labelled = [q for path in LLAMA_QUESTIONS for q in questions(path)]
    assert len(labelled) > 900
    changed = [(q, outcome(alone.ask(str(q["q"]), NOW)), outcome(together.ask(str(q["q"]), NOW)))
               for q in labelled]
    changed = [c for c in changed if c[1] != c[2]]
    assert [c for c in changed if c[2][1] != c[0]["expect"]] == []  # no change for the worse
    assert len(changed) <= 2


def test_the_eval_gate_holds_with_both_packs(both: Path) -> None:
    def gate(folder: Path) -> list[str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("LLAMABOT_")}
        result = subprocess.run(
            [LLAMABOT, "kb", "eval", str(ROOT / "tests" / "data" / "eval_questions.yaml"),
             "--knowledge", str(folder), "--min-accuracy", "95", "--min-rejection", "90"],
            capture_output=True, text=True, env=environment, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        # accuracy, rejection, wrong facts on out-of-scope questions
        return [float(lines[0].split()[3].rstrip("%")), float(lines[1].split()[2].rstrip("%")),
                int(lines[2].split("(")[1].split()[0])]

    together, alone = gate(both), gate(LLAMA)
    assert together[0] >= alone[0] and together[1] >= alone[1] and together[2] <= alone[2]


def test_the_shruti_pack_is_answered_with_both_packs(together: Responder) -> None:
    shruti = set(load_knowledge(SHRUTI, TZ).facts)
    labelled = questions(SHRUTI_QUESTIONS)
    in_scope = [q for q in labelled if q["expect"]]
    right = [q for q in in_scope if together.ask(str(q["q"]), NOW).fact_id == q["expect"]]
    assert len(right) / len(in_scope) >= 0.90
    for q in labelled:
        if q["expect"] is None:  # out of the Shruti article: never answered from it
            assert together.ask(str(q["q"]), NOW).fact_id not in shruti, q["q"]


def ask_of(responder: Responder, question: str) -> list[Responder]:
    return responder.articles_for(responder.matcher.key(clean(question)))


def test_only_the_articles_a_question_is_about_are_asked(together: Responder) -> None:
    """Asking an article costs a whole match: a question naming one article's subject, or
    holding far more of one article's words, asks that article alone."""
    llama, shruti = (next(a for a in together.articles if source in a.knowledge.sources
                          and all(f.citation.source_id == source
                                  for f in a.knowledge.facts.values()))
                     for source in ("llama-1b-downloads", "shruti-speech"))
    assert ask_of(together, "লামার লাইসেন্স নিয়ে সমালোচনা কেন?") == [llama]
    assert ask_of(together, "shruti app er license ki?") == [shruti]
    assert ask_of(together, "মেটা এআই-তে কত টাকা বিনিয়োগ করছে?") == [llama]
    # Words of both and a subject of neither: both may be asked, the one holding most first.
    both = ask_of(together, "ওপেন সোর্স মডেলের চাহিদা কেন?")
    assert len(both) == 2 and both[0] is llama


def test_a_sure_answer_from_the_first_article_asks_no_other(
    together: Responder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked of both, the article holding most of the question answers it surely (a fact
    at 80 or more): the other is not asked; unsure, both are."""
    second = together.articles_for(together.matcher.key(clean("ওপেন সোর্স মডেলের চাহিদা কেন?")))[1]
    asked: list[str] = []
    real_ask = second.ask
    monkeypatch.setattr(second, "ask", lambda q, now, key=None, **kw: asked.append(q) or real_ask(
        q, now, key, **kw))
    sure = together.ask("ডেভেলপাররা কি ওপেন সোর্স এলএলএম পছন্দ করতেছে?", NOW)
    assert (sure.kind, sure.fact_id) == (AnswerKind.FACT, "open_source_interest")
    assert sure.score >= together.policy.article_sure_at and asked == []
    together.ask("ওপেন সোর্স মডেলের লাইসেন্স কেমন হয়?", NOW)
    assert asked == ["ওপেন সোর্স মডেলের লাইসেন্স কেমন হয়?"]


def test_answers_cite_the_article_they_rest_on(together: Responder) -> None:
    sources = together.knowledge.sources
    llama = together.ask("লামা কতবার ডাউনলোড হয়েছে?", NOW)
    shruti = together.ask("শ্রুতি কতবার ডাউনলোড হয়েছে?", NOW)
    assert (llama.fact_id, shruti.fact_id) == ("downloads_milestone", "shruti_downloads")
    assert llama.citation is not None and shruti.citation is not None
    assert llama.citation.source_title == sources["llama-1b-downloads"].title
    assert shruti.citation.source_title == sources["shruti-speech"].title
    # The fallback speaks of both articles and offers facts of both.
    fallback = together.ask("How do I reset my Facebook password?", NOW)
    assert fallback.kind is AnswerKind.FALLBACK
    assert all(source.title in fallback.text for source in sources.values())
    facts = together.knowledge.facts
    assert {facts[c.fact_id].citation.source_id for c in fallback.choices} == set(sources)


def test_topics_and_events_may_mix_articles(both: Path) -> None:
    """A fact may cite any source and sit in any topic; an event may point at any fact."""
    (both / "extra.yaml").write_text(
        "version: 1\n"
        "facts:\n"
        "  - id: shruti_open_like_llama\n"
        "    topic: adoption\n"  # a Llama topic
        '    title: "শ্রুতিও উন্মুক্ত"\n'
        '    answer: "লামার মতো শ্রুতিও উন্মুক্ত লাইসেন্সে প্রকাশিত, বাণিজ্যিক কাজেও চলে।"\n'
        '    questions: ["শ্রুতির লাইসেন্স কি লামার মতো উন্মুক্ত?"]\n'
        "    citation:\n"
        "      source: shruti-speech\n"
        '      section: "ঢাকার স্টার্টআপ কথামালার বাংলা কণ্ঠ মডেল ‘শ্রুতি’ ১০ লাখ ডাউনলোড ছাড়াল"\n'
        '      quote: "সংবাদ সম্মেলনে জানানো হয়, শ্রুতির কোড ও মডেল দুটোই একটি উন্মুক্ত লাইসেন্সের'
        ' অধীনে প্রকাশ করা হয়েছে, ফলে বাণিজ্যিক কাজেও এটি ব্যবহার করা যায়।"\n'
        "events:\n"
        "  - id: shruti_two\n"
        '    title: "শ্রুতি ২.০"\n'
        "    starts_at: 2025-12-01\n"
        "    fact_id: shruti_version_two\n",
        encoding="utf-8")
    try:
        knowledge = load_knowledge(both, TZ)
    finally:
        (both / "extra.yaml").unlink()
    in_topic = {f.citation.source_id for f in knowledge.facts_in_topic("adoption")}
    assert in_topic == {"llama-1b-downloads", "shruti-speech"}
    assert [e.id for e in knowledge.events_for_fact("shruti_version_two")] == ["shruti_two"]


def test_subjects_two_articles_share_are_one_entity(both: Path) -> None:
    """Both packs list Meta, Google, ...: one entity each, its spellings united."""
    knowledge = load_knowledge(both, TZ)
    assert knowledge.entities["llama"].fact == "what_is_llama"  # given by one pack only
    assert "whisper" in knowledge.entities and "deepseek" in knowledge.entities
    other = both / "more-entities.yaml"  # read after the packs' own
    other.write_text('version: 1\nentities:\n  - id: google\n    name: "গুগল ইনক"\n'
                     '    aliases: ["google inc"]\n', encoding="utf-8")
    try:
        problems = subprocess.run([LLAMABOT, "kb", "validate", str(both)],
                                  capture_output=True, text=True, timeout=60).stdout
    finally:
        other.unlink()
    assert f"{other}:3:9: duplicate entity id 'google' under another name" in problems
