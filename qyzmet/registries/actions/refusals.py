"""The refusals every registry write shares: a broken rule, a deceased person."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.errors import ErrorCode


def rule_refusal(*, error: rules.RuleError, field: str) -> ValidationFailed:
    return ValidationFailed(
        error.message,
        code=error.code,
        details={"fields": [{"field": field, "message": str(error.message)}], **error.details},
    )


def person_living_check(*, person: Person, field: str) -> None:
    if person.status != Person.Status.LIVING:
        raise ValidationFailed(
            _("The registry records this person as deceased."),
            code=ErrorCode.PERSON_DECEASED,
            details={"fields": [{"field": field, "message": "deceased"}]},
        )
