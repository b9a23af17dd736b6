from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.core.text import text_storable, unstorable_paths


@pytest.mark.parametrize(
    ("text", "storable"),
    [
        ("", True),
        ("Алматы, Абай 10 — ҚР", True),
        ("emoji 😀 and \U0001f1f0\U0001f1ff", True),  # astral characters are pairs, not lone
        ("tab\tnew\nline", True),
        ("a\ud800b", False),
        ("\udfff", False),
        ("a\x00b", False),
    ],
)
def test_lone_surrogates_and_nul_cannot_be_stored(text: str, storable: bool) -> None:
    assert text_storable(text) is storable


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_text_that_encodes_to_utf8_without_nul_is_storable(text: str) -> None:
    assert text_storable(text)
    text.encode("utf-8")


@pytest.mark.parametrize(
    ("document", "paths"),
    [
        ({"a": "ok", "b": [1, "x\ud800"]}, ["b.1"]),
        ({"answers": {"name": "\x00"}}, ["answers.name"]),
        ({"\ud800": "key"}, [""]),
        ([{"a": "\udc00"}, "\x00"], ["0.a", "1"]),
        ({"n": 1.5, "t": True, "z": None}, []),
    ],
)
def test_unstorable_paths_name_each_bad_string(document: Any, paths: list[str]) -> None:
    assert list(unstorable_paths(document)) == paths
