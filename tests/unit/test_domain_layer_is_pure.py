"""The domain layer imports no framework, no database library and no outer layer of Aval
(developers' guide: layers). Walks the source, not the imported modules, so a lazy import
inside a function is caught too."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
FORBIDDEN = {"nicegui", "sqlalchemy", "fastapi", "starlette", "alembic", "ui", "persistence", "delivery"}


def forbidden_imports(source: str, filename: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in FORBIDDEN:
                found.append((node.lineno, f"{filename}:{node.lineno}: imports {name}"))
    return [text for _line, text in sorted(found)]


def test_domain_layer_is_pure() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert files, f"no domain sources under {DOMAIN}"
    offences = [
        offence
        for path in files
        for offence in forbidden_imports(path.read_text(encoding="utf-8"), str(path.relative_to(DOMAIN.parent)))
    ]
    assert offences == [], "the domain must stay pure Python:\n" + "\n".join(offences)


def test_checker_catches_every_form_of_import() -> None:
    source = "\n".join(
        [
            "import sqlalchemy",
            "import nicegui.ui as ui",
            "from fastapi import Request",
            "from persistence.uow import SqlUnitOfWork",
            "def later():",
            "    import ui.context",
            "from starlette import status",
            "import os, alembic.command",
            "from delivery import email_sender",
        ]
    )
    assert [line.split(":")[1] for line in forbidden_imports(source, "x.py")] == [
        "1",
        "2",
        "3",
        "4",
        "6",
        "7",
        "8",
        "9",
    ]


def test_checker_allows_the_domain_own_and_standard_imports() -> None:
    source = "from . import policy\nfrom .model import Ticket\nimport dataclasses\nfrom typing import Any\n"
    assert forbidden_imports(source, "x.py") == []
