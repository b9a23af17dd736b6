"""Background work of the payments app: the sweep that asks the gateway about payments whose
notification is late, every few minutes, self-rescheduling like the deadline sweep."""

from __future__ import annotations

import logging
import zlib
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qyzmet.payments.actions import payments_sweep

logger = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(minutes=5)
_SCHEDULE_LOCK = zlib.crc32(b"qyzmet.payments.payments_sweep")


@task()
def payments_sweep_task() -> dict[str, int]:
    schedule_next_sweep()  # first, so a failing run does not end the chain
    report = payments_sweep()
    return {"checked": report.checked, "changed": report.changed}


def sweep_pending() -> bool:
    return DBTaskResult.objects.filter(
        task_path=payments_sweep_task.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_next_sweep(*, delay: timedelta = SWEEP_EVERY) -> bool:
    """Enqueue a sweep `delay` from now unless one is waiting. True if it enqueued one."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK])
        if sweep_pending():
            return False
        payments_sweep_task.using(run_after=timezone.now() + delay).enqueue()
    logger.info("payments sweep scheduled", extra={"delay_seconds": delay.total_seconds()})
    return True
