"""The API's parser on its own: what a body may be."""

from __future__ import annotations

import pytest

from qyzmet.api.parsing import is_json_type, json_object_parse
from qyzmet.core.errors import QyzmetError


@pytest.mark.parametrize(
    ("kind", "accepted"),
    [
        ("application/json", True),
        ("Application/JSON", True),
        ("application/merge-patch+json", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
        ("multipart/form-data", False),
        ("", False),
    ],
)
def test_only_json_content_types_are_parsed(kind: str, accepted: bool) -> None:
    assert is_json_type(kind) is accepted


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"NaN", "invalid_json"),
        (b'{"a": NaN}', "invalid_json"),
        (b'{"a": [Infinity]}', "invalid_json"),
        (b'{"a": -Infinity}', "invalid_json"),
        (b'{"a": 1e999}', "invalid_json"),
        (b'{"a": ' + b"9" * 5000 + b"}", "invalid_json"),  # past Python's digit limit
        (b'{"a": "\xed\xa0\x80"}', "invalid_json"),  # a surrogate encoded: not UTF-8
        (b"\xff\xfe{}", "invalid_json"),
        (b"[" * 100_000, "invalid_json"),
        (b"[1, 2]", "body_not_object"),
        (b"null", "body_not_object"),
        (b'{"a": "\\ud800"}', "unstorable_text"),
        (b'{"a": {"b": ["\\u0000"]}}', "unstorable_text"),
    ],
)
def test_what_is_not_a_storable_json_object_is_refused(raw: bytes, code: str) -> None:
    with pytest.raises(QyzmetError) as caught:
        json_object_parse(raw)

    assert caught.value.code == code


def test_a_json_object_is_parsed_with_its_numbers_and_astral_characters() -> None:
    raw = '{"a": 1.5, "b": -2, "c": "😀 \\ud83d\\ude00", "d": [true, null]}'.encode()

    assert json_object_parse(raw) == {"a": 1.5, "b": -2, "c": "😀 😀", "d": [True, None]}
