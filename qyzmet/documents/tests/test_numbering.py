"""Document numbers: format, check digit, what typing mistakes are caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.documents.numbering import luhn_digit, number_display, number_make, number_normalize


@pytest.mark.parametrize(
    ("payload", "digit"),
    [("7992739871", "3"), ("0", "0"), ("4539148803436467"[:-1], "7"), ("26000000000000", "5")],
)
def test_luhn_digit_matches_known_values(payload: str, digit: str) -> None:
    assert luhn_digit(payload) == digit


def test_a_new_number_is_16_digits_starting_with_the_year() -> None:
    number = number_make(year=2026)
    assert len(number) == 16
    assert number.isdigit()
    assert number.startswith("26")
    assert number_normalize(number) == number


def test_numbers_do_not_repeat() -> None:
    assert len({number_make(year=2026) for _ in range(500)}) == 500


NUMBER = "261234567890123" + luhn_digit("261234567890123")


@pytest.mark.parametrize(
    "typed",
    [
        NUMBER,
        f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:12]} {NUMBER[12:]}",
        f"{NUMBER[:8]}-{NUMBER[8:]}",
        f"  {NUMBER}\u00a0",
    ],
)
def test_spaces_and_dashes_are_allowed(typed: str) -> None:
    assert number_normalize(typed) == NUMBER


@pytest.mark.parametrize(
    "typed",
    ["", "123", "12345678901234567", "abcdefghijklmnop", "٢٦١٢٣٤٥٦٧٨٩٠١٢٣٤", "2612345678901234"],
)
def test_malformed_numbers_are_refused(typed: str) -> None:
    # The last one has a wrong check digit (the right one is computed below).
    if typed == "2612345678901234":
        assert luhn_digit(typed[:-1]) != typed[-1]
    assert number_normalize(typed) is None


@given(st.integers(min_value=0, max_value=15), st.integers(min_value=1, max_value=9))
def test_any_single_wrong_digit_is_caught(position: int, delta: int) -> None:
    number = number_make(year=2026)
    wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert number_normalize(wrong) is None


@given(st.integers(min_value=0, max_value=14))
def test_swapping_two_different_neighbours_is_caught_unless_0_and_9(position: int) -> None:
    number = number_make(year=2026)
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2 :]
    if a == b or {a, b} == {"0", "9"}:  # Luhn's known blind spot
        return
    assert number_normalize(swapped) is None


def test_display_groups_by_four() -> None:
    assert number_display("2612345678901234") == "2612 3456 7890 1234"
