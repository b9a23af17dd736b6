from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from qyzmet.core import mci as mci_module
from qyzmet.core.mci import (
    FeeEstimate,
    MciMissing,
    MciNotDefined,
    fee_estimate,
    fee_tiyn,
    format_tenge,
    mci_health,
    mci_on,
    mci_values,
)
from qyzmet.core.tests.mci_data import mci_through_2027

__all__ = ["mci_through_2027"]  # a fixture

D = date
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("day", "tenge"),
    [
        (D(2022, 1, 1), 3063),
        (D(2022, 3, 31), 3063),
        (D(2022, 4, 1), 3180),  # raised in the middle of the year
        (D(2022, 12, 31), 3180),
        (D(2023, 1, 1), 3450),
        (D(2023, 12, 31), 3450),
        (D(2024, 1, 1), 3692),
        (D(2024, 12, 31), 3692),
        (D(2025, 1, 1), 3932),
        (D(2025, 12, 31), 3932),
        (D(2026, 1, 1), 4325),
        (D(2026, 11, 28), 4325),
    ],
)
def test_the_mci_in_force_on_a_day(day: date, tenge: int) -> None:
    assert mci_on(day) == tenge


def test_before_the_first_value_is_a_clear_error() -> None:
    with pytest.raises(MciNotDefined) as caught:
        mci_on(D(2021, 12, 31))
    assert caught.value.code == "mci_not_defined"
    assert caught.value.details == {"day": "2021-12-31", "first_known": "2022-01-01"}


def test_a_year_past_the_data_is_refused_never_charged_at_the_old_value(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, mci_through_2027: Path
) -> None:
    monkeypatch.setattr(mci_module, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="qyzmet.core.mci"):
        with pytest.raises(MciMissing) as caught:
            mci_on(D(2028, 1, 2))
        with pytest.raises(MciMissing):
            fee_tiyn(mci_multiple="1", on=D(2028, 9, 1))
    assert caught.value.code == "mci_missing"
    assert caught.value.status == 503
    assert caught.value.details == {"year": 2028, "last_known_since": "2027-01-01"}
    assert [getattr(r, "year", None) for r in caplog.records] == [2028]
    assert mci_on(D(2027, 12, 31)) == 4500


def test_a_free_service_costs_nothing_even_without_the_year_s_mci(mci_through_2027: Path) -> None:
    assert fee_tiyn(mci_multiple="0", on=D(2028, 1, 2)) == 0
    assert fee_estimate(mci_multiple="0", on=D(2028, 1, 2)) == FeeEstimate(
        tiyn=0, provisional=False
    )


def test_an_estimate_without_the_year_s_mci_says_it_is_provisional(
    mci_through_2027: Path,
) -> None:
    assert fee_estimate(mci_multiple="2", on=D(2027, 12, 15)) == FeeEstimate(
        tiyn=900_000, provisional=False
    )
    assert fee_estimate(mci_multiple="2", on=D(2028, 1, 2)) == FeeEstimate(
        tiyn=900_000, provisional=True
    )


@pytest.mark.parametrize(
    ("today", "missing"),
    [
        (D(2027, 6, 1), []),
        (D(2027, 12, 1), []),  # 31 days before the new year
        (D(2027, 12, 2), [2028]),  # 30 days before
        (D(2027, 12, 15), [2028]),
        (D(2028, 1, 2), [2028]),
    ],
)
def test_mci_health_names_a_year_begun_or_beginning_within_30_days_without_its_value(
    mci_through_2027: Path, today: date, missing: list[int]
) -> None:
    assert mci_health(today) == {
        "ok": not missing,
        "missing_years": missing,
        "last_known_since": "2027-01-01",
    }


@pytest.mark.parametrize(
    ("multiple", "day", "tiyn"),
    [
        ("1", D(2022, 3, 31), 306_300),
        ("1", D(2022, 4, 1), 318_000),
        ("1", D(2022, 12, 31), 318_000),
        ("1", D(2023, 1, 1), 345_000),
        ("1", D(2023, 12, 31), 345_000),
        ("1", D(2024, 1, 1), 369_200),
        ("1", D(2025, 1, 1), 393_200),
        ("1", D(2026, 1, 1), 432_500),
        ("0.5", D(2026, 1, 1), 216_250),  # 2 162,50 tenge
        ("0.5", D(2025, 12, 31), 196_600),
        ("0.2", D(2024, 6, 1), 73_840),
        ("0.1", D(2022, 4, 1), 31_800),
        ("0.25", D(2022, 3, 31), 76_575),  # 765,75 tenge
        ("5", D(2023, 6, 1), 1_725_000),
        ("100", D(2026, 1, 1), 43_250_000),
        ("0", D(2026, 1, 1), 0),
        (Decimal("0.75"), D(2026, 6, 1), 324_375),
        (" 2 ", D(2026, 6, 1), 865_000),
    ],
)
def test_fees_in_tiyn(multiple: Decimal | str, day: date, tiyn: int) -> None:
    assert fee_tiyn(mci_multiple=multiple, on=day) == tiyn


@pytest.mark.parametrize(
    ("multiple", "day", "tiyn"),
    [
        ("0.0001", D(2023, 1, 1), 35),  # 34.5 tiyn: half up (half-to-even would give 34)
        ("0.0003", D(2026, 1, 1), 130),  # 129.75
        ("0.00001", D(2026, 1, 1), 4),  # 4.325
        ("0.333", D(2025, 1, 1), 130_936),  # 130 935.6
        ("0.0005", D(2022, 1, 1), 153),  # 153.15
        ("0.00015", D(2026, 1, 1), 65),  # 64.875
    ],
)
def test_fees_round_half_up_to_the_tiyn(multiple: str, day: date, tiyn: int) -> None:
    assert fee_tiyn(mci_multiple=multiple, on=day) == tiyn


@pytest.mark.parametrize(
    ("multiple", "error"),
    [
        (0.5, TypeError),
        (1, TypeError),
        ("half", ValueError),
        ("", ValueError),
        ("-1", ValueError),
        ("NaN", ValueError),
        ("Infinity", ValueError),
    ],
)
def test_bad_multiples_are_refused(multiple: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        fee_tiyn(mci_multiple=multiple, on=D(2026, 1, 1))


@pytest.mark.parametrize(
    ("tiyn", "language", "expected"),
    [
        (216_250, "kk", f"2{NBSP}162,50{NBSP}₸"),
        (216_250, "ru", f"2{NBSP}162,50{NBSP}₸"),
        (216_250, "en", f"2,162.50{NBSP}₸"),
        (432_500, "kk", f"4{NBSP}325,00{NBSP}₸"),
        (123_456_789, "ru", f"1{NBSP}234{NBSP}567,89{NBSP}₸"),
        (123_456_789, "en", f"1,234,567.89{NBSP}₸"),
        (5, "kk", f"0,05{NBSP}₸"),
        (0, "en", f"0.00{NBSP}₸"),
        (-150, "ru", f"-1,50{NBSP}₸"),
    ],
)
def test_format_tenge(tiyn: int, language: str, expected: str) -> None:
    assert format_tenge(tiyn, language) == expected


def test_format_tenge_takes_whole_tiyn_only() -> None:
    with pytest.raises(TypeError):
        format_tenge(21.5, "en")  # type: ignore[arg-type]


def test_every_value_names_its_law(settings: Any) -> None:
    settings.QYZMET_MCI_FILE = settings.BASE_DIR / "data" / "mci.yaml"  # the real table
    values = mci_values()
    assert [(v.since, v.tenge) for v in values] == [
        (D(2022, 1, 1), 3063),
        (D(2022, 4, 1), 3180),
        (D(2023, 1, 1), 3450),
        (D(2024, 1, 1), 3692),
        (D(2025, 1, 1), 3932),
        (D(2026, 1, 1), 4325),
    ]
    assert all(v.act for v in values)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "exactly `source` and `values`"),
        ({"source": "x", "values": []}, "non-empty"),
        ({"source": "", "values": [{"since": D(2022, 1, 1), "tenge": 1, "act": "a"}]}, "source"),
        ({"source": "x", "values": [{"since": "2022", "tenge": 1, "act": "a"}]}, "date"),
        ({"source": "x", "values": [{"since": D(2022, 1, 1), "tenge": 1.5, "act": "a"}]}, "whole"),
        ({"source": "x", "values": [{"since": D(2022, 1, 1), "tenge": 1}]}, "exactly since"),
        (
            {
                "source": "x",
                "values": [
                    {"since": D(2023, 1, 1), "tenge": 2, "act": "a"},
                    {"since": D(2022, 1, 1), "tenge": 1, "act": "a"},
                ],
            },
            "date order",
        ),
    ],
)
def test_a_mistake_in_the_data_is_an_error(raw: Any, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        mci_module._parse(raw, origin="test.yaml")
