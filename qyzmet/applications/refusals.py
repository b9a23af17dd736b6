"""What would be refused: every check of a service that can be known before the citizen signs or
pays, as one evaluation that changes nothing.

Two sources, both the definition's: its `eligibility` (ages, citizenship, the registry conditions
it lists) and the registry change its approval makes (`result.registry_change`), whose
conditions the registry answers before the write (`registry_changes.registry_change_refusals`:
the ages and driving experience per category, the medical certificate, the exams, the vehicle's
owner, arrest and registration…). Only the answers that are valid are judged, so a half-filled
draft is refused only for what is already known.

The draft's overview shows the refusals at once (and no Sign or Pay); signing, the second
party's signing included, refuses with `would_be_refused` (`refusals_check`), so no duty is
invoiced for what would be refused. The automatic refusal after payment stays for what changes
in the registries meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from qyzmet.applications.engine import condition_holds
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.forms import form_clean
from qyzmet.applications.registries import ValueOf, registry_values
from qyzmet.applications.registry_changes import registry_change_refusals
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.calendar import local_today
from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import age_on, person_get_by_iin


@dataclass(frozen=True, slots=True)
class Refusal:
    """One reason the application would be refused: a stable `code` (the registry's, like
    `under_age`, or `not_eligible`), the `message` in the reader's language, and the form field
    it concerns ("" for the application as a whole)."""

    code: str
    message: str
    field: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "field": self.field}


def eligibility_refusals(
    definition: ServiceDefinition,
    *,
    age: int,
    citizenship: str,
    value_of: ValueOf,
    language: str,
) -> list[Refusal]:
    """Who may receive the service, judged on the person's age, citizenship and the registry
    values of the definition's `eligibility.conditions` (pure)."""
    rules = definition.eligibility
    problems: list[str] = []
    if rules.min_age is not None and age < rules.min_age:
        problems.append(_("You must be at least %(n)s years old.") % {"n": rules.min_age})
    if rules.max_age is not None and age > rules.max_age:
        problems.append(
            _("This service is for people up to %(n)s years old.") % {"n": rules.max_age}
        )
    if rules.citizenship and citizenship not in rules.citizenship:
        problems.append(_("This service is for citizens of Kazakhstan."))
    for condition in rules.conditions:
        if not condition_holds(condition, value_of(condition.source)):
            problems.append(condition.message.get(language))
    return [Refusal(code=ErrorCode.NOT_ELIGIBLE, message=problem) for problem in problems]


def person_eligibility_refusals(
    definition: ServiceDefinition, person: Person, today: date | None = None
) -> list[Refusal]:
    """`eligibility_refusals` of `person` as the registries hold them today."""
    return eligibility_refusals(
        definition,
        age=age_on(person.birth_date, today or local_today()),  # as `person.age` reads it
        citizenship=person.citizenship,
        value_of=registry_values(person),  # the person's own records, not the form's
        language=translation.get_language() or "kk",
    )


def refusals_foreseen(
    *,
    definition: ServiceDefinition,
    person: Person,
    answers: Mapping[str, Any],
    counterparty: Person | None = None,
    today: date | None = None,
) -> list[Refusal]:
    """Everything that would refuse `person`'s application with these `answers` if it were
    decided now (see the module's docstring). Reads only."""
    today = today or local_today()
    clean, errors = form_clean(definition, dict(answers), complete=False)
    valid = {key: value for key, value in clean.items() if key not in errors}
    found = person_eligibility_refusals(definition, person, today)
    party = definition.counterparty
    if counterparty is None and party is not None and valid.get(party.field):
        named = person_get_by_iin(iin=str(valid[party.field]))
        counterparty = named if named is not None and named.pk != person.pk else None
    found.extend(
        Refusal(code=error.code, message=str(error.message), field=field)
        for error, field in registry_change_refusals(
            definition=definition,
            person=person,
            counterparty=counterparty,
            answers=valid,
            today=today,
        )
    )
    return found


def refusals_error(refusals: list[Refusal]) -> ValidationFailed:
    """The refusal of signing (or paying for) what would be refused, with every reason."""
    return ValidationFailed(
        _("This application would be refused, so it cannot be signed: %(reasons)s")
        % {"reasons": " ".join(r.message for r in refusals)},
        code=ErrorCode.WOULD_BE_REFUSED,
        details={
            "refusals": [r.as_dict() for r in refusals],
            "fields": [{"field": r.field, "message": r.message} for r in refusals if r.field],
        },
    )


def refusals_check(
    *,
    definition: ServiceDefinition,
    person: Person,
    answers: Mapping[str, Any],
    counterparty: Person | None = None,
) -> None:
    """Refuse (`would_be_refused`) what `refusals_foreseen` finds anything against."""
    refusals = refusals_foreseen(
        definition=definition, person=person, answers=answers, counterparty=counterparty
    )
    if refusals:
        raise refusals_error(refusals)
