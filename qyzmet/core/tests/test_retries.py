"""The one retry policy of background tasks: a doubling wait, bounded, a bounded number of
attempts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from qyzmet.core.actions import task_leases_expire, worker_heartbeat_beat
from qyzmet.core.models import WorkerHeartbeat
from qyzmet.core.retries import RetryPolicy, retry_policy

POLICY = RetryPolicy(attempts=8, first=timedelta(seconds=30), longest=timedelta(hours=1))


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (20, 3600)]
)
def test_each_wait_is_twice_the_last_at_most_an_hour(attempt: int, seconds: int) -> None:
    assert POLICY.delay(attempt) == timedelta(seconds=seconds)


@pytest.mark.parametrize(("attempt", "gives_up"), [(1, False), (7, False), (8, True), (9, True)])
def test_it_gives_up_after_the_last_attempt(attempt: int, gives_up: bool) -> None:
    assert POLICY.gives_up_after(attempt) is gives_up


def test_the_policy_comes_from_the_settings(settings: Any) -> None:
    settings.QYZMET_TASK_ATTEMPTS = 3
    settings.QYZMET_TASK_RETRY_FIRST_SECONDS = 5
    settings.QYZMET_TASK_RETRY_LONGEST_SECONDS = 60

    policy = retry_policy("qyzmet.applications.tasks.result_document_task")

    assert policy == RetryPolicy(
        attempts=3, first=timedelta(seconds=5), longest=timedelta(seconds=60)
    )


@pytest.mark.django_db
def test_the_lease_sweep_forgets_the_heartbeats_of_workers_long_dead() -> None:
    worker_heartbeat_beat(worker_id="alive")
    worker_heartbeat_beat(worker_id="killed-yesterday")
    WorkerHeartbeat.objects.filter(worker_id="killed-yesterday").update(
        last_seen=timezone.now() - timedelta(days=1, seconds=1)
    )

    assert task_leases_expire() == {"requeued": 0, "gave_up": 0}
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
