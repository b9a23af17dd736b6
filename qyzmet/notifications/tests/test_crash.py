"""Exactly once across a crash: a real worker process is killed (SIGKILL) while a slow provider
is sending; another worker finishes the job; every message is in the sink exactly once.

Runs real processes on a file database of its own (SQLite), so it takes a few seconds.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

MESSAGES = 12
ENQUEUE = f"""
from django.db import transaction
from qyzmet.notifications.actions import notify
from qyzmet.notifications.recipients import Recipient
from qyzmet.core.periodic import periodic_schedule
for n in range({MESSAGES}):
    with transaction.atomic():
        notify(
            recipient=Recipient(ref=f"account:{{n}}", language="en", phone=f"+7701000{{n:04d}}"),
            event="application.status_changed",
            context={{"number": f"Q{{n}}", "state": "in review", "application_id": str(n)}},
            dedupe_key=f"crash:{{n}}",
        )
periodic_schedule(name="outbox")
"""


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        QYZMET_VAR_DIR=str(var_dir),
        QYZMET_DEMO="1",
        QYZMET_DEMO_SINK_DELAY_MS="400",
        QYZMET_NOTIFY_LEASE_SECONDS="2",
        QYZMET_NOTIFY_SWEEP_SECONDS="1",
        QYZMET_NOTIFY_QUIET_HOURS="off",
        QYZMET_SMS_PROVIDERS="sink",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.05"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _query(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=20) as connection:
        return connection.execute(sql, params).fetchall()


SENT_BUT_NOT_RECORDED = """
    SELECT n.id FROM notifications_notification n
    JOIN notifications_sinkmessage s ON replace(s.client_message_id, '-', '') = n.id
    WHERE n.status = 'sending'
"""


def _wait(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_worker_killed_mid_send_leaves_every_message_sent_exactly_once(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = tmp_path / "qyzmet.sqlite3"
    _manage(env, "migrate", "--verbosity", "0")
    _manage(env, "shell", "-c", ENQUEUE)

    first = _worker(env)
    try:
        # Kill it in the worst moment: the provider has the message, the outbox not yet.
        caught = _wait(lambda: _query(db, SENT_BUT_NOT_RECORDED), 60)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert caught, "the worker was never seen mid-send"
    victims = [row[0] for row in _query(db, SENT_BUT_NOT_RECORDED)]
    assert victims
    assert _query(db, "SELECT count(*) FROM notifications_notification WHERE status != 'delivered'"
                  " AND channel = 'sms'")[0][0] > 0  # fmt: skip

    second = _worker(env)
    try:
        done = _wait(
            lambda: (
                _query(
                    db,
                    "SELECT count(*) FROM notifications_notification "
                    "WHERE channel = 'sms' AND status = 'delivered'",
                )[0][0]
                == MESSAGES
            ),
            60,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=15)
        except subprocess.TimeoutExpired:
            second.kill()
    assert done, _query(db, "SELECT status, attempts FROM notifications_notification")

    sink = _query(db, "SELECT client_message_id FROM notifications_sinkmessage")
    assert len(sink) == MESSAGES
    assert len({row[0] for row in sink}) == MESSAGES
    for victim in victims:  # sent again after the crash, with the same key: still one message
        [(attempts,)] = _query(
            db, "SELECT attempts FROM notifications_notification WHERE id = ?", (victim,)
        )
        assert attempts == 2
