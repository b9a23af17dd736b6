"""Background work of the applications app: the deadline sweep, every 15 minutes.

There is no separate scheduler: each run enqueues the next one, `SWEEP_EVERY` later, as a task
row with `run_after`, so the worker that runs everything else runs the sweep too. A run enqueues
the next only when no other sweep is waiting, so a retried run, a second `--schedule` or two
workers never pile sweeps up. The sweep itself is idempotent (it escalates each application
once), so running it again is always safe.
"""

from __future__ import annotations

import logging
import zlib
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qyzmet.applications.actions.duty import application_duty_refund
from qyzmet.applications.actions.results import application_result_issue
from qyzmet.applications.deadlines import deadlines_sweep

logger = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=15)
# Serialises "is a sweep waiting? if not, enqueue one" between processes on PostgreSQL (SQLite
# runs every write transaction alone already).
_SCHEDULE_LOCK = zlib.crc32(b"qyzmet.applications.deadlines_sweep")


@task()
def duty_refund_task(application_id: str) -> None:
    """Return an ended application's paid duty (enqueued by the step that ended it)."""
    application_duty_refund(application_id=application_id)


@task()
def result_document_task(application_id: str) -> None:
    """Render, sign and store an approved application's result document."""
    application_result_issue(application_id=application_id)


@task()
def deadlines_sweep_task() -> dict[str, int]:
    # The next run first: a run that fails, or whose worker dies, must not end the chain. A run
    # that overlaps the next is harmless (locked rows are skipped, escalation is conditional).
    schedule_next_sweep()
    report = deadlines_sweep()
    return {"escalated": report.escalated, "checked": report.checked}


def sweep_pending() -> bool:
    """Whether a sweep is enqueued and has not started yet."""
    return DBTaskResult.objects.filter(
        task_path=deadlines_sweep_task.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_next_sweep(*, delay: timedelta = SWEEP_EVERY) -> bool:
    """Enqueue a sweep to run `delay` from now, unless one is already waiting. True if it
    enqueued one."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK])
        if sweep_pending():
            return False
        deadlines_sweep_task.using(run_after=timezone.now() + delay).enqueue()
    logger.info("deadline sweep scheduled", extra={"delay_seconds": delay.total_seconds()})
    return True
