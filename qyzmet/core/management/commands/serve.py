"""Serve the portal with gunicorn and run the task worker beside it; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start gunicorn and the task worker together; stop both on Ctrl-C or SIGTERM."

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
        children = [subprocess.Popen(gunicorn), subprocess.Popen(worker)]  # noqa: S603

        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM, -2)]
        if failed and not stopping:
            raise SystemExit(1)
