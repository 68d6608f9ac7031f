"""`kb import`'s drafting: headings, verbatim quotes the validator accepts, seed questions,
and TODO answers that the validator refuses with file:line."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.core.article_import import ArticleError, Draft, draft_article, romanize
from bot.core.loader import KnowledgeError, load_knowledge
from bot.core.normalize import make_key

TZ = ZoneInfo("Asia/Dhaka")
ROOT = Path(__file__).resolve().parent.parent
ARTICLE = """\ufeffনদী পরিষ্কারের ড্রোন এখন বুড়িগঙ্গায়\r
\r
ঢাকার একটি তরুণ দল নদী পরিষ্কারের জন্য একটি ড্রোন বানিয়েছে। ড্রোনটি প্রতিদিন ২০০ কেজি প্লাস্টিক তুলতে পারে।\r
\r
কীভাবে কাজ করে  \r
\r
ড. নাসরিন হক বলেন, “ড্রোনটি সৌরশক্তিতে চলে। এতে কোনো তেল লাগে না।” দলটি আগামী বছর আরও পাঁচটি ড্রোন নামাবে।\r
\r
খরচ ও অর্থায়ন\r
\r
প্রতিটি ড্রোনের খরচ প্রায় পাঁচ লাখ টাকা, যা একটি বেসরকারি ব্যাংক দিচ্ছে।\r
"""
HEADLINE = "নদী পরিষ্কারের ড্রোন এখন বুড়িগঙ্গায়"


def write(draft: Draft, folder: Path, answers: str | None = None) -> Path:
    (folder / "sources").mkdir(parents=True)
    (folder / draft.file).write_text(draft.text, encoding="utf-8")
    text = draft.yaml()
    if answers is not None:
        text = text.replace('answer: "TODO"', f'answer: "{answers}"')
    (folder / f"facts-{draft.source_id}.yaml").write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder, TZ)
    return [str(p) for p in caught.value.problems]


def test_headline_headings_and_one_fact_per_paragraph() -> None:
    draft = draft_article(ARTICLE, "river-drone")
    assert draft.title == HEADLINE
    assert draft.sections == ("কীভাবে কাজ করে", "খরচ ও অর্থায়ন")
    assert draft.file == "sources/river-drone.bn.txt"
    assert [t.title for t in draft.topics] == [HEADLINE, *draft.sections]
    assert [t.id for t in draft.topics] == ["river_drone_part1", "river_drone_part2",
                                           "river_drone_part3"]
    assert [(f.id, f.topic, f.section, f.quote) for f in draft.facts] == [
        ("river_drone_01", "river_drone_part1", HEADLINE, HEADLINE),
        ("river_drone_02", "river_drone_part1", HEADLINE,
         "ঢাকার একটি তরুণ দল নদী পরিষ্কারের জন্য একটি ড্রোন বানিয়েছে।"),
        # A quoted speech stays whole with its attribution; ড. does not end a sentence.
        ("river_drone_03", "river_drone_part2", "কীভাবে কাজ করে",
         "ড. নাসরিন হক বলেন, “ড্রোনটি সৌরশক্তিতে চলে। এতে কোনো তেল লাগে না।”"),
        ("river_drone_04", "river_drone_part3", "খরচ ও অর্থায়ন",
         "প্রতিটি ড্রোনের খরচ প্রায় পাঁচ লাখ টাকা, যা একটি বেসরকারি ব্যাংক দিচ্ছে।"),
    ]
    # The paragraph's other sentences are offered, to quote instead.
    assert draft.facts[1].others == ("ড্রোনটি প্রতিদিন ২০০ কেজি প্লাস্টিক তুলতে পারে।",)
    assert draft.facts[2].others == ("দলটি আগামী বছর আরও পাঁচটি ড্রোন নামাবে।",)


def test_the_copy_is_nfc_with_trimmed_lines_and_no_bom() -> None:
    draft = draft_article(ARTICLE.replace("ড়", "ড\u09bc"), "river-drone")
    assert draft.text.startswith(HEADLINE + "\n\n")
    assert "\r" not in draft.text and "\ufeff" not in draft.text
    assert "\nকীভাবে কাজ করে\n" in draft.text


def test_quotes_and_sections_pass_the_validator_and_todo_answers_do_not(tmp_path: Path) -> None:
    draft = draft_article(ARTICLE, "river-drone")
    folder = write(draft, tmp_path / "draft")
    path = folder / "facts-river-drone.yaml"
    todo_lines = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                  if line.strip() == 'answer: "TODO"']
    assert len(todo_lines) == len(draft.facts)
    # Every problem is a TODO answer, at its own line: nothing else for the admin to fix.
    assert problems(folder) == [
        f"{path}:{line}:13: answer is still TODO in fact {fact.id!r} "
        "(fix: write the answer in your own words, from the quoted sentence)"
        for line, fact in zip(todo_lines, draft.facts, strict=True)
    ]
    finished = write(draft, tmp_path / "finished", answers="নদী পরিষ্কারের একটি ড্রোন।")
    knowledge = load_knowledge(finished, TZ)
    assert [(f.citation.section, f.citation.quote) for f in knowledge.facts.values()] == [
        (f.section, f.quote) for f in draft.facts
    ]
    assert knowledge.sources["river-drone"].sections == draft.sections


def test_a_todo_answer_left_in_any_entry_is_refused(tmp_path: Path) -> None:
    folder = write(draft_article(ARTICLE, "river-drone"), tmp_path, answers="উত্তর।")
    path = folder / "facts-river-drone.yaml"
    lines = path.read_text("utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("    answer:"))
    lines[at] = "    answer: TODO  # plain, not quoted"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert problems(folder) == [
        f"{path}:{at + 1}:13: answer is still TODO in fact 'river_drone_01' "
        "(fix: write the answer in your own words, from the quoted sentence)"
    ]


@pytest.mark.parametrize("each", ["paragraph", "sentence"])
def test_the_real_article_drafts_into_valid_facts(tmp_path: Path, each: str) -> None:
    text = (ROOT / "knowledge/sources/llama-1b-downloads.bn.txt").read_text("utf-8")
    draft = draft_article(text, "llama-again", each=each)  # type: ignore[arg-type]
    assert draft.text == text + "\n"  # already NFC, one paragraph per line; ends its line
    assert draft.sections == tuple(
        s if isinstance(s, str) else s["heading"]
        for s in yaml.safe_load((ROOT / "knowledge/sources.yaml").read_text("utf-8"))
        ["sources"][0]["sections"]
    )
    paragraphs = [line for line in text.splitlines()[1:] if line.endswith("।")]
    expected = len(paragraphs) + 1 if each == "paragraph" else len(paragraphs) * 2
    assert len(draft.facts) >= expected  # the headline too; in sentence mode many more
    knowledge = load_knowledge(write(draft, tmp_path, answers="উত্তর।"), TZ)
    assert len(knowledge.facts) == len(draft.facts)


def test_seed_questions_use_the_sentence_s_own_key_terms() -> None:
    draft = draft_article(ARTICLE, "river-drone")
    fact = draft.facts[3]  # প্রতিটি ড্রোনের খরচ প্রায় পাঁচ লাখ টাকা, যা একটি বেসরকারি ব্যাংক দিচ্ছে।
    assert fact.questions == (
        "খরচ কী?",
        "খরচ টাকা নিয়ে প্রতিবেদনে কী বলা হয়েছে?",
        "খরচ টাকা বেসরকারি সম্পর্কে কী জানা যায়?",
        "খরচ টাকা কত?",  # পাঁচ লাখ is a number: asked how much, never what
        "khoroch ki?",
        "khoroch taka niye ki bola hoyeche?",
        "khoroch taka besorokari somporke ki jana jay?",
        "khoroch taka koto?",
    )
    bengali = [q for q in fact.questions if not q.isascii()]
    roman = [q for q in fact.questions if q.isascii()]
    assert len(bengali) == len(roman) == 4
    for question in bengali:
        # Grammar (একটি, যা, প্রায়), verbs (দিচ্ছে) and numbers are never a question's terms.
        words = set(question.replace("?", "").split())
        assert not {"একটি", "যা", "প্রায়", "দিচ্ছে", "পাঁচ", "লাখ", "প্রতিটি"} & words
    # No seed question is shared between facts: each tells its fact apart.
    everything = [make_key(q).cleaned for f in draft.facts for q in f.questions]
    assert len(everything) == len(set(everything))


def test_a_term_loses_its_case_ending_only_where_the_article_uses_the_plain_word() -> None:
    draft = draft_article("শিরোনাম এখানে\n\nমেটার ব্যবহার বেড়েছে।\n\nমেটা একটি কোম্পানি।\n", "x")
    # মেটার is মেটা, which the article uses; ব্যবহার keeps its র; বেড়েছে is a verb.
    assert draft.facts[0].questions[1] == "মেটা ব্যবহার নিয়ে প্রতিবেদনে কী বলা হয়েছে?"


def test_a_number_in_the_sentence_gives_a_how_much_question() -> None:
    draft = draft_article("শিরোনাম এখানে\n\nড্রোনটি প্রতিদিন ২০০ কেজি প্লাস্টিক তোলে।\n", "x")
    assert any(q.endswith(" কত?") for q in draft.facts[0].questions)
    assert any(q.endswith(" koto?") for q in draft.facts[0].questions)


@pytest.mark.parametrize(
    ("word", "typed"),
    [("মডেল", "model"), ("ঢাকা", "dhaka"), ("ডাউনলোড", "daunlod"), ("বাংলা", "bangla"),
     ("নদী", "nodi"), ("ড্রোন", "dron"), ("পরিষ্কার", "porishkar"),
     ("যাত্রা", "jatra"), ("বুড়িগঙ্গা", "burigonga"), ("সংখ্যা", "songkhya"),
     ("AI", "AI")],
)
def test_romanized_seeds_are_typed_as_people_type_and_read_as_the_bengali_word(
    word: str, typed: str
) -> None:
    assert romanize(word) == typed
    assert make_key(typed).skeleton == make_key(word).skeleton


def test_a_ya_phala_after_the_first_letter_is_typed_e() -> None:
    assert romanize("ব্যবহার") == "bebohar"  # as typed; the matcher finds it by its closeness


def test_a_sentence_repeated_later_is_quoted_only_where_it_first_stands() -> None:
    article = (
        "শিরোনাম এখানে\n\nপ্রথম অংশ\n\nড্রোনটি নদী পরিষ্কার করে।\n\n"
        "দ্বিতীয় অংশ\n\nড্রোনটি নদী পরিষ্কার করে। দলটি আরও ড্রোন বানাবে।\n"
    )
    draft = draft_article(article, "x")
    assert [(f.section, f.quote) for f in draft.facts] == [
        ("প্রথম অংশ", "ড্রোনটি নদী পরিষ্কার করে।"),
        ("দ্বিতীয় অংশ", "দলটি আরও ড্রোন বানাবে।"),
    ]


def test_sentence_mode_drafts_one_fact_per_claim() -> None:
    draft = draft_article(ARTICLE, "river-drone", each="sentence")
    assert [f.quote for f in draft.facts][1:3] == [
        "ঢাকার একটি তরুণ দল নদী পরিষ্কারের জন্য একটি ড্রোন বানিয়েছে।",
        "ড্রোনটি প্রতিদিন ২০০ কেজি প্লাস্টিক তুলতে পারে।",
    ]
    assert len(draft.facts) == 6 and all(f.others == () for f in draft.facts)


def test_a_given_title_and_an_article_without_a_headline() -> None:
    article = "ঢাকার একটি দল নদী পরিষ্কারের ড্রোন বানিয়েছে।\n\nপ্রথম অংশ\n\nড্রোনটি সৌরশক্তিতে চলে।\n"
    with pytest.raises(ArticleError, match="give the title with --title"):
        draft_article(article, "x")
    draft = draft_article(article, "x", title="  নদীর   ড্রোন ")
    assert draft.title == "নদীর ড্রোন"
    assert [(f.section, f.quote) for f in draft.facts] == [
        ("নদীর ড্রোন", "ঢাকার একটি দল নদী পরিষ্কারের ড্রোন বানিয়েছে।"),
        ("প্রথম অংশ", "ড্রোনটি সৌরশক্তিতে চলে।"),
    ]


@pytest.mark.parametrize(
    ("article", "source_id", "message"),
    [
        ("", "x", "the article has no text"),
        ("\ufeff \n\n …। ?\n", "x", "the article has no text"),
        ("শিরোনাম\n\nঅংশ\n", "x", "no sentence to quote"),
        (ARTICLE, "River Drone", "must be lowercase letters"),
        (ARTICLE, "../x", "must be lowercase letters"),
        (ARTICLE, "", "must be lowercase letters"),
    ],
)
def test_what_cannot_be_drafted(article: str, source_id: str, message: str) -> None:
    with pytest.raises(ArticleError, match=message):
        draft_article(article, source_id)


def test_a_refused_id_of_any_length_is_told_back_short() -> None:
    """Red team: a 300-character id came back whole in the error line."""
    with pytest.raises(ArticleError, match="must be lowercase letters") as refused:
        draft_article(ARTICLE, "X" * 300)
    assert "X" * 70 + "…" in str(refused.value) and "X" * 71 not in str(refused.value)


def test_the_draft_reads_back_exactly_whatever_the_title_holds(tmp_path: Path) -> None:
    title = 'একটি "উদ্ধৃতি" \\ আর\x7f অদ্ভুত\ufeffঅক্ষর'
    draft = draft_article(ARTICLE, "river-drone", title=title)
    data = yaml.safe_load(draft.yaml())
    assert data["sources"][0]["title"] == title
    assert data["facts"][0]["citation"]["section"] == title
    assert [f["citation"]["quote"] for f in data["facts"]] == [f.quote for f in draft.facts]


def test_the_validator_s_closest_sentence_ends_at_a_question_mark_too(tmp_path: Path) -> None:
    """The hint for a wrong quote is one sentence, not the rest of its line."""
    draft = draft_article("শিরোনাম এখানে\n\nড্রোন কি নদী বাঁচাবে? দলটি তাই মনে করে।\n", "x")
    folder = write(draft, tmp_path, answers="উত্তর।")
    path = folder / "facts-x.yaml"
    path.write_text(path.read_text("utf-8").replace("দলটি তাই মনে করে।", "দলটি তা মনে করে।"),
                    encoding="utf-8")
    assert problems(folder)[0].endswith("closest is: দলটি তাই মনে করে।)")
