"""The application's history: every `ApplicationEvent` row is made here.

`event_build` makes the row (unsaved, for a sweep's `bulk_create`); `event_record` makes and
saves it, in the caller's transaction. A row without a move (a payment, a refund, an
escalation) has the application's current state on both sides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, Unpack

from django.utils import timezone

from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.words import Role
from qyzmet.identity.models import Account


class EventFields(TypedDict, total=False):
    """What a row may say besides its application, transition and role. A state left out (or
    None) is the application's current one; `at` left out is now."""

    actor: Account | None
    from_state: str | None
    to_state: str | None
    comment: str
    grounds: str
    changes: dict[str, Any] | None
    at: datetime | None


def event_build(
    *,
    application: Application,
    transition: str,
    role: Role,
    on_behalf: bool = True,
    **fields: Unpack[EventFields],
) -> ApplicationEvent:
    """One history row. `on_behalf`: the step was taken for the applicant (every step but the
    deadline sweep's escalation, which nobody takes for them)."""
    from_state, to_state = fields.get("from_state"), fields.get("to_state")
    changes = fields.get("changes")
    return ApplicationEvent(
        application=application,
        transition=transition,
        from_state=application.state if from_state is None else from_state,
        to_state=application.state if to_state is None else to_state,
        actor=fields.get("actor"),
        actor_role=role,
        on_behalf_of_id=application.person_id if on_behalf else None,
        comment=fields.get("comment", ""),
        grounds=fields.get("grounds", ""),
        changes=changes if changes is not None else {},
        created_at=fields.get("at") or timezone.now(),
    )


def event_record(
    *,
    application: Application,
    transition: str,
    role: Role,
    on_behalf: bool = True,
    **fields: Unpack[EventFields],
) -> ApplicationEvent:
    """Write one history row for the application (see `event_build`)."""
    event = event_build(
        application=application, transition=transition, role=role, on_behalf=on_behalf, **fields
    )
    event.save(force_insert=True)
    return event
