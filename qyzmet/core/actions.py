"""Writes of the core app."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from django.utils import timezone

from qyzmet.core.models import WorkerHeartbeat


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
