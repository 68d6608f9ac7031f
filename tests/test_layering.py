"""The core must stay pure: no Telegram, no database, no adapters."""

import ast
from pathlib import Path

CORE = ("normalize", "knowledge", "match", "answer", "events", "loader", "validate",
        "yamlnodes", "function_words", "evaluation", "writing")
FORBIDDEN = ("telegram", "sqlite3", "httpx", "bot.tg", "bot.storage", "bot.config", "bot.cli")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_import_no_adapter() -> None:
    package = Path(__file__).resolve().parent.parent / "bot"
    for name in CORE:
        for module in imported_modules(package / f"{name}.py"):
            assert not module.startswith(FORBIDDEN), f"bot/{name}.py imports {module}"


def test_console_commands_do_not_import_telegram() -> None:
    """`llamabot ask` must start fast: Telegram (and httpx) load only for `run`."""
    import subprocess
    import sys

    code = (
        "import sys, bot.cli; bot.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'httpx')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
