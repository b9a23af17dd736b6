"""Workflow steps: automatic ones (with the registry change of an approval and its refusals),
citizens' and officers' ones, and claiming an application."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qyzmet.applications.actions.common import (
    _answers,
    _counterparty,
    _records,
    _state_due,
    _update_checked,
    _value_of,
    access_application_by_id,
    access_application_for_officer,
    definition_of,
    officer_role,
    party_of,
)
from qyzmet.applications.actions.duty import _duty_settle
from qyzmet.applications.actions.telling import _notify_after_commit, _notify_counterparty
from qyzmet.applications.engine import auto_transition, transition_named
from qyzmet.applications.forms import form_require_valid
from qyzmet.applications.models import (
    Application,
    ApplicationEvent,
)
from qyzmet.applications.registry_changes import (
    RegistryRefused,
    registry_change_apply,
)
from qyzmet.catalogue.schema import ServiceDefinition, Transition
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.identity.models import Account

# --- Transitions -------------------------------------------------------------------------------


def _run_automatic_steps(application: Application, definition: ServiceDefinition) -> None:
    if application.payment == Application.Payment.AWAITING:
        return  # waits, visibly, for the duty: `_duty_paid` runs the steps when it arrives
    # the registries do not change between these steps (only an approval writes, and it ends)
    value_of = _value_of(application.person, _records(definition, application))
    for _step in range(len(definition.workflow.states)):
        transition = auto_transition(definition, application.state, value_of)
        if transition is None:
            return
        if not _writes_registry(definition, transition):
            _move(application, definition, transition, actor=None, role="system")
            continue
        try:
            with transaction.atomic(), translation.override(_language_of(application)):
                _move(application, definition, transition, actor=None, role="system")
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
    if change is None or transition is None:
        # no automatic refusal declared: the application stays where it is, for an officer
        ApplicationEvent.objects.create(
            application=application,
            transition="registry_refused",
            from_state=application.state,
            to_state=application.state,
            actor_role="system",
            on_behalf_of_id=application.person_id,
            comment=str(error.message),
            changes={"registry_refusal": error.code, "details": error.details},
        )
        return
    with translation.override(_language_of(application)):
        comment = str(error.message)
    _move(
        application,
        definition,
        transition,
        actor=None,
        role="system",
        comment=comment,
        grounds=change.grounds.get(error.code, change.default_ground or ""),
        changes={"registry_refusal": error.code, "details": error.details},
    )


def _move(
    application: Application,
    definition: ServiceDefinition,
    transition: Transition,
    *,
    actor: Account | None,
    role: str,
    comment: str = "",
    grounds: str = "",
    fields: list[str] | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    now = timezone.now()
    target = definition.workflow.states[transition.to]
    changes = dict(changes or {})
    values: dict[str, Any] = {
        "state": transition.to,
        "updated_at": now,
        "state_due_date": _state_due(definition, transition.to),
    }
    if fields is not None:
        values["correction_fields"] = fields
        changes["correction_fields"] = fields
    if target.final:
        values.update(decided_at=now, outcome=target.outcome or "")
    from_state = application.state
    _update_checked(
        application,
        values,
        Conflict(
            _("Someone else has just acted on this application. Reload it to see its state."),
            code="decided_elsewhere",
        ),
    )
    if target.outcome == "approved" and definition.result.registry_change is not None:
        # the registry changes in this transaction, or nothing does
        changes["registry"] = registry_change_apply(
            definition=definition,
            person=application.person,
            counterparty=application.counterparty,
            answers=_answers(application),
        )
    ApplicationEvent.objects.create(
        application=application,
        transition=transition.name,
        from_state=from_state,
        to_state=transition.to,
        actor=actor,
        actor_role=role,
        on_behalf_of_id=application.person_id,
        comment=comment,
        grounds=grounds,
        changes=changes,
        created_at=now,
    )
    if target.final:
        _duty_settle(application, definition, target.outcome or "")
        if target.outcome == "approved" and definition.result.document is not None:
            from qyzmet.applications.tasks import result_document_task

            # rendering and signing take a while: a task, enqueued in this transaction
            result_document_task.enqueue(str(application.pk))
    if target.notify:
        _notify_after_commit(application, definition, transition.to)
    if application.counterparty_id is not None and any(
        "signature" in t.requires
        for t in definition.workflow.transitions_from(transition.to)
        if t.role == "counterparty"
    ):
        _notify_counterparty(application, definition)  # their confirmation is asked for now


def application_transition(
    *,
    actor: Account,
    application_id: str,
    name: str,
    role: str,
    expected_version: int | None = None,
    comment: str = "",
    grounds: str = "",
    fields: list[str] | None = None,
) -> Application:
    """A citizen's or an officer's step, checked against the definition and the actor's role."""
    if role == "citizen":
        application = access_application_by_id(account=actor, application_id=application_id)
        role = party_of(application, actor)
    else:
        application = access_application_for_officer(account=actor, application_id=application_id)
        role = officer_role(account=actor, agency=application.agency) or "officer"
    if expected_version is not None and expected_version != application.lock_version:
        raise Conflict(
            _("Someone else has just acted on this application. Reload it to see its state."),
            code="decided_elsewhere",
        )
    if role != "citizen" and application.payment == Application.Payment.AWAITING:
        raise Conflict(
            _("The state duty for this application has not been paid yet."),
            code="awaiting_payment",
        )
    definition = definition_of(application)
    transition = transition_named(definition, application.state, name, role)
    if transition is None:
        raise Conflict(
            _("This step is not possible for the application in its current state."),
            code="transition_not_allowed",
        )
    _requirements(definition, transition, role, comment, grounds, fields)
    moves_on = not definition.workflow.states[transition.to].final
    if role == "citizen" and ("fields" in transition.requires or moves_on):
        form_require_valid(definition, _answers(application))  # what goes on must be complete
    citizen = role in ("citizen", "counterparty")
    named = definition.counterparty is not None and role == "citizen"
    if named and "fields" in transition.requires:  # corrected: the form may name another party
        application.counterparty = _counterparty(
            definition, _answers(application), application.person
        )
    try:
        with transaction.atomic():
            if named and "fields" in transition.requires:
                Application.objects.filter(pk=application.pk).update(
                    counterparty=application.counterparty
                )
            _move(
                application, definition, transition, actor=actor, role=role, comment=comment,
                grounds=grounds, fields=fields if not citizen and fields is not None else None,
            )  # fmt: skip
            _run_automatic_steps(application, definition)
    except RegistryRefused as refusal:  # an officer's approval the registry refused: nothing moved
        raise refusal.error from None
    return application


def _requirements(
    definition: ServiceDefinition,
    transition: Transition,
    role: str,
    comment: str,
    grounds: str,
    fields: list[str] | None,
) -> None:
    errors: dict[str, str] = {}
    if "signature" in transition.requires:
        raise ValidationFailed(
            _("This step is taken by signing it: ask for a code or sign with your certificate."),
            code="signature_required",
        )
    if "comment" in transition.requires and not comment.strip():
        errors["comment"] = _("Write a comment for the citizen.")
    if "grounds" in transition.requires and grounds not in {
        g.code for g in definition.refusal_grounds
    }:
        errors["grounds"] = _("Choose the grounds from the service's list.")
    known = {f.key for f in definition.form}
    if role not in ("citizen", "counterparty") and (
        ("fields" in transition.requires and not fields) or not set(fields or []) <= known
    ):
        errors["fields"] = _("Mark the fields the citizen must correct.")
    if errors:
        raise ValidationFailed(
            details={"fields": [{"field": k, "message": v} for k, v in errors.items()]}
        )


def application_claim(*, actor: Account, application_id: str) -> Application:
    application = access_application_for_officer(account=actor, application_id=application_id)
    taken = Application.objects.filter(pk=application.pk, assignee__isnull=True).update(
        assignee=actor, lock_version=F("lock_version") + 1
    )
    if not taken and application.assignee_id != actor.pk:
        raise Conflict(_("Another officer has already taken this application."), code="claimed")
    application.refresh_from_db()
    return application
