"""/api/v1/feedback: the citizen rates a decided application; the operating figures, public
(JSON and an open-data CSV) and internal (ministry staff)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from qyzmet.api.idempotency import idempotent
from qyzmet.api.schemas import ErrorOut
from qyzmet.api.security import AccessToken, current_account
from qyzmet.feedback.actions import rating_submit
from qyzmet.feedback.figures import InternalFigures, figures_internal, figures_public
from qyzmet.feedback.models import Rating
from qyzmet.feedback.opendata import figures_csv, figures_data, rating_stats_data
from qyzmet.feedback.selectors import RatingState, rating_state_for_citizen

router = Router(tags=["feedback"])
AUTH = AccessToken()
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- Ratings -------------------------------------------------------------------------------------


class RatingIn(Schema):
    application_id: str = Field(..., max_length=64)
    grade: str = Field(
        ..., max_length=32, description="excellent, good, satisfactory, bad or hard_to_say"
    )
    comment: str = Field("", description="Optional, at most 1000 characters")


class RatingOut(Schema):
    application_id: str
    grade: str
    grade_label: str
    comment: str
    created_at: datetime


class RatingStateOut(Schema):
    application_id: str
    can_rate: bool = Field(description="Decided (approved or refused) and not rated yet")
    rating: RatingOut | None


# --- Figures -------------------------------------------------------------------------------------


class OnlineServiceOut(Schema):
    code: str
    name: str
    online: bool


class OnlineServicesOut(Schema):
    online: int = Field(description="Catalogue services with an online or proactive channel")
    total: int
    share: float | None
    services: list[OnlineServiceOut]


class YearCountOut(Schema):
    year: int = Field(description="Year of submission, in Kazakhstan")
    service: str
    service_name: str
    agency: str
    count: int


class ChannelOut(Schema):
    channel: str = Field(description="web (portal pages), app (phone app), centre")
    label: str
    count: int
    share: float | None


class MobileCitizensOut(Schema):
    adults: int = Field(description="Living people aged 18 or over in the population registry")
    in_database: int = Field(description="Of them, with an active number bound")
    share: float | None


class GradeOut(Schema):
    code: str
    label: str


class RatingStatsOut(Schema):
    counts: dict[str, int]
    total: int
    positive_share: float | None = Field(description="(excellent + good) / total")
    average: float | None = Field(description="5 excellent … 2 bad; hard_to_say left out")


class GroupRatingsOut(RatingStatsOut):
    code: str
    name: str
    agency: str


class DeadlinesRowOut(Schema):
    agency: str
    name: str
    decided: int
    decided_on_time: int
    on_time_share: float | None
    open: int
    overdue_now: int


class FiguresOut(Schema):
    as_of: date
    language: str
    online_services: OnlineServicesOut
    applications_per_year: list[YearCountOut]
    channels: list[ChannelOut]
    mobile_citizens: MobileCitizensOut
    grades: list[GradeOut]
    ratings_by_service: list[GroupRatingsOut]
    ratings_by_agency: list[GroupRatingsOut]
    deadlines: list[DeadlinesRowOut]


class AgencyYearOut(Schema):
    year: int
    service: str
    count: int


class AgencyDetailOut(Schema):
    agency: str
    name: str
    applications: int
    applications_per_year: list[AgencyYearOut]
    channels: dict[str, int]
    ratings: RatingStatsOut
    services: list[str] = Field(description="Its services, rated in ratings_by_service")


class CommentOut(Schema):
    agency: str
    service: str
    grade: str
    comment: str
    created_at: datetime


class InternalFiguresOut(FiguresOut):
    agencies: list[AgencyDetailOut]
    comments_agency: str
    comments: list[CommentOut] = Field(description="The newest 50 comments, newest first")


def _rating_out(rating: Rating) -> dict[str, Any]:
    return {
        "application_id": str(rating.application_id),
        "grade": rating.grade,
        "grade_label": str(Rating.Grade(rating.grade).label),
        "comment": rating.comment,
        "created_at": rating.created_at,
    }


def _state_out(state: RatingState) -> dict[str, Any]:
    return {
        "application_id": str(state.application.pk),
        "can_rate": state.can_rate,
        "rating": _rating_out(state.rating) if state.rating else None,
    }


def _internal_out(internal: InternalFigures, language: str) -> dict[str, Any]:
    return {
        **figures_data(internal.public, language=language),
        "agencies": [
            {
                "agency": detail.agency,
                "name": detail.name.get(language),
                "applications": detail.applications,
                "applications_per_year": [
                    {"year": row.year, "service": row.service, "count": row.count}
                    for row in detail.applications_per_year
                ],
                "channels": {row.channel: row.count for row in detail.channels},
                "ratings": rating_stats_data(detail.ratings),
                "services": [group.code for group in detail.services],
            }
            for detail in internal.agencies
        ],
        "comments_agency": internal.agency,
        "comments": [
            {
                "agency": c.agency,
                "service": c.service,
                "grade": c.grade,
                "comment": c.text,
                "created_at": c.at,
            }
            for c in internal.comments
        ],
    }


# --- Endpoints -----------------------------------------------------------------------------------


@router.post(
    "/ratings",
    response={201: RatingOut, **ERRORS},
    auth=AUTH,
    summary="Rate my decided application (once)",
    description=(
        "Only the applicant, only once the agency approved or refused the application. Errors: "
        "`not_found` (no such application of yours), `not_final` (still open, or withdrawn), "
        "`already_rated` (409), `bad_grade`, `comment_too_long` (422)."
    ),
)
@idempotent(scope="feedback.rating")
def rating_create(request: HttpRequest, body: RatingIn) -> Status[dict[str, Any]]:
    rating = rating_submit(
        account=current_account(request),
        application_id=body.application_id,
        grade=body.grade,
        comment=body.comment,
    )
    return Status(201, _rating_out(rating))


@router.get(
    "/ratings/{application_id}",
    response={200: RatingStateOut, **ERRORS},
    auth=AUTH,
    summary="My rating of an application, or whether I may rate it",
)
def rating_get(request: HttpRequest, application_id: str) -> dict[str, Any]:
    state = rating_state_for_citizen(
        account=current_account(request), application_id=application_id
    )
    return _state_out(state)


@router.get(
    "/figures",
    response=FiguresOut,
    summary="Operating figures (public, open data)",
    description=(
        "Share of services delivered online, applications per year and service, applications "
        "by channel (web, phone app, service centre), share of adults in the mobile citizens "
        "database, ratings per service and agency, deadlines met per agency. Names in the "
        "language of `Accept-Language`; definitions in docs/feedback.md."
    ),
)
def figures(request: HttpRequest) -> dict[str, Any]:
    return figures_data(figures_public(), language=get_language())


@router.get(
    "/figures.csv",
    response={200: None},
    summary="Operating figures as CSV (public, open data)",
    description=(
        "One value per row: `figure,year,agency,service,category,measure,value` (codes, not "
        "names; an empty cell where a column does not apply or a share has no denominator)."
    ),
)
def figures_as_csv(request: HttpRequest) -> HttpResponse:
    data = figures_public()
    response = HttpResponse(figures_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="qyzmet-figures-{data.on.isoformat()}.csv"'
    )
    return response


@router.get(
    "/figures/internal",
    response={200: InternalFiguresOut, **ERRORS},
    auth=AUTH,
    summary="Operating figures with per-agency detail (ministry staff)",
    description=(
        "For accounts with the `feedback.view_internal_figures` permission; anyone else gets "
        "404. `agency` limits the comments to one agency."
    ),
)
def figures_for_ministry(request: HttpRequest, agency: str = "") -> dict[str, Any]:
    internal = figures_internal(account=current_account(request), agency=agency)
    return _internal_out(internal, get_language())
