"""Identity and wallet raise their error codes through their `ErrorCode` enums, never as bare
strings, so that every code they can answer with is listed in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qyzmet.identity.errors import ErrorCode as IdentityCode
from qyzmet.wallet.errors import ErrorCode as WalletCode

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""\bcode\s*(?::\s*str\s*)?=\s*["'][a-z_]+["']""")


def _sources(app: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


@pytest.mark.parametrize("app", ["identity", "wallet"])
def test_no_error_code_is_a_string_literal(app: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources(app)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if LITERAL.search(line)
    ]
    assert found == []


@pytest.mark.parametrize("enum", [IdentityCode, WalletCode])
def test_each_code_is_its_name_in_lower_case(enum: type[IdentityCode] | type[WalletCode]) -> None:
    assert [member.value for member in enum] == [member.name.lower() for member in enum]
