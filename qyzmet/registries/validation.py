"""Pure rules of the vehicle and driving-licence registries: VINs, plates, licence categories.

No database here: every function takes values and answers values or raises `RuleError` with a
stable code, so the rules can be tested with many cases and reused by imports and actions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core.calendar import add_years
from qyzmet.identity.selectors import age_on
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.licence_rules import CATEGORIES

# and the rules below; the date helpers and the licence categories are re-exported
__all__ = ["CATEGORIES", "add_years", "age_on"]


class RuleError(ValueError):
    """A value breaks a registry rule; `code` is stable, `message` translated."""

    def __init__(self, code: str, message: str | Promise, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.details = details


# --- VIN (ISO 3779) ---------------------------------------------------------------------------

VIN_LENGTH: Final = 17
VIN_ALPHABET: Final = frozenset("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")  # no I, O, Q
_VIN_VALUES: Final = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS: Final = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class VinCheck:
    """A well-formed VIN. `check_digit_ok` is informative only: position 9 is a check digit in
    North America, elsewhere any character may stand there, so it never refuses a vehicle."""

    vin: str
    check_digit_ok: bool
    warning: str  # "" or "vin_check_digit"


def vin_normalise(text: str) -> str:
    """Upper case, without spaces and hyphens (how people copy a VIN off a document), full-width
    characters as their ASCII selves (NFKC); anything else outside ASCII stays, to be refused."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()


def vin_check_digit(vin: str) -> str:
    """The ISO 3779 / North American check character for a 17-character VIN."""
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_check(text: str) -> VinCheck:
    """Normalise, then validate the format; `RuleError` with `vin_length`, `vin_letters_ioq` or
    `vin_characters` otherwise."""
    vin = vin_normalise(text)
    if len(vin) != VIN_LENGTH:
        raise RuleError(
            ErrorCode.VIN_LENGTH,
            _("A VIN has 17 characters; this one has %(count)d.") % {"count": len(vin)},
            length=len(vin),
        )
    bad = [i + 1 for i, ch in enumerate(vin) if ch not in VIN_ALPHABET]
    if bad:
        if all(vin[i - 1] in "IOQ" for i in bad):
            raise RuleError(
                ErrorCode.VIN_LETTERS_IOQ,
                _("A VIN never contains the letters I, O or Q (check for 1 and 0)."),
                positions=bad,
            )
        raise RuleError(
            ErrorCode.VIN_CHARACTERS,
            _("A VIN has only Latin letters and digits."),
            positions=bad,
        )
    ok = vin[8] == vin_check_digit(vin)
    return VinCheck(vin=vin, check_digit_ok=ok, warning="" if ok else "vin_check_digit")


# --- Plates (since 2012: `123 ABC 02`) ----------------------------------------------------------

REGIONS: Final[dict[str, Promise]] = {
    "01": _("Astana"),
    "02": _("Almaty"),
    "03": _("Akmola Region"),
    "04": _("Aktobe Region"),
    "05": _("Almaty Region"),
    "06": _("Atyrau Region"),
    "07": _("West Kazakhstan Region"),
    "08": _("Zhambyl Region"),
    "09": _("Karaganda Region"),
    "10": _("Kostanay Region"),
    "11": _("Kyzylorda Region"),
    "12": _("Mangystau Region"),
    "13": _("Turkestan Region"),
    "14": _("Pavlodar Region"),
    "15": _("North Kazakhstan Region"),
    "16": _("East Kazakhstan Region"),
    "17": _("Shymkent"),
    "18": _("Abai Region"),
    "19": _("Jetisu Region"),
    "20": _("Ulytau Region"),
}
# Latin capitals as on the plates; kept as one constant so a narrower official set is one edit.
PLATE_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# ASCII only: `\d` alone also takes Arabic-Indic and other digits, which would make a second
# spelling of a plate.
_PLATE_RE: Final = re.compile(r"^([0-9]{3})([A-Z]{3})([0-9]{2})$")


class PriceTier:
    STANDARD: Final = "standard"
    INCREASED: Final = "increased"  # special digits or identical letters
    PREMIUM: Final = "premium"  # both


@dataclass(frozen=True)
class PlateNumber:
    digits: str
    letters: str
    region: str

    def __str__(self) -> str:
        return f"{self.digits} {self.letters} {self.region}"

    @property
    def increased_demand(self) -> bool:
        return plate_tier(self) != PriceTier.STANDARD


def region_check(code: str) -> str:
    code = code.strip()
    if code not in REGIONS:
        raise RuleError(
            ErrorCode.REGION_INVALID,
            _("The region must be a two-digit code from 01 to 20."),
            region=code,
        )
    return code


def plate_parse(text: str) -> PlateNumber:
    """`123 ABC 02` in any case and spacing -> PlateNumber; `RuleError(PLATE_FORMAT)` else.

    Full-width characters (what some phone keyboards type: `１２３ ＡＢＣ ０２`) are the same plate
    after NFKC normalisation; other scripts' digits and letters are refused, so that every plate
    has exactly one spelling in the registry."""
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()
    match = _PLATE_RE.match(compact)
    if match is None or not set(match.group(2)) <= PLATE_LETTERS:
        raise RuleError(
            ErrorCode.PLATE_FORMAT,
            _("A plate number is three digits, three Latin letters and a region: 123 ABC 02."),
        )
    digits, letters, region = match.groups()
    if digits == "000":
        raise RuleError(ErrorCode.PLATE_FORMAT, _("Plate number 000 is never issued."))
    region_check(region)
    return PlateNumber(digits=digits, letters=letters, region=region)


def plate_format(number: PlateNumber) -> str:
    return str(number)


def _special_digits(digits: str) -> bool:
    return (
        digits.startswith("00")  # 001-009
        or len(set(digits)) == 1  # 111 … 999
        or digits.endswith("00")  # 100 … 900
        or digits == "777"
    )


def plate_tier(number: PlateNumber) -> str:
    """The price tier: "increased demand" numbers (001–009, 100…900, 111…999, 777, or three
    identical letters) cost more, and both together most. The fee of each tier is the service
    definition's (a multiple of the MCI), not this module's."""
    special = _special_digits(number.digits) + (len(set(number.letters)) == 1)
    return (PriceTier.STANDARD, PriceTier.INCREASED, PriceTier.PREMIUM)[special]


# --- Driving licences ---------------------------------------------------------------------------

LICENCE_VALIDITY_YEARS: Final = 10
# Who may be issued each category (age, experience, towing category) is dated data, read by
# `licence_rules`; here only the spelling and the validity.

VEHICLE_CATEGORIES: Final = ("A", "A1", "B", "B1", "C", "C1", "D", "D1", "Tb", "Tm")


def category_normalise(text: str) -> str:
    """`b`, ` B `, `tb`, `TB` -> the registry's spelling (`B`, `Tb`)."""
    raw = text.strip()
    for category in CATEGORIES:
        if raw.upper() == category.upper():
            return category
    raise RuleError(
        ErrorCode.CATEGORY_INVALID,
        _("“%(category)s” is not a driving licence category.") % {"category": raw},
        category=raw,
    )


def categories_normalise(items: list[str] | tuple[str, ...]) -> list[str]:
    """Categories in the registry's order, each once."""
    wanted = {category_normalise(item) for item in items}
    if not wanted:
        raise RuleError(ErrorCode.CATEGORIES_EMPTY, _("Choose at least one category."))
    return [c for c in CATEGORIES if c in wanted]


def licence_expiry(issued: date) -> date:
    """A licence is valid 10 years: it expires on the tenth anniversary of its issue."""
    return add_years(issued, LICENCE_VALIDITY_YEARS)


def medical_valid_on(*, issued: date, expires: date, on: date) -> bool:
    """A medical certificate counts from its issue day to its expiry day, both included."""
    return issued <= on <= expires


def medical_covers(allowed: list[str], categories: list[str]) -> list[str]:
    """The categories the certificate does not allow (an empty list means it covers all)."""
    if not allowed:
        return []
    return [c for c in categories if c not in set(allowed)]
