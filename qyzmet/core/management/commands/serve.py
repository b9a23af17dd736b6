"""Serve the portal with gunicorn and run the task worker beside it, supervised: a child that
dies (killed, out of memory) is started again after a backoff that doubles while it keeps
dying, and the other keeps running meanwhile. Ctrl-C or SIGTERM stops both."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand

logger = logging.getLogger("qyzmet.serve")

FIRST_BACKOFF = 1.0  # seconds before the first restart
LONGEST_BACKOFF = 30.0
STEADY_AFTER = 10.0  # a child that ran this long starts again from the first backoff


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    deaths: int = 0  # in a row: a child that ran steadily starts counting again
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv)  # noqa: S603 - our own commands
        self.started_at = time.monotonic()
        self.restart_at = None
        logger.info("child started", extra={"child": self.name, "pid": self.process.pid})

    def supervise(self, now: float) -> None:
        """Notice a death and schedule the restart; restart when its time has come."""
        if self.process is not None and self.restart_at is None:
            code = self.process.poll()
            if code is None:
                return
            self.deaths = 1 if now - self.started_at >= STEADY_AFTER else self.deaths + 1
            backoff = supervisor_delay(deaths=self.deaths)
            self.restart_at = now + backoff
            logger.error(
                "child died, restarting",
                extra={"child": self.name, "returncode": code, "backoff_seconds": backoff},
            )
        if self.restart_at is not None and now >= self.restart_at:
            self.restarts += 1
            self.start()


def supervisor_delay(*, deaths: int) -> float:
    """The wait before the restart after `deaths` deaths in a row (1, 2, …): doubling."""
    return min(FIRST_BACKOFF * 2 ** (max(deaths, 1) - 1), LONGEST_BACKOFF)


class Command(BaseCommand):
    help = "Start gunicorn and the task worker, restart either when it dies; stop on SIGTERM."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("QYZMET_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        # More threads than the overload guard admits: the extra ones only answer 503 at once
        # (see qyzmet/core/overload.py) instead of leaving requests queued in gunicorn.
        parser.add_argument(
            "--threads", type=int, default=4 * int(os.environ.get("WEB_THREADS", "4"))
        )

    def handle(self, *args: Any, bind: str, workers: int, threads: int, **opts: Any) -> None:
        python = sys.executable
        gunicorn = [
            python, "-m", "gunicorn", "config.wsgi:application",
            "--bind", bind, "--worker-class", "gthread",
            "--workers", str(workers), "--threads", str(threads),
            # Above QYZMET_MAX_URL_LENGTH, so that an over-long address gets the 414 page.
            "--limit-request-line", "8190",
            "--access-logfile", "-", "--graceful-timeout", "5", "--no-control-socket",
            "--logger-class", "qyzmet.core.access_log.RedactingLogger",  # no IINs in the log
        ]  # fmt: skip
        worker = [python, "manage.py", "worker"]
        children = [Child("web", gunicorn), Child("worker", worker)]

        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for child in children:
                child.start()
            while not stopping:
                now = time.monotonic()
                for child in children:
                    child.supervise(now)
                time.sleep(0.3)
        finally:
            running = [c.process for c in children if c.process and c.process.poll() is None]
            for process in running:
                process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in running:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
