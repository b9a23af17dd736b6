"""Tables of MCI values of the tests' own, for the checks of a year without its value: the real
table grows every year, these do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from qyzmet.core import mci as mci_module

DATA = Path(__file__).parent / "data"


@pytest.fixture
def mci_through_2026(monkeypatch: pytest.MonkeyPatch) -> Path:
    """2026's value is the last: 2027 has none."""
    path = DATA / "mci-through-2026.yaml"
    monkeypatch.setattr(mci_module, "mci_data_file", lambda: path)
    return path


@pytest.fixture
def mci_through_2027(monkeypatch: pytest.MonkeyPatch) -> Path:
    """A made-up 2027 value (4,500 tenge) is the last: 2028 has none."""
    path = DATA / "mci-through-2027.yaml"
    monkeypatch.setattr(mci_module, "mci_data_file", lambda: path)
    return path
