"""Password attempts: the cheap limits checked, and the attempt recorded, before any hash.

An attempt is a `PasswordAttempt` row written in its own short transaction, under the limiter's
lock for its keys, before the password is hashed: concurrent attempts see each other, so the
16th of 16 simultaneous wrong passwords is refused as surely as one sent after the 15th. Its
outcome is set once the hash has answered.

Whom the limits lock is the guesser, never the owner (docs/one-time-codes.md has the numbers):

- from a device that signed in to this account before (`selectors.device_known`), only that
  device's own budget applies: a stranger who knows the IIN cannot lock the owner out of their
  phone or browser;
- from anywhere else, the IIN's budget (counted alike for IINs with and without an account),
  the client address's (whatever IINs it tries) and everyone's together per minute.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.client import client_fingerprint
from qyzmet.core.errors import RateLimited
from qyzmet.core.passwords import PasswordHashingBusy
from qyzmet.core.ratelimit import EVERYONE, Count, rate_check, rate_lock
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import PasswordAttempt

Outcome = PasswordAttempt.Outcome


def signin_locked(wait: int) -> RateLimited:
    """The refusal of every password limit: the same words whichever budget is spent."""
    minutes = max(1, -(-wait // 60))
    return RateLimited(
        _("Too many unsuccessful attempts. Try again in %(n)s minutes.") % {"n": minutes},
        retry_after=wait,
        code=ErrorCode.SIGNIN_LOCKED,
    )


def attempt_counts(*, iin_index: str, client_hash: str, known_device: str) -> list[Count]:
    """The budgets an attempt is checked against (see the module)."""
    if known_device:
        return [Count(budget="signin.password.device", key=known_device, field="device_hash")]
    return [
        Count(budget="signin.password.iin", key=iin_index, field="iin_index"),
        Count(budget="signin.password.client", key=client_hash, field="client_hash"),
        Count(budget="signin.password.everyone", key=EVERYONE, field=""),
    ]


def password_attempt_begin(*, iin_index: str, client: str, known_device: str) -> PasswordAttempt:
    """Check the limits and record the attempt as being checked, committed before the caller
    hashes anything; `signin_locked` (429 with Retry-After) when a budget is spent, with nothing
    recorded. `known_device` is the hash of a device known to the account, or ''."""
    client_hash = client_fingerprint(client)
    counts = attempt_counts(iin_index=iin_index, client_hash=client_hash, known_device=known_device)
    now = timezone.now()
    with transaction.atomic():
        rate_lock(counts=counts)
        rate_check(
            rows=PasswordAttempt.objects.filter(outcome__in=PasswordAttempt.FAILED),
            counts=counts,
            now=now,
            refuse=signin_locked,
        )
        return PasswordAttempt.objects.create(
            iin_index=iin_index,
            client_hash=client_hash,
            device_hash=known_device,
            outcome=Outcome.CHECKING,
            created_at=now,
        )


def password_attempt_end(*, attempt: PasswordAttempt, outcome: str) -> None:
    """Set the attempt's outcome: right, wrong, or busy (no hash was computed)."""
    PasswordAttempt.objects.filter(pk=attempt.pk).update(outcome=outcome)


def password_checked(
    *, iin_index: str, client: str, known_device: str, check: Callable[[], bool]
) -> bool:
    """Whether `check()` (the hash) says the password is right, run only once the limits have
    passed and the attempt is recorded; the attempt's outcome is set from its answer."""
    attempt = password_attempt_begin(iin_index=iin_index, client=client, known_device=known_device)
    try:
        right = check()
    except PasswordHashingBusy:
        password_attempt_end(attempt=attempt, outcome=Outcome.BUSY)
        raise
    password_attempt_end(attempt=attempt, outcome=Outcome.RIGHT if right else Outcome.WRONG)
    return right
