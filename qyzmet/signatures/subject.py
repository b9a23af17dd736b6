"""Certificate subjects of Kazakh digital-signature certificates: the IIN sits in the subject's
SERIALNUMBER attribute as "IIN" followed by its 12 digits."""

from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from qyzmet.core.iin import IinError, iin_check

IIN_PREFIX = "IIN"
COMMON_NAME_MAX = 64  # ub-common-name, RFC 5280
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


def agency_subject(*, code: str, name: str) -> x509.Name:
    """An agency's document-signing certificate: its name, and its catalogue code in OU."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, _fit(name.strip()) or code),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, code),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Qyzmet (demo)"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def agency_code_of(name: x509.Name) -> str | None:
    """The catalogue code of the agency named by `agency_subject`, if any."""
    values = name.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    if len(values) != 1 or not isinstance(values[0].value, str):
        return None
    return values[0].value


def _fit(text: str, limit: int = COMMON_NAME_MAX) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 (what the X.509 bound counts), whole
    characters only."""
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text.rstrip()
