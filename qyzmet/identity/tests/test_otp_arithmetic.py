"""The arithmetic of docs/one-time-codes.md on the default settings: a guesser's daily odds per
account, and an honest heavy day inside every budget."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest

from qyzmet.core.ratelimit import BUDGETS, OTP_PURPOSES
from qyzmet.identity.actions.otp import (
    CODE_DIGITS,
    otp_codes_per_account_day,
    otp_guess_chance,
)
from qyzmet.identity.models import OneTimeCode

# Register, sign in five times, sign ten applications.
HEAVY_DAY = {"register": 1, "sign_in": 5, "sign": 10}


def test_every_purpose_of_a_code_has_a_daily_budget() -> None:
    assert set(OTP_PURPOSES) == set(OneTimeCode.Purpose.values)
    for purpose in OTP_PURPOSES:
        budget = BUDGETS[f"otp.{purpose}.iin.day"]
        assert budget.window() == timedelta(days=1)
        assert budget.limit() is not None, purpose


def test_a_guesser_has_one_chance_in_ten_thousand_per_account_per_day(settings: Any) -> None:
    assert (CODE_DIGITS, settings.QYZMET_OTP_MAX_ATTEMPTS) == (6, 5)
    codes = otp_codes_per_account_day()
    assert codes == 20  # 8 + 12 + 6 + 3 + 3 = 32 by purpose, 20 for the account in all
    chance = otp_guess_chance(
        codes_per_day=codes, tries_per_code=settings.QYZMET_OTP_MAX_ATTEMPTS, digits=CODE_DIGITS
    )
    assert chance == Fraction(20 * 5, 10**6) == Fraction(1, 10_000)


def test_one_more_code_a_day_would_break_the_promise() -> None:
    assert otp_guess_chance(codes_per_day=21, tries_per_code=5, digits=6) > Fraction(1, 10_000)


@pytest.mark.parametrize(
    ("iin_day", "per_purpose", "expected"),
    [
        ((None, 20), None, 20),
        ((None, 40), None, 32),  # the purposes' budgets added up are then the bound
        ((None, None), None, 32),
        ((None, None), {"sign": None}, None),  # a purpose without a limit: unbounded
        ((None, 10), {"sign": None}, 10),
    ],
)
def test_codes_per_account_day_is_the_smaller_bound(
    settings: Any,
    iin_day: tuple[int | None, int | None],
    per_purpose: dict[str, int | None] | None,
    expected: int | None,
) -> None:
    settings.QYZMET_OTP_LIMITS = {**settings.QYZMET_OTP_LIMITS, "iin": iin_day}
    settings.QYZMET_OTP_PER_PURPOSE_DAY = {
        **settings.QYZMET_OTP_PER_PURPOSE_DAY,
        **(per_purpose or {}),
    }
    assert otp_codes_per_account_day() == expected


def test_an_honest_heavy_day_fits_every_budget(settings: Any) -> None:
    for purpose, codes in HEAVY_DAY.items():
        limit = BUDGETS[f"otp.{purpose}.iin.day"].limit()
        assert limit is not None and codes <= limit, purpose
    total = sum(HEAVY_DAY.values())
    assert total == 16
    for scope in ("phone", "iin", "client"):
        for span in ("hour", "day"):  # even were the whole day spent in one hour
            limit = BUDGETS[f"otp.send.{scope}.{span}"].limit()
            assert limit is None or total <= limit, (scope, span)
    assert BUDGETS["otp.resend.phone.purpose"].window() == timedelta(
        seconds=settings.QYZMET_OTP_RESEND_SECONDS
    )
