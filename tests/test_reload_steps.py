"""Reloads run on the event loop in small steps, between replies: the same knowledge and
index as loading at once, the same errors, and other tasks keep their turn meanwhile."""

import asyncio
import gc
import shutil
from collections.abc import Generator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import BotThread

from bot.core.answer import Responder
from bot.core.loader import KnowledgeError, load_knowledge, load_steps
from bot.core.match import Matcher
from bot.core.yamlnodes import NodeReader
from bot.live import between_replies

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
TZ = ZoneInfo("Asia/Dhaka")
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # what the bot composed with before
YAML_TEXTS = [
    "",
    "# only a comment\n",
    "a: &shared [1, 2]\nb: *shared\nc: !!str 3\nd: ! 4\ne: 'quoted'\nf: |\n  block\n",
    "- {a: b, c: [d, e]}\n- null\n- 2025-04-29\n- 1.5\n- true\n",
]
BROKEN_YAML = [
    "a: [1, 2\n",  # parser error
    "key: value: bad\n",
    "a: 1\n---\nb: 2\n",  # two documents
    "a: *nowhere\n",  # undefined alias
    "a: &x 1\nb: &x 2\n",  # duplicate anchor
]


def run(steps: Generator[None, None, Any]) -> tuple[Any, int]:
    """Drive `steps` to the end: (its result, how many times it paused)."""
    pauses = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value, pauses
        pauses += 1


def shape(node: yaml.Node | None) -> Any:
    """Everything a node says, as comparable values."""
    if node is None:
        return None
    where = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    head = (type(node).__name__, node.tag, where, getattr(node, "style", None))
    if isinstance(node, yaml.ScalarNode):
        return (*head, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (*head, node.flow_style, [shape(item) for item in node.value])
    return (*head, node.flow_style, [(shape(k), shape(v)) for k, v in node.value])


@pytest.mark.parametrize(
    "text", [p.read_text(encoding="utf-8") for p in sorted(KNOWLEDGE.glob("*.yaml"))] + YAML_TEXTS
)
def test_composing_in_steps_gives_the_nodes_yaml_compose_gives(text: str) -> None:
    reader = NodeReader("f.yaml")
    node, _ = run(reader.compose(text))
    assert not reader.problems
    assert shape(node) == shape(yaml.compose(text, Loader=LOADER))


def test_an_alias_is_the_node_it_names() -> None:
    node, _ = run(NodeReader("f.yaml").compose("a: &x [1]\nb: *x\n"))
    assert node.value[0][1] is node.value[1][1]


@pytest.mark.parametrize("text", BROKEN_YAML)
def test_yaml_errors_are_located_where_yaml_locates_them(text: str) -> None:
    reader = NodeReader("f.yaml")
    node, _ = run(reader.compose(text))
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.compose(text, Loader=LOADER)
    mark = caught.value.problem_mark or caught.value.context_mark
    assert mark is not None
    [problem] = reader.problems
    assert node is None
    assert (problem.line, problem.column) == (mark.line + 1, mark.column + 1)
    assert problem.message.startswith("YAML syntax error: ")


def test_loading_in_steps_pauses_often_and_loads_the_same_knowledge() -> None:
    knowledge, pauses = run(load_steps(KNOWLEDGE, TZ))
    at_once = load_knowledge(KNOWLEDGE, TZ)
    assert knowledge == at_once
    assert knowledge.question_sites == at_once.question_sites
    assert pauses > len(at_once.facts) * 10  # every node and entry, not every file


def test_a_broken_folder_fails_in_steps_with_every_problem(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    facts = folder / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("topic:", "topik:", 2), "utf-8")
    with pytest.raises(KnowledgeError) as at_once:
        load_knowledge(folder, TZ)
    with pytest.raises(KnowledgeError) as in_steps:
        run(load_steps(folder, TZ))
    assert len(at_once.value.problems) >= 2
    assert in_steps.value.problems == at_once.value.problems


def test_an_index_built_in_steps_is_the_index_built_at_once() -> None:
    knowledge = load_knowledge(KNOWLEDGE, TZ)
    examples = [(f.id, q) for f in knowledge.facts.values() for q in f.questions]
    deferred = Matcher(examples, deferred=True)
    _, pauses = run(deferred.steps())
    at_once = Matcher(examples)
    assert pauses > len(examples)
    assert vars(deferred) == vars(at_once)
    for question in ("lama koto bar download hoyeche", "llamacon kobe", "who sued meta"):
        assert deferred.match(question) == at_once.match(question)


def test_a_responder_built_in_steps_answers_without_keying_its_examples_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The first reply that needed small talk's own words keyed every example anew (25-50 ms
    # on this knowledge base) while users waited; a reload's steps do that work.
    responder = Responder(load_knowledge(KNOWLEDGE, TZ), deferred=True)
    run(responder.steps())
    keyed: list[str] = []
    real_key = Matcher.key
    monkeypatch.setattr(Matcher, "key",
                        lambda self, text: keyed.append(text) or real_key(self, text))
    for question in ("llama 5", "থ্যাংকু, এবার পরিষ্কার হলো", "how many downloads now 0"):
        responder.ask(question, NOW)
    assert len(keyed) <= 10, len(keyed)


def busy_steps(count: int, result: str) -> Generator[None, None, str]:
    for _ in range(count):
        sum(range(2000))  # some microseconds of work
        yield
    return result


def test_between_replies_returns_the_result_and_lets_other_tasks_run() -> None:
    async def scenario() -> tuple[str, int]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        result = await between_replies(busy_steps(3000, "built"))
        done.set()
        await task
        return result, ticks

    result, ticks = asyncio.run(scenario())
    assert result == "built"
    assert ticks > 10


def test_between_replies_passes_errors_on() -> None:
    def failing() -> Generator[None, None, None]:
        yield
        raise KnowledgeError([])

    with pytest.raises(KnowledgeError):
        asyncio.run(between_replies(failing()))


def test_a_reload_swaps_in_the_new_index_whole_and_a_refused_one_keeps_the_old(
    editable_bot: tuple[BotThread, Path],
) -> None:
    running, folder = editable_bot
    services = running.services
    before = services.responder
    swap = running.call(services.live.reload())
    assert swap.old == swap.new == before.knowledge
    assert services.responder is not before
    question = "llamacon kobe"
    assert services.responder.matcher.match(question) == before.matcher.match(question)
    assert gc.isenabled()

    reloaded = services.responder
    (folder / "facts.yaml").write_text("facts: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        running.call(services.live.reload())
    assert services.responder is reloaded
    assert gc.isenabled()
