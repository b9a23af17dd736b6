"""Application numbers: the check digit (pure) and the day's serial (the database's)."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.applications.actions.numbering import number_allocate
from qyzmet.applications.numbers import damm_digit, number_format, number_valid

DAY = date(2026, 1, 15)


def test_a_number_reads_day_serial_and_check_digit() -> None:
    assert number_format(DAY, 1) == "Q260115-00001-" + str(damm_digit("26011500001"))
    assert number_format(DAY, 123_456).startswith("Q260115-123456-")
    assert len(number_format(DAY, 99_999)) == 15
    assert len(number_format(DAY, 9_999_999_999)) <= 20  # the column's width


def test_the_check_digit_of_damms_example() -> None:
    assert damm_digit("572") == 4
    assert damm_digit("5724") == 0


def test_typed_numbers_are_read_with_spaces_and_in_any_case() -> None:
    number = number_format(DAY, 42)
    assert number_valid(number)
    assert number_valid(" " + number.lower().replace("-", " - ") + " ")
    assert not number_valid(number[:-1] + str((int(number[-1]) + 1) % 10))
    assert not number_valid("Q260115-1A2B3C4D")  # the old random form
    assert not number_valid("")


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=20))
def test_every_single_wrong_digit_is_caught(serial: int, position: int) -> None:
    number = number_format(DAY, serial)
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    at = digits[position % len(digits)]
    for wrong in "0123456789":
        if wrong != number[at]:
            assert not number_valid(number[:at] + wrong + number[at + 1 :])


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=20))
def test_every_swap_of_neighbouring_digits_is_caught(serial: int, position: int) -> None:
    number = number_format(DAY, serial)
    pairs = [i for i in range(len(number) - 1) if number[i].isdigit() and number[i + 1].isdigit()]
    at = pairs[position % len(pairs)]
    if number[at] != number[at + 1]:
        swapped = number[:at] + number[at + 1] + number[at] + number[at + 2 :]
        assert not number_valid(swapped)


@pytest.mark.django_db
def test_the_days_serial_counts_from_one_and_each_day_starts_again() -> None:
    with transaction.atomic():
        numbers = [number_allocate(on=DAY) for _ in range(3)]
        next_day = number_allocate(on=date(2026, 1, 16))

    assert numbers == [number_format(DAY, n) for n in (1, 2, 3)]
    assert next_day == number_format(date(2026, 1, 16), 1)


@pytest.mark.django_db(transaction=True)
def test_a_number_is_never_allocated_outside_the_transaction_that_stores_it() -> None:
    with pytest.raises(RuntimeError):
        number_allocate(on=DAY)
