"""Checking a respondent's answers and demographics against a questionnaire (no database).

Every problem is a `Problem` with a stable code and a translated message; the answer form, the
API and the CSV import report all show the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.identity.population_rows import REGION_CODES
from qyzmet.surveys.errors import ErrorCode
from qyzmet.surveys.models import AGE_BAND_CODES, AGE_BANDS, TEXT_MAX, Question

SEXES = ("M", "F")
DEMOGRAPHICS = ("region", "sex", "age_band")
MULTIPLE_SEPARATOR = ";"  # between option codes of a multiple choice, in a CSV cell or a form

MESSAGES: dict[str, Promise] = {
    ErrorCode.ANSWER_REQUIRED: _("Please answer this question."),
    ErrorCode.OPTION_UNKNOWN: _("This is not one of the options."),
    ErrorCode.SINGLE_CHOICE_ONLY: _("Choose only one option."),
    ErrorCode.OPTION_REPEATED: _("An option is chosen more than once."),
    ErrorCode.TEXT_TOO_LONG: _("The answer is too long: at most 2000 characters."),
    ErrorCode.ANSWER_WRONG_TYPE: _("This answer has the wrong form."),
    ErrorCode.QUESTION_UNKNOWN: _("There is no such question in this survey."),
    ErrorCode.REGION: _("The region must be a two-digit code from 01 to 20."),
    ErrorCode.SEX: _("Sex must be M or F."),
    ErrorCode.AGE_BAND: _("The age band must be one of 18-29, 30-44, 45-59, 60+."),
    ErrorCode.RESPONDENT_DUPLICATE: _(
        "This respondent is already in the survey or appears more than once in the file."
    ),
    ErrorCode.RESPONDENT_ID: _("The respondent id is at most 60 printable characters long."),
    ErrorCode.COLUMNS: _("The row has more fields than the header."),
}


@dataclass(frozen=True)
class Problem:
    """What is wrong with one answer (`field` is the question code or a demographic column)."""

    field: str
    code: str

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class CleanAnswer:
    question: Question
    options: tuple[str, ...] = ()
    text: str = ""


def _as_list(value: Any) -> list[str] | None:
    """A multiple choice as a list of codes: a list, or a string of codes separated by `;`."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(MULTIPLE_SEPARATOR) if part.strip()]
    if isinstance(value, list | tuple):
        if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in value):
            return None
        return [str(item).strip() for item in value if str(item).strip()]
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not _as_list(value))


def answer_clean(question: Question, value: Any) -> tuple[CleanAnswer | None, str | None]:
    """The answer to one question, normalised, or the code of what is wrong with it. A blank
    answer is (None, None) for an optional question."""
    kind = question.kind
    if kind == Question.Kind.TEXT:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, (ErrorCode.ANSWER_REQUIRED if question.required else None)
        if not isinstance(value, str):
            return None, ErrorCode.ANSWER_WRONG_TYPE
        text = value.strip()
        if len(text) > TEXT_MAX:
            return None, ErrorCode.TEXT_TOO_LONG
        return CleanAnswer(question=question, text=text), None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a scale answered with its number
    if _blank(value):
        return None, (ErrorCode.ANSWER_REQUIRED if question.required else None)
    chosen = _as_list(value)
    if chosen is None:
        return None, ErrorCode.ANSWER_WRONG_TYPE
    if kind != Question.Kind.MULTIPLE and len(chosen) > 1:
        return None, ErrorCode.SINGLE_CHOICE_ONLY
    if len(set(chosen)) != len(chosen):
        return None, ErrorCode.OPTION_REPEATED
    known = set(question.option_codes())
    if any(code not in known for code in chosen):
        return None, ErrorCode.OPTION_UNKNOWN
    return CleanAnswer(question=question, options=tuple(chosen)), None


def answers_clean(
    questions: Sequence[Question], answers: Mapping[str, Any]
) -> tuple[list[CleanAnswer], list[Problem]]:
    """Every answer checked; the problems of all questions at once (answers to no question of
    the survey are problems too)."""
    clean: list[CleanAnswer] = []
    problems: list[Problem] = []
    codes = {question.code for question in questions}
    problems.extend(
        Problem(field=str(key), code=ErrorCode.QUESTION_UNKNOWN)
        for key in answers
        if key not in codes
    )
    for question in questions:
        answer, problem = answer_clean(question, answers.get(question.code))
        if problem is not None:
            problems.append(Problem(field=question.code, code=problem))
        elif answer is not None:
            clean.append(answer)
    return clean, problems


def demographics_problems(*, region: str, sex: str, age_band: str) -> list[Problem]:
    problems = []
    if region not in REGION_CODES:
        problems.append(Problem(field="region", code=ErrorCode.REGION))
    if sex not in SEXES:
        problems.append(Problem(field="sex", code=ErrorCode.SEX))
    if age_band not in AGE_BAND_CODES:
        problems.append(Problem(field="age_band", code=ErrorCode.AGE_BAND))
    return problems


def age_band_of(age: int) -> str | None:
    """The band of an age in years; None under 18."""
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    return None


def problems_as_details(problems: Iterable[Problem]) -> dict[str, Any]:
    return {"problems": [problem.as_dict() for problem in problems]}
