"""Drafts: starting an application (eligibility from the registries) and saving answers."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.applications.access import access_application_by_id, party_of
from qyzmet.applications.actions.definitions import (
    answers_of,
    definition_of,
    snapshot_for,
)
from qyzmet.applications.corrections import changes_not_reopened
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.forms import form_clean
from qyzmet.applications.models import Application
from qyzmet.applications.refusals import person_eligibility_refusals
from qyzmet.applications.words import DRAFT, Role
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.catalogue.selectors import service_get
from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.identity.models import Account, Person


def _eligibility_check(definition: ServiceDefinition, person: Person) -> None:
    refusals = person_eligibility_refusals(definition, person)
    if refusals:
        raise ValidationFailed(
            _("You cannot apply for this service."),
            code=ErrorCode.NOT_ELIGIBLE,
            details={"problems": [r.message for r in refusals]},
        )


def application_start(
    *, account: Account, service_code: str, channel: str = Application.Channel.WEB
) -> Application:
    if account.person is None:
        raise NotFound()
    definition = service_get(code=service_code)
    if "online" not in definition.channels:
        raise ValidationFailed(
            _("This service is not provided online. Apply at a public service centre."),
            code=ErrorCode.NOT_ONLINE,
        )
    _eligibility_check(definition, account.person)
    return Application.objects.create(
        service=snapshot_for(definition),
        agency=definition.agency,
        applicant=account,
        person=account.person,
        state=DRAFT,
        channel=channel,
    )


def application_draft_save(
    *, account: Account, application_id: str, answers: dict[str, Any]
) -> tuple[Application, dict[str, str]]:
    """Save what the citizen typed so far (nothing is lost); return the field errors."""
    application = access_application_by_id(account=account, application_id=application_id)
    if party_of(application, account) != Role.CITIZEN:
        raise Conflict(_("This application can no longer be changed."), code=ErrorCode.NOT_EDITABLE)
    definition = definition_of(application)
    editable = application.state == DRAFT or (
        application.state in definition.workflow.states
        and definition.workflow.states[application.state].citizen_action
        and not application.outcome
    )
    if not editable:
        raise Conflict(_("This application can no longer be changed."), code=ErrorCode.NOT_EDITABLE)
    current = answers_of(application)
    merged = {**current, **answers}
    if application.state != DRAFT and application.correction_fields:
        # in correction, only the fields the officer marked may change: others are refused
        clean, _errors = form_clean(definition, merged, complete=False)
        posted = {key: clean.get(key, value) for key, value in answers.items()}
        refused = changes_not_reopened(current, posted, application.correction_fields)
        if refused:
            raise ValidationFailed(
                _("Only the fields the officer asked you to correct can be changed."),
                code=ErrorCode.NOT_REOPENED,
                details={"fields": [{"field": k, "message": m} for k, m in refused.items()]},
            )
    clean, errors = form_clean(definition, merged, complete=False)
    kept = {**clean, **{k: merged[k] for k in errors}}
    application.form_data = json.dumps(kept, ensure_ascii=False)
    application.updated_at = timezone.now()
    application.save(update_fields=["form_data", "updated_at"])
    return application, errors
