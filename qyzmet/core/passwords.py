"""Argon2id with parameters from the environment.

Django's defaults (t=2, m=100 MiB, p=8) are tuned for 8-core servers; on a 2-core machine they
cost ~250 ms a check. The defaults here (t=3, m=64 MiB, p=2) stay well above OWASP's minimum
(m=19 MiB, t=2, p=1) at a fraction of the cost. Hashes made with other parameters are upgraded
at the next successful sign-in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class QyzmetArgon2PasswordHasher(Argon2PasswordHasher):
    def __init__(self) -> None:
        self.time_cost = int(settings.QYZMET_ARGON2_TIME_COST)
        self.memory_cost = int(settings.QYZMET_ARGON2_MEMORY_KIB)
        self.parallelism = int(settings.QYZMET_ARGON2_PARALLELISM)
