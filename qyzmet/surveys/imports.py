"""Importing responses from a CSV file (paper questionnaires keyed in, another tool's export).

The header names the demographic columns `region`, `sex`, `age_band`, optionally
`respondent_id`, then one column per question code. A multiple choice lists its option codes
separated by `;`; an empty cell is no answer. The good rows are written in one transaction; the
report lists every problem of every bad row (row number counting the header as row 1, column,
code, translated message). A header that does not fit the survey imports nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import ValidationFailed
from qyzmet.identity.models import Account
from qyzmet.surveys.actions import responses_write, survey_get_for_import, survey_require_open
from qyzmet.surveys.answers import (
    DEMOGRAPHICS,
    CleanAnswer,
    Problem,
    answers_clean,
    demographics_problems,
)
from qyzmet.surveys.errors import ErrorCode
from qyzmet.surveys.models import Question, Response

RESPONDENT_ID = "respondent_id"
RESPONDENT_ID_MAX = 60


@dataclass(frozen=True)
class RejectedCell:
    row_number: int
    column: str
    code: str
    message: str


@dataclass
class ResponsesImportReport:
    rows: int = 0  # data rows read (blank lines skipped)
    imported: int = 0
    rejected: list[RejectedCell] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({cell.row_number for cell in self.rejected})


def _decoded(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            _("The file is not UTF-8 text."), code=ErrorCode.CSV_ENCODING, details={}
        ) from exc


def _checked_header(header: list[str], questions: list[Question]) -> list[str]:
    names = [name.strip() for name in header]
    codes = {question.code for question in questions}
    allowed = {*DEMOGRAPHICS, RESPONDENT_ID, *codes}
    missing = [name for name in DEMOGRAPHICS if name not in names]
    missing += [q.code for q in questions if q.required and q.code not in names]
    unknown = [name for name in names if name not in allowed]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if missing or unknown or repeated:
        raise ValidationFailed(
            _("The file's header does not fit the survey: nothing was imported."),
            code=ErrorCode.CSV_HEADER,
            details={"missing": missing, "unknown": unknown, "repeated": repeated},
        )
    return names


def _cell(row_number: int, problem: Problem) -> RejectedCell:
    return RejectedCell(
        row_number=row_number, column=problem.field, code=problem.code, message=problem.message
    )


def responses_import(
    *, code: str, data: bytes | str, account: Account | None = None
) -> ResponsesImportReport:
    """Import the rows of a CSV file into an open survey (see the module's docstring)."""
    survey = survey_get_for_import(code=code, account=account)
    survey_require_open(survey)
    questions = list(survey.questions.all())
    reader = csv.reader(io.StringIO(_decoded(data), newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise ValidationFailed(_("The file is empty."), code=ErrorCode.CSV_EMPTY, details={})
        names = _checked_header(header, questions)
        report = ResponsesImportReport()
        good: list[tuple[Mapping[str, str], list[CleanAnswer]]] = []
        seen_ids = set(
            Response.objects.filter(survey=survey)
            .exclude(external_id="")
            .values_list("external_id", flat=True)
        )
        for row_number, values in enumerate(reader, 2):
            if not any(value.strip() for value in values):
                continue
            report.rows += 1
            problems, row = _row_checked(names, values, questions, seen_ids)
            if problems:
                report.rejected.extend(_cell(row_number, problem) for problem in problems)
            else:
                good.append(row)
    except csv.Error as exc:
        raise ValidationFailed(
            _("The file is not a valid CSV file."),
            code=ErrorCode.CSV_INVALID,
            details={"error": str(exc)},
        ) from exc
    with transaction.atomic():
        report.imported = responses_write(
            survey=survey, rows=good, channel=Response.Channel.IMPORT, interviewer=account
        )
    return report


def _row_checked(
    names: list[str], values: list[str], questions: list[Question], seen_ids: set[str]
) -> tuple[list[Problem], tuple[Mapping[str, str], list[CleanAnswer]]]:
    problems: list[Problem] = []
    if len(values) > len(names):
        problems.append(Problem(field="", code=ErrorCode.COLUMNS))
    cells = {name: value.strip() for name, value in zip(names, values, strict=False)}
    demographics = {name: cells.get(name, "") for name in DEMOGRAPHICS}
    problems.extend(demographics_problems(**demographics))
    respondent = cells.get(RESPONDENT_ID, "")
    if respondent:
        if len(respondent) > RESPONDENT_ID_MAX or not respondent.isprintable():
            problems.append(Problem(field=RESPONDENT_ID, code=ErrorCode.RESPONDENT_ID))
        elif respondent in seen_ids:
            problems.append(Problem(field=RESPONDENT_ID, code=ErrorCode.RESPONDENT_DUPLICATE))
        seen_ids.add(respondent)
        demographics[RESPONDENT_ID] = respondent
    answers = {q.code: cells[q.code] for q in questions if q.code in cells}
    clean, answer_problems = answers_clean(questions, answers)
    problems.extend(answer_problems)
    return problems, (demographics, clean)
