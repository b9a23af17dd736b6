"""The price a seller answers, as whole tiyn, and the one line a message names the car by."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qyzmet.applications.subject import Subject, price_tiyn, subject_line


@pytest.mark.parametrize(
    ("answer", "tiyn"),
    [
        ("5200000", 520_000_000),
        (5_200_000, 520_000_000),
        ("4500000.5", 450_000_050),
        ("0.005", 1),  # half a tiyn rounds up
        ("0.004", 0),
        (" 12 ", 1_200),
        (Decimal("1.10"), 110),
        ("0", 0),
    ],
)
def test_a_price_in_tenge_becomes_whole_tiyn(answer: object, tiyn: int) -> None:
    assert price_tiyn(answer) == tiyn


@pytest.mark.parametrize("answer", [None, "", "abc", "-1", "NaN", "Infinity", True, "1e400x"])
def test_no_price_or_not_a_price_is_none(answer: object) -> None:
    assert price_tiyn(answer) is None


def _subject(**changes: object) -> Subject:
    values: dict[str, object] = {
        "make": "Toyota", "model": "Camry", "year": 2020, "colour": "белый", "vin": "V",
        "plate": "123 ABC 02", "seller_name": "S", "price_tiyn": 100,
        "price_text": "1,00\xa0₸",
    }  # fmt: skip
    values.update(changes)
    return Subject(**values)  # type: ignore[arg-type]


def test_the_line_names_the_car_and_its_price_in_the_language() -> None:
    assert subject_line(_subject(), "ru") == "Toyota Camry 2020, белый, 123 ABC 02 за 1,00\xa0₸"
    assert (
        subject_line(_subject(), "kk") == "Toyota Camry 2020, белый, 123 ABC 02, бағасы 1,00\xa0₸"
    )


def test_the_line_leaves_out_what_is_not_known() -> None:
    gone = _subject(make="", model="", year=None, colour="", vin="", price_tiyn=None, price_text="")

    assert subject_line(gone, "en") == "123 ABC 02"
    assert subject_line(_subject(plate="", price_tiyn=None, price_text=""), "en") == (
        "Toyota Camry 2020, белый"
    )
