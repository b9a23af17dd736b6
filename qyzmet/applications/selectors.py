"""Reads of the applications app."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch

from qyzmet.applications.access import citizen_parties, officer_circle
from qyzmet.applications.models import Application, ApplicationEvent, OfficerMembership
from qyzmet.applications.words import DRAFT
from qyzmet.core.calendar import WorkingCalendar, local_today, working_calendar
from qyzmet.identity.models import Account

# Lists render each application's history: fetch all of it in one query, in order.
_WITH_HISTORY = Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "id"))


def application_list_for_citizen(*, account: Account) -> list[Application]:
    """The citizen's applications, and the submitted ones naming them as the second party."""
    return list(
        Application.objects.filter(citizen_parties(account))
        .select_related("service")
        .defer("service__definition")
        .prefetch_related(_WITH_HISTORY)
        .order_by("-created_at")[:200]
    )


def working_days_left(
    application: Application,
    *,
    calendar: WorkingCalendar | None = None,
    today: date | None = None,
) -> int | None:
    """The countdown the citizen sees: working days from today to the due date (negative when
    overdue); None before submission, while the duty is unpaid and after the decision. Lists
    pass one `calendar` for all rows (getting it costs a query)."""
    if (
        application.due_date is None
        or application.outcome
        or application.payment == Application.Payment.AWAITING  # the term starts on payment
    ):
        return None
    calendar = calendar or working_calendar()
    return calendar.working_days_between(today or local_today(), application.due_date)


def application_history(*, application: Application) -> list[ApplicationEvent]:
    """In order (the model's ordering); uses the events prefetched by the list selectors. A
    draft has none (its history starts at submission), so it costs no query."""
    if application.state == DRAFT and not application.submitted_at:
        return []
    return list(application.events.all())


def agency_queue(*, account: Account, agency: str) -> list[Application]:
    """Open applications of an agency the officer works for, most urgent first; not those
    where the officer or their family is the applicant or a party."""
    if not OfficerMembership.objects.filter(account=account, agency=agency).exists():
        return []
    # never their own nor their family's: another officer handles those
    circle = officer_circle(account=account)
    return list(
        Application.objects.filter(agency=agency, outcome="")
        .exclude(state=DRAFT)
        .exclude(payment=Application.Payment.AWAITING)  # not the agency's until the duty is paid
        .exclude(applicant=account)
        .exclude(person_id__in=circle)
        .exclude(counterparty_id__in=circle)
        .select_related("service", "assignee")
        .defer("service__definition")
        .prefetch_related(_WITH_HISTORY)
        .order_by("due_date", "submitted_at")[:500]
    )
