"""The IIN (individual identification number): validation, decoding, masking and demo numbers.

Pure functions with no database access, so every form, import and API can check a number the same
way before anything is looked up. The rules are in domain-kz.md: `YYMMDD C NNNN K`, where C gives
the century and sex and K is a mod-11 check digit with a second weighting pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import ErrorCode, QyzmetError

Sex = Literal["M", "F"]

IIN_LENGTH = 12
# A tuple, never a set: a set iterates in sorted order, which silently turns the second pass into
# the first one and rejects every genuine IIN that needs it (a known bug in public code).
FIRST_WEIGHTS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

_DIGIT_VALUES = bytes.maketrans(b"0123456789", bytes(range(10)))

# Digit 7 -> (first year of the century, sex). 0 and 7-9 are never assigned to people.
CENTURY_DIGITS: dict[str, tuple[int, Sex]] = {
    "1": (1800, "M"),
    "2": (1800, "F"),
    "3": (1900, "M"),
    "4": (1900, "F"),
    "5": (2000, "M"),
    "6": (2000, "F"),
}

MESSAGES: dict[ErrorCode, Promise] = {
    ErrorCode.IIN_FORMAT: _("An IIN is exactly 12 digits."),
    ErrorCode.IIN_CENTURY: _(
        "This IIN does not exist: its 7th digit, which gives the century of birth and sex, "
        "must be from 1 to 6."
    ),
    ErrorCode.IIN_DATE: _(
        "This IIN does not exist: its first six digits are not a real date of birth."
    ),
    ErrorCode.IIN_CHECKSUM: _("This IIN has a typo: its last digit does not match the others."),
    ErrorCode.IIN_NEVER_ISSUED: _("This IIN does not exist: numbers like it are never issued."),
    ErrorCode.IIN_MISMATCH: _("This IIN does not match the date of birth and sex."),
}


class IinError(QyzmetError):
    """An IIN that cannot belong to a person. A `QyzmetError`, so interfaces render it in the one
    error shape: `code` is stable (see `MESSAGES`), `message` is translated for people."""

    status = 422

    def __init__(self, code: ErrorCode) -> None:
        super().__init__(MESSAGES[code], code=code)


@dataclass(frozen=True)
class IinInfo:
    """What a valid IIN tells about its holder."""

    iin: str
    birth_date: date
    sex: Sex


def iin_normalize(iin: str) -> str:
    """The number without the spaces people type or copy from documents ("791028 302728")."""
    return "".join(iin.split())


def iin_check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or None when such a number is never issued."""
    if len(first11) != IIN_LENGTH - 1 or not (first11.isascii() and first11.isdigit()):
        raise ValueError("iin_check_digit needs exactly 11 ASCII digits")
    digits = first11.encode("ascii").translate(_DIGIT_VALUES)  # bulk imports call this a lot
    total = sum(map(mul, digits, FIRST_WEIGHTS)) % 11
    if total == 10:
        total = sum(map(mul, digits, SECOND_WEIGHTS)) % 11
        if total == 10:
            return None
    return total


def iin_check(iin: str) -> IinInfo:
    """Validate an IIN and decode it; raises `IinError` with the first reason it cannot exist."""
    iin = iin_normalize(iin)
    if len(iin) != IIN_LENGTH or not (iin.isascii() and iin.isdigit()):
        raise IinError(ErrorCode.IIN_FORMAT)
    century = CENTURY_DIGITS.get(iin[6])
    if century is None:
        raise IinError(ErrorCode.IIN_CENTURY)
    first_year, sex = century
    try:
        birth_date = date(first_year + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise IinError(ErrorCode.IIN_DATE) from None
    check = iin_check_digit(iin[:11])
    if check is None:
        raise IinError(ErrorCode.IIN_NEVER_ISSUED)
    if check != int(iin[11]):
        raise IinError(ErrorCode.IIN_CHECKSUM)
    return IinInfo(iin=iin, birth_date=birth_date, sex=sex)


def iin_agrees(info: IinInfo, *, birth_date: date, sex: str) -> None:
    """Raise `iin_mismatch` unless the IIN's date and 7th digit match the recorded birth date
    (and so its century) and sex: a mismatch means a typo or someone else's number."""
    if info.birth_date != birth_date or info.sex != sex:
        raise IinError(ErrorCode.IIN_MISMATCH)


def iin_make(birth_date: date, sex: Sex, serial: int) -> str | None:
    """An IIN for demo data and tests; None when that serial gives a never-issued number."""
    if not 0 <= serial <= 9999:
        raise ValueError("an IIN serial is 0..9999")
    if not 1800 <= birth_date.year <= 2099:
        raise ValueError("an IIN encodes birth years 1800..2099 only")
    if sex not in ("M", "F"):
        raise ValueError("sex is 'M' or 'F'")
    century_digit = 1 + 2 * (birth_date.year // 100 - 18) + (sex == "F")
    first11 = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    check = iin_check_digit(first11)
    return None if check is None else f"{first11}{check}"


def iin_mask(iin: str) -> str:
    """The IIN for display where the full number is not needed: "7910******28"."""
    iin = iin_normalize(iin)
    if len(iin) < 6:
        return "*" * len(iin)
    return f"{iin[:4]}{'*' * (len(iin) - 6)}{iin[-2:]}"
