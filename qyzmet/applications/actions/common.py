"""The applications actions' shared parts: definitions of submitted applications, the
access choke points, the answers, and the checked update every step makes."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _

from qyzmet.applications.models import (
    Application,
    OfficerMembership,
    ServiceSnapshot,
)
from qyzmet.applications.registries import registry_value
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.calendar import local_today, working_calendar
from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.core.ids import uuid_or_none
from qyzmet.identity.models import Account, Person
from qyzmet.identity.selectors import person_get_by_iin

logger = logging.getLogger(__name__)
DRAFT = "draft"


# --- Definitions ---------------------------------------------------------------------------------


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


def _value_of(person: Person, records: dict[str, str] | None = None) -> Any:
    """Registry values for conditions; `records` are the records the form names by registry."""
    records = records or {}
    known: dict[str, Any] = {}  # several checks of one step read the same paths

    def value_of(source: str) -> Any:
        if source not in known:
            record = records.get(source.partition(".")[0])
            known[source] = registry_value(person=person, source=source, record=record)
        return known[source]

    return value_of


def _records(definition: ServiceDefinition, application: Application) -> dict[str, str]:
    if not definition.record_keys:
        return {}
    answers = _answers(application)
    return {
        registry: str(answers[key])
        for registry, key in definition.record_keys.items()
        if answers.get(key) not in (None, "")
    }


# --- Access ------------------------------------------------------------------------------------


def access_application_by_id(*, account: Account, application_id: str) -> Application:
    """The citizen's own application, or a submitted one that names them as its second party
    (the buyer of a car); anyone else's is indistinguishable from none."""
    key = uuid_or_none(application_id)
    application = (
        _with_snapshot(Application.objects.filter(citizen_parties(account), pk=key)).first()
        if key
        else None
    )
    if application is None:
        raise NotFound()
    return application


def citizen_parties(account: Account) -> Q:
    """The applications a citizen takes part in: their own, and the submitted ones that name
    them as the second party."""
    mine = Q(applicant=account)
    if account.person_id is not None:
        mine |= Q(counterparty_id=account.person_id) & ~Q(state=DRAFT)
    return mine


def party_of(application: Application, account: Account) -> str:
    """`citizen` for the applicant, `counterparty` for the second party."""
    if application.applicant_id == account.pk:
        return "citizen"
    return "counterparty"


def _with_snapshot(queryset: Any) -> Any:
    """The snapshot's identity without its (large) definition, which `definition_of` parses once
    per process; the person (decrypted) is loaded only by the steps that need it."""
    return queryset.select_related("service").defer("service__definition")


def officer_role(*, account: Account, agency: str) -> str | None:
    roles = set(
        OfficerMembership.objects.filter(account=account, agency=agency).values_list(
            "role", flat=True
        )
    )
    if OfficerMembership.Role.SUPERVISOR in roles:
        return "supervisor"
    return "officer" if roles else None


def _answers(application: Application) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(application.form_data or "{}")
    return data


def _state_due(definition: ServiceDefinition, state: str) -> Any:
    days = definition.workflow.states[state].deadline_working_days
    if days is None:
        return None
    return working_calendar().add_working_days(local_today(), days)


def _term_due(definition: ServiceDefinition) -> Any:
    """The last day of the legal term, counted from today: the day the application became
    complete (submitted; its duty paid; its second party confirmed)."""
    term = definition.term
    return working_calendar().add_working_days(
        local_today(), term.working_days, count_start=term.receipt_day_counted
    )


def _update_checked(application: Application, values: dict[str, Any], conflict: Conflict) -> None:
    """Write `values` only if the row is still in the state and version this process read, and
    bump the version; then the instance holds what the row holds, with no second read."""
    updated = Application.objects.filter(
        pk=application.pk, state=application.state, lock_version=application.lock_version
    ).update(**values, lock_version=F("lock_version") + 1)
    if not updated:
        raise conflict
    for name, value in values.items():
        setattr(application, name, value)
    application.lock_version += 1


def access_application_for_officer(*, account: Account, application_id: str) -> Application:
    """An application of an agency the officer works for; others look like none."""
    key = uuid_or_none(application_id)
    application = _with_snapshot(Application.objects.filter(pk=key)).first() if key else None
    if (
        application is None
        or application.state == DRAFT
        or officer_role(account=account, agency=application.agency) is None
    ):
        raise NotFound()
    return application


def _counterparty(
    definition: ServiceDefinition, answers: dict[str, Any], applicant: Person
) -> Person:
    """The second party the form names: a living person in the population registry, not the
    applicant."""
    assert definition.counterparty is not None  # noqa: S101 - the caller checks
    key = definition.counterparty.field
    person = person_get_by_iin(iin=str(answers.get(key, "")))
    problem, code = "", ""
    if person is None:
        problem, code = _("No person with this IIN is in the population registry."), "unknown"
    elif person.pk == applicant.pk:
        problem, code = _("Name the other party, not yourself."), "is_applicant"
    elif person.status == Person.Status.DECEASED:
        problem, code = _("The person with this IIN is recorded as deceased."), "deceased"
    if person is None or problem:
        raise ValidationFailed(
            details={"fields": [{"field": key, "message": problem}]},
            code=f"counterparty_{code}",
        )
    return person
