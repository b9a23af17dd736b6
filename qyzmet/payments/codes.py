"""Receipt codes: 15 random Crockford base32 characters and a check character, shown as four
groups of four ("7K3M-9QXD-2HFA-R8TC").

The check character is Luhn mod 32 over the alphabet, so every single mistyped character and
every swap of two neighbouring characters but one ("0Z" ↔ "Z0") is caught before the database
is asked. Reading is
forgiving the way Crockford meant: case, hyphens and spaces do not matter, O reads as 0 and
I or L as 1.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
BODY = 15
LENGTH = BODY + 1


def _luhn_sum(body: str, *, with_check: bool) -> int:
    total = 0
    base = len(ALPHABET)
    # Doubling starts from the rightmost body character (the check character, when present, is
    # at position 0 from the right and is not doubled).
    for position, char in enumerate(reversed(body)):
        value = _VALUE[char]
        if (position % 2 == 0) != with_check:
            value *= 2
            value = value // base + value % base
        total += value
    return total


def check_char(body: str) -> str:
    """The check character for a body of alphabet characters."""
    total = _luhn_sum(body, with_check=False)
    return ALPHABET[(-total) % len(ALPHABET)]


def code_valid(code: str) -> bool:
    """Whether a normalised code's last character checks its body."""
    if len(code) != LENGTH or any(c not in _VALUE for c in code):
        return False
    return _luhn_sum(code, with_check=True) % len(ALPHABET) == 0


def code_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
    return body + check_char(body)


def code_normalize(text: str) -> str:
    """The code as stored: upper case, no separators, Crockford's look-alikes read."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    return cleaned.translate(_ALIASES)


def code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
