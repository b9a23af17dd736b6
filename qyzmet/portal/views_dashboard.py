"""The public deadlines dashboard: how each agency keeps the legal terms (no sign-in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from qyzmet.applications.deadlines import agency_deadline_stats
from qyzmet.core.calendar import local_today


def share_percent(share: float | None) -> int | None:
    """A share (0…1) as a whole percent for the dashboards; None stays None."""
    return None if share is None else round(share * 100)


@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    language = get_language()
    today = local_today()
    stats = agency_deadline_stats(today=today)
    rows = [
        {
            "code": row.agency,
            "name": row.name.get(language),
            "decided": row.decided,
            "on_time": row.decided_on_time,
            "percent": share_percent(row.on_time_share),
            "open": row.open,
            "overdue": row.overdue_now,
        }
        for row in stats
    ]
    decided = sum(row.decided for row in stats)
    on_time = sum(row.decided_on_time for row in stats)
    total = {
        "decided": decided,
        "on_time": on_time,
        "percent": share_percent(on_time / decided if decided else None),
        "open": sum(row.open for row in stats),
        "overdue": sum(row.overdue_now for row in stats),
    }
    return render(request, "portal/dashboard.html", {"rows": rows, "total": total, "today": today})
