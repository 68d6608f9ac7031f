"""The learning loop end to end, a real `llamabot run` against the fake Bot API: users ask
20 questions the knowledge does not answer (5 phrasings of 4 questions), vote 👎 and turn a
"did you mean" down; the admin opens /review, sees the 4 cards with their counts, adds two
to facts, declines one and skips one; then those users' questions are answered (or
declined), the knowledge files only gained the lines added, the eval set did not get worse,
and /rollback restores every file byte for byte."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ADMIN_ID, KNOWLEDGE_DIR, ROOT, roll_back
from fake_telegram import Call, FakeTelegram
from test_tg_process import bot_env, llamabot

from bot import kbedit
from bot.core.loader import load_knowledge
from bot.core.normalize import normalize_for_log

EVAL = ROOT / "tests" / "data" / "eval_questions.yaml"
# Romanized phrasings: an English and a Bengali wording of one question share no word, so
# they would be two cards (the matcher's words are what group them).
BORN = ["llama er jonmo kobe", "llama kobe jonmo nilo", "llama jonmo hoise kobe",
        "lama er jonmo kobe", "llama jonmo kobe"]  # the bot does not know: fallback
# What Meta gains by giving Llama away: no example asks it, and the benefits of open source
# come closer in words.
FREE = ["meta free dey keno labh ki",  # answered with the wrong fact: 👎 with a reason
        "meta free dey keno ki labh",  # the wrong fact again: 👎
        # "did you mean"
        "meta llama free dey keno ki labh", "meta llama keno free dey labh ki",
        "meta llama free dey keno labh ki"]  # "did you mean", turned down with "না"
COUNTRY = ["meta kon desher company", "meta company kon desher", "meta holo kon desher company",
           "meta company ta kon desher", "meta er company kon desher"]  # "the article does not say"
LOGO = ["llama er logo ki", "llama logo kemon", "lama er logo ta ki", "llama logo te ki ache",
        "llama er logo kemon dekhte"]
GROUPS = {"born": BORN, "free": FREE, "country": COUNTRY, "logo": LOGO}


@dataclass
class Running:
    fake: FakeTelegram
    folder: Path
    proc: subprocess.Popen[str]


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    with FakeTelegram(max_poll=0.3) as fake:
        env = bot_env(fake, tmp_path, LLAMABOT_KNOWLEDGE_DIR=str(folder),
                      LLAMABOT_EVAL_FILE=str(EVAL), LLAMABOT_LOG_LEVEL="INFO")
        proc = llamabot("run", env=env, cwd=tmp_path)
        try:
            fake.wait_for("getUpdates", timeout=15)
            yield Running(fake, folder, proc)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
            assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]
        finally:
            if proc.poll() is None:
                proc.kill()


def ask(fake: FakeTelegram, text: str, user: int) -> Call:
    return fake.ask(text, user_id=user, timeout=10)[-1]


def tap(fake: FakeTelegram, data: str, message: Call, user: int, **extra: object) -> None:
    since = fake.mark()
    fake.callback(data, user_id=user, message_id=message.message_id or 0, **extra)
    fake.wait_for("answerCallbackQuery", since=since, timeout=10)


def kind_of(reply: Call) -> str:
    data = [b["callback_data"] for b in reply.buttons]
    if data[-2:] == ["v:up", "v:down"]:
        return "fact"
    return "suggest" if data and all(d.startswith("d:") for d in data) else "other"


def ask_json(folder: Path, question: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "--knowledge",
                             str(folder), question], capture_output=True, text=True, check=True)
    found = json.loads(result.stdout)
    assert isinstance(found, dict)
    return found


def eval_counts(folder: Path) -> tuple[int, int]:
    """Eval questions answered right, in scope and out of scope."""
    result = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "eval", str(EVAL),
                             "--knowledge", str(folder)], capture_output=True, text=True)
    right = re.search(r"accuracy: [\d.]+% \((\d+)/\d+\)", result.stdout)
    rejected = re.search(r"rejection: +[\d.]+% \((\d+)/\d+\)", result.stdout)
    assert right and rejected, result.stdout
    return int(right[1]), int(rejected[1])


def only_added(before: bytes, after: bytes) -> list[str]:
    """The lines `after` adds to `before`; fails if it changes or removes any."""
    old, new = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    added = []
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, new[j1:j2])
        if tag == "insert":
            added += new[j1:j2]
    return [line.rstrip("\n") for line in added]


def test_users_teach_the_bot_through_an_admins_review(running: Running) -> None:
    fake, folder = running.fake, running.folder
    originals = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
    eval_before = eval_counts(folder)
    users = {q: 500 + n for n, q in enumerate(q for group in GROUPS.values() for q in group)}

    # Users ask; the bot answers none of these right.
    replies = {q: ask(fake, q, user) for q, user in users.items()}
    assert [kind_of(replies[q]) for q in FREE] == ["fact", "fact"] + ["suggest"] * 3
    assert all(kind_of(replies[q]) == "other" for q in BORN + COUNTRY + LOGO)
    wrong = replies[FREE[0]]
    since = fake.mark()
    tap(fake, "v:down", wrong, users[FREE[0]], reply_markup=wrong.params["reply_markup"])
    [chips] = fake.wait_for("editMessageReplyMarkup", since=since, timeout=10)
    tap(fake, f"v:why:wrong:{users[FREE[0]]}", wrong, users[FREE[0]],
        reply_markup=chips.params["reply_markup"])
    again = replies[FREE[1]]
    tap(fake, "v:down", again, users[FREE[1]], reply_markup=again.params["reply_markup"])
    ask(fake, "না", users[FREE[4]])  # none of the "did you mean" choices
    assert "শুধু অ্যাডমিনদের" in ask(fake, "/review", 4242).text  # not for users

    # The admin reviews: four cards, the most users touched first.
    since = fake.mark()
    fake.message("/review", user_id=ADMIN_ID)
    knowledge = load_knowledge(folder, ZoneInfo("Asia/Dhaka"))
    seen: dict[str, str] = {}
    for number in range(1, 5):
        head = f"🗂 পর্যালোচনা {number}/4"
        [card] = fake.wait_for("sendMessage", lambda c, head=head: c.chat_id == ADMIN_ID
                               and head in c.text, since=since, timeout=10)
        name = next(n for n, group in GROUPS.items()
                    if f" {normalize_for_log(group[0])}\n" in card.text + "\n")
        seen[name] = card.text.split("\n", 1)[0]
        for question in GROUPS[name]:  # each phrasing with its count
            # asked once; FREE[-1] then "none of these": a signal, no second question
            assert f"×1 {normalize_for_log(question)}\n" in card.text + "\n"
        since = fake.mark()
        decide(fake, card, name, knowledge)
    # As many users and questions each (the refusal no longer counted as a sixth question,
    # which put "free" first): in the order of their names' phrasings.
    assert seen == {
        "born": "<b>🗂 পর্যালোচনা 1/4</b>: 5 জন ব্যবহারকারী, 5টি প্রশ্ন (উত্তর পায়নি 5)",
        "logo": "<b>🗂 পর্যালোচনা 2/4</b>: 5 জন ব্যবহারকারী, 5টি প্রশ্ন (উত্তর পায়নি 5)",
        "country": "<b>🗂 পর্যালোচনা 3/4</b>: 5 জন ব্যবহারকারী, 5টি প্রশ্ন (উত্তর পায়নি 5)",
        "free": "<b>🗂 পর্যালোচনা 4/4</b>: 5 জন ব্যবহারকারী, 5টি প্রশ্ন"
                " (👎 2, “এগুলোর কোনোটি নয়” 1, উত্তর পায়নি 3)"}
    fake.wait_for("sendMessage", lambda c: "পর্যালোচনা শেষ" in c.text, since=since, timeout=10)
    notices = [c for c in fake.calls_to("sendMessage") if c.chat_id == ADMIN_ID
               and c.text.startswith("🔄")]
    assert len(notices) == 3 and all("/review: admin 999" in c.text for c in notices)

    # Those users ask again (afresh: /start forgets the conversation).
    for question in BORN + FREE + COUNTRY:
        ask(fake, "/start", users[question])
        reply = ask(fake, question, users[question])
        if question in BORN:
            assert "<b>২০২৩ সালে প্রথম লঞ্চ</b>" in reply.text, (question, reply.text)
        elif question in FREE:
            assert "<b>বিনামূল্যে লামা: মেটার কৌশল</b>" in reply.text, (question, reply.text)
        else:
            assert kind_of(reply) == "other"
            assert ask_json(folder, question)["kind"] == "fallback"  # declined (was not_in_article)
    assert ask_json(folder, LOGO[0])["kind"] == "fallback"  # skipped: still unknown

    # The files only gained the questions, where a person would have put them.
    now = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
    assert {n for n in now if now[n] != originals[n]} == {"facts.yaml", "decline.yaml"}
    added = only_added(originals["facts.yaml"], now["facts.yaml"])
    assert sorted(added) == sorted(f'      - "{normalize_for_log(q)}"' for q in BORN + FREE)
    assert only_added(originals["decline.yaml"], now["decline.yaml"]) == [
        f'      - "{normalize_for_log(q)}"' for q in sorted(map(normalize_for_log, COUNTRY))]
    right, rejected = eval_counts(folder)
    assert right >= eval_before[0] and rejected >= eval_before[1]
    changes = kbedit.history(folder)
    assert [(c.name, c.by) for c in changes] == [  # as decided: born, country, free
        ("facts.yaml", "admin 999 (/review)"), ("decline.yaml", "admin 999 (/review)"),
        ("facts.yaml", "admin 999 (/review)")]
    assert changes[-1].what == "5 questions added to ecosystem_strategy"

    for _ in changes:  # the rollback, then the reload it caused; the folder watcher may
        # report the same edit too, in any order: the messages are found by what they say
        since = fake.mark()
        roll_back(fake)
        fake.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID and "↩️" in c.text,
                      since=since, timeout=10)
        fake.wait_for("sendMessage", lambda c: c.chat_id == ADMIN_ID and "✅" in c.text,
                      since=since, timeout=10)
    assert {p.name: p.read_bytes() for p in folder.glob("*.yaml")} == originals


def decide(fake: FakeTelegram, card: Call, name: str, knowledge: object) -> None:
    """What the admin does with each card; waits until the card shows its outcome."""
    from bot.core.knowledge import Knowledge

    assert isinstance(knowledge, Knowledge)
    buttons = {b["text"]: b["callback_data"] for b in card.buttons}

    def press(data: str) -> Call:
        since = fake.mark()
        tap(fake, data, card, ADMIN_ID)
        return fake.wait_for("editMessageText", lambda c: c.params["message_id"]
                             == card.message_id, since=since, timeout=15)[-1]

    if name == "free":  # any fact, picked by topic
        strategy = knowledge.facts["ecosystem_strategy"]
        topics = press(buttons["📂 অন্য তথ্য…"])
        topic = knowledge.topic_title(strategy.topic)
        facts = press({b["text"]: b["callback_data"] for b in topics.buttons}[topic])
        done = press({b["text"]: b["callback_data"] for b in facts.buttons}[strategy.title])
    elif name == "born":  # the closest fact
        done = press(buttons["➕ ২০২৩ সালে প্রথম লঞ্চ"])
    elif name == "country":
        done = press(buttons["🚫 অন্য বিষয়"])
    else:
        assert "পরে দেখা হবে" in press(buttons["⏭ পরে"]).text
        return
    assert "✅" in done.text and "কোনোটির উত্তর খারাপ হয়নি" in done.text, done.text
