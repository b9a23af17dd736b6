"""New registration certificate and driving licence numbers."""

from __future__ import annotations

import secrets
import string


def _random_number(letters: int, digits: int) -> str:
    head = "".join(secrets.choice(string.ascii_uppercase) for _ in range(letters))
    return head + "".join(secrets.choice(string.digits) for _ in range(digits))


def certificate_number_new() -> str:
    """A registration certificate (СРТС) number: two letters and eight digits."""
    return _random_number(2, 8)


def licence_number_new() -> str:
    return _random_number(2, 7)
