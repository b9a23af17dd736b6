"""ARCHITECTURE.md's diagram draws the imports between apps that exist, and no others."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # qyzmet/
DOCUMENT = PACKAGE.parent / "ARCHITECTURE.md"
ARROW = re.compile(r"^\s*(\w+) --> (\w+)\s*$")
# Every app imports core: the diagram says so once, for each group, instead of an arrow each.
GROUPS = {"interfaces", "domain", "demo"}


def imports_between_apps() -> set[tuple[str, str]]:
    """(app, app it imports) from the product code's import statements, core aside."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or "tests" in parts or "migrations" in parts:
            continue
        app = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                pieces = module.split(".")
                if pieces[0] == "qyzmet" and len(pieces) > 1 and pieces[1] not in (app, "core"):
                    found.add((app, pieces[1]))
    return found


def drawn() -> set[tuple[str, str]]:
    text = DOCUMENT.read_text(encoding="utf-8")
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    arrows = (ARROW.match(line) for line in diagram.splitlines())
    return {(m[1], m[2]) for m in arrows if m and m[2] != "core"}


def test_the_diagram_draws_every_import_between_apps_and_no_other() -> None:
    actual, shown = imports_between_apps(), drawn()
    assert {"missing": sorted(actual - shown), "not imported": sorted(shown - actual)} == {
        "missing": [],
        "not imported": [],
    }


def test_the_diagram_says_that_everything_stands_on_core() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert all(f"  {group} --> core\n" in text for group in GROUPS)
