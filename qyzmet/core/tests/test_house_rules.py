"""The shape of the house, read from the source: each rule fails on the first file that breaks it.

- No module imports another module's `_private` name (tests included: a test reaches code through
  its public names, like everyone else).
- No import circle inside an app (function-local imports count; a circle dodged by importing
  inside a function is still a circle).
- No product module over 500 lines (migrations aside).
- Every domain app has the same shape, and a selector never writes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the `qyzmet` package
LIMIT = 500
DOMAIN_APPS = (
    "applications",
    "catalogue",
    "documents",
    "feedback",
    "identity",
    "notifications",
    "payments",
    "registries",
    "signatures",
    "surveys",
    "trust",
    "wallet",
)


def _modules(*, with_tests: bool) -> Iterator[tuple[str, Path]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).parts
        if "migrations" in parts or (not with_tests and "tests" in parts):
            continue
        name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        yield name.removesuffix(".__init__"), path


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_from(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_imports() -> list[str]:
    found = []
    for module, path in _modules(with_tests=True):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _imported_from(module, path, node)
            if not source.startswith("qyzmet") or source == module:
                continue
            found += [
                f"{module} imports {alias.name} from {source}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def _edges() -> dict[str, set[str]]:
    modules = dict(_modules(with_tests=False))
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for module, path in modules.items():
        for node in ast.walk(_tree(path)):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                source = _imported_from(module, path, node)
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    targets.append(full if full in modules else source)
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            edges[module] |= {t for t in targets if t in modules and t != module}
    return edges


def _app(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def circles_inside_apps() -> list[list[str]]:
    """Strongly connected components (Tarjan) of more than one module, within one app."""
    edges = {
        module: {t for t in targets if _app(t) == _app(module)}
        for module, targets in _edges().items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_another_modules_private_name() -> None:
    assert private_imports() == []


def test_no_import_circle_inside_an_app() -> None:
    assert circles_inside_apps() == []


def test_no_product_module_is_over_500_lines() -> None:
    big = {
        module: lines
        for module, path in _modules(with_tests=False)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert big == {}


# Where an app lacks a part of the shape, the reason: a part is absent only because the app has
# nothing to put in it.
SHAPE_EXCEPTIONS = {
    "catalogue": {
        "models.py": "no tables: the catalogue is YAML data under services/, loaded and validated",
        "actions": "writes nothing: services are published by editing YAML, not through code",
    },
    "trust": {
        "errors.py": "answers with no error code: its only refusal is a ValueError for a caller's "
        "mistake (a data access without an actor), never shown to a user",
    },
}


def test_every_domain_app_has_the_house_shape() -> None:
    """models, actions (writes), selectors (reads), errors and tests in every domain app, but for
    the parts an app has nothing for (`SHAPE_EXCEPTIONS`, each with its reason)."""
    missing = {}
    for app in DOMAIN_APPS:
        folder = ROOT / app
        wanted = {
            "models.py": (folder / "models.py").is_file(),
            "actions": (folder / "actions.py").is_file() or (folder / "actions").is_dir(),
            "selectors": (folder / "selectors.py").is_file() or (folder / "selectors").is_dir(),
            "errors.py": (folder / "errors.py").is_file(),
            "tests/": (folder / "tests" / "__init__.py").is_file(),
        }
        excused = SHAPE_EXCEPTIONS.get(app, {})
        if absent := sorted(
            name for name, present in wanted.items() if not present and name not in excused
        ):
            missing[app] = absent
    assert missing == {}


def test_the_shape_exceptions_are_still_true() -> None:
    """An exception that no longer holds (the app gained the part) is removed, not kept."""
    for app, parts in SHAPE_EXCEPTIONS.items():
        folder = ROOT / app
        for part in parts:
            assert not (folder / part.removesuffix("/")).exists(), (app, part)
            assert not (folder / f"{part}.py").exists(), (app, part)


# The ORM's writes, by method name: a selector calls none of them.
WRITES = frozenset(
    {
        "save",
        "create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
    }
)
# Names a selector may take from an `actions` module, because they only read.
READS_FROM_ACTIONS = {
    "access_application_by_id": "the applications' access choke point, re-exported by its actions",
    "rating_rateable": "a predicate on an application's outcome",
    "ca_slug": "the name a CA's CRL is published under",
    "DEMO_ROOT_NAME": "a constant",
}


def _is_selector(module: str) -> bool:
    return module.endswith(".selectors") or ".selectors." in module


def _writes_in(module: str, path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in WRITES:
                found.append(f"{module}:{node.lineno} calls .{node.func.attr}(")
        elif isinstance(node, ast.ImportFrom):
            source = _imported_from(module, path, node)
            if source.endswith(".actions") or ".actions." in source:
                found += [
                    f"{module}:{node.lineno} takes {alias.name} from {source}"
                    for alias in node.names
                    if alias.name not in READS_FROM_ACTIONS
                ]
    return found


def selector_writes() -> list[str]:
    return [
        found
        for module, path in _modules(with_tests=False)
        if _is_selector(module)
        for found in _writes_in(module, path)
    ]


def test_a_selector_never_writes() -> None:
    """Reads that must be recorded (an officer opening a record writes a data-access event) are
    actions: `application_open_for_officer`, `person_record_read`, `vehicle_record_read`."""
    assert selector_writes() == []


def test_the_rules_see_what_they_look_for(tmp_path: Path) -> None:
    """The readers themselves: a relative import resolves, and a private name is recognised."""
    node = ast.parse("from .common import _move, __all__, public").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert (
        _imported_from("qyzmet.applications.actions.step", tmp_path / "step.py", node)
        == "qyzmet.applications.actions.common"
    )
    assert [
        a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
    ] == ["_move"]
    selector = tmp_path / "selectors.py"
    selector.write_text(
        "from qyzmet.trust.actions import data_access_record\n"
        "from .actions import ca_slug\n"
        "def person_open():\n"
        "    Person.objects.filter(pk=1).update(seen=True)\n",
        encoding="utf-8",
    )
    assert _writes_in("qyzmet.signatures.selectors", selector) == [
        "qyzmet.signatures.selectors:1 takes data_access_record from qyzmet.trust.actions",
        "qyzmet.signatures.selectors:4 calls .update(",
    ]
