"""Background work of the core: forgetting old idempotency keys."""

from __future__ import annotations

from django_tasks import task

from qyzmet.core.idempotency import idempotency_keys_forget
from qyzmet.core.periodic import periodic_next


@task()
def idempotency_keys_sweep_task() -> int:
    periodic_next("idempotency_keys")  # first, so a failing run does not end the chain
    return idempotency_keys_forget()
