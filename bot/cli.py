"""The `llamabot` command: console chat, one-shot answers, knowledge checks, the Telegram bot.

Telegram is imported only by `run`, so the console commands start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_args import NOW_YEARS, count, percent, stdin_lines
from bot.clock import StartedClock
from bot.config import (
    DEFAULT_KNOWLEDGE_DIR,
    ConfigError,
    Settings,
    cut,
    listen_address,
    load_settings,
    shown,
    webhook_secret,
)
from bot.core.answer import AnswerKind, Choice, Responder
from bot.core.conversation import Context, Conversation, Turn
from bot.core.events import wall_time
from bot.core.knowledge import Citation
from bot.core.loader import KnowledgeError, load_knowledge
from bot.core.yamlnodes import Problem
from bot.responder_cache import ResponderCache

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

EPILOG_ASK = """examples:
  llamabot ask "মডেলটি কতবার ডাউনলোড হয়েছে?"
  llamabot ask --json "koto download hoyeche"
  printf 'sommelon kobe\\nwho sued them\\n' | llamabot ask --json -
  printf 'সম্মেলনটি কী?\\nকবে?\\n\\nwho sued them?\\n' | llamabot ask --json --chat -
"""


class CliError(Exception):
    """A problem the user of the command can fix; printed as one line, exit code 2."""


def _settings() -> Settings:
    """Settings from the environment and `.env`, read once per command; the token is only
    required by `run`."""
    try:
        return load_settings()
    except ConfigError as err:
        raise CliError(str(err)) from None


def _knowledge_dir(args: argparse.Namespace, settings: Settings) -> Path:
    given = getattr(args, "knowledge", None)
    if given:
        return Path(given)
    configured = settings.knowledge_dir
    try:
        is_dir = configured.is_dir()
    except OSError:  # a name too long for the file system is no folder either
        is_dir = False
    if is_dir:
        return configured
    if configured != DEFAULT_KNOWLEDGE_DIR:
        # Set in the environment or in .env: a typo must stop us, not serve other knowledge.
        raise CliError(f"LLAMABOT_KNOWLEDGE_DIR {shown(configured)} is not a folder"
                       " (or use --knowledge DIR)")
    # Run from outside a checkout: the knowledge folder that ships beside the package.
    return Path(__file__).resolve().parent.parent / "knowledge"


def _many(count: int, noun: str) -> str:
    """"1 event", "22 facts": the summary's counts in plain English."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _now(args: argparse.Namespace, settings: Settings) -> datetime:
    tz = settings.timezone
    if getattr(args, "now", None):
        try:
            moment = datetime.fromisoformat(args.now)
        except ValueError:
            raise CliError(f"--now {args.now!r} is not an ISO date or datetime") from None
        if not NOW_YEARS[0] <= moment.year <= NOW_YEARS[1]:
            # Ages and expiries are counted from it: year 1 or 9999 has no room for them.
            raise CliError(f"--now {args.now!r} is out of range (years {NOW_YEARS[0]} to"
                           f" {NOW_YEARS[1]})")
        # Without an offset it is read on the bot's clock, by `wall_time`'s DST rule.
        return moment if moment.tzinfo else wall_time(moment, tz)
    return datetime.now(tz)


def _responder(args: argparse.Namespace, settings: Settings) -> Responder:
    directory = _knowledge_dir(args, settings)
    if not directory.is_dir():
        raise CliError(f"knowledge folder {str(directory)!r} does not exist (use --knowledge DIR)")
    return ResponderCache(settings.cache_dir).responder(directory, settings.timezone)


def _citation_json(citation: Citation | None) -> dict[str, str] | None:
    if citation is None:
        return None
    return {
        "source": citation.source_title,
        "source_id": citation.source_id,
        "section": citation.shown_section,  # as users see it
        "heading": citation.section,  # as it stands in the source
        "quote": citation.quote,
    }


def turn_json(question: str, turn: Turn) -> str:
    """One turn as the README's `ask --json` contract has it."""
    from bot.console import turn_choices

    facts = [a for a in turn.answers if a.kind is AnswerKind.FACT]
    # The reply is a fact's when it answers any (a compound may open with a "did you mean").
    main = facts[0] if facts else turn.answer
    return json.dumps(
        {
            "question": question,
            "turn": str(turn.kind),
            "kind": str(main.kind),
            "fact_id": main.fact_id,
            "score": round(main.score, 1),
            "answer": "\n\n".join(a.text for a in turn.answers),
            "citation": _citation_json(main.citation),
            "suggestions": [c.fact_id for c in turn_choices(turn)],
            "answers": [
                {"fact_id": a.fact_id, "answer": a.text, "citation": _citation_json(a.citation)}
                for a in facts
            ],
            "resolved": turn.resolved or None,
        },
        ensure_ascii=False,
    )


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import console_turn, render_turn, turn_choices

    from_stdin = args.question == ["-"]
    if args.chat and not from_stdin:
        raise CliError("--chat reads the turns of a conversation from stdin, one per line:"
                       " use `ask --chat -`")
    conversation = Conversation(_responder(args, settings))
    if from_stdin:
        # Lazily: a program can write a turn and read its answer before writing the next.
        lines: Iterable[str] = stdin_lines(sys.stdin)
    else:
        lines = [" ".join(argument_text(word) for word in args.question)]
    now = _now(args, settings)
    context = Context()
    offered: tuple[Choice, ...] = ()
    first = True
    for line in lines:
        if args.chat and not line.strip():
            context, offered = Context(), ()  # an empty line starts a new conversation
            continue
        # In a conversation a number picks what the last turn offered, as in the shell (without
        # --chat nothing is ever offered: each line stands alone).
        turn = console_turn(conversation, line, context, offered, now)
        if args.chat:
            context, offered = turn.context, turn_choices(turn)
        if args.json:
            print(turn_json(line, turn), flush=True)
        else:
            print(("" if first else "\n") + render_turn(turn), flush=True)
        first = False
    return 0


def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_shell

    conversation = Conversation(_responder(args, settings))
    if sys.stdin.isatty():
        return run_shell(conversation, lambda: _now(args, settings))
    lines = stdin_lines(sys.stdin)  # a pipe or a file: lines bounded, as `ask -` reads them

    def read(prompt: str) -> str:
        print(prompt, end="", flush=True)
        line = next(lines, None)
        if line is None:
            raise EOFError
        return line

    return run_shell(conversation, lambda: _now(args, settings), read)


def argument_text(value: str) -> str:
    """A command-line argument decoded as UTF-8, whatever the locale; stray bytes become U+FFFD.

    Python decodes arguments with the locale's encoding and keeps undecodable bytes as lone
    surrogates, which can be neither matched nor printed; under an ASCII locale even valid
    Bengali arrives that way. `os.fsencode` gives back the bytes that were typed.
    """
    return os.fsencode(value).decode("utf-8", errors="replace")


def _utf8_streams() -> None:
    """Read and write UTF-8 whatever the locale, replacing what cannot be decoded or encoded.

    Questions and answers are Bengali and JSON is UTF-8. A stray byte on stdin must become
    U+FFFD: a strict locale would end in a traceback, and C.UTF-8's surrogate escapes would
    be written back out as the same stray byte, inside the JSON.
    """
    streams = ((sys.stdin, "replace"), (sys.stdout, "replace"), (sys.stderr, "backslashreplace"))
    for stream, errors in streams:
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)


def _closed_streams() -> None:
    """A stream the caller closed (`llamabot ask - <&-`) is None in Python: stdin then reads
    as empty, and output goes nowhere, instead of a traceback where it is used."""
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - for the process
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _output_lost() -> None:
    """Point stdout at /dev/null after a write to it failed: the exit's own flush of what is
    still buffered would fail again, with a Python warning and exit code 120."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _write_failed(err: OSError) -> int:
    """The exit code, after one line on stderr, of an OSError ending a command: a reader
    gone (`| head`) is no error; a full disk or a file gone mid-command is."""
    if isinstance(err, BrokenPipeError):
        return 0
    _output_lost()
    where = f" ({cut(str(err.filename), 200)})" if err.filename else ""
    print(f"error: {err.strerror or err}{where}", file=sys.stderr)
    return 2


def _print_problems(problems: Sequence[Problem], fmt: str, what: str) -> None:
    if fmt == "json":
        print(json.dumps([p.__dict__ for p in problems], ensure_ascii=False, indent=1))
        return
    for problem in problems:
        print(problem)
    print(f"{len(problems)} {what}", file=sys.stderr)


def cmd_kb_validate(args: argparse.Namespace, settings: Settings) -> int:
    directory = Path(args.directory) if args.directory else _knowledge_dir(args, settings)
    try:
        knowledge = load_knowledge(directory, settings.timezone)
    except KnowledgeError as err:
        _print_problems(err.problems, args.format, f"problem(s) found in {directory}")
        return 1
    from bot.core.collisions import find_collisions, unanswered_examples
    from bot.core.events import due_at_once, past_events

    responder = Responder(knowledge)
    now = _now(args, settings)
    collisions = find_collisions(responder) + unanswered_examples(responder, now)
    if collisions:
        _print_problems(collisions, args.format, "example question(s) collide between intents")
        return 1
    questions = sum(len(f.questions) for f in knowledge.facts.values())
    summary = (
        f"OK: {_many(len(knowledge.facts), 'fact')}, {_many(questions, 'example question')}, "
        f"{_many(len(knowledge.smalltalk), 'small-talk intent')}, "
        f"{_many(len(knowledge.events), 'event')} (version {knowledge.version})"
    )
    # OK all the same: the folder is served.
    warnings = sorted([*knowledge.warnings, *past_events(knowledge, now),
                       *due_at_once(knowledge, now)],
                      key=lambda w: (w.file, w.line, w.column))
    if args.format == "json":
        print(json.dumps([w.__dict__ for w in warnings], ensure_ascii=False, indent=1))
    else:
        print("\n".join([summary, *map(str, warnings)]))
    return 0


def cmd_kb_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.kbimport import ImportFailed, import_article

    folder = Path(args.out) if args.out else _knowledge_dir(args, settings)
    try:
        done = import_article(Path(args.article), args.id, args.title, folder, args.each)
    except ImportFailed as err:
        raise CliError(str(err)) from None
    draft = done.draft
    print(f"drafted {len(draft.facts)} facts under {len(draft.topics)} topics from "
          f"{len(draft.sections)} section headings: wrote {done.article} and {done.facts}")
    print(f"next: write each answer marked TODO (llamabot kb validate {folder} lists them)")
    if not args.out:
        print(f"warning: the draft is in {folder} itself: until every TODO is written, a bot"
              " using it refuses reloads and cannot start; draft in a copy with --out DIR",
              file=sys.stderr)
    return 0


def cmd_kb_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.dialogue_eval import is_dialogue_file
    from bot.core.evaluation import (
        QuestionFileError,
        diff_reports,
        evaluate,
        format_report,
        load_questions,
    )
    from bot.core.kbdiff import diff_knowledge

    path = Path(args.file)
    if is_dialogue_file(path):
        return _eval_dialogues(args, settings, path)
    for option, value in (("--min-follow-up", args.min_follow_up),
                          ("--min-compound", args.min_compound)):
        if value is not None:
            raise CliError(f"{option} measures a dialogue file (`dialogues:`, `compound:`);"
                           f" {path} holds questions")
    responder = _responder(args, settings)
    try:
        questions = load_questions(path)
    except QuestionFileError as err:
        raise CliError(str(err)) from None
    facts = set(responder.knowledge.facts)
    # A gate over nothing would pass whatever the bot does (0 of 0 reads as 100%).
    if args.min_accuracy is not None and not any(q.expect in facts for q in questions):
        raise CliError(f"{path} has no in-scope questions (`expect:` a fact id) for"
                       " --min-accuracy")
    if args.min_rejection is not None and not any(q.expect is None for q in questions):
        raise CliError(f"{path} has no out-of-scope questions (`expect: null`) for"
                       " --min-rejection")
    now = _now(args, settings)
    report = evaluate(responder, questions, now)
    if args.against:
        other = ResponderCache(settings.cache_dir).responder(Path(args.against),
                                                             settings.timezone)
        for line in diff_knowledge(responder.knowledge, other.knowledge).lines():
            print(line)
        changed = diff_reports(report, evaluate(other, questions, now))
        for before, after in changed:
            mark = "fixed" if after.correct else ("broken" if before.correct else "changed")
            print(
                f"{mark}: {before.question.text!r} (expected {before.question.expected}): "
                f"{before.got} -> {after.got}"
            )
        print(
            f"{len(changed)} of {len(questions)} answers differ between "
            f"{_knowledge_dir(args, settings)} and {args.against}"
        )
        return 0
    print(format_report(report, facts))
    ok = (
        report.accuracy(facts) * 100 >= (args.min_accuracy or 0.0)
        and report.rejection() * 100 >= (args.min_rejection or 0.0)
    )
    return 0 if ok else 1


def _eval_dialogues(args: argparse.Namespace, settings: Settings, path: Path) -> int:
    from bot.core.dialogue_eval import evaluate_dialogues, format_dialogue_report, load_dialogues
    from bot.core.evaluation import QuestionFileError

    for option, value in (("--min-accuracy", args.min_accuracy),
                          ("--min-rejection", args.min_rejection), ("--against", args.against)):
        if value is not None:
            raise CliError(f"{option} applies to a question file (`questions:`);"
                           f" {path} holds dialogues")
    try:
        dialogues, compounds = load_dialogues(path)
    except QuestionFileError as err:
        raise CliError(str(err)) from None
    # A gate over nothing would pass whatever the bot does.
    if args.min_follow_up is not None and not any(
            turn.kind for turns in dialogues.values() for turn in turns):
        raise CliError(f"{path} has no follow-up turns (turns with a `kind:`) for --min-follow-up")
    if args.min_compound is not None and not compounds:
        raise CliError(f"{path} has no compound messages for --min-compound")
    conversation = Conversation(_responder(args, settings))
    report = evaluate_dialogues(conversation, dialogues, compounds, _now(args, settings))
    print(format_dialogue_report(report))
    ok = (
        report.follow_up_accuracy() * 100 >= (args.min_follow_up or 0.0)
        and report.compound_accuracy() * 100 >= (args.min_compound or 0.0)
    )
    return 0 if ok else 1


def cmd_kb_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.gaps import AskedGap, explain, format_report, suggested_yaml
    from bot.storage.connection import existing_target
    from bot.storage.question_log import QuestionLog

    if args.format != "text":  # the review's cards, for a spreadsheet or a script
        from bot.review_cli import export_gaps, open_log, read_queue

        responder = _responder(args, settings)
        log = open_log(args.database, settings, CliError)
        try:
            queue = read_queue(log, responder, CliError)[: max(args.limit, 0)]
        finally:
            log.close()
        export_gaps(queue, responder, args.format, sys.stdout)
        return 0
    try:
        target = existing_target(args.database, settings.database, "questions are logged")
    except ValueError as err:
        raise CliError(str(err)) from None
    database = QuestionLog(target)
    try:
        found = database.gaps(args.limit)
        taps = database.taps([g.text for g in found or []])
        refused = database.refusals([g.text for g in found or []])
    finally:
        database.close()
    if found is None or taps is None or refused is None:
        raise CliError(f"cannot read {target}: {database.error}")
    entries = explain(
        [AskedGap(g.text, g.count, taps.get(g.text, {}), refused.get(g.text, {}))
         for g in found],
        _responder(args, settings),
        _now(args, settings),
    )
    print(format_report(entries))
    pasted = suggested_yaml(entries)
    if pasted:
        print('\nReady to paste (phrasings users resolved with a "did you mean" button):\n')
        print(pasted)
    return 0


def cmd_kb_review(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review_cli import Review, load_eval, open_log, read_queue

    responder = _responder(args, settings)
    eval_file = Path(args.eval_file) if args.eval_file else settings.eval_file
    if args.eval_file and not eval_file.is_file():
        # Named on purpose: a typo must not turn measuring off (the default may be absent).
        raise CliError(f"--eval {args.eval_file!r}: no such file")
    log = open_log(args.database, settings, CliError)
    try:
        questions = load_eval(eval_file, CliError, sys.stdout)
        review = Review(log, responder, _knowledge_dir(args, settings), questions, settings,
                        lambda: _now(args, settings), sys.stdin, sys.stdout)
        return review.run(read_queue(log, responder, CliError))
    finally:
        log.close()


def cmd_data_purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review_cli import open_log, purge

    # Each of the purge's short transactions may wait this long for a running bot's write
    # (a broadcast being queued) instead of failing at once.
    log = open_log(args.database, settings, CliError, busy_timeout_ms=5000)
    # Ctrl-C and SIGTERM (`timeout`, systemd) stop it between two batches, never inside one:
    # what it then says it deleted is exactly what is gone.
    received: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, _frame: received.append(signum))
    try:
        print(purge(log, args.older_than, _now(args, settings), CliError, lambda: bool(received)))
    except CliError as err:
        if not received:
            raise
        print(f"error: {err}", file=sys.stderr)
        return 128 + received[0]
    finally:
        log.close()
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tg.runner import WebhookOptions, run

    if args.webhook and not 1 <= args.port <= 65535:
        raise CliError(f"--port {args.port} is not a TCP port (1 to 65535)")
    try:
        secret = webhook_secret("--secret-token", args.secret_token) or settings.webhook_secret
        if args.webhook:
            listen_address("--listen", args.listen)
        settings.require_token()
    except ConfigError as err:
        raise CliError(str(err)) from None
    settings = replace(settings, knowledge_dir=_knowledge_dir(args, settings))
    webhook = None
    if args.webhook:
        if args.secret_token is not None:
            print("warning: --secret-token can be read by every user of this machine (ps);"
                  " set LLAMABOT_WEBHOOK_SECRET in the environment or .env instead",
                  file=sys.stderr)
        webhook = WebhookOptions(args.webhook, args.listen, args.port, secret)
    # --now: the whole bot (reminders, countdowns, the sender, retention) runs on a clock
    # started at that time; read before the bot starts, so its first round already uses it.
    clock = StartedClock(_now(args, settings)) if getattr(args, "now", None) else None
    return run(settings, webhook, clock=clock)


def cmd_default(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot when a token is configured, else chat on the console with the same engine."""
    if settings.token:
        return cmd_run(args, settings)
    print("TELEGRAM_BOT_TOKEN is not set: starting the console chat instead.", file=sys.stderr)
    return cmd_shell(args, settings)


class _Parser(argparse.ArgumentParser):
    """argparse, with its help's write errors raised: argparse swallows them, so
    `llamabot --help > /dev/full` exited 0 having written nothing. `main` reports them as
    any command's output error. Subcommands' parsers are of this class too."""

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        (sys.stdout if file is None else file).write(self.format_help())
        sys.stdout.flush()  # the error is raised here: argparse exits right after


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    # SUPPRESS: a subcommand must not reset an option given before it.
    common.add_argument(
        "--knowledge",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="knowledge folder (default: $LLAMABOT_KNOWLEDGE_DIR or ./knowledge)",
    )
    common.add_argument(
        "--now",
        metavar="ISO",
        default=argparse.SUPPRESS,
        help="pretend it is this time (event countdowns; with `run`, the bot's clock starts"
        " there and runs on: reminders fall due by it)",
    )
    parser = _Parser(
        prog="llamabot",
        description="Bengali Q&A bot answering from the news articles of its knowledge folder."
        " Without a command: runs the Telegram bot if TELEGRAM_BOT_TOKEN is set, else a console"
        " chat.",
        parents=[common],
        epilog='example: llamabot ask "সম্মেলন কবে?"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(
        handler=cmd_default, webhook=None, listen="127.0.0.1", port=8080, secret_token=None
    )
    sub = parser.add_subparsers(title="commands")
    raw = argparse.RawDescriptionHelpFormatter

    shell = sub.add_parser(
        "shell",
        parents=[common],
        help="interactive console chat",
        epilog="example: llamabot shell",
        formatter_class=raw,
    )
    shell.set_defaults(handler=cmd_shell)

    ask = sub.add_parser(
        "ask",
        parents=[common],
        help="answer questions once",
        epilog=EPILOG_ASK,
        formatter_class=raw,
    )
    ask.add_argument(
        "question", nargs="+", help="the question, or - to read one per line from stdin"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument(
        "--chat",
        action="store_true",
        help="with -: the lines are the turns of one conversation (follow-ups read with the"
        " ones before); an empty line starts a new one",
    )
    ask.set_defaults(handler=cmd_ask)

    run = sub.add_parser(
        "run",
        parents=[common],
        help="run the Telegram bot (long polling or webhook)",
        epilog="examples:\n  llamabot run\n  llamabot run --webhook https://bot.example.org/tg "
        "--port 8080  # secret: LLAMABOT_WEBHOOK_SECRET",
        formatter_class=raw,
    )
    run.add_argument(
        "--webhook", metavar="URL", help="serve a webhook at this public URL instead of polling"
    )
    run.add_argument(
        "--listen", default="127.0.0.1", help="address the webhook server binds (default 127.0.0.1)"
    )
    run.add_argument("--port", type=int, default=8080, help="webhook server port (default 8080)")
    run.add_argument(
        "--secret-token", help="secret Telegram must send in X-Telegram-Bot-Api-Secret-Token"
        " (better: LLAMABOT_WEBHOOK_SECRET, which other users cannot read in ps)"
    )
    run.set_defaults(handler=cmd_run)

    kb = sub.add_parser(
        "kb",
        help="check the knowledge base",
        epilog="example: llamabot kb validate knowledge/",
        formatter_class=raw,
    )
    kb_sub = kb.add_subparsers(title="kb commands", required=True)
    validate = kb_sub.add_parser(
        "validate",
        parents=[common],
        help="validate knowledge files",
        epilog="example: llamabot kb validate knowledge/ --format json",
        formatter_class=raw,
    )
    validate.add_argument("directory", nargs="?", help="knowledge folder (default as --knowledge)")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(handler=cmd_kb_validate)
    imports = kb_sub.add_parser(
        "import",
        parents=[common],
        help="draft a new source and its facts from an article's text",
        epilog="example: llamabot kb import article.txt --id drone-river --out draft/",
        formatter_class=raw,
    )
    imports.add_argument("article", help="the article: UTF-8 text, one paragraph per line")
    imports.add_argument("--id", required=True, help="the new source's id (names its files)")
    imports.add_argument("--title", help="the article's title (default: its first line)")
    imports.add_argument("--out", metavar="DIR", help="knowledge folder (default as --knowledge)")
    imports.add_argument("--each", choices=("paragraph", "sentence"), default="paragraph",
                         help="one draft fact per paragraph (default) or per claim sentence")
    imports.set_defaults(handler=cmd_kb_import)
    evaluate = kb_sub.add_parser(
        "eval",
        parents=[common],
        help="accuracy on a labelled question or dialogue file",
        epilog="examples:\n  llamabot kb eval tests/data/eval_questions.yaml --min-accuracy 95\n"
        "  llamabot kb eval questions.yaml --knowledge old/ --against knowledge/\n"
        "  llamabot kb eval tests/data/dialogues_dev.yaml --min-follow-up 80 --min-compound 85",
        formatter_class=raw,
    )
    evaluate.add_argument(
        "file",
        help="YAML file with `questions: [{q, expect, kind}]`, or a dialogue file with"
        " `dialogues: [{id, turns: [{q, expect, kind}]}]` and `compound: [{q, expect: [ids]}]`",
    )
    # None: not given, which a file of the other kind must be told apart from.
    evaluate.add_argument(
        "--min-accuracy", type=percent, help="questions: fail below this in-scope accuracy (%%)"
    )
    evaluate.add_argument(
        "--min-rejection",
        type=percent,
        help="questions: fail below this out-of-scope rejection (%%)",
    )
    evaluate.add_argument(
        "--min-follow-up",
        type=percent,
        help="dialogues: fail below this share of follow-up turns answered right (%%)",
    )
    evaluate.add_argument(
        "--min-compound",
        type=percent,
        help="dialogues: fail below this share of compound messages with every part answered"
        " (%%)",
    )
    evaluate.add_argument(
        "--against",
        metavar="DIR",
        help="list the questions answered differently by the "
        "knowledge folder DIR (e.g. before and after an edit)",
    )
    evaluate.set_defaults(handler=cmd_kb_eval)
    gaps = kb_sub.add_parser(
        "gaps",
        parents=[common],
        help="questions the bot could not answer",
        epilog="example: llamabot kb gaps --limit 30",
        formatter_class=raw,
    )
    gaps.add_argument("--limit", type=count, default=20, help="how many (most frequent first)")
    gaps.add_argument("--database", metavar="FILE", help="SQLite file (default $LLAMABOT_DATABASE)")
    gaps.add_argument("--format", choices=("text", "json", "csv"), default="text",
                      help="json or csv: the review's cards, one row per phrasing in csv")
    gaps.set_defaults(handler=cmd_kb_gaps)
    review = kb_sub.add_parser(
        "review", parents=[common], formatter_class=raw,
        help="decide, card by card, what to teach the bot from its logged questions",
        epilog="example: llamabot kb review --database data/llamabot.sqlite3\n"
               "Choices are read one per line from stdin: 1-3 add to that closest fact,"
               " c choose a fact,\nd decline as another subject, i ignore, s skip, q quit.")
    review.add_argument("--database", metavar="DB",
                        help="SQLite file or postgresql:// URL (default $LLAMABOT_DATABASE)")
    review.add_argument("--eval", metavar="FILE", dest="eval_file",
                        help="labelled questions an edit must not break"
                             " (default $LLAMABOT_EVAL_FILE or tests/data/eval_questions.yaml)")
    review.set_defaults(handler=cmd_kb_review)
    data = sub.add_parser("data", help="the logged data: purge what is old",
                          epilog="example: llamabot data purge --older-than 90d",
                          formatter_class=raw)
    data_sub = data.add_subparsers(title="data commands", required=True)
    purge = data_sub.add_parser(
        "purge", parents=[common], formatter_class=raw,
        help="delete logged questions, votes, taps and decisions, unsubscribed chats and"
             " finished broadcast deliveries older than an age",
        epilog="example: llamabot data purge --older-than 90d")
    purge.add_argument("--older-than", required=True, metavar="AGE",
                       help="an age in days, e.g. 90d")
    purge.add_argument("--database", metavar="DB",
                       help="SQLite file or postgresql:// URL (default $LLAMABOT_DATABASE)")
    purge.set_defaults(handler=cmd_data_purge)

    from bot.broadcast.cli import add_broadcast_parser  # no Telegram import: stays fast

    add_broadcast_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _closed_streams()
    _utf8_streams()
    try:
        args = build_parser().parse_args(argv)
    except OSError as err:  # writing --help
        return _write_failed(err)
    if args.handler is cmd_run and hasattr(signal, "SIGHUP"):
        # A reload asked for while the bot still starts (systemd's reload right after a
        # restart) would kill it: its default action ends the process. Ignored until the
        # running bot takes it as "reload".
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if args.handler not in (cmd_run, cmd_default):  # those may run the bot
        # A command says in one line why the database failed; the storage layer's warnings
        # are written for a running bot's log ("answering without logging").
        logging.getLogger("bot.storage").setLevel(logging.ERROR)
    try:
        code = int(args.handler(args, _settings()))
        sys.stdout.flush()  # a full disk is reported here, not by the exit's flush
        return code
    except KnowledgeError as err:
        print(f"error: the knowledge base has {len(err.problems)} problem(s):", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except CliError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C
        print("error: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except OSError as err:  # writing the output (a full disk), or a file gone mid-command
        return _write_failed(err)
    except OverflowError:  # a number or date past what a check above foresaw: a line, no trace
        print("error: a number or date given is out of range", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
