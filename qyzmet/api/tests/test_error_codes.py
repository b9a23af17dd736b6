"""Every error code the API can answer is in the OpenAPI document, and none is written as a bare
string: raise sites name a member of their app's `errors.ErrorCode`.

Two kinds of `code` are not error codes and are left out on purpose:
- the codes of data (a survey's questions and options, declared as specs in the demo), named in
  `DATA_CODES`;
- a field's error type in `details.fields[].code` (`missing`, `string_too_short`, …): pydantic's
  own vocabulary, passed on by `qyzmet.api.errors` from ninja's validation error as a variable,
  never written as a literal, and described as such in the document's `Error` schema.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client

from qyzmet.api.errors import NOT_THE_API

ROOT = Path(__file__).resolve().parents[2]  # the `qyzmet` package
INTERFACES = ("api", "portal", "backoffice")
# Callables whose `code=` is the code of a piece of data, not an error.
DATA_CODES = {
    "QuestionSpec": "a survey question's code (the demo survey, declared as data)",
    "OptionSpec": "an answer option's code (the demo survey, declared as data)",
}

pytestmark = pytest.mark.django_db


def _product_modules() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path


def _is_text(node: ast.expr | None) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def literal_codes_in(path: Path, root: Path = ROOT) -> list[str]:
    """Where `path` writes an error code as a string: a `code=` keyword of a call, a class
    attribute `code = "..."` (outside an `errors.py`), a `{"code": "..."}` in an interface."""
    relative = path.relative_to(root)
    interface = relative.parts[0] in INTERFACES
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Call) and _callee(node) not in DATA_CODES:
            found += [
                f"{relative}:{node.lineno} code={ast.unparse(keyword.value)}"
                for keyword in node.keywords
                if keyword.arg == "code" and _is_text(keyword.value)
            ]
        elif isinstance(node, ast.ClassDef) and path.name != "errors.py":
            for statement in node.body:
                target, value = None, None
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                    target, value = statement.targets[0], statement.value
                elif isinstance(statement, ast.AnnAssign):
                    target, value = statement.target, statement.value
                if isinstance(target, ast.Name) and target.id == "code" and _is_text(value):
                    found.append(
                        f"{relative}:{statement.lineno} {node.name}.code = {ast.unparse(value)}"
                    )
        elif isinstance(node, ast.Dict) and interface:
            found += [
                f"{relative}:{node.lineno} {{'code': {ast.unparse(value)}}}"
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "code" and _is_text(value)
            ]
    return found


def test_no_error_code_is_written_as_a_string() -> None:
    found = [where for path in _product_modules() for where in literal_codes_in(path)]
    assert found == []


def test_the_reader_finds_each_kind_of_literal_code(tmp_path: Path) -> None:
    folder = tmp_path / "qyzmet" / "api"
    folder.mkdir(parents=True)
    module = folder / "views.py"
    module.write_text(
        "class Refused(QyzmetError):\n"
        '    code = "refused"\n'
        "def view():\n"
        '    QuestionSpec(code="awareness")\n'
        '    raise Conflict(code=f"taken_{kind}")\n'
        '    return {"code": "late", "field": "x"}\n',
        encoding="utf-8",
    )
    assert literal_codes_in(module, tmp_path / "qyzmet") == [
        "api/views.py:2 Refused.code = 'refused'",
        "api/views.py:5 code=f'taken_{kind}'",
        "api/views.py:6 {'code': 'late'}",
    ]


def _enums() -> dict[str, type[StrEnum]]:
    """Each app's `ErrorCode`, found independently of the API's own listing."""
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("qyzmet.") or config.label in NOT_THE_API:
            continue
        try:
            module = importlib.import_module(f"{config.name}.errors")
        except ModuleNotFoundError:
            continue
        enum = getattr(module, "ErrorCode", None)
        if enum is not None:
            assert issubclass(enum, StrEnum), config.label
            found[config.label] = enum
    return found


def _app_error_codes() -> dict[str, set[str]]:
    return {label: {member.value for member in enum} for label, enum in _enums().items()}


def test_each_code_is_its_name_in_lower_case() -> None:
    """One spelling: `ErrorCode.NOT_ONLINE` is "not_online", in every app."""
    misnamed = {
        label: [member.name for member in enum if member.value != member.name.lower()]
        for label, enum in _enums().items()
    }
    assert {label: names for label, names in misnamed.items() if names} == {}


def test_every_error_code_of_every_app_is_in_the_served_document() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    enum = set(document["components"]["schemas"]["Error"]["properties"]["code"]["enum"])
    by_app = _app_error_codes()

    assert {"core", "api", "applications", "payments", "identity"} <= set(by_app)
    for label, codes in by_app.items():
        assert codes <= enum, (label, sorted(codes - enum))
        assert set(document["x-error-codes"][label]) == codes
    assert enum == set().union(*by_app.values())


def test_every_error_response_refers_to_the_error_schema() -> None:
    document = Client().get("/api/v1/openapi.json").json()

    assert "ErrorOut" not in document["components"]["schemas"]
    refused = document["paths"]["/api/v1/applications/{application_id}"]["get"]["responses"]
    assert refused["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
