"""The registries' conditions as pure functions of the facts they hold: what issuing or replacing
a licence, or changing a vehicle's registration, would refuse, each reason with its code, known
before the write (and before the citizen signs or pays)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.utils import translation

from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.models import DrivingLicence, Vehicle, VehicleRegistration
from qyzmet.registries.preconditions import (
    EXAM_KINDS,
    LicenceFacts,
    licence_issue_refusals,
    licence_replace_refusals,
    vehicle_change_refusals,
)

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _messages_in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _facts(
    *,
    age: int = 30,
    short_by_a_day: bool = False,
    held: tuple[str, ...] = (),
    since: dict[str, int] | None = None,
    medical: tuple[str, ...] | None = (),
    passed: tuple[str, ...] = rules.CATEGORIES,
    living: bool = True,
) -> LicenceFacts:
    born = rules.add_years(TODAY, -age) + timedelta(days=1 if short_by_a_day else 0)
    return LicenceFacts(
        birth_date=born,
        living=living,
        held=held,
        held_since={c: rules.add_years(TODAY, -years) for c, years in (since or {}).items()},
        medical=medical,
        exams_passed=frozenset((c, kind) for c in passed for kind in EXAM_KINDS),
    )


def _codes(facts: LicenceFacts, categories: list[str]) -> list[str]:
    return [e.code for e in licence_issue_refusals(facts=facts, categories=categories, on=TODAY)]


# category, the categories asked with it, minimum age, experience (category: years held)
CASES = [
    ("A1", (), 16, {}),
    ("A", (), 18, {}),
    ("B", (), 18, {}),
    ("B1", (), 18, {}),
    ("C1", (), 18, {}),
    ("BE", ("B",), 18, {}),
    ("C", (), 21, {"B": 3, "C1": 1}),
    ("Tm", (), 21, {}),
    ("D", (), 25, {"B": 5, "D1": 3}),
    ("Tb", (), 25, {"B": 5, "D1": 3}),
]


@pytest.mark.parametrize(("category", "with_", "age", "since"), CASES)
def test_nothing_refuses_a_category_on_the_day_of_its_minimum_age(
    category: str, with_: tuple[str, ...], age: int, since: dict[str, int]
) -> None:
    facts = _facts(age=age, since=since, held=tuple(c for c in since if c != category))
    assert _codes(facts, [category, *with_]) == []


@pytest.mark.parametrize(("category", "with_", "age", "since"), CASES)
def test_the_day_before_its_minimum_age_a_category_is_refused_as_under_age(
    category: str, with_: tuple[str, ...], age: int, since: dict[str, int]
) -> None:
    facts = _facts(
        age=age, short_by_a_day=True, since=since, held=tuple(c for c in since if c != category)
    )
    [refusal] = licence_issue_refusals(facts=facts, categories=[category, *with_], on=TODAY)
    assert refusal.code == "under_age"
    assert refusal.details["minimum_age"][category] == age


def test_a_17_year_old_without_medical_or_exams_is_told_every_reason_at_once() -> None:
    facts = _facts(age=17, medical=None, passed=())

    refusals = licence_issue_refusals(facts=facts, categories=["B"], on=TODAY)

    assert [e.code for e in refusals] == ["under_age", "no_medical", "exam_not_passed"]
    assert str(refusals[0].message) == (
        "The holder is too young for category B: the minimum age is 18."
    )
    assert refusals[2].details["exams"] == [
        {"category": "B", "kind": "theory"},
        {"category": "B", "kind": "practice"},
    ]


def test_a_medical_certificate_that_does_not_allow_the_category_refuses_it() -> None:
    [refusal] = licence_issue_refusals(facts=_facts(medical=("B",)), categories=["C1"], on=TODAY)
    assert (refusal.code, refusal.details["categories"]) == ("medical_restricted", ["C1"])


def test_a_c_licence_needs_years_as_a_driver_from_the_registry() -> None:
    [refusal] = licence_issue_refusals(facts=_facts(age=30), categories=["C"], on=TODAY)
    assert refusal.code == "experience_short"
    assert refusal.details["experience"]["C"] == [
        {"years": 3, "with": "any", "has": 0},
        {"years": 1, "with": ["C1"], "has": 0},
    ]


def test_a_trailer_category_needs_its_towing_category() -> None:
    assert _codes(_facts(), ["BE"]) == ["base_category_missing"]
    assert _codes(_facts(held=("B",), since={"B": 2}), ["BE"]) == []


@pytest.mark.parametrize(
    ("facts", "categories", "code"),
    [
        (_facts(), ["Z"], "category_invalid"),
        (_facts(), [], "categories_empty"),
        (_facts(living=False), ["B"], "person_deceased"),
        (_facts(held=("B",), since={"B": 2}), ["B"], "categories_held"),
    ],
    ids=["unknown category", "none asked", "deceased", "held already"],
)
def test_what_stops_the_check_before_the_law_s_conditions(
    facts: LicenceFacts, categories: list[str], code: str
) -> None:
    assert _codes(facts, categories) == [code]


def _licence(status: str, expires: date) -> DrivingLicence:
    return DrivingLicence(number="AB1", status=status, issued=date(2016, 1, 1), expires=expires)


@pytest.mark.parametrize(
    ("status", "expired", "reason", "medical", "codes"),
    [
        ("valid", False, "loss", False, []),
        ("valid", False, "expiry", False, ["no_medical"]),
        ("expired", True, "damage", False, ["no_medical"]),
        ("expired", True, "expiry", True, []),
        ("revoked", False, "loss", True, ["licence_not_current"]),
        ("valid", False, "boredom", True, ["replace_reason_invalid"]),
    ],
)
def test_a_licence_is_replaced_unless(
    status: str, expired: bool, reason: str, medical: bool, codes: list[str]
) -> None:
    expires = TODAY - timedelta(days=1) if expired else TODAY + timedelta(days=100)
    refusals = licence_replace_refusals(
        licence=_licence(status, expires), reason=reason, medical=medical, on=TODAY
    )
    assert [e.code for e in refusals] == codes


def _vehicle(*, arrested: bool = False, registered: bool = True) -> Vehicle:
    status = Vehicle.Status.REGISTERED if registered else Vehicle.Status.DEREGISTERED
    return Vehicle(vin="JH4KA7561PC008269", arrested=arrested, arrest_reason="Court", status=status)


def _person(pk: int, *, living: bool = True) -> Person:
    return Person(pk=pk, status=Person.Status.LIVING if living else Person.Status.DECEASED)


@pytest.mark.parametrize(
    ("vehicle", "open_", "buyer", "arrest_bars", "codes"),
    [
        (_vehicle(), True, _person(2), True, []),
        (_vehicle(arrested=True), True, _person(2), True, ["vehicle_arrested"]),
        (_vehicle(arrested=True), True, None, False, []),  # a new certificate: an arrest allows
        (_vehicle(registered=False), False, None, True, ["vehicle_not_registered"]),
        (_vehicle(), True, _person(1), True, ["same_owner"]),
        (_vehicle(), True, _person(2, living=False), True, ["person_deceased"]),
    ],
    ids=["free", "arrested", "new certificate", "deregistered", "same owner", "deceased buyer"],
)
def test_a_vehicle_s_registration_changes_unless(
    vehicle: Vehicle, open_: bool, buyer: Person | None, arrest_bars: bool, codes: list[str]
) -> None:
    registration = VehicleRegistration(vehicle=vehicle, owner_id=1) if open_ else None
    refusals = vehicle_change_refusals(
        vehicle=vehicle, registration=registration, buyer=buyer, arrest_bars=arrest_bars
    )
    assert [e.code for e in refusals] == codes
