from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from qyzmet.core.actions import worker_heartbeat_beat
from qyzmet.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

# A day of a year whose MCI is in the data, and not within 30 days of one whose is not: the
# status is then "ok" (`qyzmet/api/tests/test_mci_missing.py` has the days it is not).
MID_2026 = time_machine.travel("2026-06-01 10:00 +05:00", tick=True)


def test_healthz_is_503_when_no_worker_has_ever_beaten() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["database"]["ok"] is True
    assert body["worker"]["ok"] is False
    assert body["worker"]["last_seen"] is None


@MID_2026
def test_healthz_is_200_with_a_fresh_heartbeat() -> None:
    worker_heartbeat_beat(worker_id="w1")

    response = Client().get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"]["ok"] is True
    assert body["worker"]["alive"] == 1
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_heartbeat_is_stale(settings: object) -> None:
    worker_heartbeat_beat(worker_id="w1")
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(seconds=61))

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False
    assert response.json()["worker"]["age_seconds"] >= 61


@MID_2026
def test_api_health_reports_the_same_as_healthz() -> None:
    worker_heartbeat_beat(worker_id="w1")

    response = Client().get("/api/v1/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
