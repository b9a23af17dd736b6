"""The shape of the applications app: no module imports another's `_private` name, and its
modules import each other without a circle (function-local imports counted)."""

from __future__ import annotations

import ast
from pathlib import Path

import qyzmet.applications
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.words import DRAFT, Role

APP = Path(qyzmet.applications.__file__).parent
PACKAGE = "qyzmet.applications"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP)
        if relative.parts[0] in ("tests", "migrations"):
            continue
        parts = [PACKAGE, *relative.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> list[tuple[str, str]]:
    """(imported module, imported name) for every `from … import …` in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            found += [(target, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def test_no_module_imports_another_modules_private_name() -> None:
    crossings = [
        f"{module} imports {name} from {target}"
        for module, path in _modules().items()
        for target, name in _imports(module, path)
        if target.startswith("qyzmet.")
        and target != module
        and name.startswith("_")
        and not name.startswith("__")
    ]

    assert crossings == []


def test_the_apps_modules_import_each_other_without_a_circle() -> None:
    modules = _modules()
    edges = {
        module: {
            f"{target}.{name}" if f"{target}.{name}" in modules else target
            for target, name in _imports(module, path)
        }
        & (set(modules) - {module})
        for module, path in modules.items()
    }
    circles = []
    for start in modules:  # a depth-first walk back to `start` is a circle through it
        stack, seen = [(start, [start])], set()
        while stack:
            module, trail = stack.pop()
            for nxt in edges[module]:
                if nxt == start:
                    circles.append(" -> ".join([*trail, nxt]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))

    assert circles == []


def test_the_words_equal_the_strings_stored_and_answered() -> None:
    assert [str(role) for role in Role] == [
        "citizen",
        "counterparty",
        "officer",
        "supervisor",
        "system",
    ]
    assert DRAFT == "draft"
    assert ErrorCode.ALREADY_SUBMITTED == "already_submitted"
    assert all(code == code.name.lower() for code in ErrorCode)
