"""The change summary admins read before applying an edit, after a reload and in `kb eval`."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.kbdiff import diff_knowledge
from bot.core.knowledge import Entity, Knowledge, Topic
from bot.core.loader import load_knowledge
from bot.kbedit import stage

TZ = ZoneInfo("Asia/Dhaka")
ROOT = Path(__file__).resolve().parent.parent



@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge(ROOT / "knowledge", TZ)


def test_a_decline_file_holding_only_its_version_previews_every_decline_removed(kb: Path) -> None:
    """It previewed as "no change"; applied, lookalike questions then got facts."""
    current = load_knowledge(kb, TZ)
    staged = stage(kb, "decline.yaml", b"version: 1\n", current, TZ)
    ids = sorted(current.declines)
    assert len(ids) > 5 and not staged.diff.empty
    assert staged.diff.section("declines").removed == tuple(ids)
    assert staged.diff.lines() == [
        f"declines removed ({len(ids)}): "
        + ", ".join(f"{i} ({len(current.declines[i].questions)} questions)" for i in ids)
    ]


def test_the_same_folder_staged_elsewhere_is_no_change(kb: Path) -> None:
    """A staged copy lives in a scratch folder: its sources' paths differ, nothing else."""
    current = load_knowledge(kb, TZ)
    staged = stage(kb, "sources.yaml", (kb / "sources.yaml").read_bytes(), current, TZ)
    assert staged.knowledge.sources != current.sources  # the paths
    assert staged.diff.empty
    assert staged.diff.lines() == [
        "no change to facts, small talk, declines, topics, sources, events, entities, "
        "synonym groups or bot texts"
    ]


def test_an_edit_of_bot_yaml_previews_the_texts_it_changes(kb: Path) -> None:
    """The preview of an uploaded bot.yaml names the bot's texts it changes."""
    current = load_knowledge(kb, TZ)
    text = (kb / "bot.yaml").read_text(encoding="utf-8")
    edited = text.replace('name: "লামাবট"', 'name: "লামা-বট"').replace(
        "    /help — এই সাহায্য\n", "    /help — এই সাহায্য (নতুন)\n")
    staged = stage(kb, "bot.yaml", edited.encode(), current, TZ)
    assert staged.knowledge.voice.render("welcome").startswith(
        "আসসালামু আলাইকুম, নমস্কার! আমি <b>লামা-বট</b>।")
    assert staged.diff.lines() == ["bot texts changed (1): bot (name, help)"]


def test_facts_added_changed_and_removed_with_their_questions(knowledge: Knowledge) -> None:
    con = knowledge.facts["llamacon"]
    n = len(con.questions)
    facts = dict(knowledge.facts)
    removed = facts.pop("deepseek_r1")
    facts["llamacon"] = replace(con, answer=con.answer + " আরও।", questions=(*con.questions, "?"))
    facts["llamacon_two"] = replace(con, id="llamacon_two")
    diff = diff_knowledge(knowledge, replace(knowledge, facts=facts))
    assert diff.lines() == [
        f"facts added (1): llamacon_two ({n} questions)",
        f'facts changed (1): llamacon (answer, questions {n} -> {n + 1}: + "?")',
        f"facts removed (1): deepseek_r1 ({len(removed.questions)} questions)",
    ]


def test_small_talk_added_changed_and_removed(knowledge: Knowledge) -> None:
    talk = dict(knowledge.smalltalk)
    thanks = talk.pop("thanks")
    hello = talk["greeting"]
    talk["greeting"] = replace(hello, questions=hello.questions[:1])
    talk["bye_bye"] = replace(hello, id="bye_bye", questions=("টাটা",))
    diff = diff_knowledge(knowledge, replace(knowledge, smalltalk=talk))
    assert diff.lines() == [
        "small talk added (1): bye_bye (1 question)",
        f"small talk changed (1): greeting (questions {len(hello.questions)} -> 1: "
        + ", ".join(f'- "{q}"' for q in hello.questions[1:4])
        + (f", - {len(hello.questions) - 4} more" if len(hello.questions) > 4 else "") + ")",
        f"small talk removed (1): thanks ({len(thanks.questions)} questions)",
    ]


def test_declines_changed(knowledge: Knowledge) -> None:
    declines = dict(knowledge.declines)
    other = declines["other_ai_products"]
    declines["other_ai_products"] = replace(other, questions=other.questions[1:])
    diff = diff_knowledge(knowledge, replace(knowledge, declines=declines))
    n = len(other.questions)
    assert diff.lines() == [f"declines changed (1): other_ai_products (questions {n} -> {n - 1}: "
                            f'- "{other.questions[0]}")']


def test_topics_added_renamed_and_removed(knowledge: Knowledge) -> None:
    first, second, *rest = knowledge.topics
    topics = (replace(first, title="নতুন নাম"), *rest, Topic("misc", "অন্যান্য"))
    diff = diff_knowledge(knowledge, replace(knowledge, topics=topics))
    assert diff.lines() == [
        "topics added (1): misc",
        f"topics changed (1): {first.id} (title)",
        f"topics removed (1): {second.id}",
    ]


def test_sources_changed_and_removed(knowledge: Knowledge) -> None:
    (source_id, source), *_ = knowledge.sources.items()
    edited = replace(source, text=source.text + "\nনতুন লাইন\n", sections=source.sections[:1])
    diff = diff_knowledge(knowledge, replace(knowledge, sources={source_id: edited}))
    assert diff.lines() == [f"sources changed (1): {source_id} (text, sections)"]
    assert diff_knowledge(knowledge, replace(knowledge, sources={})).lines() == [
        f"sources removed (1): {source_id}"
    ]


def test_events_added_moved_and_removed(knowledge: Knowledge) -> None:
    (con,) = knowledge.events
    moved = replace(con, starts_at=con.starts_at + timedelta(days=7))
    other = replace(con, id="launch", remind_before=(timedelta(hours=1),))
    diff = diff_knowledge(knowledge, replace(knowledge, events=(moved, other)))
    assert diff.lines() == [
        "events added (1): launch (2025-04-29 00:00+06:00)",
        "events changed (1): llamacon (starts_at 2025-04-29 00:00+06:00 -> 2025-05-06 00:00+06:00)",
    ]
    assert diff_knowledge(knowledge, replace(knowledge, events=())).lines() == [
        "events removed (1): llamacon (2025-04-29 00:00+06:00)"
    ]


def test_entities_and_synonym_groups_are_in_the_summary(knowledge: Knowledge) -> None:
    old = replace(knowledge, entities={"google": Entity("google", "গুগল", ("গুগল",))},
                  synonyms=(("খরচ", "ব্যয়"),))
    new = replace(old, entities={"google": Entity("google", "গুগল", ("গুগল", "google")),
                                 "amazon": Entity("amazon", "অ্যামাজন", ("amazon",))},
                  synonyms=(("খরচ", "ব্যয়", "invest"), ("ফ্রি", "free")))
    lines = diff_knowledge(old, new).lines()
    assert "entities added (1): amazon" in lines
    assert "entities changed (1): google (aliases: + google)" in lines
    assert "synonym groups added (1): ফ্রি" in lines
    assert "synonym groups changed (1): খরচ (words: + invest)" in lines


def test_a_line_names_twenty_ids_and_counts_the_rest(knowledge: Knowledge) -> None:
    """Found by the red-team run: 4,500 added entries were all named, in ~71 messages."""
    topics = tuple(Topic(f"topic_{n:04d}", "বিষয়") for n in range(4500))
    diff = diff_knowledge(knowledge, replace(knowledge, topics=knowledge.topics + topics))
    [line] = diff.lines()
    named = ", ".join(f"topic_{n:04d}" for n in range(20))
    assert line == f"topics added (4,500): {named}, … and 4,480 more"
    assert diff.section("topics").added == tuple(t.id for t in topics)  # all still known


def test_new_values_are_bounded_and_never_the_text_of_a_source(knowledge: Knowledge) -> None:
    """Links and texts told to every admin fit one message ahead of the report, however
    many an edit changes, and a source's file is never quoted (only its YAML is)."""
    from bot.core.message_length import tg_len

    facts = {i: replace(f, answer=f"{f.answer} https://evil.example/{i}/{'x' * 400}")
             for i, f in knowledge.facts.items()}
    source_id, source = next(iter(knowledge.sources.items()))
    sources = {**knowledge.sources,
               source_id: replace(source, text=source.text + "\nhttps://in-the-file.example")}
    edited = replace(knowledge, facts=facts, sources=sources)
    values = diff_knowledge(knowledge, edited).value_lines()
    assert len(facts) > 10 and len(values) == 10 + 1 + 5 + 1, values
    assert values[10] == f"… and {len(facts) - 10:,} more new links: see the file"
    assert values[0].startswith("🔗 facts ") and ", new link → https://evil.example/" in values[0]
    assert sum(tg_len(v) + 1 for v in values) < 3600  # with a header, one message
    assert not any("in-the-file" in v for v in values)


def test_a_new_link_in_a_list_of_texts_or_without_a_scheme_is_told(knowledge: Knowledge) -> None:
    """The bot's examples are /help's text and a fact's questions fill it when there are
    none (Telegram links them): a link added there was told only as "bot (examples)" or cut
    from a quoted question; nor did a link written without https:// ("llama-free.com/get",
    which Telegram links as well) show among the new links."""
    f0 = next(iter(knowledge.facts.values()))
    asked = f"লামা কী? {'ক' * 80} t.me/llama_support_desk"
    facts = {**knowledge.facts, f0.id: replace(
        f0, questions=(asked, *f0.questions),
        answer=f"{f0.answer} বিস্তারিত: llama-free.com/get এবং ai.meta.com/llama")}
    bot = replace(knowledge.bot, examples=(*knowledge.bot.examples,
                                          "ফ্রি ডাউনলোড: https://evil.example/llama"))
    before = replace(knowledge, facts={**knowledge.facts, f0.id: replace(
        f0, answer=f"{f0.answer} বিস্তারিত: ai.meta.com/llama")})
    values = diff_knowledge(before, replace(knowledge, facts=facts, bot=bot)).value_lines()
    assert "🔗 bot texts examples, new link → https://evil.example/llama" in values, values
    assert f"🔗 facts {f0.id} questions, new link → t.me/llama_support_desk" in values
    assert f"🔗 facts {f0.id} answer, new link → llama-free.com/get" in values
    assert not any("ai.meta.com" in v for v in values)  # the answer had it
    assert not any(" 2.0" in v or "e.g" in v for v in values)


def test_a_new_link_in_other_letters_or_glued_to_bengali_is_told(knowledge: Knowledge) -> None:
    """Found by the sixteenth red-team run: a domain in Cyrillic ("llama.рф"), one under a
    punycode top-level domain ("evil.xn--p1ai") and one written right after a Bengali word
    ("দেখুনllama-free.com") were left out of the new links a preview tells every admin."""
    f0 = next(iter(knowledge.facts.values()))
    answer = (f"{f0.answer} দেখুন লামা.рф বা evil.xn--p1ai অথবা দেখুনllama-free.com/get আর"
              " Llama 3.10, ৮০.৫")
    facts = {**knowledge.facts, f0.id: replace(f0, answer=answer)}
    values = diff_knowledge(knowledge, replace(knowledge, facts=facts)).value_lines()
    for link in ("লামা.рф", "evil.xn--p1ai", "llama-free.com/get"):
        assert f"🔗 facts {f0.id} answer, new link → {link}" in values, (link, values)
    assert not any("3.10" in v or "৮০" in v for v in values)  # numbers are no domains
