"""/api/v1/surveys: open surveys and their questionnaires (public), answering from the phone app,
results (JSON and CSV; public once a survey is closed), quota progress, interviews and CSV
imports (survey staff)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qyzmet.api.errors import ErrorCode
from qyzmet.api.idempotency import idempotent
from qyzmet.api.schemas import ErrorOut
from qyzmet.api.security import AccessToken, current_account, optional_account
from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.models import Account
from qyzmet.surveys.access import (
    access_survey_by_code,
    access_survey_for_staff,
    access_survey_results,
    survey_staff_is,
)
from qyzmet.surveys.actions import survey_answer, survey_interview_record
from qyzmet.surveys.exports import crosstabs_csv, results_csv
from qyzmet.surveys.imports import responses_import
from qyzmet.surveys.models import Response, Survey, text_in
from qyzmet.surveys.results import survey_results
from qyzmet.surveys.selectors import (
    DIMENSIONS,
    quota_progress,
    survey_list_open,
    survey_questions,
    surveys_answered_by,
)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_IMPORT_BYTES = 10 * 1024 * 1024
ANSWERS_DESCRIPTION = (
    "Question code → answer: an option code (single choice, scale; a scale's number may be "
    "sent as a number), a list of option codes (multiple choice) or a text (open question). "
    "Leave out an optional question to skip it."
)


class SurveyOut(Schema):
    code: str
    title: str
    intro: str
    status: str
    opens_on: date | None
    closes_on: date | None
    question_count: int
    answered: bool | None = Field(description="Whether I answered it (with a bearer token)")


class OptionOut(Schema):
    code: str
    label: str
    value: int | None


class QuestionOut(Schema):
    code: str
    kind: str = Field(description="single, multiple, scale or text")
    text: str
    required: bool
    options: list[OptionOut]


class QuestionnaireOut(SurveyOut):
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(..., description=ANSWERS_DESCRIPTION)


class InterviewIn(AnswersIn):
    region: str = Field(..., max_length=2, examples=["02"])
    sex: str = Field(..., max_length=1, examples=["F"])
    age_band: str = Field(..., max_length=8, examples=["30-44"])


# Built from a `Response`.
class ResponseOut(Schema):
    id: int
    survey: str
    channel: str
    created_at: datetime

    @staticmethod
    def resolve_survey(response: Response) -> str:
        return response.survey.code


class EstimateOut(Schema):
    proportion: float
    percent: float
    ci95: list[float] = Field(description="Wilson 95% interval, in percent")
    ci95_proportion: list[float]


class OptionResultOut(Schema):
    code: str
    label: str
    count: int
    percent: float | None
    ci95: list[float] | None = None
    proportion: float | None = None
    ci95_proportion: list[float] | None = None
    weighted: EstimateOut | None


class QuestionResultOut(Schema):
    code: str
    kind: str
    text: str
    n: int
    skipped: int
    n_effective: float | None
    options: list[OptionResultOut]
    mean: float | None = None
    weighted_mean: float | None = None
    texts: list[str] | None = None


class WeightingOut(Schema):
    applied: bool
    code: str
    message: str
    method: str | None
    dimensions: list[str]
    reference_date: date
    iterations: int
    n_effective: float | None
    population_margins: dict[str, dict[str, int]]


class CrossCellOut(Schema):
    code: str
    count: int
    percent: float
    weighted_percent: float | None


class CrossGroupOut(Schema):
    value: str
    label: str
    n: int
    cells: list[CrossCellOut]


class CrossOptionOut(Schema):
    code: str
    label: str


class CrossTabOut(Schema):
    question: str
    by: str
    options: list[CrossOptionOut]
    groups: list[CrossGroupOut]


class SurveyRefOut(Schema):
    code: str
    title: str
    status: str
    opens_on: date | None
    closes_on: date | None


class ResultsOut(Schema):
    survey: SurveyRefOut
    language: str
    respondents: int
    confidence: float
    interval: str
    weighting: WeightingOut
    questions: list[QuestionResultOut]
    crosstabs: list[CrossTabOut]


class ResultsQuery(Schema):
    crosstabs: bool = Field(True, description="Add each question by region, sex and age band")


class CsvQuery(Schema):
    by: str = Field("", description="region, sex or age_band: the cross-tabulation instead")


class QuotaOut(Schema):
    dimension: str
    value: str
    label: str
    target: int
    achieved: int
    remaining: int
    percent: float


class RejectedOut(Schema):
    row_number: int = Field(description="Counting the header as row 1")
    column: str
    code: str
    message: str


class ImportOut(Schema):
    rows: int
    imported: int
    rejected_rows: int
    rejected: list[RejectedOut]


def _survey_out(
    survey: Survey, language: str, account: Account | None, answered: set[int] | None = None
) -> dict[str, Any]:
    """`answered`: the caller's answered survey ids, when a list fetched them once."""
    if account is not None and answered is None:
        answered = surveys_answered_by(person_id=account.person_id)
    return {
        "code": survey.code,
        "title": survey.title_in(language),
        "intro": survey.intro_in(language),
        "status": survey.status,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
        "question_count": getattr(survey, "question_count", None) or survey.questions.count(),
        "answered": None if answered is None else survey.pk in answered,
    }


def build_router() -> Router:
    """A fresh router (the API mounts one; a router belongs to one API)."""
    router = Router(tags=["surveys"])

    @router.get(
        "",
        response={200: list[SurveyOut], **ERRORS},
        summary="Open surveys (public; with a bearer token, whether I answered)",
    )
    def surveys(request: HttpRequest) -> list[dict[str, Any]]:
        account = optional_account(request)
        language = get_language()
        answered = surveys_answered_by(person_id=account.person_id) if account else None
        return [_survey_out(s, language, account, answered) for s in survey_list_open()]

    @router.get("/{code}", response={200: QuestionnaireOut, **ERRORS},
                summary="A questionnaire in the language asked for (Accept-Language)")  # fmt: skip
    def questionnaire(request: HttpRequest, code: str) -> dict[str, Any]:
        account = optional_account(request)
        survey = access_survey_by_code(code=code, account=account)
        language = get_language()
        questions = [
            {
                "code": q.code,
                "kind": q.kind,
                "text": q.text_in(language),
                "required": q.required,
                "options": [
                    {
                        "code": str(o["code"]),
                        "label": text_in(o["label"], language),
                        "value": o.get("value"),
                    }
                    for o in q.options
                ],
            }
            for q in survey_questions(survey=survey)
        ]
        return {**_survey_out(survey, language, account), "questions": questions}

    @router.post(
        "/{code}/responses",
        auth=AccessToken(),
        response={201: ResponseOut, **ERRORS},
        summary="Answer a survey as the signed-in citizen (once per survey)",
        description=(
            "Every answer is checked before anything is written; a refusal is 422 "
            "`survey_answers_invalid` with `details.problems`: `[{field, code, message}]` "
            "(codes: answer_required, option_unknown, single_choice_only, option_repeated, "
            "text_too_long, answer_wrong_type, question_unknown). A second answer is 409 "
            "`survey_already_answered`; a survey not open is 409 `survey_not_open`."
        ),
    )
    @idempotent(scope="surveys.answer")
    def answer(request: HttpRequest, code: str, body: AnswersIn) -> Status[Response]:
        response = survey_answer(
            code=code,
            account=current_account(request),
            answers=body.answers,
            channel=Response.Channel.APP,
        )
        return Status(201, response)

    @router.get(
        "/{code}/results",
        response={200: ResultsOut, **ERRORS},
        summary="Results: counts, percents, Wilson 95% intervals, weighted and unweighted",
        description=(
            "Public once the survey is closed; before that, survey staff only (bearer token). "
            "Weighted figures are raked to the adults of the population registry by region, "
            "sex and age band (`weighting` says whether it was possible and why not)."
        ),
    )
    def results(request: HttpRequest, code: str, query: Query[ResultsQuery]) -> dict[str, Any]:
        account = optional_account(request)
        survey = access_survey_results(code=code, account=account)
        return survey_results(
            survey=survey,
            language=get_language(),
            crosstabs=query.crosstabs,
            include_texts=survey_staff_is(account),
        ).as_dict()

    @router.get(
        "/{code}/results.csv",
        response={200: None, **ERRORS},
        summary="Results as CSV (one row per answer option, or per cross-tabulation cell)",
        openapi_extra={"responses": {200: {"content": {"text/csv": {}}, "description": "CSV"}}},
    )
    def results_file(request: HttpRequest, code: str, query: Query[CsvQuery]) -> HttpResponse:
        survey = access_survey_results(code=code, account=optional_account(request))
        if query.by and query.by not in DIMENSIONS:
            raise ValidationFailed(
                details={"fields": [{"field": "by", "code": ErrorCode.INVALID,
                                     "message": _("This value is not valid.")}]},
            )  # fmt: skip
        computed = survey_results(survey=survey, language=get_language(), crosstabs=bool(query.by))
        if query.by:
            tables = [t for t in computed.crosstabs if t.dimension == query.by]
            text, name = crosstabs_csv(tables), f"{survey.code}-by-{query.by}.csv"
        else:
            text, name = results_csv(computed), f"{survey.code}-results.csv"
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @router.get("/{code}/quotas", auth=AccessToken(), response={200: list[QuotaOut], **ERRORS},
                summary="Progress against each quota cell (survey staff)")  # fmt: skip
    def quotas(request: HttpRequest, code: str) -> list[dict[str, Any]]:
        survey = access_survey_for_staff(code=code, account=current_account(request))
        return [row.as_dict() for row in quota_progress(survey=survey)]

    @router.post(
        "/{code}/interviews",
        auth=AccessToken(),
        response={201: ResponseOut, **ERRORS},
        summary="Record a respondent's answers taken by an interviewer (survey staff)",
    )
    def interview(request: HttpRequest, code: str, body: InterviewIn) -> Status[Response]:
        response = survey_interview_record(
            code=code,
            interviewer=current_account(request),
            region=body.region,
            sex=body.sex,
            age_band=body.age_band,
            answers=body.answers,
        )
        return Status(201, response)

    @router.post(
        "/{code}/responses/import",
        auth=AccessToken(),
        response={200: ImportOut, **ERRORS},
        summary="Import responses from a CSV file (survey staff)",
        description=(
            "Header: region, sex, age_band, optionally respondent_id, then question codes; a "
            "multiple choice's codes separated by `;`. The good rows are imported in one "
            "transaction; every problem of a bad row is listed. A header that does not fit the "
            "survey is 422 `csv_header` and imports nothing."
        ),
    )
    def import_file(request: HttpRequest, code: str, file: File[UploadedFile]) -> dict[str, Any]:
        account = current_account(request)
        access_survey_for_staff(code=code, account=account)
        if file.size is not None and file.size > MAX_IMPORT_BYTES:
            raise ValidationFailed(
                details={"fields": [{"field": "file", "message": _("The file is too large.")}]},
                code=ErrorCode.FILE_TOO_LARGE,
            )
        report = responses_import(code=code, data=file.read(), account=account)
        return {
            "rows": report.rows,
            "imported": report.imported,
            "rejected_rows": report.rejected_rows,
            "rejected": [cell.__dict__ for cell in report.rejected],
        }

    return router


router = build_router()
