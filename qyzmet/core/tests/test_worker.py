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
