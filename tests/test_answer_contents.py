"""An `Answer` carries what the adapters show and log: they look nothing up again in a
`Knowledge`, so one reply never mixes two knowledge versions."""

from __future__ import annotations

import inspect
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import ADMIN_ID, FIXED_NOW, KNOWLEDGE_DIR, BotThread
from fake_telegram import FakeTelegram
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.console import render_plain
from bot.core.answer import AnswerKind, Responder
from bot.core.knowledge import Citation, Fact, Knowledge, Topic
from bot.core.loader import load_knowledge
from bot.core.normalize import normalize_for_log
from bot.tg import keyboards
from bot.tg.render import render_answer
from bot.tg.reply import answer_markup

CITATION = Citation("src", "উৎস", "অংশ", "উদ্ধৃতি")
_RESPONDER: list[Responder] = []


def real_responder() -> Responder:
    if not _RESPONDER:  # built once: the real knowledge base takes a while to index
        _RESPONDER.append(Responder(load_knowledge(KNOWLEDGE_DIR, ZoneInfo("Asia/Dhaka"))))
    return _RESPONDER[0]


def button_labels(answer: object) -> list[str]:
    from bot.core.answer import Answer

    assert isinstance(answer, Answer)
    markup = answer_markup(answer)
    assert markup is not None
    return [button.text for row in markup.inline_keyboard for button in row]


def test_an_answer_is_rendered_from_itself_alone() -> None:
    first = Fact("f1", "t", "প্রথম শিরোনাম", "প্রথম উত্তর", ("প্রথম প্রশ্ন?",), CITATION,
                 related=("f2",))
    second = Fact("f2", "t", "দ্বিতীয় শিরোনাম", "দ্বিতীয় উত্তর", ("দ্বিতীয় প্রশ্ন?",), CITATION)
    knowledge = Knowledge({}, (Topic("t", "বিষয়"),), {"f1": first, "f2": second}, {}, ())
    answer = Responder(knowledge).answer_fact("f1", FIXED_NOW)

    # No adapter takes a Knowledge to render an answer: there is none to go stale.
    for render in (render_answer, answer_markup, render_plain, keyboards.fact_buttons):
        assert "knowledge" not in inspect.signature(render).parameters, render
    [message] = render_answer(answer)
    assert message.startswith("<b>প্রথম শিরোনাম</b>\n\nপ্রথম উত্তর")
    assert button_labels(answer) == ["দ্বিতীয় প্রশ্ন?", "👍", "👎"]  # related, then votes
    assert "  1. দ্বিতীয় প্রশ্ন?" in render_plain(answer)
    assert answer.normalized == normalize_for_log("প্রথম প্রশ্ন?")


def test_did_you_mean_buttons_are_labelled_by_their_fact() -> None:
    responder = real_responder()
    answer = responder.ask("meta", FIXED_NOW)  # a word of several facts
    assert answer.kind is AnswerKind.SUGGEST and answer.choices
    facts = responder.knowledge.facts
    assert [(c.fact_id, c.label) for c in answer.choices] == [
        (f, facts[f].canonical_question) for f in answer.suggestions]
    markup = answer_markup(answer)
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [
        f"d:{f}" for f in answer.suggestions]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    list("লামা কতবার ডাউনলোড হয়েছে? llama kobe <b>&amp;") + ["\u200d", "\u200c", "ে", "া", "।"]),
    max_size=1200))
def test_the_logged_question_is_the_normalized_question(question: str) -> None:
    # Computed once from the matcher's key, it must equal what logging used to compute.
    answer = real_responder().ask(question, FIXED_NOW)
    assert answer.normalized == normalize_for_log(answer.question)


def test_a_reload_during_a_tapped_reply_does_not_mix_two_versions(
    editable_bot: tuple[BotThread, Path], fake_telegram: FakeTelegram
) -> None:
    bot, folder = editable_bot
    old = bot.services.responder.answer_fact("downloads_milestone", FIXED_NOW)
    [related] = old.choices[:1]
    facts = folder / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    assert text.count(f'title: "{old.title}"') == 1 and text.count(f'- "{related.label}"') == 1
    new_title, new_label = f"{old.title} (নতুন)", f"{related.label} (নতুন)"

    # The reply waits on Telegram's answer to the tap while an admin reloads: the title and
    # the buttons must come from the knowledge the answer was built from, like its text.
    hold = fake_telegram.holds["answerCallbackQuery"] = threading.Event()
    try:
        fake_telegram.tap("f:downloads_milestone")
        facts.write_text(text.replace(f'title: "{old.title}"', f'title: "{new_title}"')
                         .replace(f'- "{related.label}"', f'- "{new_label}"'), encoding="utf-8")
        [done] = fake_telegram.ask("/reload", user_id=ADMIN_ID)
        assert "✅" in done.text
        since = fake_telegram.mark()
    finally:
        hold.set()
    [reply] = fake_telegram.wait_for("sendMessage", lambda c: c.chat_id == 111, since=since)
    assert f"<b>{old.title}</b>" in reply.text and new_title not in reply.text
    labels = [b["text"] for b in reply.buttons]
    assert keyboards.label(related.label) in labels and new_label not in labels

    new = bot.services.responder.answer_fact("downloads_milestone", FIXED_NOW)
    assert new.title == new_title and new.choices[0].label == new_label  # the reload did happen
