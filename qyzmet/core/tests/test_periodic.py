"""The periodic scheduler: sweeps declared once, started once, each run enqueueing the next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from qyzmet.core.periodic import (
    periodic_next,
    periodic_pending,
    periodic_schedule,
    periodic_start,
    periodic_sweeps,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
RUNS: list[str] = []


@task()
def tick_task() -> int:
    periodic_next("tick")
    RUNS.append("tick")
    return len(RUNS)


@task()
def broken_task() -> None:
    periodic_next("broken")
    raise RuntimeError("the sweep failed")


@pytest.fixture(autouse=True)
def _sweeps(settings: Any) -> None:
    settings.QYZMET_TICK_SECONDS = 30
    settings.QYZMET_PERIODIC_SWEEPS = {
        "tick": {"task": f"{__name__}.tick_task", "every": "QYZMET_TICK_SECONDS"},
        "broken": {"task": f"{__name__}.broken_task", "every": 60},
    }
    RUNS.clear()


def _waiting(path: str) -> list[datetime]:
    return list(
        DBTaskResult.objects.filter(task_path=f"{__name__}.{path}", status="READY").values_list(
            "run_after", flat=True
        )
    )


def test_the_declared_sweeps_with_their_periods(settings: Any) -> None:
    sweeps = periodic_sweeps()
    assert list(sweeps) == ["tick", "broken"]
    assert sweeps["tick"].every == timedelta(seconds=30)
    assert sweeps["broken"].every == timedelta(seconds=60)
    settings.QYZMET_TICK_SECONDS = 45  # a period named by a setting is read when used
    assert periodic_sweeps()["tick"].every == timedelta(seconds=45)


def test_an_unknown_sweep_or_a_path_that_is_no_task_is_a_configuration_error(
    settings: Any,
) -> None:
    with pytest.raises(ImproperlyConfigured, match="Unknown periodic sweep 'tock'"):
        periodic_schedule(name="tock")
    settings.QYZMET_PERIODIC_SWEEPS = {"bad": {"task": f"{__name__}.NOW", "every": 1}}
    with pytest.raises(ImproperlyConfigured, match="is not a task"):
        periodic_sweeps()


@time_machine.travel(NOW, tick=False)
def test_start_enqueues_each_sweep_now_and_only_once() -> None:
    assert periodic_start() == ["tick", "broken"]
    assert periodic_start() == []
    assert _waiting("tick_task") == [NOW]
    assert _waiting("broken_task") == [NOW]
    assert periodic_pending(name="tick") is True


@time_machine.travel(NOW, tick=False)
def test_schedule_waits_one_period_by_default_and_never_piles_up() -> None:
    assert periodic_pending(name="tick") is False
    assert periodic_schedule(name="tick") is True
    assert periodic_schedule(name="tick") is False
    assert periodic_schedule(name="tick", delay=timedelta(0)) is False
    assert _waiting("tick_task") == [NOW + timedelta(seconds=30)]


@time_machine.travel(NOW, tick=False)
def test_each_run_enqueues_the_next_one_period_later() -> None:
    assert tick_task.call() == 1
    assert tick_task.call() == 2  # a retry, or a second worker: still one waiting
    assert _waiting("tick_task") == [NOW + timedelta(seconds=30)]


@time_machine.travel(NOW, tick=False)
def test_a_failing_run_keeps_the_chain() -> None:
    with pytest.raises(RuntimeError):
        broken_task.call()
    assert _waiting("broken_task") == [NOW + timedelta(seconds=60)]
