"""Submission: a signed draft becomes an application (its duty invoiced, its automatic steps
taken), and the proactive offer of a service, which the state submits for the person."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.applications.access import access_application_by_id
from qyzmet.applications.actions.definitions import (
    answers_of,
    counterparty_named,
    definition_of,
    snapshot_for,
    state_due,
    term_due,
)
from qyzmet.applications.actions.duty import duty_invoice
from qyzmet.applications.actions.history import event_record
from qyzmet.applications.actions.locking import application_update_checked
from qyzmet.applications.actions.numbering import number_allocate
from qyzmet.applications.actions.signing import (
    signature_check,
    signature_save,
    signing_content,
    signing_method_of,
    signing_method_require,
)
from qyzmet.applications.actions.step import steps_automatic_run
from qyzmet.applications.actions.telling import applicant_state_tell
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.forms import form_require_valid
from qyzmet.applications.models import Application, Signature
from qyzmet.applications.refusals import refusals_check
from qyzmet.applications.words import DRAFT, Role
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.catalogue.selectors import service_get
from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.core.idempotency import idempotency_key_check, idempotency_recorded, idempotent
from qyzmet.core.mci import fee_tiyn
from qyzmet.identity.models import Account, Person

SUBMIT = "applications.submit"


def application_submit(
    *,
    account: Account,
    application_id: str,
    idempotency_key: str,
    client: str,
    code_id: str = "",
    code: str = "",
    signature_b64: str = "",
) -> Application:
    """Sign and submit. The same Idempotency-Key again returns the same application."""
    key = idempotency_key_check(key=idempotency_key)
    method = signing_method_of(code_id)
    payload = {"application": application_id, "method": method}
    earlier = idempotency_recorded(owner=account, key=key, scope=SUBMIT, payload=payload)
    if earlier is not None:
        return Application.objects.get(pk=earlier)
    application = access_application_by_id(account=account, application_id=application_id)
    if application.state != DRAFT:
        raise Conflict(
            _("This application was already submitted."), code=ErrorCode.ALREADY_SUBMITTED
        )
    definition = definition_of(application)
    signing_method_require(definition, method)
    signature = signature_check(
        application=application, content=signing_content(application), client=client,
        code_id=code_id, code=code, signature_b64=signature_b64,
    )  # fmt: skip
    answers = form_require_valid(definition, answers_of(application))
    if definition.counterparty is not None:
        application.counterparty = counterparty_named(definition, answers, application.person)
    # nothing is signed, nor its duty invoiced, that would be refused
    refusals_check(
        definition=definition, person=application.person, answers=answers,
        counterparty=application.counterparty,
    )  # fmt: skip
    return idempotent(
        owner=account, key=key, scope=SUBMIT, payload=payload,
        run=lambda: _submit(account, application, definition, answers, signature),
        remember=lambda submitted: str(submitted.pk),
        recall=lambda pk: Application.objects.get(pk=pk),
    )  # fmt: skip


def _submit(
    account: Account,
    application: Application,
    definition: ServiceDefinition,
    answers: dict[str, Any],
    signature: Signature,
) -> Application:
    now = timezone.now()
    today = local_today()
    fee = fee_tiyn(mci_multiple=definition.fee.mci_for(answers), on=today)
    initial = definition.workflow.initial
    party = definition.counterparty
    values: dict[str, Any] = {
        "state": initial,
        "number": number_allocate(on=today),
        "fee_tiyn": fee,
        # a duty the second party pays is asked for when they confirm
        "payment": (
            Application.Payment.AWAITING
            if fee and definition.payment != "none" and not (party and party.pays)
            else Application.Payment.NOT_REQUIRED
        ),
        "counterparty": application.counterparty,
        "submitted_at": now,
        "signed_at": now,
        "updated_at": now,
        # with a second party, the legal term starts once they have confirmed (and paid)
        "due_date": None if party else term_due(definition),
        "state_due_date": state_due(definition, initial),
    }
    application_update_checked(
        application=application,
        values=values,
        conflict=Conflict(
            _("This application was already submitted."), code=ErrorCode.ALREADY_SUBMITTED
        ),
    )
    if application.payment == Application.Payment.AWAITING:
        duty_invoice(application, definition, answers)
    signature.application = application
    signature_save(signature)
    event_record(
        application=application,
        transition="submit",
        role=Role.CITIZEN,
        actor=account,
        from_state=DRAFT,
        to_state=initial,
        changes={"signature": signature.method, "fee_tiyn": fee},
        at=now,
    )
    if definition.workflow.states[initial].notify:
        applicant_state_tell(application, definition, initial)
    steps_automatic_run(application, definition)
    return application


def application_offer(*, person: Person, service_code: str) -> Application:
    """A proactive service: the state offers it to the person (e.g. on a birth in the registry)
    and the citizen only accepts and completes it. Idempotent per person and service version."""
    definition = service_get(code=service_code)
    if "proactive" not in definition.channels:
        raise ValidationFailed(
            _("This service is not provided proactively."), code=ErrorCode.NOT_PROACTIVE
        )
    account = Account.objects.filter(person=person, is_active=True).first()
    if account is None:
        raise ValidationFailed(
            _("The person has no account to receive the offer."), code=ErrorCode.NO_ACCOUNT
        )
    snapshot = snapshot_for(definition)
    initial = definition.workflow.initial
    existing = Application.objects.filter(
        person=person, service=snapshot, state=initial, outcome=""
    ).first()
    if existing is not None:
        return existing
    now = timezone.now()
    today = local_today()
    with transaction.atomic():
        application = Application(
            service=snapshot,
            agency=definition.agency,
            applicant=account,
            person=person,
            state=initial,
            submitted_at=now,
            due_date=term_due(definition),
            state_due_date=state_due(definition, initial),
        )
        application.number = number_allocate(on=today)
        application.save(force_insert=True)
        event_record(
            application=application,
            transition="offer",
            role=Role.SYSTEM,
            from_state=DRAFT,
            to_state=initial,
            at=now,
        )
        applicant_state_tell(application, definition, initial)
    return application
