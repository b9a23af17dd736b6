from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "28 қараша 2026 ж."), ("ru", "28 ноября 2026 г."), ("en", "Nov. 28, 2026")],
)
def test_dates_read_naturally_in_each_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert formats.date_format(date(2026, 11, 28)) == expected


def test_kazakh_month_names_are_the_in_date_forms_for_every_month() -> None:
    expected = ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
                "қыркүйек", "қазан", "қараша", "желтоқсан"]  # fmt: skip
    with translation.override("kk"):
        got = [formats.date_format(date(2026, m, 1)).split()[1] for m in range(1, 13)]
    assert got == expected


def test_kazakh_numbers_group_with_a_space_and_use_a_decimal_comma() -> None:
    with translation.override("kk"):
        assert formats.number_format(Decimal("1234567.89"), 2, force_grouping=True) == (
            "1\xa0234\xa0567,89"
        )


def test_kazakh_short_datetime() -> None:
    moment = datetime(2026, 3, 22, 9, 5, tzinfo=ZoneInfo("Asia/Almaty"))
    with translation.override("kk"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "22.03.2026 09:05"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "22 наурыз 2026 ж. 09:05"
