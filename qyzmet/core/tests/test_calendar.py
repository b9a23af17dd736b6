from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from qyzmet.core import calendar as calendar_module
from qyzmet.core.calendar import WorkingCalendar, local_today, working_calendar
from qyzmet.core.models import CalendarOverride

D = date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    """The calendar of the data files alone: no database, so the pure cases run without one."""
    return WorkingCalendar()


# --- terms ---------------------------------------------------------------------------------


def test_a_term_across_nauryz_and_a_weekend(cal: WorkingCalendar) -> None:
    # Received Friday 20 March 2026. Nauryz is Sat 21 - Mon 23; its Saturday and Sunday days off
    # move to Tue 24 and Wed 25. Then: Thu 26 (1), Fri 27 (2), weekend, Mon 30 (3), Tue 31 (4),
    # Wed 1 April (5).
    assert cal.add_working_days(D(2026, 3, 20), 5) == D(2026, 4, 1)
    assert cal.working_days_between(D(2026, 3, 20), D(2026, 4, 1)) == 5


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 6, 1), 1, D(2026, 6, 2)),  # Monday: the term starts Tuesday
        (D(2026, 6, 5), 1, D(2026, 6, 8)),  # Friday -> Monday
        (D(2026, 6, 6), 1, D(2026, 6, 8)),  # received on a Saturday -> Monday
        (D(2026, 6, 1), 5, D(2026, 6, 8)),
        (D(2026, 6, 1), 10, D(2026, 6, 15)),
        (D(2026, 5, 26), 1, D(2026, 5, 28)),  # Kurban Ait, Wed 27 May, is skipped
        (D(2026, 5, 8), 1, D(2026, 5, 12)),  # Victory Day Sat 9 May: Monday 11 is off
        (D(2026, 4, 30), 3, D(2026, 5, 6)),  # 1 May Friday off: Mon 4, Tue 5, Wed 6
        (D(2026, 12, 15), 1, D(2026, 12, 17)),  # Independence Day, Wed 16 December
        (D(2025, 12, 30), 3, D(2026, 1, 6)),  # Dec 31, then 1-4 January off, Jan 5 and 6
        (D(2024, 12, 31), 1, D(2025, 1, 5)),  # 1-3 Jan off, Sunday 5 January 2025 is working
        (D(2024, 5, 3), 1, D(2024, 5, 4)),  # Saturday 4 May 2024 was a working day
        (D(2024, 5, 6), 1, D(2024, 5, 10)),  # 7, 8 (moved) and 9 May 2024 off
        # January 2026 has 19 working days (1-2 and 7 off); 11 more in February.
        (D(2026, 1, 1), 30, D(2026, 2, 16)),
    ],
)
def test_add_working_days_exact(
    cal: WorkingCalendar, start: date, days: int, expected: date
) -> None:
    assert cal.add_working_days(start, days) == expected


def test_the_day_of_receipt_is_not_counted_unless_asked(cal: WorkingCalendar) -> None:
    monday, saturday = D(2026, 6, 1), D(2026, 6, 6)
    assert cal.add_working_days(monday, 1) == D(2026, 6, 2)
    assert cal.add_working_days(monday, 1, count_start=True) == monday
    assert cal.add_working_days(monday, 5, count_start=True) == D(2026, 6, 5)
    # A Saturday cannot count: the first day is Monday either way.
    assert cal.add_working_days(saturday, 1, count_start=True) == D(2026, 6, 8)


def test_a_term_of_zero_days_ends_on_the_next_working_day_at_the_latest(
    cal: WorkingCalendar,
) -> None:
    assert cal.add_working_days(D(2026, 6, 1), 0) == D(2026, 6, 1)
    assert cal.add_working_days(D(2026, 6, 6), 0) == D(2026, 6, 8)  # Saturday
    assert cal.add_working_days(D(2026, 3, 21), 0) == D(2026, 3, 26)  # Nauryz
    assert cal.add_working_days(D(2026, 3, 21), 0, count_start=True) == D(2026, 3, 26)


def test_a_negative_term_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        cal.add_working_days(D(2026, 6, 1), -1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 6, 1), D(2026, 6, 2)),  # strictly after, even from a working day
        (D(2026, 6, 5), D(2026, 6, 8)),
        (D(2026, 3, 20), D(2026, 3, 26)),
        (D(2025, 12, 31), D(2026, 1, 5)),
    ],
)
def test_next_working_day(cal: WorkingCalendar, day: date, expected: date) -> None:
    assert cal.next_working_day(day) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 6, 1), D(2026, 6, 1), 0),
        (D(2026, 6, 1), D(2026, 6, 2), 1),
        (D(2026, 6, 5), D(2026, 6, 7), 0),  # Friday to Sunday
        (D(2026, 6, 5), D(2026, 6, 8), 1),
        (D(2026, 3, 20), D(2026, 3, 25), 0),  # all of Nauryz is off
        (D(2026, 4, 1), D(2026, 3, 20), -5),
        (D(2025, 12, 31), D(2026, 1, 5), 1),
        (D(2025, 12, 31), D(2026, 12, 31), 246),  # the whole of 2026
        (D(2023, 12, 31), D(2027, 12, 31), 249 + 246 + 246 + 247),
    ],
)
def test_working_days_between(cal: WorkingCalendar, start: date, end: date, expected: int) -> None:
    assert cal.working_days_between(start, end) == expected


IN_DATA = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 6, 30))


@given(start=IN_DATA, days=st.integers(min_value=1, max_value=120))
def test_counting_undoes_adding(start: date, days: int) -> None:
    cal = WorkingCalendar()
    end = cal.add_working_days(start, days)
    assert cal.is_working_day(end)
    assert cal.working_days_between(start, end) == days
    assert cal.working_days_between(start, end - timedelta(days=1)) == days - 1  # the first such
    assert cal.working_days_between(end, start) == -days


@given(start=IN_DATA, end=IN_DATA)
def test_adding_undoes_counting(start: date, end: date) -> None:
    cal = WorkingCalendar()
    count = cal.working_days_between(start, end)
    assert cal.working_days_between(end, start) == -count
    if count > 0:
        back = cal.add_working_days(start, count)
        assert back <= end
        assert cal.working_days_between(back, end) == 0
        assert back == end or not cal.is_working_day(end)


@given(start=IN_DATA, days=st.integers(min_value=1, max_value=60))
def test_the_fast_path_agrees_with_walking_day_by_day(start: date, days: int) -> None:
    cal = WorkingCalendar()
    day, left = start, days
    while left:
        day += timedelta(days=1)
        left -= cal.is_working_day(day)
    assert cal.add_working_days(start, days) == day


# --- the rules and the data ----------------------------------------------------------------


def test_a_holiday_on_a_sunday_gives_the_monday_off(cal: WorkingCalendar) -> None:
    # 8 March 2026 is a Sunday: Monday 9 March is the day off, Tuesday is working again.
    assert not cal.is_working_day(D(2026, 3, 9))
    assert cal.holiday_name(D(2026, 3, 9), "en") == "International Women's Day (day off moved)"
    assert cal.holiday_name(D(2026, 3, 8), "en") == "International Women's Day"
    assert cal.is_working_day(D(2026, 3, 10))


def test_the_days_off_moved_in_2026_are_the_published_ones(cal: WorkingCalendar) -> None:
    data = cal.year_data(2026)
    assert data is not None
    moved = {m.holiday.day: m.day for m in data.moved}
    assert moved == {
        D(2026, 3, 8): D(2026, 3, 9),
        D(2026, 3, 21): D(2026, 3, 24),  # past Monday 23, itself Nauryz
        D(2026, 3, 22): D(2026, 3, 25),
        D(2026, 5, 9): D(2026, 5, 11),
        D(2026, 8, 30): D(2026, 8, 31),
        D(2026, 10, 25): D(2026, 10, 26),
    }


@pytest.mark.parametrize(
    ("holiday", "next_day"),
    [
        (D(2024, 1, 7), D(2024, 1, 8)),  # Orthodox Christmas on a Sunday
        (D(2024, 6, 16), D(2024, 6, 17)),  # Kurban Ait on a Sunday
        (D(2027, 5, 16), D(2027, 5, 17)),  # Kurban Ait on a Sunday
    ],
)
def test_a_religious_holiday_on_a_weekend_does_not_move(
    cal: WorkingCalendar, holiday: date, next_day: date
) -> None:
    assert holiday.weekday() == 6
    assert cal.holiday_name(holiday, "en") is not None
    assert cal.is_working_day(next_day)
    assert cal.holiday_name(next_day, "en") is None


def test_transfer_acts_from_the_files(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(D(2024, 5, 4))  # a Saturday
    assert not cal.is_working_day(D(2024, 5, 8))  # a Wednesday
    assert cal.holiday_name(D(2024, 5, 8), "ru") == "Выходной день (перенесён с 4 мая)"
    assert cal.holiday_name(D(2024, 5, 4), "ru") is None
    assert not cal.is_working_day(D(2025, 1, 3))  # a Friday
    assert cal.is_working_day(D(2025, 1, 5))  # a Sunday


@pytest.mark.parametrize(
    ("year", "working", "off"),
    [(2025, 246, 119), (2026, 246, 119), (2027, 247, 118)],  # 2025, 2026: as published
)
def test_year_totals(cal: WorkingCalendar, year: int, working: int, off: int) -> None:
    summary = cal.year_summary(year)
    assert (summary.working_days, summary.days_off) == (working, off)


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (D(2026, 3, 22), "kk", "Наурыз мейрамы"),
        (D(2026, 3, 24), "kk", "Наурыз мейрамы (ауыстырылған демалыс күні)"),
        (D(2026, 3, 24), "ru", "Наурыз мейрамы (перенесённый выходной день)"),
        (D(2026, 5, 27), "ru", "Курбан айт"),
        (D(2026, 5, 27), "kk", "Құрбан айт"),
        (D(2026, 12, 16), "kk", "Тәуелсіздік күні"),
        (D(2026, 12, 16), "ru-ru", "День Независимости"),
        (D(2026, 12, 16), "en-GB", "Independence Day"),
        (D(2026, 12, 16), "de", "Independence Day"),  # an unknown language reads English
        (D(2026, 6, 6), "en", None),  # an ordinary Saturday
        (D(2026, 6, 1), "en", None),  # a working day
    ],
)
def test_holiday_names(cal: WorkingCalendar, day: date, language: str, expected: str) -> None:
    assert cal.holiday_name(day, language) == expected


def test_beyond_the_data_only_weekends_are_off_and_the_log_says_so_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(calendar_module, "_warned_years", set())
    cal = WorkingCalendar()
    with caplog.at_level(logging.WARNING, logger="qyzmet.core.calendar"):
        assert cal.is_working_day(D(2030, 1, 1))  # New Year, but no file for 2030
        assert not cal.is_working_day(D(2030, 1, 5))  # Saturday
        assert cal.holiday_name(D(2030, 1, 1), "en") is None
        assert cal.add_working_days(D(2030, 1, 4), 1) == D(2030, 1, 7)
        WorkingCalendar().is_working_day(D(2030, 3, 8))  # another instance: still once
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [getattr(r, "year", None) for r in warnings] == [2030]


def test_a_term_runs_on_past_the_data(cal: WorkingCalendar) -> None:
    # 2027-12-31 is a Friday; 2028 has no file, so Monday 3 January 2028 is the first day.
    assert cal.add_working_days(D(2027, 12, 31), 1) == D(2028, 1, 3)


# --- overrides in the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_override_wins_over_the_file_and_is_seen_at_once() -> None:
    assert not working_calendar().is_working_day(D(2026, 3, 9))

    row = CalendarOverride.objects.create(date=D(2026, 3, 9), working=True, reason="Test act")
    CalendarOverride.objects.create(date=D(2026, 6, 1), working=False, reason="Decree No. 1")

    cal = working_calendar()
    assert cal.is_working_day(D(2026, 3, 9))
    assert cal.holiday_name(D(2026, 3, 9), "en") is None
    assert not cal.is_working_day(D(2026, 6, 1))
    assert cal.holiday_name(D(2026, 6, 1), "kk") == "Decree No. 1"
    assert cal.add_working_days(D(2026, 5, 29), 1) == D(2026, 6, 2)

    row.working = False
    row.save()
    assert not working_calendar().is_working_day(D(2026, 3, 9))
    row.delete()
    CalendarOverride.objects.filter(date=D(2026, 6, 1)).delete()
    assert working_calendar().is_working_day(D(2026, 6, 1))


@pytest.mark.django_db
def test_the_calendar_is_reused_while_nothing_changes(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    first = working_calendar()
    with django_assert_num_queries(1):  # the version check, nothing more
        again = working_calendar()
    assert again is first


@pytest.mark.django_db
def test_a_busy_process_checks_the_overrides_only_every_few_seconds(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    settings.QYZMET_CALENDAR_RECHECK_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr(calendar_module.time, "monotonic", lambda: clock[0])
    calendar_module.working_calendar_forget()
    first = working_calendar()
    with django_assert_num_queries(0):
        assert working_calendar() is first
    # another process adds an override (no signal reaches this one): seen after the recheck time
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=D(2026, 6, 1), working=False, reason="Decree No. 2")]
    )
    clock[0] += 4.9
    assert working_calendar().is_working_day(D(2026, 6, 1))
    clock[0] += 0.2
    assert not working_calendar().is_working_day(D(2026, 6, 1))
    # a change made in this process is seen at once, whatever the clock says
    CalendarOverride.objects.create(date=D(2026, 6, 2), working=False, reason="Decree No. 3")
    assert not working_calendar().is_working_day(D(2026, 6, 2))
    CalendarOverride.objects.filter(date=D(2026, 6, 2)).delete()
    assert working_calendar().is_working_day(D(2026, 6, 2))


@pytest.mark.django_db
def test_calendar_show_prints_the_year() -> None:
    CalendarOverride.objects.create(date=D(2026, 12, 31), working=False, reason="Test decree")
    out = StringIO()
    call_command("calendar_show", "2026", stdout=out)
    text = out.getvalue()
    assert "2026-03-08 Sun  International Women's Day  -> day off moved to 2026-03-09 Mon" in text
    assert "2026-05-27 Wed  Kurban Ait  [religious: never moved]" in text
    assert "2026-12-31 Thu  day off  (Test decree)" in text
    assert "Working days: 245; days off: 120" in text


@pytest.mark.django_db
def test_calendar_show_prints_a_transfer_in_kazakh() -> None:
    out = StringIO()
    call_command("calendar_show", "2024", "--language", "kk", stdout=out)
    assert "2024-03-22 Fri  Наурыз мейрамы" in out.getvalue()
    assert "2024-05-04 Sat  working day  (Order of the Minister" in out.getvalue()


# --- the clock -----------------------------------------------------------------------------


def test_today_is_the_date_in_almaty() -> None:
    # 19:30 UTC on 20 March is already 21 March in Almaty.
    with time_machine.travel(datetime(2026, 3, 20, 19, 30, tzinfo=UTC), tick=False):
        assert local_today() == D(2026, 3, 21)


# --- checking the files --------------------------------------------------------------------

GOOD = """
year: 2031
source: test
moved_day_off_label: {kk: "{name} *", ru: "{name} *", en: "{name} *"}
holidays:
  - {date: 2031-03-08, key: womens_day, name: {kk: a, ru: b, en: c}}
transfers: []
"""


def _calendar_with(tmp_path: Path, text: str) -> WorkingCalendar:
    (tmp_path / "kz-2031.yaml").write_text(text, encoding="utf-8")
    return WorkingCalendar(data_dir=tmp_path)


def test_a_file_in_another_directory(tmp_path: Path) -> None:
    cal = _calendar_with(tmp_path, GOOD)
    assert not cal.is_working_day(D(2031, 3, 10))  # 8 March 2031 is a Saturday
    assert cal.holiday_name(D(2031, 3, 10), "en") == "c *"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("key: womens_day", "kee: womens_day"), "unknown"),
        (("year: 2031", "year: 2032"), "file name says 2031"),
        (("2031-03-08", "2030-03-08"), "not a date"),
        (("en: c}", "de: c}"), "missing"),
        (('{name} *"}', '*"}'), "{name}"),
        (("transfers: []", "transfers: [{date: 2031-03-11, working: true, act: x}]"), "already"),
        (("transfers: []", "transfers: [{date: 2031-03-15, working: false, act: x}]"), "already"),
        (("transfers: []", "transfers: [{date: 2031-03-12, working: false, act: x}]"), "needs"),
    ],
)
def test_a_mistake_in_a_file_is_an_error(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    cal = _calendar_with(tmp_path, GOOD.replace(*change))
    with pytest.raises(ImproperlyConfigured, match=message):
        cal.is_working_day(D(2031, 1, 1))
