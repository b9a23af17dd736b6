"""Kazakhstan's working-day calendar, on which every application's deadline is counted.

Why data: the law fixes the holidays, but their days off move, by a rule (a non-religious holiday
on a Saturday or Sunday gives the next working day off) and by yearly transfer acts, and Kurban
Ait follows the lunar calendar. So each year is a file, `data/calendar/kz-<year>.yaml`; this
module derives the moved days off from the rule, the file lists the transfer acts, and an operator
can correct any day from the database (`CalendarOverride`) without a release. A year without a
file falls back to "Saturday and Sunday are days off" and says so once in the log.

Why tables: deadlines are computed in sweeps over many applications, so each year becomes a table
of working days with running totals; adding or counting working days is then a bisection, not a
walk. Dates are `date`s in Kazakhstan (see `local_today`), never datetimes.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from qyzmet.core.models import CalendarOverride

logger = logging.getLogger(__name__)

LANGUAGES = ("kk", "ru", "en")
ALMATY = ZoneInfo("Asia/Almaty")
_ONE_DAY = timedelta(days=1)


def local_today() -> date:
    """Today in Kazakhstan: a term counted from a receipt late in the evening in Almaty starts
    from that Almaty date, whatever time zone the server or the request is in."""
    return timezone.localdate(timezone=ALMATY)


def add_years(day: date, years: int) -> date:
    """The same day `years` later (earlier when negative); 29 February becomes 28 February in
    a year without it (so someone born on 29 February comes of age on 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "calendar"


@dataclass(frozen=True)
class Holiday:
    day: date
    key: str
    names: Mapping[str, str]
    religious: bool


@dataclass(frozen=True)
class MovedDayOff:
    """The working day that became a day off because `holiday` fell on a weekend."""

    day: date
    holiday: Holiday


@dataclass(frozen=True)
class Transfer:
    """One day changed by a transfer act: a day off made working, or a working day made off."""

    day: date
    working: bool
    act: str
    names: Mapping[str, str] | None


@dataclass(frozen=True)
class Override:
    day: date
    working: bool
    reason: str


@dataclass(frozen=True)
class YearData:
    """One year's file, checked, with the days off moved by the rule derived."""

    year: int
    source: str
    holidays: tuple[Holiday, ...]
    moved: tuple[MovedDayOff, ...]
    transfers: tuple[Transfer, ...]
    moved_label: Mapping[str, str]


@dataclass(frozen=True)
class YearSummary:
    year: int
    data: YearData | None  # None: no file for the year, so weekends only
    overrides: tuple[Override, ...]
    working_days: int
    days_off: int


@dataclass(frozen=True)
class _YearTable:
    first_ordinal: int
    working: tuple[bool, ...]
    running: tuple[int, ...]  # running[i]: working days among the year's first i days
    names: Mapping[date, Mapping[str, str]]  # why a day is off, for the non-working days


class WorkingCalendar:
    """Working days of Kazakhstan for any date: the yearly files, then `overrides` on top.

    Immutable once built; `working_calendar()` hands out the current one. Year tables are built
    on first use, so an instance costs nothing for the years it is not asked about.
    """

    def __init__(
        self,
        *,
        overrides: Iterable[Override] = (),
        data_dir: Path | None = None,
    ) -> None:
        self._data_dir = data_dir if data_dir is not None else default_data_dir()
        self._overrides: dict[int, list[Override]] = {}
        for override in sorted(overrides, key=lambda o: o.day):
            self._overrides.setdefault(override.day.year, []).append(override)
        self._tables: dict[int, _YearTable] = {}

    # --- questions about one day ---------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        table = self._table(day.year)
        return table.working[day.toordinal() - table.first_ordinal]

    def holiday_name(self, day: date, language: str) -> str | None:
        """Why `day` is a day off, in `language` (kk, ru or en): a holiday, a day off moved by
        the rule or by an act, or an operator's reason. None for working days and for ordinary
        Saturdays and Sundays."""
        names = self._table(day.year).names.get(day)
        if names is None:
            return None
        return names.get(_language(language)) or names["en"]

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.add_working_days(day, 1)

    # --- terms ---------------------------------------------------------------------------------

    def add_working_days(self, start: date, days: int, *, count_start: bool = False) -> date:
        """The day on which a term of `days` working days from `start` ends.

        The day of receipt is not counted by default: the term starts on the next day, so the
        result is the `days`-th working day after `start`. With `count_start`, `start` itself is
        the first day when it is a working day. A term of 0 days ends on `start` if it is a
        working day, else on the next working day.
        """
        if days < 0:
            raise ValueError("a term is a number of working days, 0 or more")
        table = self._table(start.year)
        index = start.toordinal() - table.first_ordinal
        if days == 0:
            if table.working[index]:
                return start
            days, count_start = 1, False
        # The running total that the last day of the term brings the year to.
        needed = table.running[index if count_start else index + 1] + days
        year = start.year
        while needed > table.running[-1]:
            needed -= table.running[-1]
            year += 1
            table = self._table(year)
        position = bisect.bisect_left(table.running, needed)
        return date.fromordinal(table.first_ordinal + position - 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`: the days a term that began on
        `start` has used by `end`. Negative (the same count) when `end` is before `start`."""
        if end < start:
            return -self.working_days_between(end, start)
        first = self._table(start.year)
        before = first.running[start.toordinal() - first.first_ordinal + 1]
        last = self._table(end.year)
        through = last.running[end.toordinal() - last.first_ordinal + 1]
        years_between = sum(self._table(y).running[-1] for y in range(start.year, end.year))
        return years_between + through - before

    # --- a whole year --------------------------------------------------------------------------

    def year_data(self, year: int) -> YearData | None:
        return _load_year(self._data_dir, year)

    def year_summary(self, year: int) -> YearSummary:
        table = self._table(year)
        working = table.running[-1]
        return YearSummary(
            year=year,
            data=self.year_data(year),
            overrides=tuple(self._overrides.get(year, ())),
            working_days=working,
            days_off=len(table.working) - working,
        )

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            # Two threads may build the same year at once; both results are equal.
            table = _build_table(year, self.year_data(year), self._overrides.get(year, ()))
            self._tables[year] = table
        return table


# --- the current calendar, with the operators' overrides -------------------------------------

_current: tuple[tuple[int, Any], WorkingCalendar] | None = None
_checked_at = -math.inf  # time.monotonic() of the last version check


def working_calendar() -> WorkingCalendar:
    """The calendar with the operators' overrides, rebuilt only when an override changed.

    A change made in this process is seen at once (saving or deleting an override forgets the
    calendar); one made by another process is noticed by a version check (one aggregate query:
    count and latest change of the overrides) made at most every
    `QYZMET_CALENDAR_RECHECK_SECONDS`, so a busy server does not ask on every request.
    """
    global _current, _checked_at
    current = _current
    now = time.monotonic()
    if current is not None and now - _checked_at < settings.QYZMET_CALENDAR_RECHECK_SECONDS:
        return current[1]
    stats = CalendarOverride.objects.aggregate(count=Count("pk"), last=Max("updated_at"))
    version = (stats["count"], stats["last"])
    _checked_at = now
    if current is not None and current[0] == version:
        return current[1]
    # Read after the version: a change in between only makes the next call rebuild again.
    overrides = [
        Override(day=row.date, working=row.working, reason=row.reason)
        for row in CalendarOverride.objects.all()
    ]
    calendar = WorkingCalendar(overrides=overrides)
    _current = (version, calendar)
    return calendar


def working_calendar_forget(**_kwargs: Any) -> None:
    """Drop the calendar of this process (connected to overrides' save and delete)."""
    global _current, _checked_at
    _current = None
    _checked_at = -math.inf


post_save.connect(working_calendar_forget, sender=CalendarOverride, dispatch_uid="calendar-save")
post_delete.connect(
    working_calendar_forget, sender=CalendarOverride, dispatch_uid="calendar-delete"
)


# --- building a year ---------------------------------------------------------------------------

_warned_years: set[int] = set()


def _build_table(year: int, data: YearData | None, overrides: Iterable[Override]) -> _YearTable:
    first = date(year, 1, 1)
    length = (date(year + 1, 1, 1) - first).days if year < date.max.year else 365
    working = [(first + timedelta(days=i)).weekday() < 5 for i in range(length)]
    names: dict[date, Mapping[str, str]] = {}

    def mark(day: date, is_working: bool) -> None:
        working[(day - first).days] = is_working

    if data is None:
        if year not in _warned_years:
            _warned_years.add(year)
            logger.warning(
                "no working-day calendar for this year: only weekends are days off",
                extra={"year": year},
            )
    else:
        for holiday in data.holidays:
            mark(holiday.day, False)
            known = names.get(holiday.day)
            names[holiday.day] = holiday.names if known is None else _joined(known, holiday.names)
        for moved in data.moved:
            mark(moved.day, False)
            names[moved.day] = {
                lang: data.moved_label[lang].format(name=moved.holiday.names[lang])
                for lang in LANGUAGES
            }
        for transfer in data.transfers:
            mark(transfer.day, transfer.working)
            if transfer.names is not None:
                names[transfer.day] = transfer.names
    for override in overrides:
        mark(override.day, override.working)
        if not override.working:
            names[override.day] = dict.fromkeys(LANGUAGES, override.reason)

    running = [0]
    for is_working in working:
        running.append(running[-1] + is_working)
    return _YearTable(
        first_ordinal=first.toordinal(),
        working=tuple(working),
        running=tuple(running),
        names={day: n for day, n in names.items() if not working[(day - first).days]},
    )


def _joined(first: Mapping[str, str], second: Mapping[str, str]) -> dict[str, str]:
    return {lang: f"{first[lang]}; {second[lang]}" for lang in LANGUAGES}


def _language(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def _moved_days_off(holidays: Iterable[Holiday]) -> tuple[MovedDayOff, ...]:
    """Labour Code: a day off that coincides with a holiday moves to the next working day.

    Religious holidays are days off by themselves and give no extra day. A moved day skips
    weekends, holidays and the days already taken by an earlier move (Nauryz on a weekend can
    push its days off past each other).
    """
    holidays = sorted(holidays, key=lambda h: h.day)
    holiday_days = {h.day for h in holidays}
    taken: set[date] = set()
    moved = []
    for holiday in holidays:
        if holiday.religious or holiday.day.weekday() < 5:
            continue
        day = holiday.day + _ONE_DAY
        while day.weekday() >= 5 or day in holiday_days or day in taken:
            day += _ONE_DAY
        taken.add(day)
        moved.append(MovedDayOff(day=day, holiday=holiday))
    return tuple(moved)


# --- reading the files -------------------------------------------------------------------------


@cache
def _load_year(directory: Path, year: int) -> YearData | None:
    path = directory / f"kz-{year}.yaml"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as stream:
        raw = yaml.safe_load(stream)
    return _parse_year(raw, year=year, origin=path.name)


def _fail(origin: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"calendar data {origin}: {message}")


def _mapping(
    value: Any, origin: str, where: str, *, required: set[str], optional: set[str] | None = None
) -> dict[str, Any]:
    """`value` as a mapping with exactly the keys allowed: a typo in a key is an error, not a
    silently ignored entry."""
    if not isinstance(value, dict):
        raise _fail(origin, f"{where} must be a mapping")
    missing = required - value.keys()
    unknown = value.keys() - required - (optional or set())
    if missing or unknown:
        raise _fail(origin, f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return value


def _names(value: Any, origin: str, where: str) -> dict[str, str]:
    names = _mapping(value, origin, where, required=set(LANGUAGES))
    if not all(isinstance(text, str) and text.strip() for text in names.values()):
        raise _fail(origin, f"{where}: every name must be non-empty text")
    return {lang: names[lang].strip() for lang in LANGUAGES}


def _day(value: Any, origin: str, where: str, year: int) -> date:
    if not isinstance(value, date) or value.year != year:
        raise _fail(origin, f"{where}: {value!r} is not a date (YYYY-MM-DD) in {year}")
    return value


def _parse_year(raw: Any, *, year: int, origin: str) -> YearData:
    top = _mapping(
        raw,
        origin,
        "the file",
        required={"year", "source", "moved_day_off_label", "holidays", "transfers"},
    )
    if top["year"] != year:
        raise _fail(origin, f"year is {top['year']!r}, the file name says {year}")
    if not isinstance(top["source"], str) or not top["source"].strip():
        raise _fail(origin, "source must say where the data comes from")
    label = _names(top["moved_day_off_label"], origin, "moved_day_off_label")
    if not all("{name}" in text for text in label.values()):
        raise _fail(origin, "moved_day_off_label must contain {name} in every language")
    if not isinstance(top["holidays"], list) or not isinstance(top["transfers"], list):
        raise _fail(origin, "holidays and transfers must be lists")

    holidays = []
    for number, item in enumerate(top["holidays"], start=1):
        where = f"holiday {number}"
        entry = _mapping(
            item, origin, where, required={"date", "key", "name"}, optional={"religious"}
        )
        religious = entry.get("religious", False)
        if not isinstance(religious, bool) or not isinstance(entry["key"], str):
            raise _fail(origin, f"{where}: key must be text and religious true or false")
        holidays.append(
            Holiday(
                day=_day(entry["date"], origin, where, year),
                key=entry["key"],
                names=_names(entry["name"], origin, where),
                religious=religious,
            )
        )
    moved = _moved_days_off(holidays)
    for item in moved:
        if item.day.year != year:
            raise _fail(origin, f"the day off for {item.holiday.day} would move into {item.day}")

    off_by_law = {h.day for h in holidays} | {m.day for m in moved}
    transfers = []
    for number, item in enumerate(top["transfers"], start=1):
        where = f"transfer {number}"
        entry = _mapping(
            item, origin, where, required={"date", "working", "act"}, optional={"name"}
        )
        day = _day(entry["date"], origin, where, year)
        working = entry["working"]
        if not isinstance(working, bool) or not isinstance(entry["act"], str):
            raise _fail(origin, f"{where}: working must be true or false and act text")
        off = day.weekday() >= 5 or day in off_by_law
        if working != off:
            state = "already a working day" if working else "already a day off"
            raise _fail(origin, f"{where}: {day} is {state}")
        if working and "name" in entry:
            raise _fail(origin, f"{where}: a day made working has no name")
        if not working and "name" not in entry:
            raise _fail(origin, f"{where}: a day made a day off needs its name in kk, ru and en")
        names = _names(entry["name"], origin, where) if "name" in entry else None
        transfers.append(Transfer(day=day, working=working, act=entry["act"], names=names))
    if len({t.day for t in transfers}) != len(transfers):
        raise _fail(origin, "a day appears in more than one transfer")

    return YearData(
        year=year,
        source=" ".join(top["source"].split()),
        holidays=tuple(sorted(holidays, key=lambda h: h.day)),
        moved=moved,
        transfers=tuple(sorted(transfers, key=lambda t: t.day)),
        moved_label=label,
    )
