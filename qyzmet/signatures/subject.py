"""Certificate subjects of Kazakh digital-signature certificates: the IIN sits in the subject's
SERIALNUMBER attribute as "IIN" followed by its 12 digits."""

from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

IIN_PREFIX = "IIN"
_IIN_SERIAL = re.compile(r"IIN([0-9]{12})", re.ASCII)
_WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)  # a tuple: order matters


def iin_is_valid(iin: str) -> bool:
    """Twelve ASCII digits, a century-and-sex digit of 1–6 and a correct check digit."""
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        return False
    if iin[6] not in "123456":
        return False
    digits = [int(c) for c in iin]
    for weights in (_WEIGHTS_FIRST, _WEIGHTS_SECOND):
        check = sum(d * w for d, w in zip(digits[:11], weights, strict=True)) % 11
        if check != 10:
            return check == digits[11]
    return False  # 10 on both passes: such a number is never issued


def citizen_subject(*, iin: str, surname: str, given_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{surname} {given_name}".upper()),
            x509.NameAttribute(NameOID.SURNAME, surname.upper()),
            x509.NameAttribute(NameOID.GIVEN_NAME, given_name.upper()),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, IIN_PREFIX + iin),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def subject_iin(name: x509.Name) -> str | None:
    """The holder's IIN, or None when the subject names none, names several, or names one that
    fails the check digit."""
    found: set[str] = set()
    for attribute in name.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        value = attribute.value
        if isinstance(value, str) and (match := _IIN_SERIAL.fullmatch(value)):
            found.add(match.group(1))
    if len(found) != 1:
        return None
    (iin,) = found
    return iin if iin_is_valid(iin) else None
