"""The import commands, the volume generator and the demo data."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qyzmet.identity.tests.factories import person_create
from qyzmet.registries import selectors
from qyzmet.registries.models import (
    ExamResult,
    MedicalCertificate,
)

pytestmark = pytest.mark.django_db


def _run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def _csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_medical_import_reports_rejected_rows_and_is_idempotent(tmp_path: Path) -> None:
    person = person_create()
    file = _csv(
        tmp_path,
        "iin,number,issued,expires,categories,issuer\n"
        f"{person.iin},M-1,2026-01-10,2027-01-09,B C1,Polyclinic 5\n"
        "123456789012,M-2,2026-01-10,2027-01-09,B,Polyclinic 5\n"
        f"{person.iin},M-3,2026-13-10,2027-01-09,B,Polyclinic 5\n"
        f"{person.iin},M-4,2026-01-10,2025-01-09,B,Polyclinic 5\n"
        f"{person.iin},M-5,2026-01-10,2027-01-09,B X,Polyclinic 5\n"
        f"{person.iin},M-1,2026-01-10,2027-01-09,B,Polyclinic 5\n"
        "791028302728,M-7,2026-01-10,2027-01-09,B,Polyclinic 5\n",
    )

    first = _run("registries_import_medical", file)
    second = _run("registries_import_medical", file)

    assert first.splitlines()[0] == "created 1, updated 0, unchanged 0, rejected 6"
    assert [line.split(":")[0].strip() for line in first.splitlines()[1:]] == [
        "row 3", "row 4", "row 5", "row 6", "row 7", "row 8",
    ]  # fmt: skip
    assert "row 3: iin:" in first
    assert "row 5: expires_before_issued:" in first
    assert "row 7: number_duplicate:" in first
    assert "row 8: person_unknown:" in first
    assert second.splitlines()[0] == "created 0, updated 0, unchanged 1, rejected 6"
    cert = MedicalCertificate.objects.get()
    assert (cert.person, cert.categories, cert.expires) == (person, ["B", "C1"], date(2027, 1, 9))


def test_a_corrected_medical_file_updates_the_row(tmp_path: Path) -> None:
    person = person_create()
    head = "iin,number,issued,expires,categories,issuer\n"
    _run(
        "registries_import_medical",
        _csv(tmp_path, head + f"{person.iin},M-1,2026-01-10,2027-01-09,B,P\n"),
    )

    out = _run(
        "registries_import_medical",
        _csv(tmp_path, head + f"{person.iin},M-1,2026-01-10,2026-07-09,B,P\n"),
    )

    assert out.startswith("created 0, updated 1, unchanged 0, rejected 0")
    assert MedicalCertificate.objects.get().expires == date(2026, 7, 9)


def test_exam_import_reports_rejected_rows_and_is_idempotent(tmp_path: Path) -> None:
    person = person_create()
    file = _csv(
        tmp_path,
        "iin,category,kind,passed,taken_on,centre\n"
        f"{person.iin},b,theory,yes,2026-05-01,Centre 1\n"
        f"{person.iin},B,practice,0,2026-05-08,Centre 1\n"
        f"{person.iin},B,practice,1,2026-05-15,Centre 1\n"
        f"{person.iin},Z,theory,yes,2026-05-01,Centre 1\n"
        f"{person.iin},B,oral,yes,2026-05-01,Centre 1\n"
        f"{person.iin},B,theory,maybe,2026-05-01,Centre 1\n"
        f"{person.iin},B,theory,yes,2026-05-01,\n",
    )

    first = _run("registries_import_exams", file)
    second = _run("registries_import_exams", file)

    assert first.splitlines()[0] == "created 3, updated 0, unchanged 0, rejected 4"
    assert [line.split(":")[1].strip() for line in first.splitlines()[1:]] == [
        "category_invalid", "kind_invalid", "passed_invalid", "issuer_missing",
    ]  # fmt: skip
    assert second.splitlines()[0] == "created 0, updated 0, unchanged 3, rejected 4"
    assert selectors.exams_passed(person=person, category="B") is True
    assert ExamResult.objects.filter(passed=False).count() == 1


def test_an_import_with_a_wrong_header_imports_nothing(tmp_path: Path) -> None:
    file = _csv(tmp_path, "iin,category\n791028302728,B\n")

    with pytest.raises(CommandError, match="missing columns: kind, passed, taken_on, centre"):
        _run("registries_import_exams", file)

    assert ExamResult.objects.count() == 0
