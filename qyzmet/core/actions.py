"""Writes of the core app."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta
from traceback import format_exception
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qyzmet.core.ids import uuid_or_none
from qyzmet.core.models import WorkerHeartbeat
from qyzmet.core.retries import WORKER_LOST, retry_policy, task_lease

logger = logging.getLogger(__name__)


def worker_heartbeat_beat(*, worker_id: str, started_at: datetime | None = None) -> None:
    """Record that the worker `worker_id` is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": started_at or now,
                "last_seen": now,
            },
        )


def worker_heartbeat_forget(*, worker_id: str) -> None:
    """A worker that stops cleanly removes its row, so health turns red at once."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def task_failure_record(*, row: DBTaskResult[..., Any], error: BaseException) -> bool:
    """A task run by the worker raised `error`: put its row back in the queue for a later
    attempt, or give it up when its attempts are spent (see `qyzmet.core.retries`). True when
    it gave up."""
    attempt = len(row.worker_ids)
    policy = retry_policy(row.task_path)
    gave_up = policy.gives_up_after(attempt)
    now = timezone.now()
    values: dict[str, Any] = {
        "exception_class_path": f"{type(error).__module__}.{type(error).__qualname__}",
        "traceback": "".join(format_exception(error)),
        "return_value": None,
    }
    if gave_up:
        values |= {"status": TaskResultStatus.FAILED, "finished_at": now}
    else:
        values |= {"status": TaskResultStatus.READY, "run_after": now + policy.delay(attempt)}
    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(**values)
    for name, value in values.items():
        setattr(row, name, value)
    extra = {"task": row.task_path, "task_id": str(row.pk), "attempt": attempt}
    if gave_up:
        logger.error("task gave up", extra=extra | {"attempts": policy.attempts})
    else:
        logger.warning("task failed, will retry", extra=extra | {"run_after": values["run_after"]})
    return gave_up


def task_leases_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Take back the tasks whose worker died: a RUNNING row older than the lease whose worker
    has not beaten within it goes back in the queue, or is given up when its attempts are
    spent. Answers how many of each."""
    now = now or timezone.now()
    lease = task_lease()
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=now - lease).values_list(
            "worker_id", flat=True
        )
    )
    requeued = gave_up = 0
    with transaction.atomic():
        rows = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - lease
        )
        for row in rows.order_by("started_at"):
            if row.worker_ids and row.worker_ids[-1] in alive:
                continue  # a long task of a live worker
            attempt = len(row.worker_ids)
            policy = retry_policy(row.task_path)
            values: dict[str, Any] = {
                "exception_class_path": WORKER_LOST,
                "traceback": f"The worker {row.worker_ids[-1] if row.worker_ids else '?'} "
                f"stopped during attempt {attempt}.",
            }
            if policy.gives_up_after(attempt):
                values |= {"status": TaskResultStatus.FAILED, "finished_at": now}
                gave_up += 1
            else:
                values |= {"status": TaskResultStatus.READY, "run_after": now}
                requeued += 1
            DBTaskResult.objects.filter(pk=row.pk).update(**values)
            logger.warning(
                "task lease expired",
                extra={
                    "task": row.task_path,
                    "task_id": str(row.pk),
                    "attempt": attempt,
                    "gave_up": policy.gives_up_after(attempt),
                },
            )
    # the rows of workers long dead (killed, their machine gone) are forgotten
    WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()
    return {"requeued": requeued, "gave_up": gave_up}


def task_failed_run_again(*, task_id: str, by: str) -> bool:
    """Staff: put a task that gave up back in the queue for one more attempt. False when no
    such task has given up."""
    now = timezone.now()
    key = uuid_or_none(task_id)
    if key is None:
        return False
    changed = DBTaskResult.objects.filter(pk=key, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=now, finished_at=None
    )
    if changed:
        logger.info("failed task run again", extra={"task_id": task_id, "by": by})
    return bool(changed)


def task_failed_dismiss(*, task_id: str, by: str) -> bool:
    """Staff: forget a task that gave up (its failure was handled by hand). The log keeps who
    dismissed which task. False when no such task has given up."""
    key = uuid_or_none(task_id)
    row = (
        DBTaskResult.objects.filter(pk=key, status=TaskResultStatus.FAILED).first() if key else None
    )
    if row is None:
        return False
    row.delete()
    logger.info(
        "failed task dismissed",
        extra={"task_id": task_id, "task": row.task_path, "by": by},
    )
    return True
