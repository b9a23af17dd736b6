"""/api/v1/deadlines: how each agency keeps the legal terms, for anyone (no sign-in)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from qyzmet.applications.deadlines import agency_deadline_stats
from qyzmet.core.calendar import local_today

router = Router(tags=["deadlines"])


class AgencyDeadlinesOut(Schema):
    code: str
    name: str
    decided: int
    decided_on_time: int
    on_time_share: float | None
    open: int
    overdue_now: int


class DeadlinesOut(Schema):
    today: date
    agencies: list[AgencyDeadlinesOut]


@router.get(
    "",
    response=DeadlinesOut,
    summary="Decisions on time and overdue applications per agency",
    description=(
        "For every agency: applications approved or refused (`decided`), those decided on or "
        "before their due date in Kazakhstan (`decided_on_time`, `on_time_share` from 0 to 1, "
        "null before any decision), open applications and those past their legal term today. "
        "Withdrawn applications count in none of them."
    ),
)
def deadlines(request: HttpRequest) -> dict[str, object]:
    language = get_language()
    today = local_today()
    return {
        "today": today,
        "agencies": [
            {
                "code": row.agency,
                "name": row.name.get(language),
                "decided": row.decided,
                "decided_on_time": row.decided_on_time,
                "on_time_share": row.on_time_share,
                "open": row.open,
                "overdue_now": row.overdue_now,
            }
            for row in agency_deadline_stats(today=today)
        ],
    }
