"""`llamabot kb review`, `llamabot kb gaps --format json|csv` and `llamabot data purge`.

The review walks the same cards as Telegram's /review, one at a time in the terminal:
add the card's questions to one of its closest facts or to any fact, decline them as
another subject, ignore them for good, or skip them for now. Answers are read one line
at a time from stdin, so a script (or a test) can feed them.
"""

from __future__ import annotations

import csv
import getpass
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot import kbedit, teach
from bot.cli_args import stdin_lines
from bot.config import Settings, cut
from bot.core.answer import Responder
from bot.core.evaluation import LabelledQuestion, QuestionFileError, load_questions
from bot.core.loader import KnowledgeError, load_knowledge
from bot.core.review import NARROW_MARGIN, Card, Cluster, card, review_queue
from bot.storage.connection import existing_target
from bot.storage.purge import PurgeJob
from bot.storage.question_log import QuestionLog
from bot.storage.retention import parse_age

# How the caller reports a problem the user can fix (bot.cli passes its CliError).
Errors = Callable[[str], Exception]
SIGNAL_WORDS = {"unanswered": "unanswered", "disliked": "voted down",
                "rejected": "\"none of these\"", "narrow": "answered narrowly"}


def open_log(database: str | None, settings: Settings, error: Errors,
             busy_timeout_ms: int = 200) -> QuestionLog:
    """The question log named by --database, else by the settings; it must exist."""
    try:
        target = existing_target(database, settings.database, "questions are logged")
    except ValueError as err:
        raise error(str(err)) from None
    log = QuestionLog(target, busy_timeout_ms)
    if not log.open():
        raise error(f"cannot open {target}: {log.error}")
    return log


def read_queue(log: QuestionLog, responder: Responder, error: Errors) -> list[Cluster]:
    items = log.review_items(NARROW_MARGIN)
    if items is None:
        raise error(f"cannot read {log.target}: {log.error}")
    return review_queue(items, responder)


def export_gaps(clusters: list[Cluster], responder: Responder, fmt: str, out: TextIO) -> None:
    """The review's cards for a spreadsheet (csv: one row per phrasing) or a script (json)."""
    cards = [card(found, responder) for found in clusters]
    if fmt == "json":
        json.dump([_card_json(c) for c in cards], out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["card", "users", "card_questions", "question", "count", "signals",
                     "closest_1", "closest_2", "closest_3", "decline"])
    for number, found in enumerate(cards, 1):
        cluster = found.cluster
        closest = [*found.closest, "", "", ""][:3]
        signals = "; ".join(f"{s}={n}" for s, n in sorted(cluster.signals.items()))
        for phrasing in cluster.phrasings:
            writer.writerow([number, cluster.users, cluster.count, phrasing.text,
                             phrasing.count, signals, *closest, found.decline or ""])


def _card_json(found: Card) -> dict[str, Any]:
    cluster = found.cluster
    return {
        "key": cluster.key,
        "users": cluster.users,
        "count": cluster.count,
        "signals": {str(s): n for s, n in sorted(cluster.signals.items())},
        "questions": [{"text": p.text, "count": p.count} for p in cluster.phrasings],
        "answered": dict(cluster.answered),
        "offered": dict(cluster.offered),
        "chosen": dict(cluster.chosen),
        "reasons": dict(cluster.reasons),
        "closest": list(found.closest),
        "decline": found.decline,
    }


def load_eval(path: Path, error: Errors, out: TextIO) -> list[LabelledQuestion]:
    if not path.is_file():
        print(f"note: no eval set at {path} (LLAMABOT_EVAL_FILE or --eval): edits will not"
              " be measured", file=out)
        return []
    try:
        return load_questions(path)
    except QuestionFileError as err:
        raise error(str(err)) from None


class Review:
    """One terminal review session: cards in, decisions out, knowledge edited as it goes."""

    def __init__(self, log: QuestionLog, responder: Responder, directory: Path,
                 questions: list[LabelledQuestion], settings: Settings,
                 now: Callable[[], datetime], stdin: TextIO, out: TextIO) -> None:
        self.log = log
        self.responder = responder
        self.directory = directory
        self.questions = questions
        self.settings = settings
        self.now = now
        self.answers = stdin_lines(stdin)
        self.out = out
        self.by = f"{_user()} (kb review)"

    def run(self, clusters: list[Cluster]) -> int:
        if not clusters:
            self.say("Nothing to review: no unanswered, voted-down or narrowly answered"
                     " questions are waiting.")
            return 0
        for number, cluster in enumerate(clusters, 1):
            found = card(cluster, self.responder)
            self.show(found, number, len(clusters))
            if not self.decide(found):
                break
        self.say("Review finished.")
        return 0

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def ask(self, prompt: str) -> str | None:
        """One line of input, stripped; None at the end of input."""
        self.out.write(prompt)
        self.out.flush()
        line = next(self.answers, None)
        return None if line is None else line.strip()

    def show(self, found: Card, number: int, total: int) -> None:
        cluster = found.cluster
        signals = ", ".join(f"{SIGNAL_WORDS.get(s, s)} {n}"
                            for s, n in sorted(cluster.signals.items()))
        self.say(f"\nCard {number} of {total}: {cluster.users} user(s),"
                 f" {cluster.count} question(s) ({signals})")
        for phrasing in cluster.phrasings:
            self.say(f"  ×{phrasing.count} {phrasing.text}")
        for label, counts in (("bot answered", cluster.answered), ("bot offered", cluster.offered),
                              ("users chose", cluster.chosen), ("reasons", cluster.reasons)):
            if counts:
                self.say(f"  {label}: {_counts(counts)}")
        facts = self.responder.knowledge.facts
        for index, fact_id in enumerate(found.closest, 1):
            self.say(f"  {index}  add to {fact_id}: {facts[fact_id].canonical_question}")
        self.say("  c  add to another fact (choose)")
        if found.decline:
            self.say(f"  d  decline: another subject (adds to {found.decline})")
        self.say("  i  ignore (never shown again)\n  s  skip (later)\n  q  quit")

    def decide(self, found: Card) -> bool:
        """Ask until the card is decided or skipped; False to stop the review."""
        while True:
            choice = self.ask("choice> ")
            if choice is None or choice == "q":
                return False
            if choice == "s":
                return True
            if choice == "i":
                self.record(found.cluster, teach.Action.IGNORE, None)
                self.say("Ignored: these questions will not be shown again.")
                return True
            lesson = self.lesson(found, choice)
            if lesson is not None and self.apply_lesson(found.cluster, lesson):
                return True

    def lesson(self, found: Card, choice: str) -> teach.Lesson | None:
        texts = found.cluster.texts
        if choice.isdigit() and len(choice) < 4 and 1 <= int(choice) <= len(found.closest):
            return teach.Lesson(teach.Action.ADD, found.closest[int(choice) - 1], texts)
        if choice == "c":
            fact_id = self.choose_fact()
            return teach.Lesson(teach.Action.ADD, fact_id, texts) if fact_id else None
        if choice == "d" and found.decline:
            return teach.Lesson(teach.Action.DECLINE, found.decline, texts)
        # Only the keys this card shows: a card no fact is close to has no number to type.
        numbers = {0: [], 1: ["1"]}.get(len(found.closest), [f"1 to {len(found.closest)}"])
        keys = [*numbers, "c", *(["d"] if found.decline else []), "i", "s"]
        self.say(f"? {cut(choice, 40)!r}: type {', '.join(keys)} or q")
        return None

    def choose_fact(self) -> str | None:
        knowledge = self.responder.knowledge
        listed: list[str] = []
        for topic in knowledge.topics:
            self.say(f"  {topic.title}")
            for fact in knowledge.facts_in_topic(topic.id):
                listed.append(fact.id)
                self.say(f"    {len(listed):>3}  {fact.id}: {fact.canonical_question}")
        answer = self.ask("fact (number or id, empty to go back)> ")
        if not answer:
            return None
        if answer.isdigit() and len(answer) < 4 and 1 <= int(answer) <= len(listed):
            return listed[int(answer) - 1]
        if answer in knowledge.facts:
            return answer
        self.say(f"? no fact {answer!r}")
        return None

    def apply_lesson(self, cluster: Cluster, lesson: teach.Lesson) -> bool:
        """Propose, show, confirm if needed, apply; True once the card is decided."""
        tz = self.settings.timezone
        try:
            # The folder as it is now: another review or an upload may have applied since
            # this one loaded it, and the questions already added must not be added again.
            self.responder = Responder(load_knowledge(self.directory, tz))
        except KnowledgeError as err:
            self.say(f"The knowledge folder does not load now ({len(err.problems)} problem(s),"
                     " see llamabot kb validate): nothing was written.")
            return False
        try:
            proposal = teach.propose(self.directory, lesson, self.responder, self.questions,
                                     tz, self.now())
        except teach.TeachError as err:
            self.say(f"Cannot do that: {err}")
            return False
        except KnowledgeError as err:
            self.say(f"The knowledge would not load with this edit ({len(err.problems)}"
                     " problem(s)):")
            for problem in err.problems:
                self.say(f"  {problem}")
            return False
        self.say(f"{proposal.name}: {len(proposal.lines)} line(s) added:")
        for line in proposal.lines:
            self.say(f"  + {line}")
        self.say(_measured(proposal))
        confirmed = False
        if proposal.needs_confirmation:
            self.say("Applying would break:")
            for shift in proposal.broken:
                self.say(f"  {shift.question!r} (expected {shift.expect}):"
                         f" {shift.before} -> {shift.after}")
            for collision in proposal.collisions:
                self.say(f"  {collision}")
            if (self.ask("apply anyway? [y/N]> ") or "").lower() not in ("y", "yes"):
                self.say("Cancelled: nothing was written.")
                return False
            confirmed = True
        try:
            applied = teach.apply(self.directory, proposal, tz, self.now(), by=self.by,
                                  confirmed=confirmed)
        except (kbedit.EditError, KnowledgeError) as err:
            self.say(f"Not applied: {err}")
            return False
        self.responder = Responder(applied.knowledge)
        self.record(cluster, lesson.action, lesson.target)
        self.say(f"Applied to {proposal.name}; a running bot reloads it by itself, and"
                 " /rollback undoes it.")
        return True

    def record(self, cluster: Cluster, action: teach.Action, target: str | None) -> None:
        moment = self.now().astimezone(UTC)
        if not self.log.decide(list(cluster.texts), action.value, target, self.by, moment):
            self.say(f"warning: the decision could not be saved in {self.log.target}:"
                     f" {self.log.error}")


def purge(log: QuestionLog, older_than: str, now: datetime, error: Errors,
          stopped: Callable[[], bool] = lambda: False) -> str:
    try:
        days = parse_age(older_than)
    except ValueError as err:
        raise error(f"--older-than {err}") from None
    before = now - timedelta(days=days)
    job = PurgeJob(before, now)
    # Each batch is committed on its own: what went before a failure or a stop stays
    # deleted, and is said, so nobody wonders whether anything happened.
    if log.purge(before, now, job=job, stopped=stopped) is None:
        if not job.done and log.error is None:  # asked between two batches (Ctrl-C)
            raise error(f"interrupted: {_purged(job, before)}; run it again to finish")
        raise error(f"cannot purge {log.target}: {log.error}; {_purged(job, before)}"
                    " before that (run it again to finish)")
    return _purged(job, before)


def _purged(job: PurgeJob, before: datetime) -> str:
    purged = job.purged
    return (f"deleted {purged.questions} question(s) and tap(s), {purged.votes} vote(s),"
            f" {purged.decisions} review decision(s) and {purged.users} user(s) last seen"
            f" before {before.astimezone(UTC):%Y-%m-%d %H:%M} UTC, {purged.subscribers}"
            f" chat(s) unsubscribed, {purged.deliveries} broadcast delivery row(s) and"
            f" {purged.broadcasts} broadcast(s) finished before then"
            + (", and the conversation contexts expired by now" if job.done else ""))


def _measured(proposal: teach.Proposal) -> str:
    if not proposal.measured:
        return "eval: not measured (no eval set)"
    fixed = f", {len(proposal.fixed)} fixed" if proposal.fixed else ""
    return (f"eval: {proposal.measured} question(s), {len(proposal.broken)} broken{fixed}")


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} ×{n}" for k, n in sorted(counts.items(), key=lambda i: (-i[1], i[0])))


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container with an unnamed uid)
        return "unknown"
