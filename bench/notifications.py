"""Notifications: SMS delivered per second by the worker, on SQLite and PostgreSQL, against a
baseline of the same SQL run in a plain loop, in the same run.

    .venv/bin/python bench/notifications.py [--messages 2000] [--workers 2]
        [--backends sqlite,postgres]

For each backend (SQLite in a temporary file; PostgreSQL in a fresh database
`qyzmet_bench_notify`, dropped at the end), in a child process of its own:

1. migrate; enqueue a batch of messages and record the SQL of the delivery task that sends them
   (claim the task, claim the outbox rows, the demo sink's INSERT per message, the batch's status
   UPDATEs, the task's result), as Django sends it;
2. enqueue `--messages` status SMS with `notify` (one transaction each, as an action would):
   messages enqueued per second;
3. start `--workers` `manage.py worker` processes and time until every message is delivered:
   messages delivered per second (end to end: the workers poll, claim, send to the sink,
   record);
4. baseline: enqueue as many again, then `--workers` processes replay the recorded statements
   for each batch of them (their ids substituted, timestamps moved to now) with psycopg or
   sqlite3 and no Django: the database's own cost of the same work.

Nothing is asserted: the script prints figures. Workers and database share the machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "qyzmet_bench_notify"
BENCH_ENV = {
    "QYZMET_DEMO": "1",
    "QYZMET_LOG_LEVEL": "ERROR",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "QYZMET_NOTIFY_QUIET_HOURS": "off",
    "QYZMET_NOTIFY_LIMIT_PER_HOUR": "1000000",
    "QYZMET_SMS_PROVIDERS": "sink",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The parent: one child per backend -----------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.messages, args.workers)), flush=True)
        return
    results = []
    for backend in args.backends.split(","):
        results.append(run_backend(backend, args.messages, args.workers))
    print(f"\nNotifications: {args.messages} status SMS, {args.workers} worker processes")
    print(f"{'backend':10} {'enqueued/s':>11} {'delivered/s':>12} {'baseline/s':>11} {'share':>6}")
    for result in results:
        share = result["delivered_per_s"] / result["baseline_per_s"]
        print(
            f"{result['backend']:10} {result['enqueued_per_s']:11.0f} "
            f"{result['delivered_per_s']:12.0f} {result['baseline_per_s']:11.0f} {share:6.0%}"
        )
    print(
        "\nbaseline: the recorded SQL of one delivery task draining a batch (task claim, outbox "
        "claims, a sink insert per message, the batch's status updates, task result), replayed "
        "for every batch of messages by as many processes, without Django."
    )


def run_backend(backend: str, messages: int, workers: int) -> dict[str, Any]:
    var_dir = Path(tempfile.mkdtemp(prefix="qyzmet-bench-notify-"))
    env = {**os.environ, **BENCH_ENV, "QYZMET_VAR_DIR": str(var_dir)}
    env.pop("DATABASE_URL", None)
    if backend == "postgres":
        _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        _psql(f"CREATE DATABASE {PG_DATABASE}")
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    try:
        log(f"[{backend}] running")
        output = subprocess.run(  # noqa: S603 - this script
            [sys.executable, __file__, "--child", backend, "--messages", str(messages),
             "--workers", str(workers)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
        return result
    except subprocess.CalledProcessError as exc:
        log(exc.stderr[-3000:])
        raise
    finally:
        if backend == "postgres":
            _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        shutil.rmtree(var_dir, ignore_errors=True)


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql.encode())


# --- The child: everything for one backend -------------------------------------------------------


def child(backend: str, messages: int, workers: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    statements, ids = record_batch()
    log(
        f"[{backend}] recorded {len(statements)} statements of one task delivering "
        f"{len(ids['notifications'])} messages"
    )

    started = time.perf_counter()
    enqueue(messages, "run")
    enqueued_per_s = messages / (time.perf_counter() - started)

    delivered_per_s = deliver_with_workers(messages, workers)
    log(f"[{backend}] workers: {delivered_per_s:.0f} delivered/s")

    enqueue(messages, "base")
    groups = base_groups(len(ids["notifications"]))
    settings_dict = dict(connection.settings_dict)
    connection.close()
    baseline_per_s = replay(backend, settings_dict, statements, ids, groups, workers)
    log(f"[{backend}] baseline: {baseline_per_s:.0f} /s")
    return {
        "backend": backend,
        "enqueued_per_s": enqueued_per_s,
        "delivered_per_s": delivered_per_s,
        "baseline_per_s": baseline_per_s,
    }


def enqueue(count: int, prefix: str) -> None:
    from django.db import transaction

    from qyzmet.notifications.actions import notify
    from qyzmet.notifications.recipients import Recipient

    for n in range(count):
        with transaction.atomic():
            notify(
                recipient=Recipient(
                    ref=f"account:{prefix}{n}", language="ru", phone=f"+7701{n % 10_000_000:07d}"
                ),
                event="application.status_changed",
                context={"number": f"Q{n}", "state": "в работе", "application_id": str(n)},
                dedupe_key=f"bench:{prefix}:{n}",
                channels=("sms",),
            )


def _undelivered() -> int:
    from qyzmet.notifications.models import Notification

    return Notification.objects.filter(channel="sms").exclude(status="delivered").count()


def deliver_with_workers(messages: int, workers: int) -> float:
    env = {**os.environ}
    command = [sys.executable, "manage.py", "worker", "--interval", "0.05"]
    processes = []
    for _ in range(workers):
        processes.append(
            subprocess.Popen(  # noqa: S603 - our own manage.py
                command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
    from qyzmet.core.models import WorkerHeartbeat

    try:
        # Timed from the moment every worker is up (Django's start-up is not delivery).
        deadline = time.monotonic() + 120
        while WorkerHeartbeat.objects.count() < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start")
            time.sleep(0.02)
        started, waiting = time.perf_counter(), _undelivered()
        while _undelivered():
            if time.perf_counter() - started > 600:
                raise RuntimeError("the workers did not finish in 10 minutes")
            time.sleep(0.05)
        wall = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    return waiting / wall


def record_batch() -> tuple[list[Any], dict[str, Any]]:
    """The statements a worker sends for one delivery task that drains a batch of messages
    (its own, then the others due), and the ids in them (task, notifications)."""
    from applications import SqlRecorder
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from qyzmet.notifications import tasks
    from qyzmet.notifications.models import Notification

    tasks._keep_the_sweep_alive()  # its once-a-while check is not part of a delivery
    enqueue(tasks.BATCH, "record")
    rows = Notification.objects.filter(dedupe_key__startswith="bench:record:")
    first = DBTaskResult.objects.filter(task_path__endswith="deliver_task").order_by("enqueued_at")[
        0
    ]
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=1, worker_id="bench", excluded_queue_names=[],
    )  # fmt: skip
    recorder = SqlRecorder(connection)
    with recorder.recording():
        worker.run()
    assert rows.exclude(status="delivered").count() == 0
    # The other tasks enqueued for the recorded messages have nothing left to do.
    DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_task").delete()
    ids = {
        "task": first.pk.hex,
        "notifications": [
            pk.hex for pk in rows.order_by("created_at").values_list("pk", flat=True)
        ],
    }
    return recorder.statements, ids


def base_groups(size: int) -> list[list[str]]:
    """The baseline's messages, in groups as large as the recorded batch."""
    from qyzmet.notifications.models import Notification

    waiting = [
        pk.hex
        for pk in Notification.objects.filter(
            dedupe_key__startswith="bench:base:", status="created"
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    ]
    return [waiting[i : i + size] for i in range(0, len(waiting) - size + 1, size)]


# --- The baseline: the recorded SQL per message, no Django ---------------------------------------


def _substitute(value: Any, mapping: dict[str, str], shift: timedelta) -> Any:
    if isinstance(value, uuid.UUID):
        return uuid.UUID(mapping[value.hex]) if value.hex in mapping else value
    if isinstance(value, datetime):
        return value if value.year >= 9000 else value + shift
    if isinstance(value, str):
        compact = value.replace("-", "")
        if len(compact) == 32 and compact in mapping:
            new = mapping[compact]
            return str(uuid.UUID(new)) if "-" in value else new
        if len(value) >= 19 and value[4:5] == "-" and value[10:11] in (" ", "T") and value < "9000":
            try:
                return (datetime.fromisoformat(value) + shift).isoformat(sep=value[10])
            except ValueError:
                return value
    return value


def _replay_slice(args: tuple[str, dict[str, Any], list[Any], dict[str, Any], list[Any]]) -> int:
    backend, settings_dict, statements, ids, groups = args
    recorded_at = next(
        (
            p
            for s in statements
            for p in (s.params or ())
            if isinstance(p, datetime) and p.year < 9000
        ),
        None,
    )
    if backend == "postgres":
        import psycopg

        connection: Any = psycopg.connect(
            dbname=settings_dict["NAME"], user=settings_dict["USER"],
            host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432, autocommit=True,
        )  # fmt: skip
    else:
        from applications import sqlite_connect

        connection = sqlite_connect(settings_dict["NAME"])
    from applications import sqlite_sql

    done = 0
    for group in groups:
        # The task row is a fresh id (no such row): the baseline does not pay for it.
        mapping = {
            ids["task"]: uuid.uuid4().hex,
            **dict(zip(ids["notifications"], group, strict=True)),
        }
        now = datetime.now(tz=recorded_at.tzinfo) if recorded_at and recorded_at.tzinfo else None
        shift = (now - recorded_at) if now and recorded_at else timedelta(0)
        open_transaction: int | None = None
        for statement in statements:
            if statement.sql.strip().upper().startswith(("BEGIN", "COMMIT")):
                continue
            if statement.transaction != open_transaction:
                if open_transaction is not None:
                    connection.execute("COMMIT")
                if statement.transaction is not None:
                    connection.execute("BEGIN" if backend == "postgres" else "BEGIN IMMEDIATE")
                open_transaction = statement.transaction
            rows = statement.params if statement.many else [statement.params or ()]
            sql = statement.sql if backend == "postgres" else sqlite_sql(statement.sql)
            if "notifications_notification" in sql:
                # Each replaying process updates only its own groups' rows (by id); its claim
                # query must not lock the others' rows too, or two replays deadlock (the real
                # claim updates exactly the rows it locked).
                sql = sql.replace(" FOR UPDATE SKIP LOCKED", "")
            for row in rows:
                values = [_substitute(v, mapping, shift) for v in row]
                cursor = connection.execute(sql, values)
                if cursor.description is not None:
                    cursor.fetchall()
        if open_transaction is not None:
            connection.execute("COMMIT")
        done += len(group)
    connection.close()
    return done


def replay(
    backend: str,
    settings_dict: dict[str, Any],
    statements: list[Any],
    ids: dict[str, Any],
    groups: list[list[str]],
    workers: int,
) -> float:
    slices = [groups[i::workers] for i in range(workers)]
    jobs = [(backend, settings_dict, statements, ids, part) for part in slices]
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(workers) as pool:
        done = sum(pool.map(_replay_slice, jobs))
    return done / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
