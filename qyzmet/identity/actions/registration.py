"""Registration: an IIN and a mobile number, a code sent to it, then a password.

`registration_start` answers the same way whatever the state of the IIN and the number (in the
registry or not, old enough or not, with an account already or not, the number someone else's or
not): a code request was accepted, and it counts against the same code budgets
(docs/one-time-codes.md: per number, per IIN, per client address). Only the phone learns the
truth: it gets the code when registration can go on, and otherwise an SMS saying why. So the
screen tells no one who has an account, and finding out by SMS costs a phone number and the
code budgets for each IIN tried. Only what the request itself shows is answered at once: an IIN
that cannot exist (its checksum or date) and a number that is not a Kazakh mobile.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.actions.otp import CodeRefused, IssuedCode, otp_issue, otp_verify
from qyzmet.identity.actions.phone import phone_bind
from qyzmet.identity.actions.signin import password_check_strength
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Account, OneTimeCode, Person, PhoneBinding
from qyzmet.identity.phones import phone_parse
from qyzmet.identity.selectors import (
    account_login_for_iin,
    age_on,
    iin_validated,
    person_get_by_iin,
    phone_taken_by_another,
)

MIN_AGE = 16


def registration_refusal(*, person: Person | None, phone: str) -> ErrorCode | None:
    """Why an account cannot be registered for `person` with `phone` (E.164), or None."""
    if person is None or person.status != Person.Status.LIVING:
        return ErrorCode.IIN_NOT_IN_REGISTRY
    if age_on(person.birth_date) < MIN_AGE:
        return ErrorCode.TOO_YOUNG
    if Account.objects.filter(login=account_login_for_iin(person.iin)).exists():
        return ErrorCode.ACCOUNT_EXISTS
    if phone_taken_by_another(person=person, phone=phone):
        return ErrorCode.PHONE_TAKEN
    return None


def registration_start(*, iin: str, phone: str, client: str, language: str) -> IssuedCode:
    iin = iin_validated(iin)
    number = phone_parse(phone)
    person = person_get_by_iin(iin=iin)
    refusal = registration_refusal(person=person, phone=number.e164)
    if refusal is not None or person is None:
        payload: dict[str, Any] = {"refused": str(refusal)}
        instead = f"register.{refusal}"
    else:
        payload, instead = {"person": person.pk, "operator": number.operator}, ""
    return otp_issue(
        purpose=OneTimeCode.Purpose.REGISTER,
        phone=number.e164,
        client=client,
        iin=iin,
        payload=payload,
        language=language,
        instead=instead,
    )


def registration_complete(
    *, code_id: str, code: str, password: str, client: str, language: str
) -> Account:
    password_check_strength(password=password)
    row = otp_verify(
        code_id=code_id, code=code, purpose=OneTimeCode.Purpose.REGISTER, client=client
    )
    if "person" not in row.payload:  # a code no one was sent (a refusal went instead)
        raise CodeRefused(code=ErrorCode.OTP_WRONG)
    person = Person.objects.get(pk=row.payload["person"])
    try:
        with transaction.atomic():
            account = Account(
                login=account_login_for_iin(person.iin), person=person, language=language
            )
            account.set_password(password)
            account.save(force_insert=True)
            phone_bind(
                person=person,
                phone=row.phone,
                operator=row.payload.get("operator", ""),
                method=PhoneBinding.Method.REGISTRATION,
            )
    except IntegrityError as exc:  # registered in the meantime from another device
        raise ValidationFailed(
            _("An account for this IIN already exists. Sign in instead."),
            code=ErrorCode.ACCOUNT_EXISTS,
        ) from exc
    return account
