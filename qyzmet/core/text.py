"""Text that can be stored: no lone surrogate (which no UTF-8 encoder accepts, so the field
encryption and PostgreSQL both fail on it) and no NUL (which PostgreSQL refuses in text).

Such characters reach us only from a JSON body's escapes (`"\\ud800"`, `"\\u0000"`): Django
decodes query strings and forms with replacement characters. The API's parser refuses them
before anything runs; the form checks refuse them again, whatever the interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_storable(text: str) -> bool:
    """Whether `text` holds no lone surrogate and no NUL."""
    return _UNSTORABLE.search(text) is None


def unstorable_paths(value: Any, path: str = "") -> Iterator[str]:
    """The dotted path of each string (key or value) in a JSON document that cannot be stored:
    `answers.purpose_other`, `items.2`."""
    if isinstance(value, str):
        if not text_storable(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if not text_storable(str(key)):
                yield path
            yield from unstorable_paths(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_paths(item, f"{path}.{index}" if path else str(index))
