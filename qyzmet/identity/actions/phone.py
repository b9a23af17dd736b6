"""The mobile citizens database: one active number per person and one person per number, the
history kept; replacing a number needs a code sent to the new number plus the password or a
certificate signature."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.actions.attempts import password_checked
from qyzmet.identity.actions.otp import IssuedCode, otp_issue, otp_verify
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Account, OneTimeCode, OtpEvent, Person, PhoneBinding
from qyzmet.identity.phones import phone_parse
from qyzmet.identity.providers.operator import get_operator_provider
from qyzmet.identity.selectors import phone_taken_by_another


def sim_change_check(*, phone: str, purpose: str, iin: str = "") -> datetime | None:
    """When SMS codes to `phone` become safe again after a recent SIM change or port; None if
    they are safe now. A block is recorded as an OTP event."""
    changed = get_operator_provider().last_sim_change(phone=phone)
    if changed is None:
        return None
    until = changed + timedelta(hours=settings.QYZMET_SIM_CHANGE_BLOCK_HOURS)
    if timezone.now() >= until:
        return None
    OtpEvent.objects.create(
        kind=OtpEvent.Kind.BLOCKED_SIM,
        purpose=purpose,
        phone_index=blind_index(phone, purpose="phone"),
        iin_index=blind_index(iin, purpose="iin") if iin else "",
    )
    return until


def _phone_taken() -> ValidationFailed:
    return ValidationFailed(
        _("This number is registered to another person in the mobile citizens database."),
        code=ErrorCode.PHONE_TAKEN,
        details={"field": "phone"},
    )


def phone_bind(*, person: Person, phone: str, operator: str, method: str) -> PhoneBinding:
    """Make `phone` the person's one active number, ending the previous binding (kept in the
    history). Must run inside the caller's transaction."""
    now = timezone.now()
    phone_index = blind_index(phone, purpose="phone")
    current = PhoneBinding.objects.select_for_update().filter(person=person, active=True).first()
    if current is not None and current.phone_index == phone_index:
        return current
    if current is not None:
        current.active = False
        current.ended_at = now
        current.end_reason = "replaced"
        current.save(update_fields=["active", "ended_at", "end_reason"])
    try:
        with transaction.atomic():
            return PhoneBinding.objects.create(
                person=person,
                phone=phone,
                phone_index=phone_index,
                operator=operator,
                method=method,
                bound_at=now,
            )
    except IntegrityError as exc:
        raise _phone_taken() from exc


def phone_change_start(
    *,
    account: Account,
    phone: str,
    client: str,
    password: str = "",
    certificate_iin: str = "",
) -> IssuedCode:
    """Step one of binding a new number: proof of identity (password, or the IIN from a verified
    certificate signature), then a code to the new number."""
    person = account.person
    if person is None:
        raise ValidationFailed(code=ErrorCode.NOT_A_CITIZEN)
    if certificate_iin:
        if certificate_iin != person.iin:
            raise ValidationFailed(
                _("The certificate belongs to another person."), code=ErrorCode.CERTIFICATE_MISMATCH
            )
        method = PhoneBinding.Method.CERTIFICATE
    elif password and password_checked(
        iin_index=blind_index(person.iin, purpose="iin"),
        client=client,
        known_device="",
        check=lambda: account.check_password(password),
    ):
        method = PhoneBinding.Method.PASSWORD
    else:
        raise ValidationFailed(
            _("The password is not correct."),
            code=ErrorCode.PASSWORD_WRONG,
            details={"field": "password"},
        )
    number = phone_parse(phone)
    if phone_taken_by_another(person=person, phone=number.e164):
        raise _phone_taken()
    return otp_issue(
        purpose=OneTimeCode.Purpose.BIND_PHONE,
        phone=number.e164,
        client=client,
        iin=person.iin,
        account_id=account.pk,
        payload={"method": method, "operator": number.operator},
        language=account.language,
    )


def phone_change_confirm(*, account: Account, code_id: str, code: str, client: str) -> PhoneBinding:
    row = otp_verify(
        code_id=code_id, code=code, purpose=OneTimeCode.Purpose.BIND_PHONE, client=client
    )
    if row.account_id != account.pk or account.person is None:
        raise ValidationFailed(code=ErrorCode.OTP_NOT_FOUND)
    with transaction.atomic():
        return phone_bind(
            person=account.person,
            phone=row.phone,
            operator=row.payload.get("operator", ""),
            method=row.payload.get("method", PhoneBinding.Method.PASSWORD),
        )


__all__ = ["phone_bind", "phone_change_confirm", "phone_change_start"]
