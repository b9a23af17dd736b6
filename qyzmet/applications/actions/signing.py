"""Signing an application's content: what is signed, a one-time code to sign it with, and the
check of a signature (a code or a certificate's CMS) of the applicant or the second party."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Literal

from django.utils.translation import gettext as _

from qyzmet.applications.access import access_application_by_id
from qyzmet.applications.actions.definitions import answers_of, definition_of, resigning_step
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.forms import form_require_valid
from qyzmet.applications.models import Application, Signature
from qyzmet.applications.refusals import refusals_check
from qyzmet.applications.words import DRAFT
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.identity.actions.otp import IssuedCode, otp_check, otp_issue, otp_spend
from qyzmet.identity.models import Account, OneTimeCode, Person
from qyzmet.identity.selectors import phone_binding_active
from qyzmet.signatures.selectors import SignatureRejected, signin_signature_verify

SigningMethod = Literal["sms", "certificate"]


def signing_content(application: Application) -> bytes:
    """The canonical form of what the citizen signs: service, version, applicant and answers."""
    definition = definition_of(application)
    document = {
        "application": str(application.id),
        "service": definition.code,
        "version": definition.version,
        "applicant_iin": application.person.iin,
        "answers": form_require_valid(definition, answers_of(application)),
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def signing_method_of(code_id: str) -> SigningMethod:
    """A code's id comes with a signature by SMS code; without it, a certificate's CMS."""
    return "sms" if code_id else "certificate"


def signing_method_require(definition: ServiceDefinition, method: SigningMethod) -> None:
    if method not in definition.signing:
        raise ValidationFailed(
            _("This service cannot be signed this way."),
            code=ErrorCode.SIGNING_METHOD_NOT_ALLOWED,
        )


def sign_code_issue(
    *, application: Application, signer: Person, account: Account, client: str, language: str
) -> IssuedCode:
    """A code sent to `signer`'s bound phone to sign the application's content (the applicant
    on submission, the second party on confirming)."""
    definition = definition_of(application)
    signing_method_require(definition, "sms")
    binding = phone_binding_active(person=signer)
    if binding is None:
        raise ValidationFailed(
            _("No phone number is bound to your account. Sign with your certificate."),
            code=ErrorCode.NO_PHONE,
        )
    content = signing_content(application)
    return otp_issue(
        purpose=_code_purpose(application, signer),
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


def _code_purpose(application: Application, signer: Person) -> str:
    """Signing one's own application, or countersigning another's: each has its own codes."""
    if signer.pk == application.person_id:
        return OneTimeCode.Purpose.SIGN
    return OneTimeCode.Purpose.COUNTERSIGN


def application_sign_sms_start(
    *, account: Account, application_id: str, client: str, language: str
) -> IssuedCode:
    """Send the applicant a code to sign their draft (or their corrected application) with,
    unless it would be refused."""
    application = access_application_by_id(account=account, application_id=application_id)
    # a draft, or a corrected application, which is signed again over its new content
    if application.state != DRAFT and resigning_step(application) is None:
        raise Conflict(
            _("This application was already submitted."), code=ErrorCode.ALREADY_SUBMITTED
        )
    refusals_check(
        definition=definition_of(application),
        person=application.person,
        answers=answers_of(application),
    )  # nothing is signed that would be refused
    return sign_code_issue(
        application=application,
        signer=application.person,
        account=account,
        client=client,
        language=language,
    )


def signature_check(
    *,
    application: Application,
    content: bytes,
    client: str,
    code_id: str,
    code: str,
    signature_b64: str,
    signer: Person | None = None,
) -> Signature:
    """The signature of `signer` (by default the applicant) over `content`, checked and not yet
    saved: the caller saves it with `signature_save`, in the transaction of the step it signs
    (which spends its code there, so a crash before that commit leaves the code usable)."""
    digest = hashlib.sha256(content).hexdigest()
    signer_person = signer or application.person
    if code_id:
        row = otp_check(
            code_id=code_id,
            code=code,
            purpose=_code_purpose(application, signer_person),
            client=client,
        )
        if row.payload.get("application") != str(application.id) or (
            row.payload.get("content_sha256") != digest
        ):
            raise ValidationFailed(
                _("The application changed after the code was sent. Ask for a new code."),
                code=ErrorCode.CONTENT_CHANGED,
            )
        return Signature(
            method=Signature.Method.SMS, content_sha256=digest, code=row, content=content.decode()
        )
    try:
        cms = base64.b64decode(signature_b64, validate=True)
        verified = signin_signature_verify(signature=cms, challenge=content)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(
            _("The signature could not be read."), code=ErrorCode.SIGNATURE_INVALID
        ) from exc
    except SignatureRejected as exc:
        raise ValidationFailed(exc.message, code=exc.code) from exc
    if verified.iin != signer_person.iin:
        raise ValidationFailed(
            _("The certificate belongs to another person."), code=ErrorCode.CERTIFICATE_MISMATCH
        )
    return Signature(
        method=Signature.Method.CERTIFICATE,
        content_sha256=digest,
        certificate_serial=verified.serial,
        cms=cms,
        content=content.decode(),
    )


def signature_save(signature: Signature) -> None:
    """Save a checked signature, in the transaction of the step it signs: its one-time code is
    spent here, or refused (`otp_used`) when another request spent it meanwhile."""
    if signature.code is not None and signature.code.used_at is None:
        otp_spend(row=signature.code)
    signature.save()
