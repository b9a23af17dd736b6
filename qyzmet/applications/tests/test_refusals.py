"""The evaluation of what would be refused, in its pure part: a service's eligibility judged on
a person's age, citizenship and the registry values its conditions read."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from qyzmet.applications import registry_changes
from qyzmet.applications.refusals import Refusal, eligibility_refusals, refusals_error
from qyzmet.applications.registries import UNKNOWN
from qyzmet.catalogue.parts import Condition, Eligibility
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.catalogue.selectors import service_get

MESSAGE = {"kk": "Шарт орындалмады", "ru": "Условие не выполнено", "en": "The condition fails"}


def _service(**eligibility: Any) -> ServiceDefinition:
    definition = service_get(code="criminal-record-certificate")
    return definition.model_copy(update={"eligibility": Eligibility(**eligibility)})


def _refused(
    definition: ServiceDefinition,
    *,
    age: int = 30,
    citizenship: str = "KAZ",
    values: dict[str, Any] | None = None,
    language: str = "en",
) -> list[str]:
    known = values or {}
    with translation.override(language):
        refusals = eligibility_refusals(
            definition,
            age=age,
            citizenship=citizenship,
            value_of=lambda source: known.get(source, UNKNOWN),
            language=language,
        )
    assert {r.code for r in refusals} <= {"not_eligible"}
    return [r.message for r in refusals]


@pytest.mark.parametrize(
    ("age", "refused"),
    [
        (15, ["You must be at least 16 years old."]),
        (16, []),
        (65, []),
        (66, ["This service is for people up to 65 years old."]),
    ],
)
def test_ages_are_judged_in_full_years_at_both_ends(age: int, refused: list[str]) -> None:
    assert _refused(_service(min_age=16, max_age=65), age=age) == refused


def test_citizenship_is_judged_only_when_the_service_lists_it() -> None:
    assert _refused(_service(), citizenship="RUS") == []
    assert _refused(_service(citizenship=["KAZ"]), citizenship="RUS") == [
        "This service is for citizens of Kazakhstan."
    ]


@pytest.mark.parametrize(
    ("op", "value", "registry", "holds"),
    [
        ("gte", 1, 1, True),
        ("gte", 1, 0, False),
        ("lte", 3, 4, False),
        ("eq", True, True, True),
        ("eq", True, False, False),
        ("ne", "deceased", "living", True),
        ("in", ["02", "75"], "09", False),
        ("exists", None, "A-1", True),
        ("exists", None, None, False),
        ("exists", False, None, True),
        ("eq", True, UNKNOWN, False),  # a registry that does not answer passes nothing
    ],
)
def test_each_registry_condition_refuses_with_its_message_when_it_fails(
    op: str, value: Any, registry: Any, holds: bool
) -> None:
    condition = Condition(source="vehicle.count", op=op, value=value, message=MESSAGE)
    definition = _service(conditions=[condition])

    refused = _refused(definition, values={"vehicle.count": registry}, language="ru")

    assert refused == ([] if holds else ["Условие не выполнено"])


def test_signing_is_refused_with_every_reason_and_the_fields_they_concern() -> None:
    refusals = [
        Refusal(code="under_age", message="Too young."),
        Refusal(code="vehicle_arrested", message="Arrested.", field="plate"),
    ]

    with translation.override("en"):
        error = refusals_error(refusals)

    assert (error.code, error.status) == ("would_be_refused", 422)
    assert error.details == {
        "refusals": [
            {"code": "under_age", "message": "Too young.", "field": ""},
            {"code": "vehicle_arrested", "message": "Arrested.", "field": "plate"},
        ],
        "fields": [{"field": "plate", "message": "Arrested."}],
    }
    assert str(error.message) == (
        "This application would be refused, so it cannot be signed: Too young. Arrested."
    )


def test_every_connected_registry_change_has_its_check_before_signing() -> None:
    assert set(registry_changes.CHECKS) == set(registry_changes.ACTIONS)
