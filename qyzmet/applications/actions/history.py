"""The application's history: every `ApplicationEvent` row is made here.

`event_build` makes the row (unsaved, for a sweep's `bulk_create`); `event_record` makes and
saves it, in the caller's transaction. A row without a move (a payment, a refund, an
escalation) has the application's current state on both sides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.words import Role
from qyzmet.identity.models import Account


def event_build(
    *,
    application: Application,
    transition: str,
    role: Role,
    actor: Account | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
    grounds: str = "",
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
    on_behalf: bool = True,
) -> ApplicationEvent:
    """One history row. `on_behalf`: the step was taken for the applicant (every step but the
    deadline sweep's escalation, which nobody takes for them)."""
    return ApplicationEvent(
        application=application,
        transition=transition,
        from_state=application.state if from_state is None else from_state,
        to_state=application.state if to_state is None else to_state,
        actor=actor,
        actor_role=role,
        on_behalf_of_id=application.person_id if on_behalf else None,
        comment=comment,
        grounds=grounds,
        changes=changes if changes is not None else {},
        created_at=at or timezone.now(),
    )


def event_record(
    *,
    application: Application,
    transition: str,
    role: Role,
    actor: Account | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
    grounds: str = "",
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ApplicationEvent:
    """Write one history row for the application (see `event_build`)."""
    event = event_build(
        application=application, transition=transition, role=role, actor=actor,
        from_state=from_state, to_state=to_state, comment=comment, grounds=grounds,
        changes=changes, at=at,
    )  # fmt: skip
    event.save(force_insert=True)
    return event
