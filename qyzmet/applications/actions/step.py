"""A workflow step: the move itself (the checked update, the registry change of an approval,
the history row, the duty's settlement and the follow-ups of a final state, the messages), the
automatic steps that follow, an approval the registry refuses, and the steps citizens and
officers take (`application_transition`, `application_claim`)."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qyzmet.applications.access import (
    access_application_by_id,
    access_application_for_officer,
    officer_role,
    party_of,
)
from qyzmet.applications.actions.conflicts import officer_may_handle
from qyzmet.applications.actions.definitions import (
    answers_of,
    counterparty_named,
    definition_of,
    records_of,
    resigning_step,
    signed_answers,
    state_due,
)
from qyzmet.applications.actions.duty import duty_settle
from qyzmet.applications.actions.history import event_record
from qyzmet.applications.actions.locking import application_update_checked
from qyzmet.applications.actions.signing import signature_save
from qyzmet.applications.actions.telling import (
    applicant_state_tell,
    counterparty_confirmation_ask,
)
from qyzmet.applications.corrections import answers_changed
from qyzmet.applications.engine import auto_transition, transition_named
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.followups import FollowUp, followup_enqueue
from qyzmet.applications.forms import form_require_valid
from qyzmet.applications.models import Application, Signature
from qyzmet.applications.registries import registry_values
from qyzmet.applications.registry_changes import RegistryRefused, registry_change_apply
from qyzmet.applications.words import Role
from qyzmet.catalogue.schema import ServiceDefinition, Transition
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.identity.models import Account


def decided_elsewhere() -> Conflict:
    return Conflict(
        _("Someone else has just acted on this application. Reload it to see its state."),
        code=ErrorCode.DECIDED_ELSEWHERE,
    )


def step_move(
    application: Application,
    definition: ServiceDefinition,
    transition: Transition,
    *,
    actor: Account | None,
    role: Role,
    comment: str = "",
    grounds: str = "",
    fields: list[str] | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Take `transition`, in the caller's transaction; a conflict if the row moved meanwhile."""
    now = timezone.now()
    target = definition.workflow.states[transition.to]
    changes = dict(changes or {})
    values: dict[str, Any] = {
        "state": transition.to,
        "updated_at": now,
        "state_due_date": state_due(definition, transition.to),
    }
    if fields is not None:
        values["correction_fields"] = fields
        changes["correction_fields"] = fields
    if target.final:
        values.update(decided_at=now, outcome=target.outcome or "")
    from_state = application.state
    application_update_checked(application=application, values=values, conflict=decided_elsewhere())
    if _writes_registry(definition, transition):
        # the registry changes in this transaction, or nothing does
        changes["registry"] = registry_change_apply(
            definition=definition,
            person=application.person,
            counterparty=application.counterparty,
            answers=answers_of(application),
        )
    event_record(
        application=application, transition=transition.name, role=role, actor=actor,
        from_state=from_state, to_state=transition.to, comment=comment, grounds=grounds,
        changes=changes, at=now,
    )  # fmt: skip
    if target.final:
        duty_settle(application, definition, target.outcome or "")
        if target.outcome == "approved" and definition.result.document is not None:
            # rendering and signing take a while: a task, enqueued in this transaction
            followup_enqueue(FollowUp.RESULT_DOCUMENT, application_id=str(application.pk))
    if target.notify:
        applicant_state_tell(application, definition, transition.to)
    if application.counterparty_id is not None and any(
        "signature" in t.requires
        for t in definition.workflow.transitions_from(transition.to)
        if Role(t.role) == Role.COUNTERPARTY
    ):
        counterparty_confirmation_ask(application, definition)  # their confirmation is asked now


def steps_automatic_run(application: Application, definition: ServiceDefinition) -> None:
    """Take the automatic system steps whose checks pass, one after another. An approval the
    registry refuses is undone alone (a savepoint) and becomes the service's refusal."""
    if application.payment == Application.Payment.AWAITING:
        return  # waits, visibly, for the duty: the paid hook runs the steps when it arrives
    # the registries do not change between these steps (only an approval writes, and it ends)
    value_of = registry_values(application.person, records_of(definition, application))
    for _step in range(len(definition.workflow.states)):
        transition = auto_transition(definition, application.state, value_of)
        if transition is None:
            return
        if not _writes_registry(definition, transition):
            step_move(application, definition, transition, actor=None, role=Role.SYSTEM)
            continue
        try:
            with transaction.atomic(), translation.override(_language_of(application)):
                step_move(application, definition, transition, actor=None, role=Role.SYSTEM)
        except RegistryRefused as refusal:
            application.refresh_from_db()  # the savepoint undid the row; the instance too
            _refuse_by_registry(application, definition, refusal)
            return


def _writes_registry(definition: ServiceDefinition, transition: Transition) -> bool:
    target = definition.workflow.states[transition.to]
    return target.outcome == "approved" and definition.result.registry_change is not None


def _language_of(application: Application) -> str:
    language = Account.objects.filter(pk=application.applicant_id).values_list(
        "language", flat=True
    )
    return next(iter(language), "") or "kk"


def _refuse_by_registry(
    application: Application, definition: ServiceDefinition, refusal: RegistryRefused
) -> None:
    """An automatic approval the registry refused: take the service's `on_refusal` transition
    with the ground the registry's code maps to, the registry's reason as the comment."""
    change = definition.result.registry_change
    error = refusal.error
    transition = next(
        (
            t
            for t in definition.workflow.transitions_from(application.state)
            if change is not None and t.name == change.on_refusal
        ),
        None,
    )
    changes = {"registry_refusal": error.code, "details": error.details}
    if change is None or transition is None:
        # no automatic refusal declared: the application stays where it is, for an officer
        event_record(
            application=application,
            transition="registry_refused",
            role=Role.SYSTEM,
            comment=str(error.message),
            changes=changes,
        )
        return
    with translation.override(_language_of(application)):
        comment = str(error.message)
    step_move(
        application,
        definition,
        transition,
        actor=None,
        role=Role.SYSTEM,
        comment=comment,
        grounds=change.grounds.get(error.code, change.default_ground or ""),
        changes=changes,
    )


def application_transition(
    *,
    actor: Account,
    application_id: str,
    name: str,
    role: Role,
    expected_version: int | None = None,
    comment: str = "",
    grounds: str = "",
    fields: list[str] | None = None,
    signature: Signature | None = None,
) -> Application:
    """A citizen's or an officer's step, checked against the definition and the actor's role.
    `role` says through which door the actor comes: `citizen` (as applicant or second party)
    or any other (as an officer of the application's agency). A corrected application is sent
    back signed again (`signature`, checked by `correction.application_resubmit`)."""
    acting: Role
    if role == Role.CITIZEN:
        application = access_application_by_id(account=actor, application_id=application_id)
        acting = party_of(application, actor)
    else:
        application = access_application_for_officer(account=actor, application_id=application_id)
        acting = officer_role(account=actor, agency=application.agency) or Role.OFFICER
        officer_may_handle(account=actor, application=application, attempt=name, role=acting)
    if expected_version is not None and expected_version != application.lock_version:
        raise decided_elsewhere()
    if acting != Role.CITIZEN and application.payment == Application.Payment.AWAITING:
        raise Conflict(
            _("The state duty for this application has not been paid yet."),
            code=ErrorCode.AWAITING_PAYMENT,
        )
    definition = definition_of(application)
    transition = transition_named(definition, application.state, name, acting)
    if transition is None:
        raise Conflict(
            _("This step is not possible for the application in its current state."),
            code=ErrorCode.TRANSITION_NOT_ALLOWED,
        )
    _requirements(definition, transition, acting, comment, grounds, fields)
    resigned = acting == Role.CITIZEN and resigning_step(application) == transition
    if resigned and signature is None:
        raise ValidationFailed(
            _("Sign the corrected application: ask for a code or sign with your certificate."),
            code=ErrorCode.SIGNATURE_REQUIRED,
        )
    moves_on = not definition.workflow.states[transition.to].final
    if acting == Role.CITIZEN and ("fields" in transition.requires or moves_on):
        form_require_valid(definition, answers_of(application))  # what goes on must be complete
    citizen = acting in (Role.CITIZEN, Role.COUNTERPARTY)
    named = definition.counterparty is not None and acting == Role.CITIZEN
    if named and "fields" in transition.requires:  # corrected: the form may name another party
        application.counterparty = counterparty_named(
            definition, answers_of(application), application.person
        )
    try:
        with transaction.atomic():
            if named and "fields" in transition.requires:
                Application.objects.filter(pk=application.pk).update(
                    counterparty=application.counterparty
                )
            changes = _resigned(application, definition, signature) if resigned else {}
            step_move(
                application, definition, transition, actor=actor, role=acting, comment=comment,
                grounds=grounds, fields=fields if not citizen and fields is not None else None,
                changes=changes,
            )  # fmt: skip
            steps_automatic_run(application, definition)
    except RegistryRefused as refusal:  # an officer's approval the registry refused: nothing moved
        raise refusal.error from None
    return application


def _resigned(
    application: Application, definition: ServiceDefinition, signature: Signature | None
) -> dict[str, Any]:
    """Store the new signature, in the step's transaction, if it covers the answers as they are
    now (the row is locked: a save cannot slip in between); what changed, for the history."""
    assert signature is not None  # noqa: S101 - the caller requires it
    locked = Application.objects.select_for_update().only("form_data").get(pk=application.pk)
    after = form_require_valid(definition, answers_of(locked))
    if json.loads(signature.content).get("answers") != after:
        raise ValidationFailed(
            _("The application changed after the code was sent. Ask for a new code."),
            code=ErrorCode.CONTENT_CHANGED,
        )
    before = signed_answers(application)
    signature.application = application
    signature.party = Signature.Party.APPLICANT
    signature.round = 1 + max(
        application.signatures.filter(party=Signature.Party.APPLICANT).values_list(
            "round", flat=True
        ),
        default=-1,
    )
    signature_save(signature)  # its code is spent in this transaction
    Application.objects.filter(pk=application.pk).update(signed_at=signature.signed_at)
    return {"signature": signature.method, **answers_changed(definition, before, after)}


def _requirements(
    definition: ServiceDefinition,
    transition: Transition,
    role: Role,
    comment: str,
    grounds: str,
    fields: list[str] | None,
) -> None:
    errors: dict[str, str] = {}
    if "signature" in transition.requires:
        raise ValidationFailed(
            _("This step is taken by signing it: ask for a code or sign with your certificate."),
            code=ErrorCode.SIGNATURE_REQUIRED,
        )
    if "comment" in transition.requires and not comment.strip():
        errors["comment"] = _("Write a comment for the citizen.")
    if "grounds" in transition.requires and grounds not in {
        g.code for g in definition.refusal_grounds
    }:
        errors["grounds"] = _("Choose the grounds from the service's list.")
    known = {f.key for f in definition.form}
    if role not in (Role.CITIZEN, Role.COUNTERPARTY) and (
        ("fields" in transition.requires and not fields) or not set(fields or []) <= known
    ):
        errors["fields"] = _("Mark the fields the citizen must correct.")
    if errors:
        raise ValidationFailed(
            details={"fields": [{"field": k, "message": v} for k, v in errors.items()]}
        )


def application_claim(*, actor: Account, application_id: str) -> Application:
    application = access_application_for_officer(account=actor, application_id=application_id)
    officer_may_handle(account=actor, application=application, attempt="claim")
    taken = Application.objects.filter(pk=application.pk, assignee__isnull=True).update(
        assignee=actor, lock_version=F("lock_version") + 1
    )
    if not taken and application.assignee_id != actor.pk:
        raise Conflict(
            _("Another officer has already taken this application."), code=ErrorCode.CLAIMED
        )
    application.refresh_from_db()
    return application
