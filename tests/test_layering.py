"""Import arrows run one way: the core imports no adapter, directly or through another module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bot.core

CORE_DIR = Path(bot.core.__file__).parent
CORE = sorted(f"bot.core.{p.stem}" for p in CORE_DIR.glob("*.py") if p.stem != "__init__")
# What the core must never load, even through a module it imports.
FORBIDDEN = ("telegram", "sqlite3", "psycopg", "httpx", "bot.tg", "bot.storage", "bot.broadcast",
             "bot.config", "bot.cli", "bot.live")

_PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
forbidden = tuple(sys.argv[2].split(","))
print("\\n".join(sorted(m for m in sys.modules if m.startswith(forbidden))))
"""


def test_the_core_package_holds_the_pure_modules() -> None:
    assert {"bot.core.answer", "bot.core.match", "bot.core.loader", "bot.core.normalize"} <= set(
        CORE
    )


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_loads_no_adapter_even_indirectly(module: str) -> None:
    """Each core module in a fresh interpreter: nothing forbidden ends up in sys.modules."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, module, ",".join(FORBIDDEN)],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "", f"{module} loads {out.stdout.split()}"


def test_the_probe_sees_an_indirect_import() -> None:
    """The check above can fail: a module that imports an adapter is caught."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, "bot.tg.keyboards", ",".join(FORBIDDEN)],
        capture_output=True, text=True, check=True,
    )
    assert "telegram" in out.stdout.split()


def test_console_commands_do_not_import_telegram() -> None:
    """`llamabot ask` must start fast: Telegram (and httpx) load only for `run`."""
    code = (
        "import sys, bot.cli; bot.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'httpx')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


BROADCAST_DIR = CORE_DIR.parent / "broadcast"
BROADCAST = sorted(f"bot.broadcast.{p.stem}" for p in BROADCAST_DIR.glob("*.py")
                   if p.stem != "__init__")


@pytest.mark.parametrize("module", BROADCAST)
def test_a_broadcast_module_loads_no_telegram_adapter(module: str) -> None:
    """`tg` may use `broadcast`, never the reverse: no import cycle between the two. Nor do
    they read settings: the runner reads them once and passes what they need."""
    forbidden = "bot.tg" if module == "bot.broadcast.cli" else "bot.tg,bot.config"
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, module, forbidden],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "", f"{module} loads {out.stdout.split()}"
