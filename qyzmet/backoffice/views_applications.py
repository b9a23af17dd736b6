"""An agency's queue and the decision page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.applications.actions import (
    application_claim,
    application_open_for_officer,
    application_transition,
    definition_of,
)
from qyzmet.applications.engine import transitions_for
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.applications.registries import UNKNOWN, RegistryValue, registry_value
from qyzmet.applications.selectors import (
    agency_queue,
    application_history,
    working_days_left,
)
from qyzmet.applications.words import Role
from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core.calendar import working_calendar
from qyzmet.core.errors import NotFound, QyzmetError
from qyzmet.identity.models import Account


def _account(request: HttpRequest) -> Account:
    account = request.user
    assert isinstance(account, Account)  # noqa: S101 - login_required ran first
    return account


@never_cache
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    language = get_language()
    account = _account(request)
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


def _shown(application: Application, source: str) -> RegistryValue:
    value = registry_value(person=application.person, source=source)
    return "—" if value is UNKNOWN else value


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, application_id: str) -> HttpResponse:
    account = _account(request)
    language = get_language()
    error = ""
    status = 200
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
        except QyzmetError as exc:
            error, status = str(exc.message), exc.status
    try:
        application = application_open_for_officer(account=account, application_id=application_id)
    except NotFound as exc:
        raise Http404 from exc
    definition = definition_of(application)
    answers = json.loads(application.form_data or "{}")
    context: dict[str, Any] = {
        "application": application,
        "service_name": definition.name.get(language),
        "state_label": definition.workflow.states[application.state].label.get(language),
        "days_left": working_days_left(application),
        "prefill": [
            (p.label.get(language), _shown(application, p.source)) for p in definition.prefill
        ],
        "answers": [
            (f.key, f.label.get(language), answers.get(f.key, "—")) for f in definition.form
        ],
        "steps": [
            (t.name, t.label.get(language), t.requires)
            for t in transitions_for(definition, application.state, Role.OFFICER)
        ],
        "grounds": [(g.code, g.text.get(language)) for g in definition.refusal_grounds],
        "history": application_history(application=application),
        "error": error,
    }
    return render(request, "backoffice/application.html", context, status=status)
