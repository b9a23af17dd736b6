"""The monthly calculation index (MCI, МРП): the unit in which state duties and fees are set.

Why dated data: the budget law sets the MCI every year and has changed it mid-year (1 April
2022), and a duty is owed at the MCI in force on the day it is paid. So the values live in
`data/mci.yaml`, each with the day it takes effect, and every amount is computed for a day.

Why tiyn and Decimal: money is kept as a whole number of tiyn (1 tenge = 100 tiyn). Multiples of
the MCI can be fractional (0.5, 0.2…), so they are multiplied as Decimals and rounded half up to
the tiyn once, at the end; a float never touches an amount.
"""

from __future__ import annotations

import bisect
import itertools
import logging
from dataclasses import dataclass
from datetime import date
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


class MciNotDefined(QyzmetError):
    """Asked for the MCI on a day before the first value in the data: a gap in our data, not
    something the caller can fix, hence a server error."""

    code: str = ErrorCode.MCI_NOT_DEFINED
    status = 500
    default_message = _("The fee cannot be computed for this date.")


@dataclass(frozen=True)
class MciValue:
    since: date
    tenge: int
    act: str


def mci_values() -> tuple[MciValue, ...]:
    """Every MCI value in the data, oldest first."""
    return _load(_data_file())


def mci_on(day: date) -> int:
    """The MCI in tenge in force on `day`."""
    values = mci_values()
    position = bisect.bisect_right(values, day, key=lambda v: v.since) - 1
    if position < 0:
        first = values[0].since
        raise MciNotDefined(
            details={"day": day.isoformat(), "first_known": first.isoformat()},
        )
    value = values[position]
    if position == len(values) - 1 and day.year > value.since.year:
        # The budget law sets a new MCI every year: a later year without a value of its own is
        # almost certainly a table nobody has updated yet.
        _warn_stale(day.year, value)
    return value.tenge


def fee_tiyn(*, mci_multiple: Decimal | str, on: date) -> int:
    """A fee of `mci_multiple` MCI paid on `on`, in tiyn, rounded half up to the whole tiyn."""
    multiple = _multiple(mci_multiple)
    amount = Decimal(mci_on(on)) * TIYN_PER_TENGE * multiple
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


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
            "no MCI value for this year: using the last known one",
            extra={"year": year, "since": value.since.isoformat(), "tenge": value.tenge},
        )


def _data_file() -> Path:
    return Path(settings.BASE_DIR) / "data" / "mci.yaml"


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
