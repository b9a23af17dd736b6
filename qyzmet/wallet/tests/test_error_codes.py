"""The wallet raises its error codes through its `ErrorCode` enum, never as bare strings, so
that every code it can answer with is listed in one place."""

from __future__ import annotations

import re
from pathlib import Path

from qyzmet.wallet.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""\bcode\s*(?::\s*str\s*)?=\s*["'][a-z_]+["']""")


def _sources(app: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_no_error_code_is_a_string_literal() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources("wallet")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if LITERAL.search(line)
    ]
    assert found == []


def test_each_code_is_its_name_in_lower_case() -> None:
    assert [m.value for m in ErrorCode] == [m.name.lower() for m in ErrorCode]
