"""Data tables for the test suite, made from the real ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

LAST_TEST_YEAR = 2040


def mci_test_table(real: Path, directory: Path) -> Path:
    """The real MCI table with its last value carried on to every later year up to
    `LAST_TEST_YEAR`, each row marked as a test value, written into `directory`."""
    data = yaml.safe_load(real.read_text(encoding="utf-8"))
    rows = data["values"]
    last = rows[-1]
    first_missing = int(str(last["since"])[:4]) + 1
    rows.extend(
        {
            "since": date(year, 1, 1),
            "tenge": last["tenge"],
            "act": f"test table only: {last['act']} carried on",
        }
        for year in range(first_missing, LAST_TEST_YEAR + 1)
    )
    path = directory / "mci-test.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
