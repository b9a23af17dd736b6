"""The task worker: django-tasks-db's worker plus a heartbeat that /healthz reports and that
holds the lease of the task it runs, the one retry policy (`qyzmet.core.retries`), and the
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
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from qyzmet.core.actions import (
    task_failure_record,
    task_leases_expire,
    worker_heartbeat_beat,
    worker_heartbeat_forget,
)
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


class RetryingWorker(Worker):
    """django-tasks-db's worker, but a task that raises is tried again later (or given up)
    by the one retry policy, instead of being marked failed at once."""

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                return_value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                return_value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except BaseException as exc:  # an interrupted task (SystemExit) is tried again too
            try:
                gave_up = task_failure_record(row=db_task_result, error=exc)
            except Exception:
                logger.exception("task failure not recorded", extra={"task_id": db_task_result.pk})
                gave_up = False  # still RUNNING: its lease runs out and it is taken again
            if gave_up:
                try:
                    task_finished.send(
                        sender=type(db_task_result.task.get_backend()),
                        task_result=db_task_result.task_result,
                    )
                except Exception:
                    logger.exception("task failed", extra={"task_id": db_task_result.pk})
        finally:
            self.running_task = False
            self._run_tasks += 1


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
        worker = RetryingWorker(
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
        else:
            # One beat, so that the lease of what a batch run takes is its own while it runs;
            # and what a dead worker left running is taken back first.
            worker_heartbeat_beat(worker_id=worker_id)
            task_leases_expire()
        logger.info("worker started", extra={"worker_id": worker_id, "queues": queues})
        try:
            worker.run()
        finally:
            beat.stopped.set()
            if beat.is_alive():
                beat.join(timeout=30)
            worker_heartbeat_forget(worker_id=worker_id)
            logger.info("worker stopped", extra={"worker_id": worker_id})
