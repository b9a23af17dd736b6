"""Rating a decided application, and the operating figures: the public dashboard (charts drawn
by Chart.js from a JSON block, every chart also a table) and the ministry's internal page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qyzmet.applications.actions import definition_of
from qyzmet.applications.models import Application
from qyzmet.catalogue.schema import I18n
from qyzmet.core.errors import QyzmetError
from qyzmet.feedback.actions import rating_submit
from qyzmet.feedback.figures import Figures, figures_internal, figures_public
from qyzmet.feedback.models import Rating
from qyzmet.feedback.selectors import GRADES, GroupRatings, RatingStats, rating_state_for_citizen
from qyzmet.portal.pages import citizen_page, or_404
from qyzmet.portal.session import signed_in_account
from qyzmet.portal.views_dashboard import share_percent

# Grades from best to worst, then "hard to say" in grey; AA contrast against white.
GRADE_COLOURS = {
    "excellent": "#1e6b2f",
    "good": "#5b8c2a",
    "satisfactory": "#b07d00",
    "bad": "#a4001d",
    "hard_to_say": "#6b7680",
}
SERIES_COLOURS = ["#00607a", "#b07d00", "#6a3d9a", "#1e6b2f", "#a4001d", "#4a5561", "#c2185b"]


def _name(names: dict[str, I18n], code: str, language: str) -> str:
    return names[code].get(language) if code in names else code


# --- Rating -----------------------------------------------------------------------------------


def _grade_choices() -> list[tuple[str, str]]:
    return [(grade, str(Rating.Grade(grade).label)) for grade in GRADES]


@citizen_page("GET", "POST")
def rate(request: HttpRequest, application_id: str) -> HttpResponse:
    account = signed_in_account(request)
    state = or_404(rating_state_for_citizen, account=account, application_id=application_id)
    application = state.application
    error, error_code, status = "", "", 200
    chosen, comment = "", ""
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = request.POST.get("grade", "")
        comment = request.POST.get("comment", "")
        try:
            rating_submit(
                account=account,
                application_id=application_id,
                grade=chosen,
                comment=comment,
            )
        except QyzmetError as exc:
            error, error_code, status = str(exc.message), exc.code, exc.status
            # by the ids of the rating form's fields
            field_errors = {f"rating-{k}": v for k, v in exc.field_messages().items()}
            state = rating_state_for_citizen(account=account, application_id=application_id)
        else:
            messages.success(request, _("Thank you: your rating is saved."))
            return redirect("portal:application", application_id=application_id)
    context = {
        "application": application,
        "service_name": definition_of(application).name.get(get_language()),
        "outcome_label": _outcome_label(application),
        "state": state,
        "grade_label": state.rating.get_grade_display() if state.rating else "",
        "chosen": chosen,
        "comment": comment,
        "error": error,
        "error_code": error_code,
        "field_errors": field_errors,
    }
    return render(request, "portal/feedback_rate.html", context, status=status)


def _outcome_label(application: Application) -> str:
    labels = {
        "approved": pgettext("application outcome", "Approved"),
        "refused": pgettext("application outcome", "Refused"),
        "withdrawn": pgettext("application outcome", "Withdrawn"),
    }
    return labels.get(application.outcome, _("Not decided yet"))


# --- Figures: tables and chart data -------------------------------------------------------------


def _stats_row(stats: RatingStats) -> dict[str, Any]:
    return {
        "counts": [stats.counts[grade] for grade in GRADES],
        "total": stats.total,
        "positive": share_percent(stats.positive_share),
        "average": stats.average,
    }


def _ratings_chart(groups: Sequence[GroupRatings], labels: list[str]) -> dict[str, Any]:
    return {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "labels": labels,
        "datasets": [
            {
                "label": str(Rating.Grade(grade).label),
                "data": [group.stats.counts[grade] for group in groups],
                "colour": GRADE_COLOURS[grade],
            }
            for grade in GRADES
        ],
    }


def _doughnut(
    labels: list[Any], *, label: Any, data: list[Any], colours: list[str]
) -> dict[str, Any]:
    return {
        "type": "doughnut",
        "labels": labels,
        "datasets": [{"label": label, "data": data, "colours": colours}],
    }


def _figures_context(figures: Figures, language: str) -> dict[str, Any]:
    services, agencies = figures.service_names, figures.agency_names
    online = figures.online_services
    mobile = figures.mobile_citizens
    years = sorted({row.year for row in figures.applications_per_year})
    per_service: dict[str, dict[int, int]] = {}
    for row in figures.applications_per_year:
        counts = per_service.setdefault(row.service, {})
        counts[row.year] = counts.get(row.year, 0) + row.count
    order = {code: position for position, code in enumerate(services)}
    year_rows: list[dict[str, Any]] = [
        {
            "name": _name(services, code, language),
            "counts": [per_service[code].get(year, 0) for year in years],
            "total": sum(per_service[code].values()),
        }
        for code in sorted(per_service, key=lambda code: (order.get(code, len(order)), code))
    ]
    year_totals = [sum(row["counts"][i] for row in year_rows) for i in range(len(years))]
    channel_rows = [
        {
            "label": str(Application.Channel(row.channel).label),
            "count": row.count,
            "percent": share_percent(row.share),
        }
        for row in figures.channels
    ]
    rated_services = [g for g in figures.ratings_by_service if g.stats.total]
    service_rows = [
        {"name": _name(services, g.code, language), **_stats_row(g.stats)} for g in rated_services
    ]
    agency_rows = [
        {"name": _name(agencies, g.code, language), **_stats_row(g.stats)}
        for g in figures.ratings_by_agency
    ]
    deadline_rows = [
        {
            "name": _name(agencies, row.agency, language),
            "decided": row.decided,
            "on_time": row.decided_on_time,
            "percent": share_percent(row.on_time_share),
        }
        for row in figures.deadlines
    ]
    applications = _("Applications")
    charts = {
        "online": _doughnut(
            [_("Online"), _("Only in person")],
            label=_("Services"),
            data=[online.online, online.total - online.online],
            colours=["#00607a", "#c9d3da"],
        ),
        "years": {
            "type": "bar",
            "stacked": True,
            "labels": [str(year) for year in years],
            "datasets": [
                {"label": row["name"], "data": row["counts"], "colour": SERIES_COLOURS[i % 7]}
                for i, row in enumerate(year_rows)
            ],
        },
        "channels": _doughnut(
            [row["label"] for row in channel_rows],
            label=applications,
            data=[row["count"] for row in channel_rows],
            colours=["#00607a", "#b07d00", "#6b7680"],
        ),
        "mobile": _doughnut(
            [_("In the mobile citizens database"), _("Not in it")],
            label=_("Adults"),
            data=[mobile.in_database, mobile.adults - mobile.in_database],
            colours=["#00607a", "#c9d3da"],
        ),
        "ratings_agency": _ratings_chart(  # the table lists every agency, the chart the rated
            [g for g in figures.ratings_by_agency if g.stats.total],
            [_name(agencies, g.code, language) for g in figures.ratings_by_agency if g.stats.total],
        ),
        "ratings_service": _ratings_chart(rated_services, [row["name"] for row in service_rows]),
        "deadlines": {
            "type": "bar",
            "horizontal": True,
            "unit": "%",
            "max": 100,
            "labels": [row["name"] for row in deadline_rows],
            "datasets": [
                {
                    "label": _("Decided on time, %"),
                    "data": [row["percent"] for row in deadline_rows],
                    "colour": "#1e6b2f",
                }
            ],
        },
    }
    return {
        "figures": figures,
        "online_percent": share_percent(online.share),
        "offline_services": online.total - online.online,
        "applications_total": sum(year_totals),
        "mobile_outside": mobile.adults - mobile.in_database,
        "years": years,
        "year_rows": year_rows,
        "year_totals": year_totals,
        "channel_rows": channel_rows,
        "mobile_percent": share_percent(mobile.share),
        "grade_labels": [label for _code, label in _grade_choices()],
        "service_rows": service_rows,
        "agency_rows": agency_rows,
        "deadline_rows": deadline_rows,
        "charts": charts,
    }


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    context = _figures_context(figures_public(), get_language())
    return render(request, "portal/figures.html", context)


@citizen_page("GET")
def figures_ministry(request: HttpRequest) -> HttpResponse:
    language = get_language()
    agency = request.GET.get("agency", "")
    internal = or_404(figures_internal, account=signed_in_account(request), agency=agency)
    names = internal.public.agency_names
    services = internal.public.service_names
    agencies = [
        {
            "code": detail.agency,
            "name": detail.name.get(language),
            "applications": detail.applications,
            "channels": [row.count for row in detail.channels],
            "ratings": _stats_row(detail.ratings),
            "deadlines": detail.deadlines,
            "on_time_percent": share_percent(detail.deadlines.on_time_share)
            if detail.deadlines
            else None,
            "services": [
                {"name": _name(services, g.code, language), **_stats_row(g.stats)}
                for g in detail.services
            ],
        }
        for detail in internal.agencies
    ]
    comments = [
        {
            "agency": _name(names, c.agency, language),
            "service": _name(services, c.service, language),
            "grade": str(Rating.Grade(c.grade).label),
            "text": c.text,
            "at": c.at,
        }
        for c in internal.comments
    ]
    context = {
        "as_of": internal.public.on,
        "agencies": agencies,
        "shown": [row for row in agencies if not agency or row["code"] == agency],
        "agency": agency,
        "channel_labels": [str(label) for _value, label in Application.Channel.choices],
        "grade_labels": [label for _code, label in _grade_choices()],
        "comments": comments,
    }
    return render(request, "portal/figures_internal.html", context)
