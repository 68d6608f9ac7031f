"""Loading and validating knowledge files: every problem located and explained."""

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.loader import KnowledgeError, load_knowledge

TZ = ZoneInfo("Asia/Dhaka")
SOURCE = "শিরোনাম\n\nপ্রথম অংশ\n\nলামা একটি মডেল। লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।\n"
SOURCES = """version: 1
sources:
  - id: article
    title: "শিরোনাম"
    file: article.txt
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
    questions: ["লামা কতবার ডাউনলোড হয়েছে?", "llama downloads"]
    citation:
      source: article
      section: "প্রথম অংশ"
      quote: "লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।"
"""
EVENTS = """version: 1
events:
  - id: con
    title: "সম্মেলন"
    starts_at: 2025-04-29
    remind_before: [7d, 1h]
    fact_id: downloads
"""


def write_kb(directory: Path, **files: str) -> Path:
    contents = {"sources.yaml": SOURCES, "facts.yaml": FACTS, "events.yaml": EVENTS}
    contents.update({name.replace("_", "."): text for name, text in files.items()})
    (directory / "article.txt").write_text(SOURCE, encoding="utf-8")
    for name, text in contents.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory, TZ)
    return [str(p) for p in caught.value.problems]


def test_valid_knowledge_loads(tmp_path: Path) -> None:
    knowledge = load_knowledge(write_kb(tmp_path), TZ)
    assert set(knowledge.facts) == {"downloads"}
    assert knowledge.events[0].starts_at.isoformat() == "2025-04-29T00:00:00+06:00"
    assert len(knowledge.version) == 12


def test_real_knowledge_base_is_valid() -> None:
    knowledge = load_knowledge(Path(__file__).resolve().parent.parent / "knowledge", TZ)
    assert len(knowledge.facts) == 22
    assert all(len(f.questions) >= 10 for f in knowledge.facts.values())
    assert {"greeting", "thanks", "identity", "help"} <= set(knowledge.smalltalk)


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    broken = FACTS.replace('    title: "ডাউনলোড"', '    title: "ডাউনলোড\n   oops: [')
    found = problems(write_kb(tmp_path, facts_yaml=broken))
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'facts.yaml'}:")
    assert "YAML syntax error" in found[0] and "fix:" in found[0]


def test_quote_not_in_source_shows_closest_sentence(tmp_path: Path) -> None:
    wrong = FACTS.replace("এক বিলিয়ন বার ডাউনলোড হয়েছে।", "দুই বিলিয়ন বার ডাউনলোড হয়েছে।")
    found = problems(write_kb(tmp_path, facts_yaml=wrong))
    assert found == [
        f"{tmp_path / 'facts.yaml'}:14:14: quote not found verbatim in source article "
        "(fix: copy the exact sentence; closest is: লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।)"
    ]


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    extra = FACTS.split("facts:\n", 1)[1]
    found = problems(write_kb(tmp_path, more_yaml="version: 1\nfacts:\n" + extra))
    assert any(
        p.startswith(f"{tmp_path / 'more.yaml'}:3:9: duplicate fact id 'downloads'")
        and f"{tmp_path / 'facts.yaml'}:6" in p
        for p in found
    ), found


def test_missing_and_unknown_fields_are_all_reported(tmp_path: Path) -> None:
    broken = FACTS.replace('    title: "ডাউনলোড"\n', '    titel: "ডাউনলোড"\n')
    found = problems(write_kb(tmp_path, facts_yaml=broken))
    assert any(":8:5: unknown field 'titel' in a fact" in p for p in found), found
    assert any(":6:5: a fact is missing required field 'title'" in p for p in found), found


def test_bad_event_date_duration_and_fact(tmp_path: Path) -> None:
    broken = (
        EVENTS.replace("2025-04-29", "2025-13-40")
        .replace("1h", "soon")
        .replace("fact_id: downloads", "fact_id: nothing")
    )
    found = problems(write_kb(tmp_path, events_yaml=broken))
    text = "\n".join(found)
    assert f"{tmp_path / 'events.yaml'}:5:16: invalid date '2025-13-40'" in text
    assert f"{tmp_path / 'events.yaml'}:6:25: invalid duration 'soon'" in text


def test_event_pointing_at_unknown_fact(tmp_path: Path) -> None:
    found = problems(
        write_kb(tmp_path, events_yaml=EVENTS.replace("fact_id: downloads", "fact_id: x"))
    )
    assert found == [
        f"{tmp_path / 'events.yaml'}:7:14: event 'con' points at unknown fact 'x' "
        "(fix: set fact_id to the id of an existing fact)"
    ]


def test_datetime_without_offset_is_refused(tmp_path: Path) -> None:
    found = problems(
        write_kb(tmp_path, events_yaml=EVENTS.replace("2025-04-29", "2025-04-29T10:00:00"))
    )
    assert "has no UTC offset" in found[0]


def test_wrong_section_for_quote(tmp_path: Path) -> None:
    found = problems(
        write_kb(tmp_path, facts_yaml=FACTS.replace('section: "প্রথম অংশ"', 'section: "শিরোনাম"'))
    )
    assert "the quote stands under section 'প্রথম অংশ'" in found[0]


def test_wrong_types(tmp_path: Path) -> None:
    broken = FACTS.replace(
        'questions: ["লামা কতবার ডাউনলোড হয়েছে?", "llama downloads"]', "questions: 5"
    )
    found = problems(write_kb(tmp_path, facts_yaml=broken))
    assert any(":10:16: the questions of fact 'downloads' must be a list" in p for p in found), (
        found
    )


def test_empty_and_non_utf8_files(tmp_path: Path) -> None:
    write_kb(tmp_path)
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes("version: 1\n# caf\xe9\n".encode("latin-1"))
    found = "\n".join(problems(tmp_path))
    assert "empty.yaml:1:1: the file is empty" in found
    assert "latin1.yaml:1:1: cannot read file" in found


def test_decline_entries_load_and_share_the_intent_namespace(tmp_path: Path) -> None:
    decline = 'version: 1\ndecline:\n  - id: weather\n    questions: ["আজ বৃষ্টি হবে?"]\n'
    knowledge = load_knowledge(write_kb(tmp_path, decline_yaml=decline), TZ)
    assert knowledge.declines["weather"].questions == ("আজ বৃষ্টি হবে?",)
    clash = decline.replace("id: weather", "id: downloads")
    found = problems(write_kb(tmp_path, decline_yaml=clash))
    assert any("duplicate decline id 'downloads'" in p for p in found), found


@pytest.mark.parametrize(
    ("written", "column", "message"),
    [
        (
            "starts_at: 9999-12-31T23:00:00-05:00",
            16,
            "starts_at 9999-12-31T23:00:00-05:00 is in 9999",
        ),
        ("starts_at: 0001-01-01", 16, "starts_at 0001-01-01 is in 1"),
        ("remind_before: [1000000d]", 21, "remind_before '1000000d' is a year or more"),
        ("remind_before: [99999999999d]", 21, "remind_before '99999999999d' is a year or more"),
        ("remind_before: [" + "9" * 5000 + "s]", 21, "is a year or more"),
        ("remind_before: [365d]", 21, "remind_before '365d' is a year or more"),
    ],
)
def test_extreme_event_dates_and_offsets_are_located_problems(
    tmp_path: Path, written: str, column: int, message: str
) -> None:
    """Out-of-range values validated as OK and then stopped every reminder at run time."""
    key = written.split(":")[0]
    line = 5 if key == "starts_at" else 6
    original = next(x for x in EVENTS.splitlines() if x.strip().startswith(key + ":"))
    broken = EVENTS.replace(original, "    " + written)
    found = problems(write_kb(tmp_path, events_yaml=broken))
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path / 'events.yaml'}:{line}:{column}: "), found
    assert message in found[0]


def test_event_limits_themselves_are_accepted(tmp_path: Path) -> None:
    edge = EVENTS.replace("2025-04-29", "2100-12-31T23:59:59-12:00").replace(
        "[7d, 1h]", "[364d, 1s]"
    )
    knowledge = load_knowledge(write_kb(tmp_path, events_yaml=edge), TZ)
    assert knowledge.events[0].remind_before[0].days == 364
    early = EVENTS.replace("2025-04-29", "2000-01-01")
    assert (
        load_knowledge(write_kb(tmp_path, events_yaml=early), TZ).events[0].starts_at.year == 2000
    )


@pytest.mark.parametrize(("section", "kind"), [("smalltalk", "small talk"), ("decline", "decline")])
def test_event_fact_id_naming_another_kind_of_intent_is_refused(
    tmp_path: Path, section: str, kind: str
) -> None:
    """The countdown is shown with a fact's answer: an event on small talk silently vanished."""
    extra = (
        f"version: 1\n{section}:\n  - id: hello\n"
        + ('    answer: "নমস্কার"\n' if section == "smalltalk" else "")
        + '    questions: ["হ্যালো"]\n'
    )
    events = EVENTS.replace("fact_id: downloads", "fact_id: hello")
    found = problems(write_kb(tmp_path, extra_yaml=extra, events_yaml=events))
    assert found == [
        f"{tmp_path / 'events.yaml'}:7:14: event 'con' points at {kind} 'hello', not a fact "
        "(fix: set fact_id to the id of an existing fact)"
    ]


def test_related_naming_small_talk_is_refused(tmp_path: Path) -> None:
    """Related buttons are facts: small talk there was silently dropped from the answer."""
    extra = 'version: 1\nsmalltalk:\n  - id: hello\n    answer: "নমস্কার"\n    questions: ["হ্যালো"]\n'
    facts = FACTS.replace("    citation:\n", "    related: [hello]\n    citation:\n")
    found = problems(write_kb(tmp_path, extra_yaml=extra, facts_yaml=facts))
    assert found == [
        f"{tmp_path / 'facts.yaml'}:11:15: fact 'downloads' lists as related small talk 'hello', "
        "not a fact (fix: use the id of an existing fact)"
    ]


SOURCES_WITH_TITLE = SOURCES.replace(
    'sections: ["প্রথম অংশ"]',
    'sections:\n      - heading: "প্রথম অংশ"\n        title: "প্রথম ভাগ"',
)


def test_a_section_carries_the_title_admins_corrected(tmp_path: Path) -> None:
    """Citations quote the source verbatim but show a misprinted heading as corrected."""
    knowledge = load_knowledge(write_kb(tmp_path, sources_yaml=SOURCES_WITH_TITLE), TZ)
    citation = knowledge.facts["downloads"].citation
    assert (citation.section, citation.shown_section) == ("প্রথম অংশ", "প্রথম ভাগ")
    assert citation.quote == "লামা এক বিলিয়ন বার ডাউনলোড হয়েছে।"
    assert knowledge.sources["article"].section_title("প্রথম অংশ") == "প্রথম ভাগ"
    plain = load_knowledge(write_kb(tmp_path), TZ).facts["downloads"].citation
    assert plain.shown_section == "প্রথম অংশ"


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        (
            '- heading: "দ্বিতীয় অংশ"\n        title: "ভাগ"',
            ":7:18: section heading 'দ্বিতীয় অংশ' is not a line of article.txt",
        ),
        ('- heading: "প্রথম অংশ"', ":7:9: a section is missing required field 'title'"),
        ('- heading: "প্রথম অংশ"\n        title: ""', ":8:16: the section title is empty"),
        ('- heading: "প্রথম অংশ"\n        titel: "x"', ":8:9: unknown field 'titel' in a section"),
        ("- [x]", ":7:9: a section must be a heading or a mapping"),
    ],
)
def test_section_titles_are_validated(tmp_path: Path, sections: str, expected: str) -> None:
    broken = SOURCES.replace('sections: ["প্রথম অংশ"]', "sections:\n      " + sections)
    found = problems(write_kb(tmp_path, sources_yaml=broken))
    assert any(p.startswith(str(tmp_path / "sources.yaml") + expected) for p in found), found


def test_the_articles_misprinted_heading_is_shown_corrected() -> None:
    """The article's heading has a Telugu word (విస్తృత) inside Bengali: shown as বিস্তৃত."""
    knowledge = load_knowledge(Path(__file__).resolve().parent.parent / "knowledge", TZ)
    telugu = re.compile("[\u0c00-\u0c7f]")
    source = knowledge.sources["llama-1b-downloads"]
    assert any(telugu.search(line) for line in source.text.splitlines())  # kept verbatim
    cited = [f.citation for f in knowledge.facts.values()]
    assert any(telugu.search(c.section) for c in cited)
    assert not any(telugu.search(c.shown_section) for c in cited)
    assert "লামার বিস্তৃত ইকোসিস্টেম এবং বাণিজ্যিক গ্রহণ" in {c.shown_section for c in cited}


@pytest.mark.parametrize(("written", "message"), [
    ('title: "' + "স" * 201 + '"', "the event title is 201 characters long; at most 200"),
    ('url: "javascript:alert(1)//x"', "must be a web address"),
    ('url: "https://example.org/a b"', "must be a web address"),
    ('url: "https://example.org/' + "a" * 490 + '"', "at most 500"),
])
def test_event_titles_and_links_that_would_break_the_messages_are_refused(
        tmp_path: Path, written: str, message: str) -> None:
    """/llamacon and every reminder show the title and the link; a reminder past Telegram's
    limit would fail for every subscriber."""
    events = EVENTS.replace('    title: "সম্মেলন"', "    " + written if written.startswith(
        "title") else '    title: "সম্মেলন"\n    ' + written)
    found = problems(write_kb(tmp_path, events_yaml=events))
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith(f"{tmp_path / 'events.yaml'}:"), found
    assert "(fix: " in found[0], found  # as every other problem


LONG = "ল" * 201


@pytest.mark.parametrize(("file", "before", "after", "expected"), [
    ("facts", '    title: "ডাউনলোড"', f'    title: "{LONG}"',
     "facts.yaml:8:12: the title of fact 'downloads' is 201 characters long; at most 200"),
    ("facts", '    title: "গ্রহণ"', f'    title: "{LONG}"',
     "facts.yaml:4:12: the topic title is 201 characters long; at most 200"),
    ("sources", '    title: "শিরোনাম"', f'    title: "{LONG}"',
     "sources.yaml:4:12: the source title is 201 characters long; at most 200"),
    ("sources", 'sections: ["প্রথম অংশ"]',
     f'sections:\n      - heading: "প্রথম অংশ"\n        title: "{LONG}"',
     "sources.yaml:8:16: the section title is 201 characters long; at most 200"),
    ("sources", 'sections: ["প্রথম অংশ"]', f'sections: ["প্রথম অংশ", "{LONG}"]',
     "sources.yaml:6:29: the section heading is 201 characters long; at most 200 (fix: add"
     " `title:` with a shorter title shown to users)"),
])
def test_titles_longer_than_a_message_can_show_are_refused(
        tmp_path: Path, file: str, before: str, after: str, expected: str) -> None:
    """Found by the red-team run: a 4,200-letter fact title passed, then every answer of
    the fact, its inline result and its button failed (Telegram refused the message)."""
    written = {"facts": FACTS, "sources": SOURCES}[file]
    assert written.count(before) == 1
    directory = write_kb(tmp_path, **{f"{file}_yaml": written.replace(before, after)})
    (directory / "article.txt").write_text(SOURCE + f"\n{LONG}\n", encoding="utf-8")
    found = problems(directory)
    assert len(found) == 1 and found[0].startswith(f"{tmp_path / expected}"), found
    # 200 characters are fine.
    fine = written.replace(before, after.replace(LONG, LONG[1:]))
    directory = write_kb(tmp_path, **{f"{file}_yaml": fine})
    (directory / "article.txt").write_text(SOURCE + f"\n{LONG[1:]}\n", encoding="utf-8")
    assert load_knowledge(directory, TZ).facts


@pytest.mark.parametrize(("typed", "says"), [
    # A phone's straight quote for the article's curly one: the two sentences look alike.
    ("'ওয়ার রুম'", "character 102, after \"করার জন্য \": the source has ‘ (LEFT SINGLE"
                    " QUOTATION MARK) where you wrote ' (APOSTROPHE) (and once more further on)"),
    # A space copied from a web page is not the source's.
    ("‘ওয়ার\u00a0রুম’", "character 108, after \"করার জন্য ‘ওয়ার\": the source has   (SPACE)"
                        " where you wrote \u00a0 (NO-BREAK SPACE)"),
])
def test_a_quote_off_by_a_character_says_which_one(kb: Path, typed: str, says: str) -> None:
    """The closest sentence alone looks the same as the quote: the difference is named."""
    import subprocess
    import sys

    sentence = ("রিপোর্ট অনুযায়ী, মেটা ডিপসিকের অগ্রগতি থেকে শিক্ষা নিয়ে দ্রুত লামার উন্নয়নে"
                " অন্তর্ভুক্ত করার জন্য ‘ওয়ার রুম’ স্থাপন করেছে।")
    assert sentence in (kb / "sources" / "llama-1b-downloads.bn.txt").read_text("utf-8")
    (kb / "extra.yaml").write_text(f"""version: 1
facts:
  - id: war_room_where
    topic: competition
    title: "ওয়ার রুম"
    answer: "ডিপসিকের পর মেটা ওয়ার রুম বানিয়েছে।"
    questions: ["মেটার ওয়ার রুম কী কাজে?"]
    citation:
      source: llama-1b-downloads
      section: "প্রতিযোগিতামূলক চাপের প্রতি মেটার প্রতিক্রিয়া এবং ভবিষ্যৎ পরিকল্পনা"
      quote: "{sentence.replace("‘ওয়ার রুম’", typed)}"
""", encoding="utf-8")
    result = subprocess.run([str(Path(sys.executable).parent / "llamabot"), "kb", "validate",
                             str(kb)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    [line] = [x for x in result.stdout.splitlines() if "quote not found" in x]
    assert line.startswith(f"{kb / 'extra.yaml'}:11:14: quote not found verbatim"), line
    assert f"(fix: copy the exact sentence: at {says}; closest is: {sentence})" in line, line


def test_a_word_or_alias_listed_twice_names_both_places(kb: Path) -> None:
    """An admin's new group or entity clashes with one of the shipped files: the problem
    says where the other one is, and points at the alias itself."""
    import subprocess
    import sys

    (kb / "extra.yaml").write_text(
        'version: 1\nsynonyms:\n  - [ব্যয়, cost]\nentities:\n  - id: amazon_web\n'
        '    name: "এডব্লিউএস"\n    aliases:\n      - "aws cloud"\n      - "meta"\n',
        encoding="utf-8")
    result = subprocess.run([str(Path(sys.executable).parent / "llamabot"), "kb", "validate",
                             str(kb)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    synonyms, entities = kb / "synonyms.yaml", kb / "entities.yaml"
    group_line = next(i for i, line in enumerate(synonyms.read_text("utf-8").splitlines(), 1)
                      if line.startswith("  - [খরচ, ব্যয়"))
    meta_line = next(i for i, line in enumerate(entities.read_text("utf-8").splitlines(), 1)
                     if line == "  - id: meta")
    assert (f"{synonyms}:{group_line}:5: synonym 'ব্যয়' of the group of 'খরচ' is also in the"
            f" group of 'ব্যয়' ({kb / 'extra.yaml'}:3)") in result.stdout, result.stdout
    assert (f"{kb / 'extra.yaml'}:9:9: alias 'meta' of entity 'amazon_web' also names entity"
            f" 'meta' ({entities}:{meta_line})") in result.stdout, result.stdout
