"""A step's follow-ups, enqueued by name: each reaches the task registered for it at start-up,
under the task's lasting path (rows already queued keep working)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from qyzmet.applications.followups import FollowUp, followup_enqueue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        (FollowUp.RESULT_DOCUMENT, "qyzmet.applications.tasks.result_document_task"),
        (FollowUp.DUTY_REFUND, "qyzmet.applications.tasks.duty_refund_task"),
    ],
)
def test_a_followup_enqueues_its_task_for_the_application(kind: FollowUp, path: str) -> None:
    followup_enqueue(kind, application_id="5b0f6f7e-0000-4000-8000-000000000001")

    row = DBTaskResult.objects.get()
    assert row.task_path == path
    assert row.args_kwargs == {
        "args": ["5b0f6f7e-0000-4000-8000-000000000001"],
        "kwargs": {},
    }
