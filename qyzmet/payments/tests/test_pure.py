"""The pure parts: receipt codes and their check character, amounts on the payment day."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qyzmet.payments.actions import invoice_amount
from qyzmet.payments.codes import (
    ALPHABET,
    LENGTH,
    check_char,
    code_display,
    code_new,
    code_normalize,
    code_valid,
)
from qyzmet.payments.models import Invoice
from qyzmet.payments.providers.sandbox import TEST_CARDS, luhn_ok

bodies = st.text(alphabet=ALPHABET, min_size=15, max_size=15)


def test_new_codes_are_valid_distinct_and_displayed_in_four_groups() -> None:
    codes = {code_new() for _ in range(2000)}
    assert len(codes) == 2000
    for code in itertools.islice(codes, 50):
        assert len(code) == LENGTH and code_valid(code)
        shown = code_display(code)
        assert len(shown) == 19 and shown.count("-") == 3
        assert code_normalize(shown) == code


@given(bodies, st.integers(0, 14), st.sampled_from(ALPHABET))
def test_every_single_mistyped_character_is_caught(body: str, position: int, char: str) -> None:
    code = body + check_char(body)
    typo = code[:position] + char + code[position + 1 :]
    assert code_valid(typo) == (typo == code)


@given(bodies, st.integers(0, 14))
def test_every_swap_of_neighbours_is_caught(body: str, position: int) -> None:
    code = body + check_char(body)
    chars = list(code)
    chars[position], chars[position + 1] = chars[position + 1], chars[position]
    swapped = "".join(chars)
    # Luhn mod 32 misses exactly one swap: "0" and "Z" (values 0 and 31) side by side.
    if swapped != code and {code[position], code[position + 1]} != {"0", "Z"}:
        assert not code_valid(swapped)


def test_the_one_swap_luhn_mod_32_misses_is_zero_and_z() -> None:
    body = "0Z" + "1" * 13
    code = body + check_char(body)
    assert code_valid("Z0" + code[2:])


@given(bodies)
def test_the_check_character_of_a_mistyped_check_is_caught(body: str) -> None:
    right = check_char(body)
    for wrong in ALPHABET.replace(right, ""):
        assert not code_valid(body + wrong)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("abcd-efgh-jkmn-pqrs", "ABCDEFGHJKMNPQRS"),
        (" 0o1I-lL23 ", "00111123"),
        ("AB CD\tEF", "ABCDEF"),
    ],
)
def test_codes_are_read_forgivingly(typed: str, stored: str) -> None:
    assert code_normalize(typed) == stored


@pytest.mark.parametrize("bad", ["", "ABC", "U" * 16, "0" * 17, "*" * 16, "ÄBCDEFGHJKMNPQRS"])
def test_malformed_codes_are_not_valid(bad: str) -> None:
    assert not code_valid(bad)


def _invoice(**amount: object) -> Invoice:
    return Invoice(kind="duty", purpose_ref="x", **amount)


@pytest.mark.parametrize(
    ("multiple", "day", "tiyn"),
    [
        ("0.5", date(2022, 3, 31), 153150),  # 3,063 / 2
        ("0.5", date(2022, 4, 1), 159000),  # 3,180 / 2, the mid-year change
        ("1", date(2023, 12, 31), 345000),
        ("1", date(2024, 1, 1), 369200),
        ("0.2", date(2025, 12, 31), 78640),
        ("0.2", date(2026, 1, 1), 86500),
        ("10", date(2026, 6, 15), 4325000),
        ("0.05", date(2024, 5, 5), 18460),
        ("0.3", date(2022, 1, 1), 91890),
        ("0.125", date(2023, 6, 1), 43125),
        ("0.0001", date(2026, 1, 1), 43),  # 43.25 rounds half up… to 43
        ("0.00015", date(2024, 1, 1), 55),  # 55.38 → 55
    ],
)
def test_a_duty_costs_its_mci_multiple_on_the_payment_day(
    multiple: str, day: date, tiyn: int
) -> None:
    assert invoice_amount(_invoice(mci_multiple=Decimal(multiple)), on=day) == tiyn


def test_a_fixed_amount_does_not_depend_on_the_day() -> None:
    invoice = _invoice(amount_tiyn=451230)
    assert invoice_amount(invoice, on=date(2022, 1, 1)) == 451230
    assert invoice_amount(invoice, on=date(2026, 1, 1)) == 451230


def test_the_same_duty_costs_more_after_new_year() -> None:
    invoice = _invoice(mci_multiple=Decimal("2"))
    before = invoice_amount(invoice, on=date(2025, 12, 31))
    after = invoice_amount(invoice, on=date(2026, 1, 1))
    assert (before, after) == (786400, 865000)
    assert isinstance(before, int) and isinstance(after, int)


@pytest.mark.parametrize("card", sorted(TEST_CARDS))
def test_test_cards_pass_the_luhn_check(card: str) -> None:
    assert luhn_ok(card)


@pytest.mark.parametrize("card", ["4242424242424241", "", "abcd", "4" * 11, "4" * 20])
def test_wrong_card_numbers_fail_the_luhn_check(card: str) -> None:
    assert not luhn_ok(card)
