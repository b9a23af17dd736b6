"""Application numbers, the ones a citizen quotes on the phone: `Q<yymmdd>-<serial>-<check>`.

The serial counts the day's submissions from 1 (`actions.numbering` allocates it in the
database, so two applications never get the same one) and is at least five digits long; the
check digit (Damm's algorithm, over the date and the serial) catches every single wrong digit
and every swap of two neighbouring digits, so a number misheard on the phone is told as wrong
rather than found as someone else's. Pure functions.
"""

from __future__ import annotations

import re
from datetime import date

PREFIX = "Q"
SERIAL_DIGITS = 5
NUMBER = re.compile(r"^Q(\d{6})-(\d{5,10})-(\d)$")

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(digits: str) -> int:
    """The check digit that makes `digits` followed by it check to 0."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def number_format(day: date, serial: int) -> str:
    """The number of the day's `serial`-th application."""
    if serial < 1:
        raise ValueError("serials start at 1")
    body = f"{day:%y%m%d}{serial:0{SERIAL_DIGITS}d}"
    return f"{PREFIX}{day:%y%m%d}-{serial:0{SERIAL_DIGITS}d}-{damm_digit(body)}"


def number_valid(text: str) -> bool:
    """Whether `text` (as typed: spaces and case aside) is a well-formed number whose check
    digit agrees."""
    match = NUMBER.match("".join(text.split()).upper())
    if match is None:
        return False
    day, serial, check = match.groups()
    return damm_digit(day + serial + check) == 0
