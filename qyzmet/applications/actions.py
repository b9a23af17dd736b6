"""Writes of the applications app: drafts, signed submission, workflow transitions.

Every state change is one transaction that writes the application, a history row and, after
commit, tells the citizen. Two officers deciding at once: the state and a version number are
compared in the UPDATE itself, so the second gets a conflict and changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qyzmet.applications.engine import auto_transition, condition_holds, transition_named
from qyzmet.applications.forms import form_clean, form_require_valid
from qyzmet.applications.models import (
    Application,
    ApplicationEvent,
    OfficerMembership,
    ServiceSnapshot,
    Signature,
    SubmissionKey,
)
from qyzmet.applications.registries import registry_value
from qyzmet.applications.registry_changes import (
    RegistryRefused,
    registry_change_apply,
    registry_change_precheck,
)
from qyzmet.catalogue.schema import ServiceDefinition, Transition
from qyzmet.catalogue.selectors import service_get
from qyzmet.core.calendar import local_today, working_calendar
from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.core.ids import uuid_or_none
from qyzmet.core.mci import fee_tiyn
from qyzmet.identity.actions.otp import IssuedCode, otp_issue, otp_verify
from qyzmet.identity.models import Account, OneTimeCode, Person
from qyzmet.identity.selectors import (
    notification_recipient,
    person_get_by_iin,
    phone_binding_active,
    phone_recipient,
)
from qyzmet.notifications.actions import notify
from qyzmet.payments.actions import invoice_cancel, invoice_create
from qyzmet.payments.hooks import on_paid
from qyzmet.payments.models import Invoice
from qyzmet.payments.selectors import invoice_for_ref
from qyzmet.signatures.selectors import SignatureRejected, signin_signature_verify

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
    mine = Q(applicant=account)
    if account.person_id is not None:
        mine |= Q(counterparty_id=account.person_id) & ~Q(state=DRAFT)
    application = _with_snapshot(Application.objects.filter(mine, pk=key)).first() if key else None
    if application is None:
        raise NotFound()
    return application


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


# --- Drafts ------------------------------------------------------------------------------------


def _eligibility_check(definition: ServiceDefinition, person: Person) -> None:
    value_of = _value_of(person)
    rules = definition.eligibility
    age = value_of("person.age")
    problems: list[str] = []
    if rules.min_age is not None and age < rules.min_age:
        problems.append(_("You must be at least %(n)s years old.") % {"n": rules.min_age})
    if rules.max_age is not None and age > rules.max_age:
        problems.append(
            _("This service is for people up to %(n)s years old.") % {"n": rules.max_age}
        )
    if rules.citizenship and person.citizenship not in rules.citizenship:
        problems.append(_("This service is for citizens of Kazakhstan."))
    language = translation.get_language() or "kk"
    for condition in rules.conditions:
        if not condition_holds(condition, value_of(condition.source)):
            problems.append(condition.message.get(language))
    if problems:
        raise ValidationFailed(
            _("You cannot apply for this service."),
            code="not_eligible",
            details={"problems": problems},
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
            code="not_online",
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


def _answers(application: Application) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(application.form_data or "{}")
    return data


def application_draft_save(
    *, account: Account, application_id: str, answers: dict[str, Any]
) -> tuple[Application, dict[str, str]]:
    """Save what the citizen typed so far (nothing is lost); return the field errors."""
    application = access_application_by_id(account=account, application_id=application_id)
    if party_of(application, account) != "citizen":
        raise Conflict(_("This application can no longer be changed."), code="not_editable")
    definition = definition_of(application)
    editable = application.state == DRAFT or (
        application.state in definition.workflow.states
        and definition.workflow.states[application.state].citizen_action
        and not application.outcome
    )
    if not editable:
        raise Conflict(_("This application can no longer be changed."), code="not_editable")
    merged = {**_answers(application), **answers}
    if application.state != DRAFT and application.correction_fields:
        # in correction, only the fields the officer marked may change
        merged = {
            **_answers(application),
            **{k: v for k, v in answers.items() if k in application.correction_fields},
        }
    clean, errors = form_clean(definition, merged, complete=False)
    kept = {**clean, **{k: merged[k] for k in errors}}
    application.form_data = json.dumps(kept, ensure_ascii=False)
    application.updated_at = timezone.now()
    application.save(update_fields=["form_data", "updated_at"])
    return application, errors


# --- Signing and submission --------------------------------------------------------------------


def signing_content(application: Application) -> bytes:
    """The canonical form of what the citizen signs: service, version, applicant and answers."""
    definition = definition_of(application)
    document = {
        "application": str(application.id),
        "service": definition.code,
        "version": definition.version,
        "applicant_iin": application.person.iin,
        "answers": form_require_valid(definition, _answers(application)),
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def application_sign_sms_start(
    *, account: Account, application_id: str, client: str, language: str
) -> IssuedCode:
    application = access_application_by_id(account=account, application_id=application_id)
    if application.state != DRAFT:
        raise Conflict(_("This application was already submitted."), code="already_submitted")
    _signing_allowed(definition_of(application), "sms")
    binding = phone_binding_active(person=application.person)
    if binding is None:
        raise ValidationFailed(
            _("No phone number is bound to your account. Sign with your certificate."),
            code="no_phone",
        )
    content = signing_content(application)
    return otp_issue(
        purpose=OneTimeCode.Purpose.SIGN,
        phone=binding.phone,
        client=client,
        iin=application.person.iin,
        account_id=account.pk,
        payload={
            "application": str(application.id),
            "content_sha256": hashlib.sha256(content).hexdigest(),
            "what": definition_of(application).name.get(language),
        },
        language=language,
    )


def _request_hash(application_id: str, method: str) -> str:
    return hashlib.sha256(f"{application_id}:{method}".encode()).hexdigest()


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
    if not idempotency_key or len(idempotency_key) > 100:
        raise ValidationFailed(
            _("Send an Idempotency-Key header (up to 100 characters)."), code="idempotency_key"
        )
    method = "sms" if code_id else "certificate"
    request_hash = _request_hash(application_id, method)
    earlier = SubmissionKey.objects.filter(account=account, key=idempotency_key).first()
    if earlier is not None:
        if earlier.request_hash != request_hash:
            raise Conflict(
                _("This Idempotency-Key was used for another request."), code="idempotency_reused"
            )
        return earlier.application
    application = access_application_by_id(account=account, application_id=application_id)
    if application.state != DRAFT:
        raise Conflict(_("This application was already submitted."), code="already_submitted")
    _signing_allowed(definition_of(application), method)
    content = signing_content(application)
    digest = hashlib.sha256(content).hexdigest()
    signature = _signature(application, content, digest, client, code_id, code, signature_b64)
    definition = definition_of(application)
    answers = form_require_valid(definition, _answers(application))
    registry_change_precheck(definition=definition, person=application.person, answers=answers)
    if definition.counterparty is not None:
        application.counterparty = _counterparty(definition, answers, application.person)
    try:
        with transaction.atomic():
            return _submit(
                account, application, definition, answers, signature, idempotency_key,
                request_hash,
            )  # fmt: skip
    except IntegrityError:  # the same key, submitted at the same moment from elsewhere
        earlier = SubmissionKey.objects.filter(account=account, key=idempotency_key).first()
        if earlier is None:
            raise
        return earlier.application


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


def _signing_allowed(definition: ServiceDefinition, method: str) -> None:
    if method not in definition.signing:
        raise ValidationFailed(
            _("This service cannot be signed this way."), code="signing_method_not_allowed"
        )


def _signature(
    application: Application,
    content: bytes,
    digest: str,
    client: str,
    code_id: str,
    code: str,
    signature_b64: str,
    signer: Person | None = None,
) -> Signature:
    """The signature of `signer` (by default the applicant) over `content`."""
    signer_person = signer or application.person
    if code_id:
        row = otp_verify(
            code_id=code_id, code=code, purpose=OneTimeCode.Purpose.SIGN, client=client
        )
        if row.payload.get("application") != str(application.id) or (
            row.payload.get("content_sha256") != digest
        ):
            raise ValidationFailed(
                _("The application changed after the code was sent. Ask for a new code."),
                code="content_changed",
            )
        return Signature(method=Signature.Method.SMS, content_sha256=digest, code=row)
    try:
        cms = base64.b64decode(signature_b64, validate=True)
        verified = signin_signature_verify(signature=cms, challenge=content)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(
            _("The signature could not be read."), code="signature_invalid"
        ) from exc
    except SignatureRejected as exc:
        raise ValidationFailed(exc.message, code=exc.code) from exc
    if verified.iin != signer_person.iin:
        raise ValidationFailed(
            _("The certificate belongs to another person."), code="certificate_mismatch"
        )
    return Signature(
        method=Signature.Method.CERTIFICATE,
        content_sha256=digest,
        certificate_serial=verified.serial,
        cms=cms,
    )


def _submit(
    account: Account,
    application: Application,
    definition: ServiceDefinition,
    answers: dict[str, Any],
    signature: Signature,
    key: str,
    request_hash: str,
) -> Application:
    now = timezone.now()
    today = local_today()
    calendar = working_calendar()
    fee = fee_tiyn(mci_multiple=definition.fee.mci_for(answers), on=today)
    initial = definition.workflow.initial
    party = definition.counterparty
    values: dict[str, Any] = {
        "state": initial,
        "number": f"Q{today:%y%m%d}-{application.id.hex[:8].upper()}",
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
        "due_date": None
        if party
        else calendar.add_working_days(
            today, definition.term.working_days, count_start=definition.term.receipt_day_counted
        ),
        "state_due_date": _state_due(definition, initial),
    }
    _update_checked(
        application, values, Conflict(_("This application was already submitted."),
                                      code="already_submitted"),
    )  # fmt: skip
    if application.payment == Application.Payment.AWAITING:
        _duty_invoice(application, definition, answers)
    signature.application = application
    signature.save()
    SubmissionKey.objects.create(
        account=account, key=key, request_hash=request_hash, application=application
    )
    ApplicationEvent.objects.create(
        application=application,
        transition="submit",
        from_state=DRAFT,
        to_state=initial,
        actor=account,
        actor_role="citizen",
        on_behalf_of_id=application.person_id,
        changes={"signature": signature.method, "fee_tiyn": fee},
        created_at=now,
    )
    if definition.workflow.states[initial].notify:
        _notify_after_commit(application, definition, initial)
    _run_automatic_steps(application, definition)
    return application


def _state_due(definition: ServiceDefinition, state: str) -> Any:
    days = definition.workflow.states[state].deadline_working_days
    if days is None:
        return None
    return working_calendar().add_working_days(local_today(), days)


def application_offer(*, person: Person, service_code: str) -> Application:
    """A proactive service: the state offers it to the person (e.g. on a birth in the registry)
    and the citizen only accepts and completes it. Idempotent per person and service version."""
    definition = service_get(code=service_code)
    if "proactive" not in definition.channels:
        raise ValidationFailed(_("This service is not provided proactively."), code="not_proactive")
    account = Account.objects.filter(person=person, is_active=True).first()
    if account is None:
        raise ValidationFailed(
            _("The person has no account to receive the offer."), code="no_account"
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
            due_date=working_calendar().add_working_days(today, definition.term.working_days),
            state_due_date=_state_due(definition, initial),
        )
        application.number = f"Q{today:%y%m%d}-{application.id.hex[:8].upper()}"
        application.save(force_insert=True)
        ApplicationEvent.objects.create(
            application=application,
            transition="offer",
            from_state=DRAFT,
            to_state=initial,
            actor_role="system",
            on_behalf_of=person,
            created_at=now,
        )
        _notify_after_commit(application, definition, initial)
    return application


# --- Transitions -------------------------------------------------------------------------------


def _run_automatic_steps(application: Application, definition: ServiceDefinition) -> None:
    if application.payment == Application.Payment.AWAITING:
        return  # waits, visibly, for the duty: `_duty_paid` runs the steps when it arrives
    for _step in range(len(definition.workflow.states)):
        value_of = _value_of(application.person, _records(definition, application))
        transition = auto_transition(definition, application.state, value_of)
        if transition is None:
            return
        if not _writes_registry(definition, transition):
            _move(application, definition, transition, actor=None, role="system")
            continue
        kept = {f.attname: getattr(application, f.attname) for f in Application._meta.fields}
        try:
            with transaction.atomic(), translation.override(_language_of(application)):
                _move(application, definition, transition, actor=None, role="system")
        except RegistryRefused as refusal:
            for name, value in kept.items():  # the savepoint undid the row; undo the instance
                setattr(application, name, value)
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


def application_claim(*, actor: Account, application_id: str) -> Application:
    application = access_application_for_officer(account=actor, application_id=application_id)
    taken = Application.objects.filter(pk=application.pk, assignee__isnull=True).update(
        assignee=actor, lock_version=F("lock_version") + 1
    )
    if not taken and application.assignee_id != actor.pk:
        raise Conflict(_("Another officer has already taken this application."), code="claimed")
    application.refresh_from_db()
    return application


# --- The state duty ------------------------------------------------------------------------------
# A service with a fee and `payment` other than `none` waits, after submission, for its duty: an
# invoice is written in the submission's transaction; the payment's credit (payments app) calls
# `_duty_paid` in its own transaction, which starts the legal term and the automatic steps. A
# final outcome listed in the fee's `refund_on` returns a paid duty (by a task, since it talks to
# the gateway); any other end cancels an unpaid one.


def _duty_ref(application: Application) -> str:
    return f"application:{application.pk}"


def _duty_invoice(
    application: Application, definition: ServiceDefinition, answers: dict[str, Any]
) -> Invoice:
    languages = ("kk", "ru", "en")
    party = definition.counterparty
    payer = application.counterparty if party and party.pays else None
    return invoice_create(
        payer=payer or application.person,
        kind=Invoice.Kind.DUTY,
        purpose_ref=_duty_ref(application),
        description={
            lang: f"{definition.name.get(lang)} — {application.number}" for lang in languages
        },
        mci_multiple=definition.fee.mci_for(answers),
        refundable=bool(definition.fee.refund_on),
    )


@on_paid("application:")
def _duty_paid(invoice: Invoice) -> None:
    key = uuid_or_none(invoice.purpose_ref.removeprefix("application:"))
    application = _with_snapshot(Application.objects.filter(pk=key)).first() if key else None
    if application is None or application.payment != Application.Payment.AWAITING:
        return  # paid again, or after the application ended: the credit stands, nothing moves
    definition = definition_of(application)
    now = timezone.now()
    today = local_today()
    term = definition.term
    _update_checked(
        application,
        {
            "payment": Application.Payment.PAID,
            "fee_tiyn": invoice.paid_tiyn or application.fee_tiyn,
            "updated_at": now,
            # the legal term runs from the day the application is complete, duty included
            "due_date": working_calendar().add_working_days(
                today, term.working_days, count_start=term.receipt_day_counted
            ),
        },
        Conflict(_("The application changed while the payment was credited."), code="retry"),
    )
    ApplicationEvent.objects.create(
        application=application,
        transition="pay",
        from_state=application.state,
        to_state=application.state,
        actor_role="system",
        on_behalf_of_id=application.person_id,
        changes={"paid_tiyn": invoice.paid_tiyn, "invoice": str(invoice.pk)},
        created_at=now,
    )
    _run_automatic_steps(application, definition)


def _duty_settle(application: Application, definition: ServiceDefinition, outcome: str) -> None:
    """On a final state: refund a paid duty where the definition says so; cancel an unpaid one."""
    if application.payment == Application.Payment.AWAITING:
        invoice = invoice_for_ref(_duty_ref(application))
        if invoice is not None and invoice.status == Invoice.Status.UNPAID:
            invoice_cancel(invoice_id=str(invoice.pk))
    elif application.payment == Application.Payment.PAID and outcome in definition.fee.refund_on:
        from qyzmet.applications.tasks import duty_refund_task

        duty_refund_task.enqueue(str(application.pk))  # in this transaction: never lost


def application_duty_refund(*, application_id: str) -> None:
    """Return the paid duty of an ended application through the gateway (run by a task)."""
    from qyzmet.payments.actions import invoice_refund

    key = uuid_or_none(application_id)
    application = Application.objects.filter(pk=key).first() if key else None
    if application is None or application.payment != Application.Payment.PAID:
        return  # refunded already: a retried task does nothing
    invoice = invoice_for_ref(_duty_ref(application))
    if invoice is None or invoice.status != Invoice.Status.PAID:
        return
    with transaction.atomic():
        refund = invoice_refund(invoice_id=str(invoice.pk), reason=application.outcome)
        Application.objects.filter(pk=application.pk).update(
            payment=Application.Payment.REFUNDED, updated_at=timezone.now(),
            lock_version=F("lock_version") + 1,
        )  # fmt: skip
        ApplicationEvent.objects.create(
            application=application,
            transition="refund",
            from_state=application.state,
            to_state=application.state,
            actor_role="system",
            on_behalf_of_id=application.person_id,
            changes={"refunded_tiyn": refund.amount_tiyn},
        )


def application_result_issue(*, application_id: str) -> None:
    """Issue the signed result document of an approved application (run by a task; a retried
    task issues nothing more)."""
    from qyzmet.documents.actions import document_issue
    from qyzmet.documents.models import Document

    key = uuid_or_none(application_id)
    application = (
        Application.objects.select_related("person", "applicant", "counterparty")
        .filter(pk=key)
        .first()
        if key
        else None
    )
    if application is None or application.outcome != "approved":
        return
    if Document.objects.filter(application_id=str(application.pk)).exists():
        return
    definition = definition_of(application)
    holder = application.person
    if (
        definition.result.document is not None
        and definition.result.document.holder == "counterparty"
        and application.counterparty is not None
    ):
        holder = application.counterparty  # the buyer's certificate
    document = document_issue(
        holder=holder,
        service_code=definition.code,
        application_id=str(application.pk),
        answers=_answers(application),
        language=application.applicant.language or None,
        definition=definition,  # the version it was submitted under
    )
    ApplicationEvent.objects.create(
        application=application,
        transition="document",
        from_state=application.state,
        to_state=application.state,
        actor_role="system",
        on_behalf_of_id=application.person_id,
        changes={"document": document.number},
    )


# --- Telling the citizen -----------------------------------------------------------------------


def _notify_counterparty(application: Application, definition: ServiceDefinition) -> None:
    """Ask the second party (the buyer) to confirm: to their account, else to their phone."""
    person = application.counterparty
    assert person is not None  # noqa: S101 - the caller checks
    account = Account.objects.filter(person=person, is_active=True).first()
    if account is not None:
        recipient = notification_recipient(account=account, person=person)
    else:
        binding = phone_binding_active(person=person)
        if binding is None:
            return  # reachable only through the portal, where the application waits for them
        recipient = phone_recipient(phone=binding.phone, language="kk")
    state = definition.workflow.states[application.state].label
    notify(
        recipient=recipient,
        event="application.confirmation_asked",
        context={
            "number": application.number,
            "what": {language: definition.name.get(language) for language in ("kk", "ru", "en")},
            "state": {language: state.get(language) for language in ("kk", "ru", "en")},
            "application_id": str(application.pk),
        },
        dedupe_key=f"application:{application.pk}:{application.lock_version}:counterparty",
    )


def _notify_after_commit(
    application: Application, definition: ServiceDefinition, state: str
) -> None:
    # The outbox rows are written in this transaction; the worker sends them after commit.
    label = definition.workflow.states[state].label
    notify(
        recipient=notification_recipient(account=application.applicant, person=application.person),
        event="application.status_changed",
        context={
            "number": application.number,
            "state": {language: label.get(language) for language in ("kk", "ru", "en")},
            "application_id": str(application.pk),
        },
        dedupe_key=f"application:{application.pk}:{application.lock_version}:{state}",
    )
