"""The values service definitions read from the registries."""

from __future__ import annotations

from datetime import date

import pytest

from qyzmet.identity.tests.factories import person_create
from qyzmet.registries import actions
from qyzmet.registries.selectors import UNKNOWN, registry_value
from qyzmet.registries.tests.conftest import TODAY, born_aged, car, exams, medical, pool

pytestmark = pytest.mark.django_db


def test_values_of_a_person_with_nothing_on_file() -> None:
    person = person_create()

    values = {
        source: registry_value(person=person, source=source, today=TODAY)
        for source in (
            "vehicle.count", "vehicle.vins", "licence.valid", "licence.categories",
            "licence.expires", "medical.valid", "exam.passed.B",
        )
    }  # fmt: skip

    assert values == {
        "vehicle.count": 0,
        "vehicle.vins": [],
        "licence.valid": False,
        "licence.categories": [],
        "licence.expires": None,
        "medical.valid": False,
        "exam.passed.B": False,
    }


def test_values_of_a_driver_with_a_car() -> None:
    person = person_create(birth_date=born_aged(30))
    pool("123 ABC 02")
    actions.vehicle_register_first(owner=person, vehicle=car(), plate="123 ABC 02")
    medical(person, ["B"])
    exams(person, "B")
    licence = actions.licence_issue(holder=person, categories=["B"], on=TODAY)

    def value(source: str) -> object:
        return registry_value(person=person, source=source, today=TODAY)

    assert value("vehicle.count") == 1
    assert value("vehicle.vins") == ["1M8GDM9AXKP042788"]
    assert value("licence.valid") is True
    assert value("licence.categories") == ["B"]
    assert value("licence.expires") == date(2036, 6, 1)
    assert value("licence.number") == licence.number
    assert value("medical.valid") is True
    assert value("exam.passed.B") is True
    assert value("exam.passed.C") is False
    assert registry_value(person=person, source="licence.valid", today=date(2036, 6, 2)) is False


@pytest.mark.parametrize(
    "source",
    ["person.age", "vehicle.colour", "licence.holder", "medical.issuer", "exam.passed.X",
     "exam.failed.B", "tax.debt", ""],
)  # fmt: skip
def test_an_unknown_path_is_unknown_and_never_true(source: str) -> None:
    value = registry_value(person=person_create(), source=source, today=TODAY)

    assert value is UNKNOWN
    assert not value
