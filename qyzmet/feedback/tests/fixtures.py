"""Applications as the workflow leaves them, written directly: the journey itself is tested by
the applications app; these tests are about what is rated and counted."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from django.contrib.auth.models import Permission

from qyzmet.applications.actions import snapshot_for
from qyzmet.applications.models import Application
from qyzmet.catalogue.selectors import service_get
from qyzmet.core.calendar import ALMATY
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create

CRIMINAL_RECORD = "criminal-record-certificate"  # gp-legal-statistics
ID_CARD = "id-card-replacement"  # mvd-migration
SUBMITTED = datetime(2026, 2, 2, 10, 0, tzinfo=ALMATY)
DECIDED = datetime(2026, 2, 5, 12, 0, tzinfo=ALMATY)

_numbers = itertools.count(1)
_phones = itertools.count(1)


def other_citizen(**person: object) -> Account:
    """Another registered citizen (each with a number of their own)."""
    return citizen_create(phone=f"+7705{next(_phones):07d}", **person)  # type: ignore[arg-type]


def application_make(
    account: Account,
    *,
    service: str = CRIMINAL_RECORD,
    outcome: str = "approved",
    channel: str = "web",
    submitted_at: datetime | None = SUBMITTED,
    decided_at: datetime | None = DECIDED,
    due: date = date(2026, 2, 9),
) -> Application:
    definition = service_get(code=service)
    assert account.person is not None
    states = {"approved": "issued", "refused": "refused", "withdrawn": "withdrawn", "": "in_review"}
    return Application.objects.create(
        service=snapshot_for(definition),
        agency=definition.agency,
        applicant=account,
        person=account.person,
        channel=channel,
        state=states[outcome] if submitted_at else "draft",
        number=f"Q260202-{next(_numbers):08d}" if submitted_at else None,
        submitted_at=submitted_at,
        due_date=due if submitted_at else None,
        outcome=outcome,
        decided_at=decided_at if outcome else None,
    )


def ministry_analyst() -> Account:
    account = other_citizen()
    account.user_permissions.add(
        Permission.objects.get(codename="view_internal_figures", content_type__app_label="feedback")
    )
    return Account.objects.get(pk=account.pk)  # a fresh object: permissions are cached
