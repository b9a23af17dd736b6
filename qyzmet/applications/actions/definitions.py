"""What an application's service definition says about it: the definition it was submitted
under, its answers and the registry records they name, the registry values its conditions
read, the dates its terms set, and the second party its form names."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.models import Application, ServiceSnapshot, Signature
from qyzmet.applications.words import Role
from qyzmet.catalogue.schema import ServiceDefinition, Transition
from qyzmet.core.calendar import local_today, working_calendar
from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import person_get_by_iin

logger = logging.getLogger(__name__)


def snapshot_for(definition: ServiceDefinition) -> ServiceSnapshot:
    data = definition.model_dump(mode="json", by_alias=True)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    snapshot, created = ServiceSnapshot.objects.get_or_create(
        code=definition.code,
        version=definition.version,
        defaults={"definition": data, "sha256": digest},
    )
    if not created and snapshot.sha256 != digest:
        logger.warning(
            "service changed without a new version; keeping the published one",
            extra={"service": definition.code, "version": definition.version},
        )
    return snapshot


# Parsed definitions by (snapshot id, hash): few services × versions, so kept for the process.
_PARSED: dict[tuple[int, str], ServiceDefinition] = {}


def definition_of(application: Application) -> ServiceDefinition:
    """The definition the application was submitted under, whatever the catalogue says now."""
    snapshot = application.service
    key = (snapshot.pk, snapshot.sha256)
    definition = _PARSED.get(key)
    if definition is None:
        definition = _PARSED[key] = ServiceDefinition.model_validate(snapshot.definition)
    return definition


def answers_of(application: Application) -> dict[str, Any]:
    """What the citizen answered on the form, as saved."""
    data: dict[str, Any] = json.loads(application.form_data or "{}")
    return data


def records_of(definition: ServiceDefinition, application: Application) -> dict[str, str]:
    """The registry records the answers name, by registry (the car a sale is about)."""
    if not definition.record_keys:
        return {}
    answers = answers_of(application)
    return {
        registry: str(answers[key])
        for registry, key in definition.record_keys.items()
        if answers.get(key) not in (None, "")
    }


def state_due(definition: ServiceDefinition, state: str) -> date | None:
    """The deadline of `state` entered today, if the definition gives it one."""
    days = definition.workflow.states[state].deadline_working_days
    if days is None:
        return None
    return working_calendar().add_working_days(local_today(), days)


def term_due(definition: ServiceDefinition) -> date:
    """The last day of the legal term, counted from today: the day the application became
    complete (submitted; its duty paid; its second party confirmed)."""
    term = definition.term
    return working_calendar().add_working_days(
        local_today(), term.working_days, count_start=term.receipt_day_counted
    )


def counterparty_named(
    definition: ServiceDefinition, answers: dict[str, Any], applicant: Person
) -> Person:
    """The second party the form names: a living person in the population registry, not the
    applicant."""
    assert definition.counterparty is not None  # noqa: S101 - the caller checks
    key = definition.counterparty.field
    person = person_get_by_iin(iin=str(answers.get(key, "")))
    problem, code = "", ErrorCode.COUNTERPARTY_UNKNOWN
    if person is None:
        problem = _("No person with this IIN is in the population registry.")
    elif person.pk == applicant.pk:
        problem, code = (
            _("Name the other party, not yourself."),
            ErrorCode.COUNTERPARTY_IS_APPLICANT,
        )
    elif person.status == Person.Status.DECEASED:
        problem = _("The person with this IIN is recorded as deceased.")
        code = ErrorCode.COUNTERPARTY_DECEASED
    if person is None or problem:
        raise ValidationFailed(
            details={"fields": [{"field": key, "message": problem}]},
            code=code,
        )
    return person


def resigning_step(application: Application) -> Transition | None:
    """The applicant's step that sends back a corrected application (`requires: [fields]`) from
    its current state, if it has been signed before: such a step is signed again, over the new
    content. (Accepting a proactive offer, never signed before, is not.)"""
    step = next(
        (
            t
            for t in definition_of(application).workflow.transitions_from(application.state)
            if Role(t.role) == Role.CITIZEN and "fields" in t.requires
        ),
        None,
    )
    signed = Signature.objects.filter(
        application=application, party=Signature.Party.APPLICANT
    ).exists()
    return step if step is not None and signed else None


def signed_answers(application: Application) -> dict[str, Any] | None:
    """The answers the applicant last signed (None when what they signed was not kept)."""
    last = (
        Signature.objects.filter(application=application, party=Signature.Party.APPLICANT)
        .order_by("-round")
        .first()
    )
    if last is None or not last.content:
        return None
    answers: dict[str, Any] = json.loads(last.content).get("answers", {})
    return answers
