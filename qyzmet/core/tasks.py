"""Background work of the core: forgetting old idempotency keys, and taking back the tasks
whose worker died (see `qyzmet.core.retries`)."""

from __future__ import annotations

from django_tasks import task

from qyzmet.core.actions import task_leases_expire
from qyzmet.core.idempotency import idempotency_keys_forget
from qyzmet.core.periodic import periodic_next


@task()
def idempotency_keys_sweep_task() -> int:
    periodic_next("idempotency_keys")  # first, so a failing run does not end the chain
    return idempotency_keys_forget()


@task()
def task_leases_sweep_task() -> dict[str, int]:
    periodic_next("task_leases")
    return task_leases_expire()
