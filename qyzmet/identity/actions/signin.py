"""The three ways to sign in: IIN + password + SMS code, a signature certificate (+ SMS code
since 2025), and a QR code approved from the signed-in phone app (registration is
`actions.registration`).

Sign-in never tells whether an IIN has an account: a wrong IIN and a wrong password get the same
message, cost the same Argon2 work and count towards the same limits, which are checked before
any hash is computed (`actions.attempts`).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import NotFound, QyzmetError, ValidationFailed
from qyzmet.core.ids import uuid_or_none
from qyzmet.identity.actions.attempts import password_checked
from qyzmet.identity.actions.otp import IssuedCode, otp_issue, otp_verify
from qyzmet.identity.actions.phone import sim_change_check
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import (
    Account,
    AuthSession,
    OneTimeCode,
    Person,
    SignInChallenge,
)
from qyzmet.identity.selectors import (
    account_get_by_iin,
    device_hash,
    device_known,
    iin_validated,
    phone_binding_active,
)
from qyzmet.signatures.selectors import SignatureRejected, signin_signature_verify

# Spent on unknown IINs so that they cost the same time as known ones.
_DUMMY_HASH = make_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class SignInStep:
    """What the citizen must do next: type the code sent to `code.phone_e164`, or nothing."""

    code: IssuedCode | None
    account: Account


class SignInRefused(QyzmetError):
    code: str = ErrorCode.SIGNIN_FAILED
    status = 401


def password_check_strength(*, password: str, person: Person | None = None) -> None:
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("Choose a stronger password."),
            code=ErrorCode.PASSWORD_WEAK,
            details={"field": "password", "problems": [str(m) for m in exc.messages]},
        ) from exc


# --- Password + SMS code ------------------------------------------------------------------------


def _refused() -> SignInRefused:
    return SignInRefused(_("The IIN or password is not correct."))


def signin_password(
    *, iin: str, password: str, client: str, language: str, device_id: str = ""
) -> SignInStep:
    """Check the IIN and password: the limits and the attempt's record first (no hash is computed
    for a refused attempt), then the hash in a bounded slot. `device_id` is the device's own id
    (browser cookie, app header): a device that signed in to the account before is held only to
    its own limit, so a stranger's wrong passwords cannot lock the owner out of it."""
    iin = iin_validated(iin)
    iin_index = blind_index(iin, purpose="iin")
    account = account_get_by_iin(iin=iin)
    usable = account is not None and account.is_active and account.person is not None
    device = device_hash(device_id)
    known = device if account is not None and device_known(account=account, device=device) else ""

    def check() -> bool:
        if account is not None and usable:
            return account.check_password(password)
        check_password(password, _DUMMY_HASH)  # same Argon2 work as for a real account
        return False

    right = password_checked(iin_index=iin_index, client=client, known_device=known, check=check)
    if not right or account is None:
        raise _refused()
    return _second_factor(account=account, client=client, language=language, method="password")


def _second_factor(*, account: Account, client: str, language: str, method: str) -> SignInStep:
    assert account.person is not None  # noqa: S101 - citizens only reach here
    binding = phone_binding_active(person=account.person)
    if binding is None:
        raise ValidationFailed(
            _("No phone number is bound to your account. Sign in with your certificate."),
            code=ErrorCode.NO_PHONE,
        )
    blocked_until = sim_change_check(phone=binding.phone, purpose="sign_in", iin=account.person.iin)
    if blocked_until is not None:
        if method == "certificate":  # the certificate stands alone while SMS is not safe
            return SignInStep(code=None, account=account)
        raise QyzmetError(
            _(
                "The SIM card of your number was changed recently, so sign-in by SMS code is "
                "paused until %(until)s. Sign in with your certificate."
            )
            % {"until": timezone.localtime(blocked_until).strftime("%d.%m.%Y %H:%M")},
            code=ErrorCode.SIM_CHANGED,
            status=403,
            details={"until": blocked_until.isoformat()},
        )
    issued = otp_issue(
        purpose=OneTimeCode.Purpose.SIGN_IN,
        phone=binding.phone,
        client=client,
        iin=account.person.iin,
        account_id=account.pk,
        payload={"method": method},
        language=language or account.language,  # the language they are using right now
    )
    return SignInStep(code=issued, account=account)


def signin_code_verify(*, code_id: str, code: str, client: str) -> tuple[Account, str]:
    """Finish a sign-in with the SMS code; returns the account and how it signed in."""
    row = otp_verify(code_id=code_id, code=code, purpose=OneTimeCode.Purpose.SIGN_IN, client=client)
    if row.account_id is None:
        raise _refused()
    account = Account.objects.select_related("person").get(pk=row.account_id)
    if not account.is_active:
        raise _refused()
    method = (
        AuthSession.Method.CERTIFICATE
        if row.payload.get("method") == "certificate"
        else AuthSession.Method.PASSWORD_SMS
    )
    return account, method


# --- Certificate --------------------------------------------------------------------------------


def certificate_challenge_create() -> SignInChallenge:
    now = timezone.now()
    return SignInChallenge.objects.create(
        nonce=base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.QYZMET_CHALLENGE_TTL_SECONDS),
    )


def _challenge_consume(challenge_id: str) -> SignInChallenge:
    expired = NotFound(
        _("The sign-in request has expired. Reload the page and sign again."),
        code=ErrorCode.CHALLENGE_EXPIRED,
    )
    key = uuid_or_none(challenge_id)
    with transaction.atomic():
        challenge = (
            SignInChallenge.objects.select_for_update().filter(pk=key).first() if key else None
        )
        if challenge is None or challenge.used_at or timezone.now() >= challenge.expires_at:
            raise expired
        challenge.used_at = timezone.now()
        challenge.save(update_fields=["used_at"])
    return challenge


def certificate_signature_iin(*, challenge_id: str, signature_b64: str) -> str:
    """The IIN of whoever signed our challenge with a trusted, unrevoked certificate."""
    challenge = _challenge_consume(challenge_id)  # single use, whatever the outcome
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignInRefused(
            _("The signature could not be read."), code=ErrorCode.SIGNATURE_INVALID
        ) from exc
    try:
        signer = signin_signature_verify(
            signature=signature, challenge=base64.b64decode(challenge.nonce)
        )
    except SignatureRejected as exc:
        raise SignInRefused(exc.message, code=exc.code) from exc
    return signer.iin


def signin_certificate(
    *, challenge_id: str, signature_b64: str, client: str, language: str
) -> SignInStep:
    iin = certificate_signature_iin(challenge_id=challenge_id, signature_b64=signature_b64)
    account = account_get_by_iin(iin=iin)
    if account is None or not account.is_active:
        raise SignInRefused(
            _("There is no account for the IIN in this certificate. Register first."),
            code=ErrorCode.NO_ACCOUNT,
        )
    if not settings.QYZMET_CERT_SIGNIN_SMS:
        return SignInStep(code=None, account=account)
    return _second_factor(account=account, client=client, language=language, method="certificate")


__all__ = [
    "SignInRefused",
    "SignInStep",
    "certificate_challenge_create",
    "certificate_signature_iin",
    "password_check_strength",
    "signin_certificate",
    "signin_code_verify",
    "signin_password",
]
