"""Making broken copies of catalogue files in tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

LABEL = {"kk": "Белгі", "ru": "Метка", "en": "Label"}


def edit(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Load the YAML file, let `change` mutate the data, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line that equals `text`."""
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1
