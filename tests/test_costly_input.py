"""Messages built to cost: work per message stays bounded whatever its length or shape.

Found by a red-team run of `llamabot run`: one 4,096-letter word sent after a question cost
3.5 s of the event loop (every other chat waited) and grew memory by hundreds of MB; a
message ending in "so" and a non-breaking space raised instead of being answered.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.conversation import Context, Conversation
from bot.core.focus import MAX_PARTS, question_parts
from bot.core.match import MAX_COMPOUND, Matcher
from bot.core.normalize import MAX_WORD, make_key

TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)


def junk(letters: int, seed: int = 1) -> str:
    """Bengali consonants without a space: no word, no compound, nothing cached."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x995, 0x9B9)) for _ in range(letters))


def test_no_word_is_read_past_its_bound() -> None:
    key = make_key(f"লামা {junk(5000)} কবে?")
    assert max(len(w) for w in key.surface) <= MAX_WORD
    assert key.surface[0] == "লামা" and key.surface[-1] == "কবে"


def test_a_word_too_long_for_a_compound_is_not_cut(
    conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher = conversation.responder.matcher
    tried: list[str] = []
    knows = Matcher._knows
    monkeypatch.setattr(Matcher, "_knows",
                        lambda self, word, content=False: tried.append(word) or knows(
                            self, word, content))
    word = junk(MAX_COMPOUND + 1, seed=2)
    assert matcher._compound_parts(word) == (word,)
    assert tried == []  # each cut of a long word is work that grows with its square


def test_a_follow_up_reads_no_more_than_a_first_question(
    conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = conversation.reply("লামাকন কী?", Context(), NOW).context
    matcher = conversation.responder.matcher
    read: list[int] = []
    key = matcher.key
    monkeypatch.setattr(matcher, "key", lambda text: read.append(len(text)) or key(text))
    limit = conversation.responder.policy.max_question_chars
    turn = conversation.reply(" ".join(junk(12, seed=i) for i in range(400)), context, NOW)
    assert turn.answers and read and max(read) <= limit


@pytest.mark.parametrize("space", ["\u00a0", "\n:", "\t", "\u2003"])
@pytest.mark.parametrize("lead_in", ["so", "আমার প্রশ্ন হলো"])
def test_a_lead_in_followed_only_by_spaces_is_no_question(
    conversation: Conversation, lead_in: str, space: str
) -> None:
    message = f"meta llama downloads are huge my friend says {lead_in}{space}"
    question_parts(message)  # raised IndexError
    assert conversation.reply(message, Context(), NOW).answers


def _repeated(lead_in: str, count: int = 300) -> str:
    rng = random.Random(4)
    return " ".join(f"{lead_in} {chr(rng.randrange(0x61, 0x7B))}" for _ in range(count))[:1000]


@pytest.mark.parametrize("message", [
    _repeated("so so"), _repeated("so"), _repeated("তো"),
    " ".join(f"{chr(0x61 + i % 26)} r" for i in range(400))[:1000],  # texted "and", 200 times
    " ".join("লামা কবে?" for _ in range(120))[:1000],  # a hundred questions
])
def test_a_message_is_matched_a_bounded_number_of_times(
    conversation: Conversation, monkeypatch: pytest.MonkeyPatch, message: str
) -> None:
    """Found by the second red-team run: every lead-in ("so so a so so b ...") made a part of
    the rest of the message, each part matched (three times after an answer): 1,794 matches,
    2 s of the event loop for one message; a texted "and" 200 times rebuilt a growing key."""
    matcher = conversation.responder.matcher
    context = conversation.reply("লামাকন কী?", Context(), NOW).context
    calls: list[str] = []
    match = matcher.match
    monkeypatch.setattr(matcher, "match", lambda q, key=None: calls.append(q) or match(q, key))
    for start in (Context(), context):
        calls.clear()
        assert conversation.reply(message, start, NOW).answers
        assert len(calls) <= 60, len(calls)


def test_a_long_message_has_a_bounded_number_of_parts() -> None:
    parts = question_parts(_repeated("so so"))
    assert 0 < len(parts) <= MAX_PARTS
