"""Reads of the surveys app: lists, the questionnaire, quota progress and the population margins
weighting rakes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone

from qyzmet.core.calendar import add_years
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import ADULT_AGE
from qyzmet.registries.validation import REGIONS
from qyzmet.surveys.models import AGE_BANDS, Question, Quota, Response, Survey

DIMENSIONS = ("region", "sex", "age_band")


def percent_of(part: float, whole: float) -> Decimal:
    """100·part/whole to one decimal, halves rounded up (75.333… → 75.3)."""
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(repr(float(part))) * 100 / Decimal(repr(float(whole)))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def as_percent(proportion: float) -> Decimal:
    return percent_of(proportion, 1.0)


def dimension_label(dimension: str, value: str) -> str:
    """How a region code, sex or age band is shown (in the active language)."""
    if dimension == "region":
        return str(REGIONS.get(value, value))
    if dimension == "sex":
        return str(Person.Sex(value).label) if value in Person.Sex.values else value
    return value


def dimension_values(dimension: str) -> list[str]:
    if dimension == "region":
        return list(REGIONS)
    if dimension == "sex":
        return list(Person.Sex.values)
    return [code for code, _low, _high in AGE_BANDS]


def survey_list_public() -> list[Survey]:
    """Open surveys (to answer) and closed ones (to read), newest first."""
    return list(
        Survey.objects.filter(status__in=(Survey.Status.OPEN, Survey.Status.CLOSED)).order_by(
            "-status", "-opens_on", "-id"
        )
    )


def survey_list_open() -> list[Survey]:
    return list(
        Survey.objects.filter(status=Survey.Status.OPEN)
        .annotate(question_count=Count("questions"))
        .order_by("-opens_on", "-id")
    )


def survey_questions(*, survey: Survey) -> list[Question]:
    return list(survey.questions.all())


def survey_answered_by(*, survey: Survey, person_id: int | None) -> bool:
    if person_id is None:
        return False
    return Response.objects.filter(survey=survey, person_id=person_id).exists()


def surveys_answered_by(*, person_id: int | None) -> set[int]:
    """The ids of the surveys the person has answered (one query for a whole list)."""
    if person_id is None:
        return set()
    return set(Response.objects.filter(person_id=person_id).values_list("survey_id", flat=True))


def survey_respondent_count(*, survey: Survey) -> int:
    return Response.objects.filter(survey=survey).count()


def survey_reference_date(survey: Survey) -> date:
    """The day ages and the population are taken on: the closing day of a closed survey (so its
    weights do not drift as the registry ages), today otherwise."""
    if survey.status == Survey.Status.CLOSED and survey.closes_on:
        return survey.closes_on
    return timezone.localdate()


def population_margins(*, on: date) -> dict[str, dict[str, int]]:
    """Adults (18 and over) living in the population registry on `on`, counted by region, by
    sex and by age band: the margins raking weights a sample to. One grouped query."""
    living = Q(death_date__isnull=True, status=Person.Status.LIVING) | Q(death_date__gt=on)
    bands = [
        When(birth_date__lte=add_years(on, -low), then=Value(code))
        for code, low, _high in sorted(AGE_BANDS, key=lambda band: -band[1])
    ]
    rows = (
        Person.objects.filter(living, birth_date__lte=add_years(on, -ADULT_AGE))
        .annotate(band=Case(*bands, output_field=CharField()))
        .values("region", "sex", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    margins: dict[str, dict[str, int]] = {name: {} for name in DIMENSIONS}
    for row in rows:
        for name, key in (("region", "region"), ("sex", "sex"), ("age_band", "band")):
            value = str(row[key])
            margins[name][value] = margins[name].get(value, 0) + int(row["n"])
    return {name: dict(sorted(counts.items())) for name, counts in margins.items()}


@dataclass(frozen=True)
class QuotaProgress:
    dimension: str
    value: str
    label: str
    target: int
    achieved: int
    percent: Decimal  # of the target, may pass 100

    @property
    def remaining(self) -> int:
        return max(self.target - self.achieved, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "value": self.value,
            "label": self.label,
            "target": self.target,
            "achieved": self.achieved,
            "remaining": self.remaining,
            "percent": float(self.percent),
        }


def quota_progress(*, survey: Survey) -> list[QuotaProgress]:
    """Each quota cell of the sample design: its target, the responses so far, the percent."""
    quotas = list(survey.quotas.all())
    achieved: dict[tuple[str, str], int] = {}
    for dimension in {quota.dimension for quota in quotas}:
        counts = (
            Response.objects.filter(survey=survey)
            .values(dimension)
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in counts:
            achieved[(dimension, str(row[dimension]))] = int(row["n"])
    order = {name: i for i, name in enumerate(DIMENSIONS)}
    quotas.sort(key=lambda quota: (order.get(quota.dimension, 9), quota.value))
    return [
        QuotaProgress(
            dimension=quota.dimension,
            value=quota.value,
            label=dimension_label(quota.dimension, quota.value),
            target=quota.target,
            achieved=achieved.get((quota.dimension, quota.value), 0),
            percent=percent_of(achieved.get((quota.dimension, quota.value), 0), quota.target),
        )
        for quota in quotas
    ]


def quota_dimension_label(dimension: str) -> str:
    return str(Quota.Dimension(dimension).label)
