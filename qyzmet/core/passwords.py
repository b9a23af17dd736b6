"""Argon2id with parameters from the environment, computed in a bounded number of slots.

Django's defaults (t=2, m=100 MiB, p=8) are tuned for 8-core servers; on a 2-core machine they
cost ~250 ms a check. The defaults here (t=3, m=64 MiB, p=2) stay well above OWASP's minimum
(m=19 MiB, t=2, p=1) at a fraction of the cost. Hashes made with other parameters are upgraded
at the next successful sign-in.

A hash is deliberately expensive, so a process computes at most `QYZMET_PASSWORD_HASHING_SLOTS`
at once (every hash, whoever asks: sign-in, registration, a password change, the admin site). A
request that finds them taken waits up to `QYZMET_PASSWORD_HASHING_WAIT_MS` and is then refused
with `PasswordHashingBusy` (503, `Retry-After`) without computing anything. Gunicorn runs more
threads than this, so however many passwords arrive, other requests still find a thread; the
cheap limits of `core.ratelimit` are checked before a slot is asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import ErrorCode, ServiceUnavailable

RETRY_AFTER_SECONDS = 1


class PasswordHashingBusy(ServiceUnavailable):
    code: str = ErrorCode.OVERLOADED
    default_message = _("Too many sign-ins right now. Please try again in a moment.")

    def __init__(self) -> None:
        super().__init__(
            details={"retry_after": RETRY_AFTER_SECONDS},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def hashing_slots() -> threading.BoundedSemaphore:
    """This process's slots (one semaphore per configured size, made on first use)."""
    size = max(1, int(settings.QYZMET_PASSWORD_HASHING_SLOTS))
    with _slots_lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


@contextmanager
def hashing_slot() -> Iterator[None]:
    """Hold one hashing slot for the block, or raise `PasswordHashingBusy` after the wait."""
    slots = hashing_slots()
    if not slots.acquire(timeout=max(0, int(settings.QYZMET_PASSWORD_HASHING_WAIT_MS)) / 1000):
        raise PasswordHashingBusy
    try:
        yield
    finally:
        slots.release()


class QyzmetArgon2PasswordHasher(Argon2PasswordHasher):
    def __init__(self) -> None:
        self.time_cost = int(settings.QYZMET_ARGON2_TIME_COST)
        self.memory_cost = int(settings.QYZMET_ARGON2_MEMORY_KIB)
        self.parallelism = int(settings.QYZMET_ARGON2_PARALLELISM)

    def encode(self, password: str, salt: str) -> str:
        with hashing_slot():
            encoded: str = super().encode(password, salt)
        return encoded

    def verify(self, password: str, encoded: str) -> bool:
        with hashing_slot():
            right: bool = super().verify(password, encoded)
        return right
