"""Signing and submission, and the proactive offer of a service."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.applications.actions.common import (
    DRAFT,
    _answers,
    _counterparty,
    _state_due,
    _term_due,
    _update_checked,
    access_application_by_id,
    definition_of,
    snapshot_for,
)
from qyzmet.applications.actions.duty import _duty_invoice
from qyzmet.applications.actions.telling import _notify_after_commit
from qyzmet.applications.actions.workflow import _run_automatic_steps
from qyzmet.applications.forms import form_require_valid
from qyzmet.applications.models import (
    Application,
    ApplicationEvent,
    Signature,
    SubmissionKey,
)
from qyzmet.applications.registry_changes import (
    registry_change_precheck,
)
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.catalogue.selectors import service_get
from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.core.mci import fee_tiyn
from qyzmet.identity.actions.otp import IssuedCode, otp_issue, otp_verify
from qyzmet.identity.models import Account, OneTimeCode, Person
from qyzmet.identity.selectors import (
    phone_binding_active,
)
from qyzmet.signatures.selectors import SignatureRejected, signin_signature_verify

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
    return sign_code_issue(
        application=application,
        signer=application.person,
        account=account,
        client=client,
        language=language,
    )


def sign_code_issue(
    *, application: Application, signer: Person, account: Account, client: str, language: str
) -> IssuedCode:
    """A code sent to `signer`'s bound phone to sign the application's content (the applicant
    on submission, the second party on confirming)."""
    definition = definition_of(application)
    _signing_allowed(definition, "sms")
    binding = phone_binding_active(person=signer)
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
        iin=signer.iin,
        account_id=account.pk,
        payload={
            "application": str(application.id),
            "content_sha256": hashlib.sha256(content).hexdigest(),
            "what": definition.name.get(language),
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
        "due_date": None if party else _term_due(definition),
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
            due_date=_term_due(definition),
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
