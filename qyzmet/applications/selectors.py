"""Reads of the applications app."""

from __future__ import annotations

from datetime import date

from qyzmet.applications.actions import DRAFT, access_application_for_officer, definition_of
from qyzmet.applications.models import Application, ApplicationEvent, OfficerMembership
from qyzmet.core.calendar import local_today, working_calendar
from qyzmet.identity.models import Account
from qyzmet.trust.actions import data_access_record
from qyzmet.trust.models import DataAccessEvent


def application_list_for_citizen(*, account: Account) -> list[Application]:
    return list(
        Application.objects.filter(applicant=account)
        .select_related("service")
        .order_by("-created_at")[:200]
    )


def working_days_left(application: Application, today: date | None = None) -> int | None:
    """The countdown the citizen sees: working days from today to the due date (negative when
    overdue); None before submission and after the decision."""
    if application.due_date is None or application.outcome:
        return None
    return working_calendar().working_days_between(today or local_today(), application.due_date)


def application_history(*, application: Application) -> list[ApplicationEvent]:
    return list(application.events.select_related("actor").order_by("created_at", "id"))


def agency_queue(*, account: Account, agency: str) -> list[Application]:
    """Open applications of an agency the officer works for, most urgent first."""
    if not OfficerMembership.objects.filter(account=account, agency=agency).exists():
        return []
    return list(
        Application.objects.filter(agency=agency, outcome="")
        .exclude(state=DRAFT)
        .select_related("service", "assignee")
        .order_by("due_date", "submitted_at")[:500]
    )


def application_view_for_officer(*, account: Account, application_id: str) -> Application:
    """An officer opens an application: the registry data shown is a recorded data access."""
    application = access_application_for_officer(account=account, application_id=application_id)
    data_access_record(
        person_id=application.person_id,
        actor_id=account.pk,
        channel=DataAccessEvent.Channel.BACKOFFICE,
        fields=[p.key for p in definition_of(application).prefill] or ["full_name"],
        purpose=f"application {application.number}",
    )
    return application
