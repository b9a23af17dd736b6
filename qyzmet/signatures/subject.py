"""Certificate subjects of Kazakh digital-signature certificates: the IIN sits in the subject's
SERIALNUMBER attribute as "IIN" followed by its 12 digits."""

from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from qyzmet.core.iin import IinError, iin_check

IIN_PREFIX = "IIN"
_IIN_SERIAL = re.compile(r"IIN([0-9]{12})", re.ASCII)


def iin_is_valid(iin: str) -> bool:
    """A well-formed, issuable IIN (the rules live in qyzmet.core.iin)."""
    try:
        iin_check(iin)
    except IinError:
        return False
    return iin.isascii() and len(iin) == 12


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
