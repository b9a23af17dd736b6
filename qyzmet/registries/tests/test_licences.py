"""Driving licences: issue rules, each with its own code, replacement, the one-valid rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.identity.tests.factories import person_create
from qyzmet.registries import actions, selectors
from qyzmet.registries.models import DrivingLicence
from qyzmet.registries.tests.conftest import TODAY, born_aged, exams, medical


@pytest.fixture(autouse=True)
def _messages_in_english() -> Iterator[None]:
    """The registry's refusals are read here in English (the platform's default is Kazakh)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def _ready(age: int = 30, categories: tuple[str, ...] = ("B",)) -> Person:
    person = person_create(birth_date=born_aged(age))
    medical(person, list(categories))
    for category in categories:
        exams(person, category)
    return person


def _refusal(person: Person, categories: list[str]) -> ValidationFailed:
    before = list(DrivingLicence.objects.order_by("id").values_list("id", "status"))
    with pytest.raises(ValidationFailed) as caught:
        actions.licence_issue(holder=person, categories=categories, on=TODAY)
    assert list(DrivingLicence.objects.order_by("id").values_list("id", "status")) == before
    return caught.value


def test_a_licence_is_issued_with_everything_on_file() -> None:
    person = _ready()

    licence = actions.licence_issue(holder=person, categories=["b"], on=TODAY)

    assert licence.categories == [{"category": "B", "issued": "2026-06-01"}]
    assert (licence.issued, licence.expires, licence.status) == (
        TODAY,
        date(2036, 6, 1),
        "valid",
    )
    assert len(licence.number) == 9
    assert selectors.licence_of(person=person, on=TODAY) == licence


def test_the_minimum_age_is_checked_per_category() -> None:
    teen = _ready(age=17, categories=("A1", "B"))

    refused = _refusal(teen, ["A1", "B"])
    licence = actions.licence_issue(holder=teen, categories=["A1"], on=TODAY)

    assert refused.code == "under_age"
    assert refused.details["categories"] == ["B"]
    assert refused.details["minimum_age"] == {"B": 18}
    assert licence.category_codes == ["A1"]


def test_a_bus_licence_needs_25_years() -> None:
    person = _ready(age=24, categories=("D",))

    refused = _refusal(person, ["D"])

    assert (refused.code, refused.details["minimum_age"]) == ("under_age", {"D": 25})
    assert refused.message == "The holder is too young for category D: the minimum age is 25."


def test_no_valid_medical_certificate_is_refused() -> None:
    person = person_create(birth_date=born_aged(30))
    exams(person, "B")
    medical(person, ["B"], expires=TODAY - timedelta(days=1))

    assert _refusal(person, ["B"]).code == "no_medical"


def test_a_medical_certificate_that_does_not_allow_the_category_is_refused() -> None:
    person = _ready(categories=("B",))
    exams(person, "C1")

    refused = _refusal(person, ["C1"])

    assert (refused.code, refused.details["categories"]) == ("medical_restricted", ["C1"])


def test_each_exam_not_passed_is_named() -> None:
    person = person_create(birth_date=born_aged(30))
    medical(person, ["B"])
    exams(person, "B", practice=False)

    refused = _refusal(person, ["B"])

    assert refused.code == "exam_not_passed"
    assert refused.details["exams"] == [{"category": "B", "kind": "practice"}]


def test_no_exams_at_all_name_both() -> None:
    person = person_create(birth_date=born_aged(30))
    medical(person, ["B"])

    refused = _refusal(person, ["B"])

    assert refused.details["exams"] == [
        {"category": "B", "kind": "theory"},
        {"category": "B", "kind": "practice"},
    ]


def test_a_trailer_category_needs_its_base() -> None:
    person = _ready(categories=("BE",))

    assert _refusal(person, ["BE"]).code == "base_category_missing"


@pytest.mark.parametrize(("items", "code"), [(["X"], "category_invalid"), ([], "categories_empty")])
def test_invalid_categories_are_refused(items: list[str], code: str) -> None:
    assert _refusal(person_create(), items).code == code


def test_a_new_category_replaces_the_licence_and_keeps_the_old_dates() -> None:
    person = _ready(categories=("B", "BE"))
    first = actions.licence_issue(holder=person, categories=["B"], on=date(2026, 5, 20))

    second = actions.licence_issue(holder=person, categories=["BE"], on=TODAY)

    first.refresh_from_db()
    assert (first.status, first.replaced_by, first.replace_reason) == (
        "replaced",
        second,
        "categories",
    )
    assert second.categories == [
        {"category": "B", "issued": "2026-05-20"},
        {"category": "BE", "issued": "2026-06-01"},
    ]
    refused = _refusal(person, ["B"])
    assert refused.code == "categories_held"


def test_replacement_for_loss_keeps_the_categories() -> None:
    person = _ready()
    licence = actions.licence_issue(holder=person, categories=["B"], on=date(2026, 5, 20))

    new = actions.licence_replace(licence=licence, reason="loss", on=TODAY)

    licence.refresh_from_db()
    assert (licence.status, licence.replaced_by, licence.replace_reason) == (
        "replaced",
        new,
        "loss",
    )
    assert (new.categories, new.expires) == (licence.categories, date(2036, 6, 1))
    with pytest.raises(Conflict) as again:
        actions.licence_replace(licence=licence, reason="loss", on=TODAY)
    assert again.value.code == "licence_not_current"


def test_an_expired_licence_is_replaced_only_with_medical_data_on_file() -> None:
    person = person_create(birth_date=born_aged(40))
    old = DrivingLicence.objects.create(
        number="AA0000001",
        holder=person,
        categories=[{"category": "B", "issued": "2015-01-01"}],
        issued=date(2015, 1, 1),
        expires=date(2025, 1, 1),
    )
    assert actions.licence_expire_due(on=TODAY) == 1
    old.refresh_from_db()
    assert old.status == "expired"
    assert selectors.licence_of(person=person, on=TODAY) is None

    with pytest.raises(ValidationFailed) as caught:
        actions.licence_replace(licence=old, reason="expiry", on=TODAY)
    medical(person, ["B"])
    new = actions.licence_replace(licence=old, reason="expiry", on=TODAY)

    assert caught.value.code == "no_medical"
    assert new.categories == [{"category": "B", "issued": "2015-01-01"}]
    assert new.status == "valid"


def test_an_unknown_replacement_reason_is_refused() -> None:
    person = _ready()
    licence = actions.licence_issue(holder=person, categories=["B"], on=TODAY)

    with pytest.raises(ValidationFailed) as caught:
        actions.licence_replace(licence=licence, reason="whim", on=TODAY)

    assert caught.value.code == "replace_reason_invalid"


def test_a_revoked_licence_cannot_be_replaced() -> None:
    person = _ready()
    licence = actions.licence_issue(holder=person, categories=["B"], on=TODAY)
    actions.licence_revoke(licence=licence, reason="court")

    with pytest.raises(Conflict) as caught:
        actions.licence_replace(licence=licence, reason="loss", on=TODAY)

    assert caught.value.code == "licence_not_current"
    assert selectors.licence_of(person=person, on=TODAY) is None


def test_the_database_keeps_one_valid_licence_per_person() -> None:
    person = _ready()
    actions.licence_issue(holder=person, categories=["B"], on=TODAY)

    with pytest.raises(IntegrityError), transaction.atomic():
        DrivingLicence.objects.create(
            number="ZZ9999999", holder=person, issued=TODAY, expires=TODAY, categories=[]
        )
