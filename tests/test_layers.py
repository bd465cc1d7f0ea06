"""Dependencies point one way: bot → dialogs → knowledge."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_roots(package: str) -> set[str]:
    roots: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "knowledge",
            {"aiogram", "bot", "dialogs", "sqlalchemy", "alembic", "aiosqlite", "asyncpg", "redis"},
        ),
        ("dialogs", {"aiogram", "bot", "sqlalchemy", "alembic", "aiosqlite", "asyncpg", "redis"}),
    ],
)
def test_domain_packages_do_not_import_outer_layers(package: str, forbidden: set[str]) -> None:
    assert imported_roots(package) & forbidden == set()


def test_importing_the_dialogs_loads_no_aiogram() -> None:
    code = (
        "import sys, dialogs.conversation, knowledge.base, knowledge.loader, knowledge.reports\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('aiogram', 'sqlalchemy', 'bot'))\n"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
