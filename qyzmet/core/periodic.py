"""The one periodic scheduler: the sweeps that run every few minutes, in the worker.

The sweeps are declared once, in the `QYZMET_PERIODIC_SWEEPS` setting (name → the task's dotted
path and its period in seconds). There is no separate scheduler process: the worker starts
every sweep when it starts (`periodic_start`), and each run enqueues its own next run
(`periodic_next`) before it works, as a task row with `run_after`, so a run that fails or
whose worker dies does not end the chain. A sweep is enqueued only when no run of it is
waiting, under a lock, so several workers, restarts and retried runs never pile sweeps up.
Every sweep is idempotent, so a run that overlaps the next is harmless.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    task: Task[[], Any]
    every: timedelta


def periodic_sweeps() -> dict[str, Sweep]:
    """The declared sweeps, by name, in declaration order."""
    sweeps: dict[str, Sweep] = {}
    for name, spec in settings.QYZMET_PERIODIC_SWEEPS.items():
        task = import_string(str(spec["task"]))
        if not isinstance(task, Task):
            raise ImproperlyConfigured(f"periodic sweep {name!r}: {spec['task']} is not a task")
        every = spec["every"]
        seconds = int(getattr(settings, every) if isinstance(every, str) else every)
        sweeps[name] = Sweep(name=name, task=task, every=timedelta(seconds=seconds))
    return sweeps


def periodic_sweep(name: str) -> Sweep:
    try:
        return periodic_sweeps()[name]
    except KeyError as exc:
        raise ImproperlyConfigured(f"Unknown periodic sweep {name!r}") from exc


def periodic_pending(*, name: str) -> bool:
    """Whether a run of sweep `name` is enqueued and has not started yet."""
    return DBTaskResult.objects.filter(
        task_path=periodic_sweep(name).task.module_path, status=TaskResultStatus.READY
    ).exists()


def periodic_schedule(*, name: str, delay: timedelta | None = None) -> bool:
    """Enqueue a run of sweep `name` `delay` from now (default: its period), unless one is
    waiting already. True if it enqueued one."""
    sweep = periodic_sweep(name)
    delay = sweep.every if delay is None else delay
    with transaction.atomic():
        # Serialises "is one waiting? if not, enqueue one" between processes on PostgreSQL;
        # SQLite runs every write transaction alone already.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                key = zlib.crc32(f"qyzmet.periodic.{name}".encode())
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        if periodic_pending(name=name):
            return False
        sweep.task.using(run_after=timezone.now() + delay).enqueue()
    logger.info(
        "periodic sweep scheduled", extra={"sweep": name, "delay_seconds": delay.total_seconds()}
    )
    return True


def periodic_next(name: str) -> None:
    """Called first by every run of a sweep: enqueue the next run one period later."""
    periodic_schedule(name=name)


def periodic_start() -> list[str]:
    """Start every declared sweep now, unless it is waiting already (the worker calls this
    when it starts). Returns the names of the sweeps it enqueued."""
    return [name for name in periodic_sweeps() if periodic_schedule(name=name, delay=timedelta(0))]
