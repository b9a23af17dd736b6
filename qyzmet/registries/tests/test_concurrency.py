"""Plate reservations at the same moment (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import at_once
from qyzmet.core.errors import Conflict
from qyzmet.identity.tests.factories import person_create
from qyzmet.registries import actions
from qyzmet.registries.models import DrivingLicence, Plate
from qyzmet.registries.tests.conftest import TODAY, born_aged, exams, medical

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
]


def test_reservations_at_the_same_moment_never_get_the_same_plate() -> None:
    actions.plate_pool_add(numbers=[f"{n:03d} ABC 02" for n in range(121, 127)])

    results = at_once(8, lambda _i: actions.plate_reserve(region="02"))

    plates = [r.number for r in results if isinstance(r, Plate)]
    refusals = [r.code for r in results if isinstance(r, Conflict)]
    assert len(plates) == 6 and len(set(plates)) == 6
    assert refusals == ["plate_pool_empty", "plate_pool_empty"]
    assert Plate.objects.filter(status="reserved").count() == 6


def test_the_same_chosen_number_at_the_same_moment_is_reserved_once() -> None:
    actions.plate_pool_add(numbers=["123 ABC 02"])

    results = at_once(4, lambda _i: actions.plate_reserve(region="02", number="123 ABC 02"))

    assert sum(isinstance(r, Plate) for r in results) == 1
    assert sorted(r.code for r in results if isinstance(r, Conflict)) == ["plate_taken"] * 3


def test_two_licences_for_the_same_person_at_the_same_moment_make_one() -> None:
    person = person_create(birth_date=born_aged(30))
    medical(person, ["B"])
    exams(person, "B")

    results = at_once(
        3, lambda _i: actions.licence_issue(holder=person, categories=["B"], on=TODAY)
    )

    assert sum(isinstance(r, DrivingLicence) for r in results) == 1
    codes = sorted(getattr(r, "code", "") for r in results if not isinstance(r, DrivingLicence))
    assert set(codes) <= {"licence_issued_elsewhere", "categories_held"}, codes
    assert DrivingLicence.objects.filter(holder=person, status="valid").count() == 1
