"""The law's conditions per category (art. 74(2) of the Law "On road traffic", dated data):
the minimum age, and the driving experience the licence registry shows, through `licence_issue`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.utils import translation

from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.identity.tests.factories import person_create
from qyzmet.registries import actions
from qyzmet.registries import validation as rules
from qyzmet.registries.models import DrivingLicence
from qyzmet.registries.tests.conftest import TODAY, born_aged, exams, medical


@pytest.fixture(autouse=True)
def _messages_in_english() -> Iterator[None]:
    """The registry's refusals are read here in English (the platform's default is Kazakh)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

# Experience that meets the conditions exactly: categories held since this many years ago.
CAR_AND_C1 = {"B": 3, "C1": 1}
CAR_AND_D1 = {"B": 5, "D1": 3}

# category asked, the categories asked with it, minimum age, experience held
CASES = [
    ("A1", (), 16, {}),
    ("A", (), 18, {}),
    ("B", (), 18, {}),
    ("B1", (), 18, {}),
    ("C1", (), 18, {}),
    ("BE", ("B",), 18, {}),
    ("C1E", ("C1",), 18, {}),
    ("C", (), 21, CAR_AND_C1),
    ("D1", (), 21, CAR_AND_C1),
    ("Tm", (), 21, {}),
    ("CE", ("C",), 21, CAR_AND_C1),
    ("D1E", ("D1",), 21, CAR_AND_C1),
    ("D", (), 25, CAR_AND_D1),
    ("Tb", (), 25, CAR_AND_D1),
    ("DE", ("D",), 25, CAR_AND_D1),
]


def _holder(*, born: date, asked: list[str], held: dict[str, date]) -> Person:
    person = person_create(birth_date=born)
    medical(person, asked)
    for category in asked:
        exams(person, category)
    if held:
        first = min(held.values())
        DrivingLicence.objects.create(
            number=f"KZ{person.pk:07d}",
            holder=person,
            categories=[
                {"category": c, "issued": held[c].isoformat()}
                for c in rules.CATEGORIES
                if c in held
            ],
            issued=first,
            expires=rules.licence_expiry(first),
        )
    return person


def _years_ago(years: int, *, short_by_a_day: bool = False) -> date:
    return rules.add_years(TODAY, -years) + timedelta(days=1 if short_by_a_day else 0)


def _held(experience: dict[str, int]) -> dict[str, date]:
    return {c: _years_ago(years) for c, years in experience.items()}


def _issue(person: Person, asked: list[str]) -> DrivingLicence | ValidationFailed:
    try:
        return actions.licence_issue(holder=person, categories=asked, on=TODAY)
    except ValidationFailed as refusal:
        return refusal


@pytest.mark.parametrize(("category", "with_", "age", "experience"), CASES)
def test_a_category_is_issued_on_the_day_of_its_minimum_age(
    category: str, with_: tuple[str, ...], age: int, experience: dict[str, int]
) -> None:
    asked = [*with_, category]
    person = _holder(born=born_aged(age), asked=asked, held=_held(experience))

    licence = _issue(person, asked)

    assert isinstance(licence, DrivingLicence), licence
    assert category in licence.category_codes


@pytest.mark.parametrize(("category", "with_", "age", "experience"), CASES)
def test_a_category_is_refused_the_day_before_its_minimum_age(
    category: str, with_: tuple[str, ...], age: int, experience: dict[str, int]
) -> None:
    asked = [*with_, category]
    born = born_aged(age) + timedelta(days=1)
    person = _holder(born=born, asked=asked, held=_held(experience))

    refused = _issue(person, asked)

    assert isinstance(refused, ValidationFailed)
    assert refused.code == "under_age"
    assert refused.details["minimum_age"][category] == age
    assert f"category {category}: the minimum age is {age}." in str(refused.message)
    assert (
        not DrivingLicence.objects.filter(holder=person, status="valid")
        .exclude(number=f"KZ{person.pk:07d}")
        .exists()
    )


@pytest.mark.parametrize(
    ("category", "age", "experience", "short", "need"),
    [
        ("C", 21, CAR_AND_C1, "B", {"years": 3, "with": "any", "has": 2}),
        ("C", 21, CAR_AND_C1, "C1", {"years": 1, "with": ["C1"], "has": 0}),
        ("D1", 21, CAR_AND_C1, "B", {"years": 3, "with": "any", "has": 2}),
        ("D1", 21, CAR_AND_C1, "C1", {"years": 1, "with": ["C1"], "has": 0}),
        ("D", 25, CAR_AND_D1, "B", {"years": 5, "with": "any", "has": 4}),
        ("D", 25, CAR_AND_D1, "D1", {"years": 3, "with": ["D1"], "has": 2}),
        ("Tb", 25, CAR_AND_D1, "B", {"years": 5, "with": "any", "has": 4}),
        ("Tb", 25, CAR_AND_D1, "D1", {"years": 3, "with": ["D1"], "has": 2}),
    ],
)
def test_experience_a_day_short_is_refused(
    category: str, age: int, experience: dict[str, int], short: str, need: dict[str, object]
) -> None:
    held = _held(experience)
    held[short] = _years_ago(experience[short], short_by_a_day=True)
    person = _holder(born=born_aged(age + 10), asked=[category], held=held)

    refused = _issue(person, [category])

    assert isinstance(refused, ValidationFailed)
    assert refused.code == "experience_short"
    assert refused.details["experience"] == {category: [need]}
    assert refused.details["act"].startswith('Law "On road traffic"')


def test_experience_is_read_from_every_licence_the_holder_had() -> None:
    # B since five years ago on a licence since replaced, D1 for three years on the current one
    person = _holder(born=born_aged(30), asked=["D"], held={"D1": _years_ago(3)})
    DrivingLicence.objects.create(
        number="OLD000001",
        holder=person,
        categories=[{"category": "B", "issued": _years_ago(5).isoformat()}],
        issued=_years_ago(5),
        expires=rules.licence_expiry(_years_ago(5)),
        status="replaced",
    )

    licence = _issue(person, ["D"])

    assert isinstance(licence, DrivingLicence), licence
    assert licence.category_codes == ["D", "D1"]


def test_no_licence_at_all_names_every_condition() -> None:
    person = _holder(born=born_aged(40), asked=["D"], held={})

    refused = _issue(person, ["D"])

    assert isinstance(refused, ValidationFailed)
    assert refused.details["experience"] == {
        "D": [{"years": 5, "with": "any", "has": 0}, {"years": 3, "with": ["D1"], "has": 0}]
    }
    assert refused.message == (
        "Category D needs at least 5 years as a driver. "
        "Category D needs at least 3 years with category D1."
    )
