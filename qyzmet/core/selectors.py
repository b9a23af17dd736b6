"""Reads of the core app: the health of the platform."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qyzmet.core.calendar import local_today
from qyzmet.core.mci import mci_health
from qyzmet.core.models import WorkerHeartbeat
from qyzmet.core.retries import task_lease


@dataclass(frozen=True)
class Health:
    """`ok` decides the status code (503 when false); a failing check that does not stop the
    platform (`degraded`) leaves it 200 with the status `degraded`, for someone to act on."""

    ok: bool
    database: dict[str, Any]
    worker: dict[str, Any]
    mci: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, Any] = field(default_factory=dict)

    @property
    def degraded(self) -> bool:
        """Serving, but something needs a person: tasks that gave up or lost their worker, or a
        year without its MCI."""
        tasks_failing = bool(self.tasks) and not self.tasks.get("ok", True)
        return tasks_failing or self.mci.get("ok") is False

    def as_dict(self) -> dict[str, Any]:
        status = "fail" if not self.ok else "degraded" if self.degraded else "ok"
        return {
            "status": status,
            "database": self.database,
            "worker": self.worker,
            "mci": self.mci,
            "tasks": self.tasks,
        }


def tasks_health(*, now: datetime | None = None) -> dict[str, Any]:
    """Tasks that gave up (`failed`, listed for staff in the back office) and running tasks
    whose worker died and which the lease sweep has not taken back yet (`stuck`)."""
    now = now or timezone.now()
    lease = task_lease()
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=now - lease).values_list(
            "worker_id", flat=True
        )
    )
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()
    stuck = sum(
        1
        for worker_ids in DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - lease
        ).values_list("worker_ids", flat=True)
        if not (worker_ids and worker_ids[-1] in alive)
    )
    return {"ok": failed == 0 and stuck == 0, "failed": failed, "stuck": stuck}


def tasks_failed_list(*, limit: int = 200) -> list[DBTaskResult[..., Any]]:
    """The tasks that gave up, newest first (the staff page)."""
    return list(
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by(
            "-finished_at", "-enqueued_at", "id"
        )[:limit]
    )


def health_check() -> Health:
    database: dict[str, Any]
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {
            "ok": True,
            "vendor": connection.vendor,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        }
    except DatabaseError as exc:
        database = {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
        return Health(ok=False, database=database, worker={"ok": False, "error": "database"})

    stale_after = timedelta(seconds=settings.QYZMET_WORKER_STALE_SECONDS)
    now = timezone.now()
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=now - stale_after)
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    worker: dict[str, Any] = {
        "ok": alive.exists(),
        "alive": alive.count(),
        "last_seen": latest.last_seen.isoformat() if latest else None,
        "age_seconds": round((now - latest.last_seen).total_seconds(), 1) if latest else None,
        "stale_after_seconds": settings.QYZMET_WORKER_STALE_SECONDS,
    }
    return Health(
        ok=database["ok"] and worker["ok"],
        database=database,
        worker=worker,
        mci=mci_health(local_today()),
        tasks=tasks_health(now=now),
    )
