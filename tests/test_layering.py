"""The core must stay pure: no Telegram, no database, no adapters."""

import ast
from pathlib import Path

CORE = ("normalize", "knowledge", "match", "answer", "events", "loader", "validate",
        "yamlnodes", "function_words", "evaluation")
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
