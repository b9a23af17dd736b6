"""A crash loses no document: a task whose worker died is taken again after its lease, a
failing task is retried with a doubling wait and, when it gives up, is counted in /healthz and
listed for staff; approvals without their document are found by a sweep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD, CommittingClient, bearer, last_code, sign_in
from qyzmet.api.tests.journeys import criminal_record_submitted, later, officer_headers
from qyzmet.applications.models import ApplicationEvent
from qyzmet.applications.tasks import result_document_task, result_documents_sweep_task
from qyzmet.core.actions import worker_heartbeat_beat
from qyzmet.core.models import WorkerHeartbeat
from qyzmet.documents.models import Document
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.tests.conftest import run_tasks

pytestmark = pytest.mark.django_db


def _approved(api: CommittingClient) -> tuple[dict[str, Any], dict[str, str]]:
    """A criminal-record application approved by an officer: its document task is queued."""
    account = citizen_create()
    citizen = bearer(sign_in(api, account.person.iin)["access_token"])
    with later():
        application = criminal_record_submitted(api, citizen)
    officer = officer_headers(api)
    steps = f"/api/v1/office/applications/{application['id']}/steps"
    assert api.post_json(steps, {"name": "issue"}, **officer).status_code == 200
    return application, citizen


def _document_task() -> DBTaskResult[..., Any]:
    return DBTaskResult.objects.get(task_path=result_document_task.module_path)


def _claimed_by_a_dead_worker(row: DBTaskResult[..., Any], *, minutes_ago: int) -> None:
    """As django-tasks-db's worker leaves a row it took, when it is then killed."""
    WorkerHeartbeat.objects.create(
        worker_id="dead-worker",
        hostname="h",
        pid=1,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        last_seen=timezone.now() - timedelta(minutes=minutes_ago),
    )
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[*row.worker_ids, "dead-worker"],
    )


def test_a_document_whose_worker_died_is_issued_after_the_lease(
    api_client: CommittingClient,
) -> None:
    application, citizen = _approved(api_client)
    _claimed_by_a_dead_worker(_document_task(), minutes_ago=5)
    worker_heartbeat_beat(worker_id="live")

    health = api_client.get("/healthz").json()
    assert health["status"] == "degraded"  # serving, but a task lost its worker
    assert (health["tasks"]["stuck"], health["tasks"]["failed"]) == (1, 0)

    run_tasks()  # the worker takes back what a dead worker held, and runs it

    mine = api_client.get("/api/v1/documents/", **citizen).json()
    assert [d["application_id"] for d in mine] == [application["id"]]
    row = _document_task()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2  # the dead worker's attempt, then this one
    worker_heartbeat_beat(worker_id="live")
    assert api_client.get("/healthz").json()["status"] == "ok"


def test_a_task_within_its_lease_or_of_a_live_worker_is_left_running(
    api_client: CommittingClient,
) -> None:
    _approved(api_client)
    row = _document_task()
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=5),
        worker_ids=["busy-worker"],
    )
    worker_heartbeat_beat(worker_id="busy-worker")  # alive: a long task, not a dead one

    run_tasks()

    assert _document_task().status == TaskResultStatus.RUNNING
    assert Document.objects.count() == 0
    assert api_client.get("/healthz").json()["tasks"]["stuck"] == 0


def test_a_task_that_kills_its_worker_every_time_gives_up(
    api_client: CommittingClient, settings: Any
) -> None:
    settings.QYZMET_TASK_ATTEMPTS = 2
    _approved(api_client)
    row = _document_task()
    DBTaskResult.objects.filter(pk=row.pk).update(worker_ids=["first-dead-worker"])
    _claimed_by_a_dead_worker(_document_task(), minutes_ago=5)

    run_tasks()

    row = _document_task()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "qyzmet.core.retries.WorkerLost"
    assert Document.objects.count() == 0
    assert api_client.get("/healthz").json()["tasks"]["failed"] == 1


def _failing_render(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def broken(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        raise RuntimeError("the signing service is down")

    monkeypatch.setattr("qyzmet.documents.actions.agency_pdf_sign", broken)
    return calls


def test_a_failing_task_is_retried_later_then_gives_up_visibly(
    api_client: CommittingClient, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.QYZMET_TASK_ATTEMPTS = 3
    _application, citizen = _approved(api_client)
    calls = _failing_render(monkeypatch)

    run_tasks()
    row = _document_task()
    assert (row.status, len(calls)) == (TaskResultStatus.READY, 1)  # back in the queue
    assert row.run_after > timezone.now() + timedelta(seconds=25)  # 30 s later
    run_tasks()
    assert len(calls) == 1  # not due yet
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        run_tasks()
    row = _document_task()
    assert (row.status, len(calls)) == (TaskResultStatus.READY, 2)
    with time_machine.travel(timezone.now() + timedelta(seconds=40)):
        run_tasks()
    assert len(calls) == 2  # the second wait is twice as long: 60 s
    with time_machine.travel(timezone.now() + timedelta(seconds=95)):
        run_tasks()
        run_tasks()

    row = _document_task()
    assert (row.status, len(calls)) == (TaskResultStatus.FAILED, 3)
    assert "the signing service is down" in row.traceback
    worker_heartbeat_beat(worker_id="live")
    health = api_client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["tasks"] == {"ok": False, "failed": 1, "stuck": 0}
    assert api_client.get("/api/v1/documents/", **citizen).json() == []


@pytest.fixture
def staff() -> CommittingClient:
    account = citizen_create(phone="+77470009988")
    account.is_staff = True
    account.save(update_fields=["is_staff"])
    account.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_dbtaskresult", "change_dbtaskresult"])
    )
    return _browser(account, "+77470009988")


def _browser(account: Account | None, phone: str = "") -> CommittingClient:
    """A browser signed in as `account` through the sign-in pages, or anonymous."""
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        with later(180):
            web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
            web.post("/signin/code/", {"code": last_code(web, phone)})
    return web


def _gave_up(api: CommittingClient, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.QYZMET_TASK_ATTEMPTS = 1
    _approved(api)
    _failing_render(monkeypatch)
    run_tasks()
    assert _document_task().status == TaskResultStatus.FAILED


def test_staff_see_the_tasks_that_gave_up_and_run_one_again(
    api_client: CommittingClient,
    staff: CommittingClient,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    _gave_up(api_client, monkeypatch, settings)
    row = _document_task()

    page = staff.get("/office/tasks/failed/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "qyzmet.applications.tasks.result_document_task" in html
    assert "the signing service is down" in html
    assert "Gave up: 1. Running without a live worker: 0." in html
    assert 'href="/office/tasks/failed/"' in staff.get("/office/").content.decode()

    monkeypatch.undo()  # the signing service is back
    settings.QYZMET_TASK_ATTEMPTS = 1
    again = staff.post(f"/office/tasks/failed/{row.pk}/", {"action": "run"}, follow=True)
    assert "The task is queued to run again." in again.content.decode()
    run_tasks()

    assert _document_task().status == TaskResultStatus.SUCCESSFUL
    assert Document.objects.count() == 1
    assert "No task has given up." in staff.get("/office/tasks/failed/").content.decode()


def test_staff_dismiss_a_task_handled_by_hand(
    api_client: CommittingClient,
    staff: CommittingClient,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    _gave_up(api_client, monkeypatch, settings)
    row = _document_task()

    staff.post(f"/office/tasks/failed/{row.pk}/", {"action": "dismiss"})
    again = staff.post(f"/office/tasks/failed/{row.pk}/", {"action": "run"}, follow=True)

    assert not DBTaskResult.objects.filter(pk=row.pk).exists()
    assert "This task is no longer waiting for a decision." in again.content.decode()
    worker_heartbeat_beat(worker_id="live")
    assert api_client.get("/healthz").json()["status"] == "ok"


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff without permission"])
def test_only_staff_with_the_permission_see_or_touch_failed_tasks(
    api_client: CommittingClient, monkeypatch: pytest.MonkeyPatch, settings: Any, who: str
) -> None:
    _gave_up(api_client, monkeypatch, settings)
    row = _document_task()
    account: Account | None = None
    if who != "anonymous":
        account = citizen_create(phone="+77470009977")
        account.is_staff = who != "citizen"
        account.save(update_fields=["is_staff"])
    web = _browser(account, "+77470009977")

    listed = web.get("/office/tasks/failed/")
    acted = web.post(f"/office/tasks/failed/{row.pk}/", {"action": "dismiss"})

    if who == "staff without permission":
        assert (listed.status_code, acted.status_code) == (403, 403)
    else:  # to the sign-in page
        assert (listed.status_code, acted.status_code) == (302, 302)
    assert _document_task().status == TaskResultStatus.FAILED


def test_an_approval_whose_document_task_was_lost_gets_its_document_from_the_sweep(
    api_client: CommittingClient,
) -> None:
    application, citizen = _approved(api_client)
    _document_task().delete()  # lost: never to run

    result_documents_sweep_task.enqueue()
    run_tasks()
    assert Document.objects.count() == 0  # within the grace its own task has

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        result_documents_sweep_task.enqueue()
        run_tasks()
        result_documents_sweep_task.enqueue()
        run_tasks()  # a second sweep issues nothing more

    mine = api_client.get("/api/v1/documents/", **citizen).json()
    assert [d["application_id"] for d in mine] == [application["id"]]
    events = ApplicationEvent.objects.filter(application_id=application["id"])
    assert events.filter(transition="document").count() == 1
