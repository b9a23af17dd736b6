"""The task worker: django-tasks-db's worker plus a heartbeat that /healthz reports, and the
periodic sweeps, which it starts itself (see `qyzmet.core.periodic`)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from qyzmet.core.actions import worker_heartbeat_beat, worker_heartbeat_forget
from qyzmet.core.periodic import periodic_start

logger = logging.getLogger("qyzmet.worker")


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.stopped = threading.Event()
        self.started_at = timezone.now()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    worker_heartbeat_beat(worker_id=self.worker_id, started_at=self.started_at)
                except Exception:  # a beat may fail (database restart); the next one retries
                    logger.exception("heartbeat failed", extra={"worker_id": self.worker_id})
                self.stopped.wait(self.every)
        finally:
            try:
                # A beat that was still writing when the worker stopped may land after the
                # worker's own goodbye: the thread's last word is a goodbye too.
                worker_heartbeat_forget(worker_id=self.worker_id)
            except Exception:
                logger.exception("heartbeat not removed", extra={"worker_id": self.worker_id})
            connection.close()


class Command(BaseCommand):
    help = "Run the background task worker (all queues) with a heartbeat."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queues, or * for all.")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued, then exit (without starting the periodic sweeps).",
        )

    def handle(self, *args: Any, queues: str, interval: float, batch: bool, **opts: Any) -> None:
        worker_id = get_random_string(32)
        beat = Heartbeat(worker_id, settings.QYZMET_WORKER_HEARTBEAT_SECONDS)
        worker = Worker(
            queue_names=queues.split(","),
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if not batch:
            worker.configure_signals()
            # Each sweep is enqueued only if no run of it waits, so two workers start it once.
            # Before the heartbeat's thread starts writing, so the two never wait on each other.
            started = periodic_start()
            logger.info("periodic sweeps started", extra={"sweeps": started})
            beat.start()
        logger.info("worker started", extra={"worker_id": worker_id, "queues": queues})
        try:
            worker.run()
        finally:
            beat.stopped.set()
            if beat.is_alive():
                beat.join(timeout=30)
            worker_heartbeat_forget(worker_id=worker_id)
            logger.info("worker stopped", extra={"worker_id": worker_id})
