"""The one helper that makes every history row: the exact row it writes, and the unsaved row a
sweep bulk-creates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qyzmet.applications.actions import snapshot_for
from qyzmet.applications.actions.history import event_build, event_record
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.words import Role
from qyzmet.catalogue.selectors import service_get
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

AT = datetime(2026, 2, 2, 5, 0, tzinfo=UTC)


def _application() -> Application:
    account = citizen_create()
    assert account.person is not None
    return Application.objects.create(
        service=snapshot_for(service_get(code="criminal-record-certificate")),
        agency="gp-legal-statistics",
        applicant=account,
        person=account.person,
        state="in_review",
    )


def test_a_step_writes_exactly_the_row_it_describes() -> None:
    application = _application()

    event_record(
        application=application,
        transition="approve",
        role=Role.OFFICER,
        actor=application.applicant,
        from_state="in_review",
        to_state="approved",
        comment="Checked.",
        grounds="",
        changes={"registry": {"plate": "123 ABC 02"}},
        at=AT,
    )

    row = ApplicationEvent.objects.values(
        "application_id", "transition", "from_state", "to_state", "actor_id", "actor_role",
        "on_behalf_of_id", "comment", "grounds", "changes", "created_at",
    ).get()  # fmt: skip
    assert row == {
        "application_id": application.pk,
        "transition": "approve",
        "from_state": "in_review",
        "to_state": "approved",
        "actor_id": application.applicant_id,
        "actor_role": "officer",
        "on_behalf_of_id": application.person_id,
        "comment": "Checked.",
        "grounds": "",
        "changes": {"registry": {"plate": "123 ABC 02"}},
        "created_at": AT,
    }


def test_a_row_without_a_move_keeps_the_current_state_on_both_sides() -> None:
    application = _application()

    event = event_record(
        application=application, transition="pay", role=Role.SYSTEM, changes={"paid_tiyn": 100}
    )

    event.refresh_from_db()
    assert (event.from_state, event.to_state) == ("in_review", "in_review")
    assert (event.actor_id, event.actor_role) == (None, "system")
    assert event.on_behalf_of_id == application.person_id
    assert (event.comment, event.grounds) == ("", "")
    assert event.changes == {"paid_tiyn": 100}


def test_a_built_row_is_not_saved_and_may_be_for_nobody() -> None:
    application = _application()

    event = event_build(
        application=application,
        transition="escalate",
        role=Role.SYSTEM,
        comment="Escalated.",
        at=AT,
        on_behalf=False,
    )

    assert event.pk is None
    assert not ApplicationEvent.objects.exists()
    ApplicationEvent.objects.bulk_create([event])
    row = ApplicationEvent.objects.get()
    assert (row.transition, row.from_state, row.to_state) == ("escalate", "in_review", "in_review")
    assert (row.actor_role, row.on_behalf_of_id, row.changes) == ("system", None, {})
    assert (row.comment, row.created_at) == ("Escalated.", AT)
