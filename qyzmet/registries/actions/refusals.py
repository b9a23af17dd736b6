"""The refusals every registry write shares: a broken rule, a deceased person."""

from __future__ import annotations

from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.preconditions import person_deceased


def rule_refusal(*, error: rules.RuleError, field: str) -> ValidationFailed:
    return ValidationFailed(
        error.message,
        code=error.code,
        details={"fields": [{"field": field, "message": str(error.message)}], **error.details},
    )


def person_living_check(*, person: Person, field: str) -> None:
    if person.status != Person.Status.LIVING:
        raise person_deceased(field=field)
