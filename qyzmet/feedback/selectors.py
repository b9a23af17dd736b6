"""Reads of ratings: one application's rating, and ratings counted per service and per agency.

The aggregate of a group is `rating_stats`, a pure function of the counts per grade, so that the
numbers every figure shows are tested exactly, apart from the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count

from qyzmet.applications.actions import access_application_by_id
from qyzmet.applications.models import Application
from qyzmet.catalogue.schema import I18n
from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.feedback.actions import rating_rateable
from qyzmet.feedback.models import COMMENT_MAX_LENGTH, Rating
from qyzmet.identity.models import Account

GRADES: tuple[str, ...] = tuple(Rating.Grade.values)  # the order answers are shown in
POSITIVE = ("excellent", "good")
# The five-point marks of Kazakh and Russian schools: "bad" is a 2, as "неудовлетворительно".
# "Hard to say" has no mark and is left out of the average (but counts in the total).
SCORES: Mapping[str, int] = {"excellent": 5, "good": 4, "satisfactory": 3, "bad": 2}


@dataclass(frozen=True)
class RatingStats:
    counts: dict[str, int]  # every grade, in GRADES order, zeros kept
    total: int  # all ratings, "hard to say" included
    positive_share: float | None  # (excellent + good) / total; None without ratings
    average: float | None  # mean mark of the graded answers; None without any


@dataclass(frozen=True)
class GroupRatings:
    """Ratings of one service (`code` is the service's) or one agency (the agency's)."""

    code: str
    name: I18n | None  # None for a service no longer in the catalogue
    agency: str
    stats: RatingStats


@dataclass(frozen=True)
class RatingState:
    """What the citizen sees of their application's rating: theirs, or whether they may rate."""

    application: Application
    rating: Rating | None
    can_rate: bool

    @property
    def grades(self) -> list[tuple[str, str]]:
        """The answers, for the form: (value, label in the current language)."""
        return [(grade, str(Rating.Grade(grade).label)) for grade in GRADES]

    @property
    def comment_max(self) -> int:
        return COMMENT_MAX_LENGTH


def rating_stats(counts: Mapping[str, int]) -> RatingStats:
    """The aggregate of some ratings, from their counts per grade (unknown grades ignored)."""
    full = {grade: int(counts.get(grade, 0)) for grade in GRADES}
    total = sum(full.values())
    graded = sum(full[grade] for grade in SCORES)
    marks = sum(full[grade] * score for grade, score in SCORES.items())
    positive = sum(full[grade] for grade in POSITIVE)
    return RatingStats(
        counts=full,
        total=total,
        positive_share=positive / total if total else None,
        average=marks / graded if graded else None,
    )


def _state(application: Application, rating: Rating | None) -> RatingState:
    return RatingState(
        application=application,
        rating=rating,
        can_rate=rating is None and rating_rateable(application),
    )


def rating_state_for_citizen(*, account: Account, application_id: str) -> RatingState:
    """The citizen's own application and its rating; anyone else's raises NotFound."""
    application = access_application_by_id(account=account, application_id=application_id)
    return _state(application, Rating.objects.filter(application=application).first())


def rating_panel(*, application: Application) -> RatingState:
    """For an application the citizen has already opened (through its access function): the
    state the `portal/_rating.html` include shows. One query."""
    return _state(application, Rating.objects.filter(application=application).first())


def _grade_rows() -> Iterable[dict[str, object]]:
    """Counts per service code, agency and grade: one grouped query, a few rows per service."""
    return (
        Rating.objects.values("application__service__code", "application__agency", "grade")
        .annotate(n=Count("pk"))
        .order_by()
    )


def ratings_by_group() -> tuple[list[GroupRatings], list[GroupRatings]]:
    """Ratings per service (the catalogue's order, then retired services by code) and per
    agency (the catalogue's order), every one listed even without ratings."""
    catalogue = catalogue_get()
    by_service: dict[str, dict[str, int]] = defaultdict(dict)
    by_agency: dict[str, dict[str, int]] = defaultdict(dict)
    service_agency: dict[str, str] = {}
    for row in _grade_rows():
        service, agency, grade = (
            str(row["application__service__code"]),
            str(row["application__agency"]),
            str(row["grade"]),
        )
        count = int(row["n"])  # type: ignore[call-overload]
        by_service[service][grade] = by_service[service].get(grade, 0) + count
        by_agency[agency][grade] = by_agency[agency].get(grade, 0) + count
        service_agency.setdefault(service, agency)
    services = [
        GroupRatings(
            code=code,
            name=definition.name,
            agency=definition.agency,
            stats=rating_stats(by_service.get(code, {})),
        )
        for code, definition in catalogue.services.items()
    ]
    services += [
        GroupRatings(code=code, name=None, agency=service_agency[code], stats=rating_stats(counts))
        for code, counts in sorted(by_service.items())
        if code not in catalogue.services
    ]
    agencies = [
        GroupRatings(
            code=code, name=agency.name, agency=code, stats=rating_stats(by_agency.get(code, {}))
        )
        for code, agency in catalogue.agencies.items()
    ]
    return services, agencies
