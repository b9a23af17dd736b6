"""Kazakh mobile numbers: parsing, validation, operator hint and masking (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext_lazy as _
from phonenumbers import carrier

from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.errors import ErrorCode


@dataclass(frozen=True)
class Phone:
    e164: str
    operator: str  # by original prefix; a hint only, numbers are portable


def phone_parse(raw: str) -> Phone:
    """Accept `+7 701 123 45 67`, `8 701 123 45 67`, `87011234567`…; only KZ mobile numbers."""
    text = (raw or "").strip()
    if text.startswith("8") and len(phonenumbers.normalize_digits_only(text)) == 11:
        text = "+7" + phonenumbers.normalize_digits_only(text)[1:]
    try:
        number = phonenumbers.parse(text, "KZ")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(
            _("Enter a mobile number like +7 701 123 45 67."), code=ErrorCode.PHONE_INVALID
        ) from exc
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.region_code_for_number(number) != "KZ"
    ):
        raise ValidationFailed(
            _("This is not a Kazakhstan mobile number. Enter a number like +7 701 123 45 67."),
            code=ErrorCode.PHONE_INVALID,
        )
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationFailed(
            _("This is a landline number. Enter a mobile number."), code=ErrorCode.PHONE_NOT_MOBILE
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, operator=carrier.name_for_number(number, "en") or "")


def phone_mask(e164: str) -> str:
    """`+77011234567` → `+7 701 *** ** 67`: enough to recognise one's own number."""
    digits = e164.lstrip("+")
    if len(digits) != 11:
        return "***"
    return f"+{digits[0]} {digits[1:4]} *** ** {digits[-2:]}"
