"""A small survey with one question of each kind, and helpers for the tests of every layer."""

from __future__ import annotations

from datetime import date
from typing import Any

from qyzmet.applications.models import OfficerMembership
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.surveys.actions import (
    OptionSpec,
    QuestionSpec,
    QuotaSpec,
    SurveySpec,
    survey_create,
    survey_open,
)
from qyzmet.surveys.models import Survey


def _t(en: str) -> dict[str, str]:
    return {"kk": f"kk: {en}", "ru": f"ru: {en}", "en": en}


def _o(code: str, en: str, value: int | None = None) -> OptionSpec:
    return OptionSpec(code=code, label=_t(en), value=value)


def survey_spec(code: str = "test-survey", **changes: Any) -> SurveySpec:
    values: dict[str, Any] = {
        "code": code,
        "title": {"kk": "Сынақ сауалнамасы", "ru": "Тестовый опрос", "en": "Test survey"},
        "intro": _t("About the portal."),
        "questions": (
            QuestionSpec(
                code="use",
                kind="single",
                text={
                    "kk": "Порталды пайдаланасыз ба?",
                    "ru": "Пользуетесь ли порталом?",
                    "en": "Do you use the portal?",
                },
                options=(_o("yes", "Yes"), _o("no", "No")),
            ),
            QuestionSpec(
                code="services",
                kind="multiple",
                text=_t("Which services did you use?"),
                options=(
                    _o("vehicle", "Vehicle registration"),
                    _o("licence", "Driving licence"),
                    _o("id", "ID card"),
                ),
                required=False,
            ),
            QuestionSpec(
                code="rating",
                kind="scale",
                text=_t("How convenient is it?"),
                options=(
                    _o("5", "Excellent", 5),
                    _o("4", "Good", 4),
                    _o("3", "Fair", 3),
                    _o("dk", "Hard to say"),
                ),
            ),
            QuestionSpec(
                code="comment",
                kind="text",
                text=_t("Anything else?"),
                required=False,
            ),
        ),
        "quotas": (
            QuotaSpec(dimension="region", value="02", target=4),
            QuotaSpec(dimension="region", value="01", target=2),
            QuotaSpec(dimension="sex", value="F", target=3),
            QuotaSpec(dimension="sex", value="M", target=3),
            QuotaSpec(dimension="age_band", value="30-44", target=5),
        ),
        "opens_on": date(2026, 1, 10),
        "closes_on": date(2026, 12, 31),
    }
    values.update(changes)
    return SurveySpec(**values)


def open_survey(code: str = "test-survey", **changes: Any) -> Survey:
    return survey_open(survey=survey_create(spec=survey_spec(code, **changes)))


def interviewer_create(
    *, phone: str = "+77470003344", agency: str = "migration-service", **person: Any
) -> Account:
    """Survey staff: a staff account working for an agency."""
    person = {"birth_date": date(1980, 8, 8), "sex": "M", **person}
    account = citizen_create(phone=phone, **person)
    account.is_staff = True
    account.save(update_fields=["is_staff"])
    OfficerMembership.objects.create(account=account, agency=agency)
    return account


GOOD_ANSWERS: dict[str, Any] = {
    "use": "yes",
    "services": ["vehicle", "id"],
    "rating": "4",
    "comment": "Fast and clear.",
}
