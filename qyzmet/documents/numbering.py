"""Document numbers: 16 digits, the year of issue (two digits), 13 random digits and a Luhn
check digit, shown in groups of four.

Random rather than sequential, so that a number says nothing about how many documents were
issued and cannot be guessed from a neighbour's; the check digit catches a mistyped digit or a
swap of two neighbours before the database is asked.
"""

from __future__ import annotations

import secrets

NUMBER_DIGITS = 16
RANDOM_DIGITS = 13


def luhn_digit(payload: str) -> str:
    """The Luhn check digit for the decimal string `payload`."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled: these sit right of where the check digit goes
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def number_make(*, year: int) -> str:
    payload = f"{year % 100:02d}" + "".join(
        secrets.choice("0123456789") for _ in range(RANDOM_DIGITS)
    )
    return payload + luhn_digit(payload)


def number_normalize(text: str) -> str | None:
    """The 16 digits of a number as typed (spaces and dashes allowed), or None when it is not
    a well-formed number with a correct check digit."""
    digits = "".join(char for char in text if char not in " -\u00a0")
    if len(digits) != NUMBER_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits if luhn_digit(digits[:-1]) == digits[-1] else None


def number_display(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
