"""Helpers for the registries' tests."""

from __future__ import annotations

from datetime import date, timedelta

from qyzmet.identity.models import Person
from qyzmet.registries import actions
from qyzmet.registries import validation as rules
from qyzmet.registries.models import ExamResult, MedicalCertificate

TODAY = date(2026, 6, 1)
VIN = "1M8GDM9AXKP042788"


def car(vin: str = VIN, **extra: object) -> actions.VehicleData:
    values: dict[str, object] = {
        "vin": vin,
        "make": "Toyota",
        "model": "Camry",
        "year": 2020,
        "colour": "white",
        "category": "B",
    }
    values.update(extra)
    return actions.VehicleData(**values)  # type: ignore[arg-type]


def pool(*numbers: str) -> None:
    actions.plate_pool_add(numbers=numbers)


def medical(person: Person, categories: list[str], *, expires: date | None = None) -> None:
    MedicalCertificate.objects.create(
        person=person,
        number=f"M-{person.pk}-{MedicalCertificate.objects.count()}",
        issued=TODAY - timedelta(days=30),
        expires=expires or TODAY + timedelta(days=300),
        categories=categories,
        issuer="Polyclinic 5",
    )


def exams(person: Person, category: str, *, practice: bool = True) -> None:
    ExamResult.objects.create(
        person=person,
        category=category,
        kind="theory",
        passed=True,
        taken_on=TODAY - timedelta(days=10),
        centre="Centre",
    )
    ExamResult.objects.create(
        person=person,
        category=category,
        kind="practice",
        passed=practice,
        taken_on=TODAY - timedelta(days=3),
        centre="Centre",
    )


def born_aged(years: int) -> date:
    return rules.add_years(TODAY, -years)
