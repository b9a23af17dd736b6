"""Surveys on the portal: the list, the questionnaire (signed-in citizens), the report with a
table and a chart per question (public once a survey is closed), its PDF and data files, and
the interviewer's entry page (survey staff)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qyzmet.core.errors import QyzmetError
from qyzmet.portal.pages import citizen_page, or_404
from qyzmet.portal.session import signed_in_account
from qyzmet.surveys.access import (
    access_survey_by_code,
    access_survey_for_staff,
    access_survey_results,
    survey_staff_is,
)
from qyzmet.surveys.actions import survey_answer, survey_interview_record
from qyzmet.surveys.answers import MULTIPLE_SEPARATOR
from qyzmet.surveys.exports import crosstabs_csv, results_csv, results_json
from qyzmet.surveys.models import Question, Response, Survey, text_in
from qyzmet.surveys.report_pdf import survey_report_pdf
from qyzmet.surveys.results import SurveyResults, survey_results
from qyzmet.surveys.selectors import (
    DIMENSIONS,
    dimension_label,
    dimension_values,
    quota_dimension_label,
    quota_progress,
    survey_answered_by,
    survey_list_public,
    survey_questions,
    survey_respondent_count,
    surveys_answered_by,
)


def _posted_answers(request: HttpRequest, questions: list[Question]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"q-{question.code}"
        if question.kind == Question.Kind.MULTIPLE:
            chosen = [v for v in request.POST.getlist(name) if v]
            if chosen:
                answers[question.code] = chosen
        elif request.POST.get(name, "").strip():
            answers[question.code] = request.POST.get(name, "")
    return answers


def _question_items(
    questions: list[Question], answers: dict[str, Any], errors: dict[str, str], language: str
) -> list[dict[str, Any]]:
    """What the questionnaire template shows for each question: its text, options (with the
    ones chosen before a refusal still chosen), and its error."""
    items = []
    for number, question in enumerate(questions, 1):
        given = answers.get(question.code, "")
        chosen = set(given if isinstance(given, list) else str(given).split(MULTIPLE_SEPARATOR))
        items.append(
            {
                "number": number,
                "question": question,
                "name": f"q-{question.code}",
                "text": question.text_in(language),
                "input": "checkbox" if question.kind == Question.Kind.MULTIPLE else "radio",
                "options": [
                    (str(o["code"]), text_in(o["label"], language), str(o["code"]) in chosen)
                    for o in question.options
                ],
                "value": given if isinstance(given, str) else "",
                "error": errors.get(question.code, ""),
            }
        )
    return items


def _refusal(exc: QyzmetError) -> tuple[str, dict[str, str]]:
    problems = exc.details.get("problems", []) if isinstance(exc.details, dict) else []
    errors = {str(p["field"]): str(p["message"]) for p in problems}
    return str(exc.message), errors


@dataclass
class _Filled:
    """A questionnaire as posted: its answers, and why they were refused (if they were)."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    error: str = ""
    status: int = 200
    recorded: bool = False


def _filled_in(
    request: HttpRequest, questions: list[Question], record: Callable[[dict[str, Any]], object]
) -> _Filled:
    """The posted answers, recorded by `record`; a refusal keeps them, with its problems."""
    filled = _Filled(answers=_posted_answers(request, questions))
    try:
        record(filled.answers)
    except QyzmetError as exc:
        (filled.error, filled.errors), filled.status = _refusal(exc), exc.status
    else:
        filled.recorded = True
    return filled


@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    language = get_language()
    staff = survey_staff_is(request.user)
    answered = surveys_answered_by(person_id=getattr(request.user, "person_id", None))
    rows: list[dict[str, Any]] = [
        {
            "survey": survey,
            "title": survey.title_in(language),
            "intro": survey.intro_in(language),
            "answered": survey.pk in answered,
        }
        for survey in survey_list_public()
    ]
    context = {
        "open_rows": [row for row in rows if row["survey"].status == Survey.Status.OPEN],
        "closed_rows": [row for row in rows if row["survey"].status == Survey.Status.CLOSED],
        "staff": staff,
    }
    return render(request, "portal/surveys.html", context)


@citizen_page("GET", "POST")
def survey_answer_page(request: HttpRequest, code: str) -> HttpResponse:
    account = signed_in_account(request)
    survey = or_404(access_survey_by_code, code=code, account=account)
    language = get_language()
    questions = survey_questions(survey=survey)
    filled = _Filled()
    if request.method == "POST":
        filled = _filled_in(request, questions, lambda answers: survey_answer(
            code=code, account=account, answers=answers, channel=Response.Channel.WEB
        ))  # fmt: skip
        if filled.recorded:
            messages.success(request, _("Thank you! Your answers are recorded."))
            return redirect("portal:survey", code=code)
    context = {
        "survey": survey,
        "title": survey.title_in(language),
        "intro": survey.intro_in(language),
        "answered": survey_answered_by(survey=survey, person_id=account.person_id),
        "items": _question_items(questions, filled.answers, filled.errors, language),
        "error": filled.error,
        "problems": [(f"q-{key}", message) for key, message in filled.errors.items()],
        "report": survey.status == Survey.Status.CLOSED or survey_staff_is(account),
    }
    return render(request, "portal/survey_answer.html", context, status=filled.status)


def _estimate_row(estimate: Any) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {"percent": float(estimate.percent), "low": float(estimate.ci_low),
            "high": float(estimate.ci_high)}  # fmt: skip


def _chart_data(results: SurveyResults) -> dict[str, Any]:
    """What survey-report.js draws: per question its options' percents (and weighted)."""
    return {
        "labels": {"plain": _("Unweighted, %"), "weighted": _("Weighted, %")},
        "charts": [
            {
                "code": q.code,
                "title": q.text,
                "options": [o.label for o in q.options],
                "values": [_estimate_row(o.estimate) for o in q.options],
                "weighted": (
                    [_estimate_row(o.weighted) for o in q.options]
                    if results.weighting.applied
                    else None
                ),
            }
            for q in results.questions
            if q.options and q.n
        ],
    }


@never_cache
@require_GET
def survey_report(request: HttpRequest, code: str) -> HttpResponse:
    survey = or_404(access_survey_results, code=code, account=request.user)
    language = get_language()
    staff = survey_staff_is(request.user)
    by = request.GET.get("by", "")
    by = by if by in DIMENSIONS else ""
    results = survey_results(
        survey=survey, language=language, crosstabs=bool(by), include_texts=staff
    )
    tables = [t for t in results.crosstabs if t.dimension == by]
    context = {
        "survey": survey,
        "title": survey.title_in(language),
        "intro": survey.intro_in(language),
        "results": results,
        "chart_data": _chart_data(results),
        "by": by,
        "by_label": dict(_dimension_choices()).get(by, ""),
        "dimensions": _dimension_choices(),
        "tables": [(t, results.question(t.question).text) for t in tables],
        "quotas": quota_progress(survey=survey) if staff else [],
        "staff": staff,
    }
    return render(request, "portal/survey_report.html", context)


def _dimension_choices() -> list[tuple[str, str]]:
    return [(name, quota_dimension_label(name)) for name in DIMENSIONS]


@never_cache
@require_GET
def survey_report_pdf_view(request: HttpRequest, code: str) -> HttpResponse:
    survey = or_404(access_survey_results, code=code, account=request.user)
    results = survey_results(survey=survey, language=get_language())
    response = HttpResponse(survey_report_pdf(results), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{survey.code}-report.pdf"'
    return response


@never_cache
@require_GET
def survey_results_file(request: HttpRequest, code: str, extension: str) -> HttpResponse:
    """The results to download: `results.csv` (`?by=region|sex|age_band` for a
    cross-tabulation) or `results.json` (with all cross-tabulations)."""
    if extension not in ("csv", "json"):
        raise Http404
    survey = or_404(access_survey_results, code=code, account=request.user)
    language = get_language()
    by = request.GET.get("by", "")
    if extension == "json":
        results = survey_results(
            survey=survey,
            language=language,
            crosstabs=True,
            include_texts=survey_staff_is(request.user),
        )
        text, name, kind = results_json(results), f"{survey.code}-results.json", "application/json"
    elif by in DIMENSIONS:
        results = survey_results(survey=survey, language=language, crosstabs=True)
        tables = [t for t in results.crosstabs if t.dimension == by]
        text, name, kind = crosstabs_csv(tables), f"{survey.code}-by-{by}.csv", "text/csv"
    else:
        results = survey_results(survey=survey, language=language)
        text, name, kind = results_csv(results), f"{survey.code}-results.csv", "text/csv"
    response = HttpResponse(text, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@citizen_page("GET", "POST")
def survey_interview(request: HttpRequest, code: str) -> HttpResponse:
    account = signed_in_account(request)
    survey = or_404(access_survey_for_staff, code=code, account=account)
    language = get_language()
    questions = survey_questions(survey=survey)
    demographics = {name: "" for name in DIMENSIONS}
    filled = _Filled()
    if request.method == "POST":
        demographics = {name: request.POST.get(name, "")[:8] for name in DIMENSIONS}
        filled = _filled_in(request, questions, lambda answers: survey_interview_record(
            code=code, interviewer=account, answers=answers, **demographics
        ))  # fmt: skip
        if filled.recorded:
            messages.success(request, _("The interview is recorded. Next respondent."))
            return redirect("portal:survey-interview", code=code)
    errors = filled.errors
    choices = {name: [(v, dimension_label(name, v)) for v in dimension_values(name)]
               for name in DIMENSIONS}  # fmt: skip
    context = {
        "survey": survey,
        "title": survey.title_in(language),
        "items": _question_items(questions, filled.answers, errors, language),
        "demographic_fields": [
            (name, label, choices[name], demographics[name], errors.get(name, ""))
            for name, label in _dimension_choices()
        ],
        "error": filled.error,
        "problems": [
            (name if name in DIMENSIONS else f"q-{name}", message)
            for name, message in errors.items()
        ],
        "quotas": quota_progress(survey=survey),
        "respondents": survey_respondent_count(survey=survey),
    }
    return render(request, "portal/survey_interview.html", context, status=filled.status)
