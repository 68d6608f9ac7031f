"""Benchmark: `llamabot kb import` of a 5,000-word article (target ≤ 2 s).

    .venv/bin/python tests/bench/bench_import.py [--words 5000] [--repeat 5]

The article is the Llama report's paragraphs, repeated under numbered headings until it has
`--words` words, each copy's sentences made distinct with a number (a repeated sentence
could not be quoted where it stands). Prints the median of --repeat runs of:

* the import itself (`bot.kbimport.import_article`: read, draft, write), in process;
* the whole command, `llamabot kb import`, as a subprocess (Python start-up included);
* validating the imported folder (`llamabot kb validate`, which lists every TODO answer).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bot.kbimport import import_article  # noqa: E402

LLAMABOT = Path(sys.executable).parent / "llamabot"


def article(words: int) -> str:
    """A long Bengali article: the report's paragraphs, numbered so no sentence repeats."""
    source = (ROOT / "knowledge" / "sources" / "llama-1b-downloads.bn.txt").read_text("utf-8")
    paragraphs = [line for line in source.splitlines()[1:] if line.endswith("।")]
    lines = ["একটি দীর্ঘ প্রতিবেদন: লামা ও তার প্রতিযোগীরা", ""]
    count, part = 0, 0
    while count < words:
        part += 1
        lines += [f"পর্ব {part}: আরও খবর", ""]
        for paragraph in paragraphs:
            numbered = paragraph.replace("।", f" (পর্ব {part})।")
            lines += [numbered, ""]
            count += len(numbered.split())
            if count >= words:
                break
    return "\n".join(lines)


def timed(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        text = base / "article.txt"
        text.write_text(article(args.words), encoding="utf-8")
        words = len(text.read_text("utf-8").split())
        runs = iter(range(10**6))

        def in_process() -> None:
            import_article(text, "long-article", None, base / f"p{next(runs)}")

        def command() -> None:
            out = base / f"c{next(runs)}"
            subprocess.run([str(LLAMABOT), "kb", "import", str(text), "--id", "long-article",
                            "--out", str(out)], check=True, capture_output=True)

        folder = base / "validated"
        imported = import_article(text, "long-article", None, folder)

        def validate() -> None:
            done = subprocess.run([str(LLAMABOT), "kb", "validate", str(folder)],
                                  capture_output=True)
            assert done.returncode == 1  # every answer is still TODO

        rows = [
            ("import (read, draft, write), in process", timed(in_process, args.repeat)),
            ("`llamabot kb import` command, end to end", timed(command, args.repeat)),
            ("`llamabot kb validate` of the draft", timed(validate, args.repeat)),
        ]
    print(f"article: {words:,} words, {len(imported.draft.sections)} headings, "
          f"{len(imported.draft.facts)} draft facts; median of {args.repeat} runs\n")
    print("| step | seconds | target |\n|---|---:|---|")
    for name, seconds in rows:
        target = "≤ 2 s" if "import" in name else ""
        print(f"| {name} | {seconds:.3f} | {target} |")


if __name__ == "__main__":
    main()
