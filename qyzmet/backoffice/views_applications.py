"""An agency's queue and the decision page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.applications.actions import (
    ConflictOfInterest,
    application_claim,
    application_open_for_officer,
    application_transition,
    definition_of,
)
from qyzmet.applications.models import OfficerMembership
from qyzmet.applications.overview import application_overview
from qyzmet.applications.selectors import agency_queue, working_days_left
from qyzmet.applications.words import Role
from qyzmet.backoffice.labels import history_lines
from qyzmet.backoffice.session import signed_in_account
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core.calendar import working_calendar
from qyzmet.core.errors import NotFound, QyzmetError
from qyzmet.documents.rendering import answer_rows


@never_cache
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    language = get_language()
    account = signed_in_account(request)
    agencies = sorted(
        set(OfficerMembership.objects.filter(account=account).values_list("agency", flat=True))
    )
    if not agencies:
        raise Http404
    agency = request.GET.get("agency") or agencies[0]
    names = catalogue_get().agencies
    calendar = working_calendar()
    rows = [
        {
            "application": a,
            "service": definition_of(a).name.get(language),
            "state": state_label(a.state, definition_of(a).workflow.states, language),
            "days_left": working_days_left(a, calendar=calendar),
        }
        for a in agency_queue(account=account, agency=agency)
    ]
    context = {
        "agency": agency,
        "agencies": [(code, names[code].name.get(language)) for code in agencies if code in names],
        "rows": rows,
    }
    return render(request, "backoffice/queue.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, application_id: str) -> HttpResponse:
    account = signed_in_account(request)
    language = get_language()
    error = ""
    status = 200
    action = ""
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "claim":
                application_claim(actor=account, application_id=application_id)
            else:
                application_transition(
                    actor=account,
                    application_id=application_id,
                    name=action,
                    role=Role.OFFICER,
                    expected_version=int(request.POST.get("version", "-1")),
                    comment=request.POST.get("comment", ""),
                    grounds=request.POST.get("grounds", ""),
                    fields=request.POST.getlist("fields") or None,
                )
            messages.success(request, "✓")
            return redirect("backoffice:application", application_id=application_id)
        except NotFound as exc:
            raise Http404 from exc
        except ConflictOfInterest as exc:
            return _not_theirs(request, exc)
        except QyzmetError as exc:
            error, status = str(exc.message), exc.status
            # by the ids of the fields of the step's own form ("grounds-refuse")
            field_errors = {f"{k}-{action}": v for k, v in exc.field_messages().items()}
    try:
        application = application_open_for_officer(account=account, application_id=application_id)
    except NotFound as exc:
        raise Http404 from exc
    except ConflictOfInterest as exc:
        return _not_theirs(request, exc)
    overview = application_overview(
        account=account, application=application, language=language, role=Role.OFFICER,
        with_form=True,
    )  # fmt: skip
    definition = definition_of(application)
    grounds = {g.code: g.text.get(language) for g in definition.refusal_grounds}
    context: dict[str, Any] = {
        "application": application,
        "overview": overview,
        # Every question of the form, answered or not, so the officer can name any to correct;
        # an answer as the citizen chose it (an option's label, not its value).
        "answers": [
            (
                f.key,
                f.label.get(language),
                answer_text(definition, f.key, overview.answers, language),
            )
            for f in definition.form
        ],
        "history": history_lines(overview.history, definition, language),
        "grounds": list(grounds.items()),
        "error": error,
        "field_errors": field_errors,
        # what the officer wrote is shown again in the step's form when it was refused
        "posted": request.POST if action else {},
        "posted_fields": request.POST.getlist("fields") if action else [],
    }
    return render(request, "backoffice/application.html", context, status=status)


def _not_theirs(request: HttpRequest, exc: ConflictOfInterest) -> HttpResponse:
    """The officer's own or their family's application: refused (and recorded), nothing shown."""
    context = {"error": str(exc.message)}
    return render(request, "backoffice/refused.html", context, status=exc.status)


def state_label(state: str, states: Mapping[str, Any], language: str) -> str:
    return str(states[state].label.get(language)) if state in states else state


def answer_text(
    definition: ServiceDefinition, key: str, answers: Mapping[str, Any], language: str
) -> str:
    rows = answer_rows(definition, {key: answers[key]} if key in answers else {}, language)
    return rows[0][1] if rows else "—"
