"""Writes of the surveys app: a survey is created, opened and closed; answers come from a
signed-in citizen (web or phone app), an interviewer, or a CSV file.

Every submission is checked whole before anything is written, and written in one transaction:
a refused one leaves nothing behind. A person answers a survey once (a unique constraint, so two
concurrent submissions cannot both pass).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import Conflict, NotFound, QyzmetError, ValidationFailed
from qyzmet.identity.models import Account
from qyzmet.identity.population_rows import REGION_CODES
from qyzmet.identity.selectors import age_on
from qyzmet.surveys.access import access_survey_by_code, access_survey_for_staff
from qyzmet.surveys.answers import (
    DEMOGRAPHICS,
    SEXES,
    CleanAnswer,
    Problem,
    age_band_of,
    answers_clean,
    demographics_problems,
    problems_as_details,
)
from qyzmet.surveys.errors import ErrorCode
from qyzmet.surveys.models import (
    AGE_BAND_CODES,
    LANGUAGES,
    Answer,
    Question,
    Quota,
    Response,
    Survey,
)
from qyzmet.surveys.selectors import population_margins

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
OPTION_CODE = re.compile(r"^[A-Za-z0-9_.+-]{1,40}$")
RESERVED_COLUMNS = (*DEMOGRAPHICS, "respondent_id")


# --- Definition ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionSpec:
    code: str
    label: Mapping[str, str]
    value: int | None = None  # a scale's number; None for "hard to say"


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: str
    text: Mapping[str, str]
    options: Sequence[OptionSpec] = ()
    required: bool = True


@dataclass(frozen=True)
class QuotaSpec:
    dimension: str
    value: str
    target: int


@dataclass(frozen=True)
class SurveySpec:
    code: str
    title: Mapping[str, str]
    questions: Sequence[QuestionSpec]
    intro: Mapping[str, str] = field(default_factory=dict)
    quotas: Sequence[QuotaSpec] = ()
    opens_on: date | None = None
    closes_on: date | None = None
    sample_size: int | None = None


def _translated(texts: Mapping[str, str]) -> bool:
    return all(isinstance(texts.get(lang), str) and texts[lang].strip() for lang in LANGUAGES)


def _question_problems(spec: QuestionSpec) -> list[str]:
    where = f"question {spec.code!r}"
    problems: list[str] = []
    if not SLUG.match(spec.code) or spec.code in RESERVED_COLUMNS:
        problems.append(f"{where}: the code must be a lowercase slug, not {RESERVED_COLUMNS}")
    if spec.kind not in Question.Kind.values:
        problems.append(f"{where}: the kind must be one of {Question.Kind.values}")
    if not _translated(spec.text):
        problems.append(f"{where}: the text needs kk, ru and en")
    codes = [option.code for option in spec.options]
    if spec.kind == Question.Kind.TEXT:
        if codes:
            problems.append(f"{where}: an open question has no options")
        return problems
    if len(codes) < 2:
        problems.append(f"{where}: at least two options")
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: option codes repeat")
    for option in spec.options:
        if not OPTION_CODE.match(option.code):
            problems.append(f"{where}: option code {option.code!r} (letters, digits, _.+-)")
        if not _translated(option.label):
            problems.append(f"{where}: option {option.code!r} needs kk, ru and en labels")
    if spec.kind == Question.Kind.SCALE:
        if sum(1 for option in spec.options if option.value is not None) < 2:
            problems.append(f"{where}: a scale needs at least two options with a value")
    elif any(option.value is not None for option in spec.options):
        problems.append(f"{where}: only a scale's options have values")
    return problems


def _quota_problems(spec: QuotaSpec) -> list[str]:
    allowed = {
        Quota.Dimension.REGION: REGION_CODES,
        Quota.Dimension.SEX: SEXES,
        Quota.Dimension.AGE_BAND: AGE_BAND_CODES,
    }.get(spec.dimension)  # type: ignore[call-overload]
    if allowed is None:
        return [f"quota: the dimension must be one of {Quota.Dimension.values}"]
    problems = []
    if spec.value not in allowed:
        problems.append(f"quota {spec.dimension}={spec.value!r}: not a known value")
    if spec.target < 1:
        problems.append(f"quota {spec.dimension}={spec.value!r}: the target must be positive")
    return problems


def survey_definition_problems(spec: SurveySpec) -> list[str]:
    problems: list[str] = []
    if not SLUG.match(spec.code):
        problems.append("the survey code must be a lowercase slug")
    if not _translated(spec.title):
        problems.append("the title needs kk, ru and en")
    if not spec.questions:
        problems.append("a survey needs at least one question")
    codes = [question.code for question in spec.questions]
    if len(set(codes)) != len(codes):
        problems.append("question codes repeat")
    for question in spec.questions:
        problems.extend(_question_problems(question))
    cells = [(quota.dimension, quota.value) for quota in spec.quotas]
    if len(set(cells)) != len(cells):
        problems.append("a quota cell is given twice")
    for quota in spec.quotas:
        problems.extend(_quota_problems(quota))
    if spec.opens_on and spec.closes_on and spec.closes_on < spec.opens_on:
        problems.append("the survey closes before it opens")
    return problems


@transaction.atomic
def survey_create(*, spec: SurveySpec) -> Survey:
    """A draft survey with its questions and quotas."""
    problems = survey_definition_problems(spec)
    if problems:
        raise ValidationFailed(
            _("The survey definition is not valid."),
            code=ErrorCode.SURVEY_DEFINITION_INVALID,
            details={"problems": problems},
        )
    if Survey.objects.filter(code=spec.code).exists():
        raise Conflict(_("A survey with this code exists already."), code=ErrorCode.SURVEY_EXISTS)
    survey = Survey.objects.create(
        code=spec.code,
        title=dict(spec.title),
        intro=dict(spec.intro),
        opens_on=spec.opens_on,
        closes_on=spec.closes_on,
        sample_size=spec.sample_size,
    )
    Question.objects.bulk_create(
        Question(
            survey=survey,
            code=question.code,
            order=order,
            kind=question.kind,
            text=dict(question.text),
            options=[
                {"code": o.code, "label": dict(o.label), "value": o.value} for o in question.options
            ],
            required=question.required,
        )
        for order, question in enumerate(spec.questions, 1)
    )
    Quota.objects.bulk_create(
        Quota(survey=survey, dimension=q.dimension, value=q.value, target=q.target)
        for q in spec.quotas
    )
    return survey


def _moved(survey: Survey, *, source: str, target: str) -> Survey:
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != source:
            raise Conflict(
                _("The survey is not in a state that allows this."),
                code=ErrorCode.SURVEY_STATE,
                details={"status": locked.status},
            )
        now = timezone.now()
        locked.status = target
        if target == Survey.Status.OPEN:
            locked.opened_at = now
            locked.opens_on = locked.opens_on or timezone.localdate(now)
            fields = ["status", "opened_at", "opens_on"]
        else:
            locked.closed_at = now
            today = timezone.localdate(now)  # closed early: the period ends today
            locked.closes_on = min(locked.closes_on or today, today)
            margins = population_margins(on=locked.closes_on)
            locked.population_margins = margins if any(margins.values()) else None
            fields = ["status", "closed_at", "closes_on", "population_margins"]
        locked.save(update_fields=fields)
    return locked


def survey_open(*, survey: Survey) -> Survey:
    return _moved(survey, source=Survey.Status.DRAFT, target=Survey.Status.OPEN)


def survey_close(*, survey: Survey) -> Survey:
    return _moved(survey, source=Survey.Status.OPEN, target=Survey.Status.CLOSED)


# --- Answers --------------------------------------------------------------------------------


def survey_require_open(survey: Survey) -> None:
    if survey.status != Survey.Status.OPEN:
        raise Conflict(_("This survey is not open for answers."), code=ErrorCode.SURVEY_NOT_OPEN)


def _refused(problems: Sequence[Problem]) -> ValidationFailed:
    return ValidationFailed(
        _("Some answers need attention."),
        code=ErrorCode.SURVEY_ANSWERS_INVALID,
        details=problems_as_details(problems),
    )


def _answer_rows(response: Response, answers: Sequence[CleanAnswer]) -> list[Answer]:
    rows: list[Answer] = []
    for answer in answers:
        if answer.question.kind == Question.Kind.TEXT:
            rows.append(Answer(response=response, question=answer.question, text=answer.text))
        else:
            rows.extend(
                Answer(response=response, question=answer.question, option=code)
                for code in answer.options
            )
    return rows


def _already_answered() -> Conflict:
    return Conflict(
        _("You have already answered this survey. Thank you!"),
        code=ErrorCode.SURVEY_ALREADY_ANSWERED,
    )


def survey_answer(
    *, code: str, account: Account, answers: Mapping[str, Any], channel: str
) -> Response:
    """A signed-in citizen's answers (channel "web" or "app"). Region, sex and age band come
    from the population registry, not from the respondent."""
    if channel not in (Response.Channel.WEB, Response.Channel.APP):
        raise ValueError(channel)
    survey = access_survey_by_code(code=code, account=account)
    survey_require_open(survey)
    person = account.person
    if person is None:
        raise QyzmetError(
            _("Only citizens signed in with their IIN can answer a survey."),
            code=ErrorCode.SURVEY_CITIZENS_ONLY,
            status=403,
        )
    band = age_band_of(age_on(person.birth_date))
    if band is None:
        raise QyzmetError(
            _("Only adults (18 and over) take part in this survey."),
            code=ErrorCode.SURVEY_ADULTS_ONLY,
            status=403,
        )
    if Response.objects.filter(survey=survey, person=person).exists():
        raise _already_answered()
    clean, problems = answers_clean(list(survey.questions.all()), answers)
    if problems:
        raise _refused(problems)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                channel=channel,
                region=person.region,
                sex=person.sex,
                age_band=band,
                person=person,
            )
            Answer.objects.bulk_create(_answer_rows(response, clean))
    except IntegrityError as exc:  # the same person, at the same moment, from another device
        raise _already_answered() from exc
    return response


def survey_interview_record(
    *,
    code: str,
    interviewer: Account,
    region: str,
    sex: str,
    age_band: str,
    answers: Mapping[str, Any],
) -> Response:
    """Answers an interviewer took down (face to face or by phone), with the respondent's
    region, sex and age band as the respondent gave them."""
    survey = access_survey_for_staff(code=code, account=interviewer)
    survey_require_open(survey)
    problems = demographics_problems(region=region, sex=sex, age_band=age_band)
    clean, answer_problems = answers_clean(list(survey.questions.all()), answers)
    problems.extend(answer_problems)
    if problems:
        raise _refused(problems)
    with transaction.atomic():
        response = Response.objects.create(
            survey=survey,
            channel=Response.Channel.INTERVIEWER,
            region=region,
            sex=sex,
            age_band=age_band,
            interviewer=interviewer,
        )
        Answer.objects.bulk_create(_answer_rows(response, clean))
    return response


def survey_get_for_import(*, code: str, account: Account | None) -> Survey:
    """The survey an import goes to: survey staff only, or the command line (no account)."""
    if account is not None:
        return access_survey_for_staff(code=code, account=account)
    survey = Survey.objects.filter(code=code).first()
    if survey is None:
        raise NotFound()
    return survey


def responses_write(
    *,
    survey: Survey,
    rows: Sequence[tuple[Mapping[str, str], Sequence[CleanAnswer]]],
    channel: str,
    interviewer: Account | None = None,
) -> int:
    """Checked responses written in bulk, in the caller's transaction: each row is its
    demographics (region, sex, age_band, and respondent_id if any) and its answers."""
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            channel=channel,
            region=demographics["region"],
            sex=demographics["sex"],
            age_band=demographics["age_band"],
            external_id=demographics.get("respondent_id", ""),
            interviewer=interviewer,
        )
        for demographics, _answers in rows
    )
    answers: list[Answer] = []
    for response, (_demographics, clean) in zip(responses, rows, strict=True):
        answers.extend(_answer_rows(response, clean))
    Answer.objects.bulk_create(answers, batch_size=2000)
    return len(responses)
