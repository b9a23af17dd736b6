"""The one retry policy of background tasks, and their lease.

Every task the worker runs (`manage.py worker`) is tried again when it fails: the worker puts
its row back in the queue, `run_after` a wait that doubles after each failure (from
`QYZMET_TASK_RETRY_FIRST_SECONDS` to at most `QYZMET_TASK_RETRY_LONGEST_SECONDS`), up to
`QYZMET_TASK_ATTEMPTS` attempts in all. Then it gives up: the row stays `FAILED` with its
traceback, `/healthz` counts it (status `degraded`) and staff see it in the back office, where
they can run it again or dismiss it. A task must therefore be idempotent (a second run changes
nothing), as the house rules ask of every task anyway.

A periodic sweep follows the same policy: a retried run and the next run of its chain may then
both wait, which is harmless, as every sweep is idempotent.

An attempt is a claim: django-tasks-db appends the worker's id to the row's `worker_ids` when a
worker takes it, so `len(worker_ids)` is the number of attempts so far, whether they failed or
their worker died. A running task holds its lease while the heartbeat of the worker that took
it (`WorkerHeartbeat`, beaten by a thread of the worker every few seconds, even during a long
task) is younger than `QYZMET_TASK_LEASE_SECONDS`; when the worker dies (killed, out of memory,
its machine gone), the lease runs out and the `task_leases` sweep puts the task back in the
queue, or gives it up when its attempts are spent (a task that kills its worker every time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

# what a task whose worker died is recorded as having raised (the column holds a dotted path)
WORKER_LOST = "qyzmet.core.retries.WorkerLost"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    first: timedelta
    longest: timedelta

    def delay(self, attempt: int) -> timedelta:
        """How long to wait after failed attempt `attempt` (1, 2, …): doubling, bounded."""
        return min(self.first * 2 ** (max(attempt, 1) - 1), self.longest)

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.attempts


def retry_policy(task_path: str) -> RetryPolicy:
    """The policy of the task at `task_path` (its dotted path, as the task row keeps it): one
    for every task today; the path is where a task of its own would be told apart."""
    return RetryPolicy(
        attempts=max(1, settings.QYZMET_TASK_ATTEMPTS),
        first=timedelta(seconds=settings.QYZMET_TASK_RETRY_FIRST_SECONDS),
        longest=timedelta(seconds=settings.QYZMET_TASK_RETRY_LONGEST_SECONDS),
    )


def task_lease() -> timedelta:
    return timedelta(seconds=settings.QYZMET_TASK_LEASE_SECONDS)
