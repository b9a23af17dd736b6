import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from qyzmet.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)

CALLS: list[int] = []


@task()
def remember(value: int) -> int:
    CALLS.append(value)
    return value * 2


def test_worker_runs_queued_tasks_and_leaves_no_heartbeat_behind() -> None:
    CALLS.clear()
    result = remember.enqueue(21)

    call_command("worker", "--batch")

    assert CALLS == [21]
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "SUCCESSFUL"
    assert stored.return_value == 42
    assert WorkerHeartbeat.objects.count() == 0


def test_sqlite_runs_with_immediate_transactions() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


def _waiting_sweeps() -> list[str]:
    return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


SWEEPS = [
    "qyzmet.applications.tasks.deadlines_sweep_task",
    "qyzmet.applications.tasks.result_documents_sweep_task",
    "qyzmet.core.tasks.idempotency_keys_sweep_task",
    "qyzmet.core.tasks.task_leases_sweep_task",
    "qyzmet.notifications.tasks.notifications_sweep_task",
    "qyzmet.payments.tasks.payments_sweep_task",
]


def test_starting_the_worker_starts_every_sweep_once_even_when_started_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)
    monkeypatch.setattr(Worker, "run", lambda self: None)  # start, then stop at once

    call_command("worker")
    call_command("worker")  # a second worker, or a restart

    assert _waiting_sweeps() == SWEEPS
    assert WorkerHeartbeat.objects.count() == 0


def test_a_batch_run_starts_no_sweep() -> None:
    call_command("worker", "--batch")
    assert _waiting_sweeps() == []
