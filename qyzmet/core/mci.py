"""The monthly calculation index (MCI, МРП): the unit in which state duties and fees are set.

Why dated data: the budget law sets the MCI every year and has changed it mid-year (1 April
2022), and a duty is owed at the MCI in force on the day it is paid. So the values live in
`data/mci.yaml`, each with the day it takes effect, and every amount is computed for a day.

Why no fallback: from 1 January a year whose MCI is not in the data would be charged at last
year's value. `mci_on` (and so every fee charged) refuses such a day with `mci_missing`; the
catalogue may show `fee_estimate`, which says it is provisional; and `mci_health` tells
`/healthz` and the staff pages of a year that has begun, or begins within
`MCI_WARN_DAYS`, without its value.

Why tiyn and Decimal: money is kept as a whole number of tiyn (1 tenge = 100 tiyn). Multiples of
the MCI can be fractional (0.5, 0.2…), so they are multiplied as Decimals and rounded half up to
the tiyn once, at the end; a float never touches an amount.
"""

from __future__ import annotations

import bisect
import itertools
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import ErrorCode, QyzmetError

logger = logging.getLogger(__name__)

TIYN_PER_TENGE = 100
# How long before a year begins its missing MCI is reported.
MCI_WARN_DAYS = 30


class MciNotDefined(QyzmetError):
    """Asked for the MCI on a day before the first value in the data: a gap in our data, not
    something the caller can fix, hence a server error."""

    code: str = ErrorCode.MCI_NOT_DEFINED
    status = 500
    default_message = _("The fee cannot be computed for this date.")


class MciMissing(QyzmetError):
    """Asked for the MCI on a day of a year the data has no value for yet: a fee computed from
    last year's would be wrong, so none is, until the year's value is added to the data."""

    code: str = ErrorCode.MCI_MISSING
    status = 503
    default_message = _(
        "Fees cannot be computed yet: the monthly calculation index for this year is not in the "
        "portal's data. Please try again later."
    )


@dataclass(frozen=True)
class MciValue:
    since: date
    tenge: int
    act: str


def mci_values() -> tuple[MciValue, ...]:
    """Every MCI value in the data, oldest first."""
    return _load(mci_data_file())


def mci_last_known(day: date) -> MciValue:
    """The last value in the data that took effect on or before `day`, whether or not it is of
    `day`'s year."""
    values = mci_values()
    position = bisect.bisect_right(values, day, key=lambda v: v.since) - 1
    if position < 0:
        first = values[0].since
        raise MciNotDefined(
            details={"day": day.isoformat(), "first_known": first.isoformat()},
        )
    return values[position]


def mci_year_missing(year: int) -> bool:
    """Whether `year` has no value of its own: the budget law sets a new MCI every year, so a
    later year without one is a table nobody has updated yet."""
    return mci_values()[-1].since.year < year


def mci_on(day: date) -> int:
    """The MCI in tenge in force on `day`; `MciMissing` for a year the data does not reach."""
    value = mci_last_known(day)
    if mci_year_missing(day.year):
        _warn_stale(day.year, value)
        raise MciMissing(details={"year": day.year, "last_known_since": value.since.isoformat()})
    return value.tenge


def _amount(multiple: Decimal, tenge: int) -> int:
    amount = Decimal(tenge) * TIYN_PER_TENGE * multiple
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fee_tiyn(*, mci_multiple: Decimal | str, on: date) -> int:
    """A fee of `mci_multiple` MCI paid on `on`, in tiyn, rounded half up to the whole tiyn.
    A free service (0 MCI) costs nothing whatever the data holds."""
    multiple = _multiple(mci_multiple)
    if not multiple:
        return 0
    return _amount(multiple, mci_on(on))


@dataclass(frozen=True)
class FeeEstimate:
    tiyn: int
    provisional: bool  # computed from an earlier year's MCI: the year's own is not in the data


def fee_estimate(*, mci_multiple: Decimal | str, on: date) -> FeeEstimate:
    """What a fee will cost on `on`, for showing before anything is charged: from the last known
    MCI when the year's is missing, and then marked `provisional` for the reader to be told."""
    multiple = _multiple(mci_multiple)
    if not multiple:
        return FeeEstimate(tiyn=0, provisional=False)
    value = mci_last_known(on)
    return FeeEstimate(tiyn=_amount(multiple, value.tenge), provisional=mci_year_missing(on.year))


def mci_health(today: date) -> dict[str, Any]:
    """For `/healthz` and the staff pages: the years that have begun, or begin within
    `MCI_WARN_DAYS`, without their MCI in the data (`ok` when there are none)."""
    years = sorted({today.year, (today + timedelta(days=MCI_WARN_DAYS)).year})
    missing = [year for year in years if mci_year_missing(year)]
    return {
        "ok": not missing,
        "missing_years": missing,
        "last_known_since": mci_values()[-1].since.isoformat(),
    }


def format_tenge(tiyn: int, language: str) -> str:
    """`tiyn` as tenge for people, in the language's number format: "2 162,50 ₸" in kk and ru,
    "2,162.50 ₸" in en (the spaces are non-breaking, so an amount never wraps)."""
    if isinstance(tiyn, bool) or not isinstance(tiyn, int):
        raise TypeError("amounts are whole tiyn (int)")
    tenge = Decimal(tiyn).scaleb(-2)
    with translation.override(language):
        number = formats.number_format(tenge, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number}\N{NO-BREAK SPACE}₸"


def _multiple(value: Decimal | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("pass the MCI multiple as a Decimal or a string, never a float")
    if not isinstance(value, Decimal | str):
        raise TypeError("pass the MCI multiple as a Decimal or a string")
    try:
        multiple = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not multiple.is_finite() or multiple < 0:
        raise ValueError(f"an MCI multiple is a finite number, 0 or more: {value!r}")
    return multiple


_warned_years: set[int] = set()


def _warn_stale(year: int, value: MciValue) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        logger.warning(
            "no MCI value for this year: fees are refused until it is added",
            extra={"year": year, "since": value.since.isoformat(), "tenge": value.tenge},
        )


def mci_data_file() -> Path:
    """The dated table of values (`QYZMET_MCI_FILE`; some tests point it at tables of their own)."""
    return Path(settings.QYZMET_MCI_FILE)


@cache
def _load(path: Path) -> tuple[MciValue, ...]:
    with path.open(encoding="utf-8") as stream:
        raw = yaml.safe_load(stream)
    return _parse(raw, origin=path.name)


def _parse(raw: Any, *, origin: str) -> tuple[MciValue, ...]:
    def fail(message: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"MCI data {origin}: {message}")

    if not isinstance(raw, dict) or set(raw) != {"source", "values"}:
        raise fail("the file must have exactly `source` and `values`")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        raise fail("source must say where the values come from")
    if not isinstance(raw["values"], list) or not raw["values"]:
        raise fail("values must be a non-empty list")
    values = []
    for number, item in enumerate(raw["values"], start=1):
        if not isinstance(item, dict) or set(item) != {"since", "tenge", "act"}:
            raise fail(f"value {number} must have exactly since, tenge and act")
        since, tenge, act = item["since"], item["tenge"], item["act"]
        if not isinstance(since, date):
            raise fail(f"value {number}: since must be a date (YYYY-MM-DD)")
        if isinstance(tenge, bool) or not isinstance(tenge, int) or tenge <= 0:
            raise fail(f"value {number}: tenge must be a whole positive number")
        if not isinstance(act, str) or not act.strip():
            raise fail(f"value {number}: act must name the law that set the value")
        values.append(MciValue(since=since, tenge=tenge, act=act.strip()))
    if any(a.since >= b.since for a, b in itertools.pairwise(values)):
        raise fail("values must be in date order, one per date")
    return tuple(values)
