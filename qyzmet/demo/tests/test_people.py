"""The demo population: valid, deterministic rows that import, loaded once, and written to a CSV
by `population_generate`."""

import csv
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from qyzmet.demo.loading import demo_population_load
from qyzmet.demo.people import MINOR_BORN_AFTER, demo_population_rows
from qyzmet.identity.models import Person
from qyzmet.identity.population import population_import

pytestmark = pytest.mark.django_db


def _import(path: Path, *args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("population_import", str(path), *args, stdout=out, verbosity=0)
    return out.getvalue()


def test_demo_rows_are_valid_and_minors_have_both_parents() -> None:
    rows = demo_population_rows(count=600, seed=7)

    report = population_import(rows=rows)

    assert (report.created, report.rejected) == (600, [])
    minors = [row for row in rows if date.fromisoformat(row["birth_date"]) > MINOR_BORN_AFTER]
    assert len(minors) > 60
    assert sum(date.fromisoformat(r["birth_date"]) <= MINOR_BORN_AFTER for r in rows) > 300
    assert all(row["father_iin"] and row["mother_iin"] for row in minors)
    assert {row["region"] for row in rows} == {f"{n:02d}" for n in range(1, 21)}
    assert any(row["status"] == "deceased" for row in rows)
    linked = Person.objects.filter(father__isnull=False, mother__isnull=False).count()
    assert linked == len(minors)


def test_demo_rows_are_deterministic() -> None:
    assert demo_population_rows(count=50) == demo_population_rows(count=50)
    assert demo_population_rows(count=50) != demo_population_rows(count=50, seed=1)


def test_demo_population_load_twice_creates_nothing_the_second_time() -> None:
    first = demo_population_load()
    second = demo_population_load()

    assert (first.created, first.rejected) == (1000, [])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1000)


def test_population_generate_writes_a_csv_that_imports(tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"

    call_command("population_generate", str(path), "--count", "120", stdout=StringIO(), verbosity=0)

    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == demo_population_rows(count=120)
    assert _import(path).startswith("created 120, updated 0, unchanged 0, rejected 0 in ")
