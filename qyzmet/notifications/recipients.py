"""Who a message is for, as the notifications layer knows them: no account, no person."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipient:
    """`ref` is opaque here ("account:42", or "phone:<blind index>" for a number that belongs
    to no account yet); identity builds it. E-mail and push subscriptions, when not given, come
    from the recipient's notification preferences."""

    ref: str
    language: str = "kk"
    phone: str = ""  # E.164
    email: str = ""
