"""Deadlines: lapsing the applications whose state's deadline ends them (a sale the buyer never
confirmed), escalating the others that passed their deadlines, and how each agency keeps them.

An application is overdue when its legal term (`due_date`) or the deadline of the state it is in
(`state_due_date`) is before today in Kazakhstan; the due day itself is still on time. The sweep
escalates each overdue application once: a conditional UPDATE (`escalated_at IS NULL`) on rows
locked for the sweep, so two sweeps running at once, or a retried one, never escalate twice. It
works in chunks, each its own transaction, so a first sweep over a large backlog neither holds
long locks nor loses its progress on a failure.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qyzmet.applications.access import officer_role, with_snapshot
from qyzmet.applications.actions.definitions import definition_of
from qyzmet.applications.actions.history import event_build
from qyzmet.applications.actions.step import step_move
from qyzmet.applications.models import Application, ApplicationEvent, OfficerMembership
from qyzmet.applications.words import DRAFT, Role
from qyzmet.catalogue.schema import I18n
from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core.calendar import ALMATY, local_today
from qyzmet.core.errors import Conflict
from qyzmet.identity.models import Account
from qyzmet.identity.selectors import notification_recipient
from qyzmet.notifications.actions import notify

logger = logging.getLogger(__name__)

CHUNK = 500
ESCALATE = "escalate"
# The agency's decisions; a withdrawal is the citizen's, so it counts neither way.
DECISIONS = ("approved", "refused")


@dataclass(frozen=True)
class SweepReport:
    escalated: int  # applications escalated by this sweep
    checked: int  # open applications whose deadlines were compared with today


@dataclass(frozen=True)
class AgencyStats:
    agency: str
    name: I18n
    decided: int  # approved or refused
    decided_on_time: int  # decided on or before the due date (in Kazakhstan)
    on_time_share: float | None  # None until the agency has decided something
    open: int
    overdue_now: int  # open and past the legal term


# --- The sweep ---------------------------------------------------------------------------------


def lapse_sweep(*, today: date | None = None) -> int:
    """Take the `on_deadline` transition (a lapse) of every application whose state's deadline
    has passed; answers how many lapsed. Each in its own transaction; one another process moved
    meanwhile is left to it."""
    today = today or local_today()
    # Only states that lapse somewhere in the catalogue (an older version of a service keeps the
    # names of its states): the many overdue hearings and reviews escalate, they never lapse.
    lapsing = {
        name
        for service in catalogue_get().services.values()
        for name, state in service.workflow.states.items()
        if state.on_deadline is not None
    }
    candidates = with_snapshot(
        Application.objects.filter(outcome="", state_due_date__lt=today, state__in=lapsing)
    ).order_by("state_due_date", "pk")
    lapsed = 0
    for application in candidates.iterator(chunk_size=500):
        definition = definition_of(application)
        state = definition.workflow.states.get(application.state)
        if state is None or state.on_deadline is None:
            continue
        transition = next(
            t
            for t in definition.workflow.transitions_from(application.state)
            if t.name == state.on_deadline
        )
        try:
            with transaction.atomic():
                step_move(application, definition, transition, actor=None, role=Role.SYSTEM)
        except Conflict:
            continue
        lapsed += 1
    if lapsed:
        logger.info("applications lapsed", extra={"lapsed": lapsed})
    return lapsed


def _open() -> QuerySet[Application]:
    # An application waiting for its duty is not yet the agency's: its term starts on payment.
    return (
        Application.objects.filter(outcome="")
        .exclude(state=DRAFT)
        .exclude(payment=Application.Payment.AWAITING)
    )


def _overdue(today: date) -> QuerySet[Application]:
    return _open().filter(
        Q(due_date__lt=today) | Q(state_due_date__lt=today), escalated_at__isnull=True
    )


def deadlines_sweep(*, today: date | None = None) -> SweepReport:
    """Escalate every open application past its term or its state's deadline, once; tell the
    citizen and the agency's supervisors after each chunk commits."""
    today = today or local_today()
    lapse_sweep(today=today)  # a state whose deadline ends it (a sale not confirmed) ends first
    checked = _open().count()
    # Per agency: how many were escalated, and the earliest due (for the supervisors' message).
    counts: Counter[str] = Counter()
    oldest: dict[str, tuple[date, str]] = {}
    for ids in _overdue_id_chunks(today):
        for application in _escalate_chunk(ids, today):
            counts[application.agency] += 1
            key = (application.due_date or date.max, application.number or "")
            oldest[application.agency] = min(oldest.get(application.agency, key), key)
    _tell_supervisors(counts, {agency: number for agency, (_due, number) in oldest.items()})
    escalated = sum(counts.values())
    if escalated:
        logger.info("deadlines swept", extra={"escalated": escalated, "checked": checked})
    return SweepReport(escalated=escalated, checked=checked)


def _overdue_id_chunks(today: date) -> Iterator[list[Any]]:
    """Ids of overdue applications, a chunk at a time, by key (no OFFSET: rows escalated by the
    previous chunk leave the set)."""
    last = None
    while True:
        queryset = _overdue(today).order_by("pk")
        if last is not None:
            queryset = queryset.filter(pk__gt=last)
        ids = list(queryset.values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _escalate_chunk(ids: list[Any], today: date) -> list[Application]:
    now = timezone.now()
    with transaction.atomic():
        # Rows another sweep (or an officer's step) holds are skipped; the next sweep sees them.
        locked = list(
            _overdue(today)
            .select_for_update(skip_locked=True)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        if not locked:
            return []
        updated = _overdue(today).filter(pk__in=locked).update(escalated_at=now)
        won = Application.objects.filter(pk__in=locked)
        if updated != len(locked):  # only without row locks; keep exactly the rows we changed
            won = won.filter(escalated_at=now)
        applications = list(won.select_related("service", "applicant", "person").order_by("pk"))
        ApplicationEvent.objects.bulk_create(
            [_event(application, today, now) for application in applications]
        )
        for application in applications:
            _tell_citizen(application)
    return applications


def _event(application: Application, today: date, now: datetime) -> ApplicationEvent:
    breached: dict[str, str] = {}
    if application.due_date is not None and application.due_date < today:
        breached["due_date"] = application.due_date.isoformat()
    if application.state_due_date is not None and application.state_due_date < today:
        breached["state_due_date"] = application.state_due_date.isoformat()
    return event_build(
        application=application,
        transition=ESCALATE,
        role=Role.SYSTEM,
        comment=_breach_comment(application, breached),
        changes={"breached": breached},
        at=now,
        on_behalf=False,
    )


def _breach_comment(application: Application, breached: dict[str, str]) -> str:
    """The history's note, in the platform's language (the history is shared by officers)."""
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        parts = []
        if "due_date" in breached:
            parts.append(_("The legal term ended on %(date)s.") % {"date": breached["due_date"]})
        if "state_due_date" in breached:
            state = definition_of(application).workflow.states.get(application.state)
            parts.append(
                _("The deadline of the step “%(state)s” was %(date)s.")
                % {
                    "state": state.label.get(language) if state else application.state,
                    "date": breached["state_due_date"],
                }
            )
        parts.append(_("Escalated to the agency's supervisor."))
        return " ".join(parts)


def _tell_citizen(application: Application) -> None:
    # Called inside the chunk's transaction: the outbox row commits with the escalation.
    notify(
        recipient=notification_recipient(account=application.applicant, person=application.person),
        event="application.deadline_passed",
        context={"number": application.number, "application_id": str(application.pk)},
        dedupe_key=f"application:{application.pk}:deadline_passed",
    )


def _tell_supervisors(counts: Counter[str], oldest: dict[str, str]) -> None:
    """One message per supervisor and agency per sweep, not one per application: a backlog of
    hundreds must not become hundreds of messages to one phone."""
    if not counts:
        return
    agencies = catalogue_get().agencies
    memberships = OfficerMembership.objects.filter(
        agency__in=list(counts), role=OfficerMembership.Role.SUPERVISOR
    ).select_related("account__person")
    today = local_today().isoformat()
    for membership in memberships:
        account = membership.account
        if account.person is None or not account.is_active:
            continue
        agency = agencies.get(membership.agency)
        names = agency.short_name or agency.name if agency else None
        try:
            notify(
                recipient=notification_recipient(account=account),
                event="deadline.escalated",
                context={
                    "count": counts[membership.agency],
                    "agency": {
                        language: names.get(language) if names else membership.agency
                        for language in ("kk", "ru", "en")
                    },
                    "number": oldest[membership.agency],
                },
                dedupe_key=(
                    f"deadline:{account.pk}:{membership.agency}:{today}:"
                    f"{oldest[membership.agency]}:{counts[membership.agency]}"
                ),
            )
        except Exception:  # one failed message must not stop the others, nor the sweep
            logger.exception("deadline message not written")


# --- Reads -------------------------------------------------------------------------------------


def agency_deadline_stats(*, today: date | None = None) -> list[AgencyStats]:
    """For every agency of the catalogue, in its order: decisions made, made on time, open
    applications and those past their legal term today. One aggregate query."""
    today = today or local_today()
    agencies = catalogue_get().agencies
    decided = Q(outcome__in=DECISIONS)
    # On time: decided on or before the due date, the decision's date taken in Kazakhstan.
    on_time = decided & Q(due_date__gte=TruncDate("decided_at", tzinfo=ALMATY))
    rows = (
        Application.objects.exclude(state=DRAFT)
        .filter(agency__in=list(agencies))
        .values("agency")
        .annotate(
            decided=Count("pk", filter=decided),
            decided_on_time=Count("pk", filter=on_time),
            open=Count("pk", filter=Q(outcome="")),
            overdue_now=Count("pk", filter=Q(outcome="", due_date__lt=today)),
        )
        .order_by()
    )
    by_agency = {row["agency"]: row for row in rows}
    result = []
    for code, agency in agencies.items():
        row = by_agency.get(code, {})
        made = row.get("decided", 0)
        in_time = row.get("decided_on_time", 0)
        result.append(
            AgencyStats(
                agency=code,
                name=agency.name,
                decided=made,
                decided_on_time=in_time,
                on_time_share=in_time / made if made else None,
                open=row.get("open", 0),
                overdue_now=row.get("overdue_now", 0),
            )
        )
    return result


def escalated_queue(*, account: Account, agency: str) -> list[Application]:
    """Open escalated applications of the agency, the earliest due first; only for its
    supervisors (anyone else gets an empty list, as for an agency with nothing escalated)."""
    if officer_role(account=account, agency=agency) != Role.SUPERVISOR:
        return []
    return list(
        _open()
        .filter(agency=agency, escalated_at__isnull=False)
        .select_related("service", "assignee")
        .defer("service__definition")
        .order_by("due_date", "submitted_at", "pk")[:500]
    )
