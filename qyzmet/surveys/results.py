"""A survey's results: per question counts, percentages and Wilson 95% intervals, unweighted and
weighted (raked to the population registry's margins), and cross-tabulations by region, sex and
age band. Read with a handful of queries; the arithmetic is numpy (`qyzmet.surveys.stats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from django.utils.translation import override

from qyzmet.surveys.errors import WEIGHTING_MESSAGES, WeightingCode
from qyzmet.surveys.models import Answer, Question, Response, Survey, text_in
from qyzmet.surveys.selectors import (
    DIMENSIONS,
    as_percent,
    dimension_label,
    dimension_values,
    percent_of,
    population_margins,
    survey_reference_date,
)
from qyzmet.surveys.stats import (
    FloatArray,
    IntArray,
    RakingError,
    crosstab,
    kish_effective_n,
    rake,
    weighted_share,
    wilson_interval,
)


@dataclass(frozen=True)
class Estimate:
    """A share with its 95% interval, as proportions (0–1) and as percents to one decimal."""

    proportion: float
    low: float
    high: float

    @property
    def percent(self) -> Decimal:
        return as_percent(self.proportion)

    @property
    def ci_low(self) -> Decimal:
        return as_percent(self.low)

    @property
    def ci_high(self) -> Decimal:
        return as_percent(self.high)

    def as_dict(self) -> dict[str, Any]:
        return {
            "proportion": round(self.proportion, 8),
            "percent": float(self.percent),
            "ci95": [float(self.ci_low), float(self.ci_high)],
            "ci95_proportion": [round(self.low, 8), round(self.high, 8)],
        }


@dataclass(frozen=True)
class OptionResult:
    code: str
    label: str
    count: int
    estimate: Estimate | None
    weighted: Estimate | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "count": self.count,
            **(self.estimate.as_dict() if self.estimate else {"percent": None}),
            "weighted": self.weighted.as_dict() if self.weighted else None,
        }


@dataclass(frozen=True)
class QuestionResult:
    code: str
    kind: str
    text: str
    n: int  # respondents who answered
    skipped: int
    options: list[OptionResult]
    n_effective: float | None  # Kish's effective n of the weighted base
    mean: float | None = None  # a scale's mean value (unweighted)
    weighted_mean: float | None = None
    texts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "kind": self.kind,
            "text": self.text,
            "n": self.n,
            "skipped": self.skipped,
            "n_effective": None if self.n_effective is None else round(self.n_effective, 3),
            "options": [option.as_dict() for option in self.options],
        }
        if self.kind == Question.Kind.SCALE:
            data["mean"] = None if self.mean is None else round(self.mean, 4)
            data["weighted_mean"] = (
                None if self.weighted_mean is None else round(self.weighted_mean, 4)
            )
        if self.texts:
            data["texts"] = self.texts
        return data


@dataclass(frozen=True)
class Weighting:
    applied: bool
    code: str
    reference_date: date
    iterations: int = 0
    n_effective: float | None = None
    margins: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(WEIGHTING_MESSAGES.get(self.code, WEIGHTING_MESSAGES["raking_not_converged"]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "code": self.code,
            "message": self.message,
            "method": "raking" if self.applied else None,
            "dimensions": list(DIMENSIONS) if self.applied else [],
            "reference_date": self.reference_date.isoformat(),
            "iterations": self.iterations,
            "n_effective": None if self.n_effective is None else round(self.n_effective, 3),
            "population_margins": self.margins,
        }


@dataclass(frozen=True)
class CrossCell:
    code: str
    count: int
    percent: Decimal
    weighted_percent: Decimal | None


@dataclass(frozen=True)
class CrossGroup:
    value: str
    label: str
    n: int
    cells: list[CrossCell]


@dataclass(frozen=True)
class CrossTab:
    question: str
    dimension: str
    options: list[tuple[str, str]]  # (code, label)
    groups: list[CrossGroup]

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "by": self.dimension,
            "options": [{"code": code, "label": label} for code, label in self.options],
            "groups": [
                {
                    "value": group.value,
                    "label": group.label,
                    "n": group.n,
                    "cells": [
                        {
                            "code": cell.code,
                            "count": cell.count,
                            "percent": float(cell.percent),
                            "weighted_percent": (
                                None
                                if cell.weighted_percent is None
                                else float(cell.weighted_percent)
                            ),
                        }
                        for cell in group.cells
                    ],
                }
                for group in self.groups
            ],
        }


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    language: str
    respondents: int
    questions: list[QuestionResult]
    weighting: Weighting
    crosstabs: list[CrossTab] = field(default_factory=list)

    def question(self, code: str) -> QuestionResult:
        return next(q for q in self.questions if q.code == code)

    def as_dict(self) -> dict[str, Any]:
        survey = self.survey
        return {
            "survey": {
                "code": survey.code,
                "title": survey.title_in(self.language),
                "status": survey.status,
                "opens_on": survey.opens_on.isoformat() if survey.opens_on else None,
                "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
            },
            "language": self.language,
            "respondents": self.respondents,
            "confidence": 0.95,
            "interval": "wilson",
            "weighting": self.weighting.as_dict(),
            "questions": [question.as_dict() for question in self.questions],
            "crosstabs": [table.as_dict() for table in self.crosstabs],
        }


@dataclass
class _Answers:
    respondents: IntArray  # index of the respondent of each answer row
    options: IntArray  # index of the option chosen (-1: an open answer)


class _Data:
    """What every computation needs, read once: respondents, their weights, answer rows."""

    def __init__(self, survey: Survey, *, weighted: bool) -> None:
        self.survey = survey
        self.questions = list(survey.questions.all())
        rows = list(
            Response.objects.filter(survey=survey)
            .order_by("id")
            .values_list("id", "region", "sex", "age_band")
        )
        self.ids = np.array([row[0] for row in rows], dtype=np.int64)
        self.demographics = {
            name: [str(row[i]) for row in rows] for i, name in enumerate(DIMENSIONS, 1)
        }
        self.weights: FloatArray | None = None
        self.weighting = self._weighting(weighted)
        self.answers = self._answers()

    def _weighting(self, weighted: bool) -> Weighting:
        on = survey_reference_date(self.survey)
        if not self.ids.size:
            return Weighting(applied=False, code=WeightingCode.NO_RESPONDENTS, reference_date=on)
        if not weighted:
            return Weighting(applied=False, code=WeightingCode.NOT_REQUESTED, reference_date=on)
        margins = self.survey.population_margins or population_margins(on=on)
        try:
            raked = rake(
                categories=self.demographics,
                targets={name: {k: float(v) for k, v in margins[name].items()} for name in margins},
            )
        except RakingError as exc:
            return Weighting(applied=False, code=exc.code, reference_date=on, margins=margins)
        self.weights = raked.weights
        return Weighting(
            applied=True,
            code=WeightingCode.RAKED,
            reference_date=on,
            iterations=raked.iterations,
            n_effective=kish_effective_n(raked.weights),
            margins=margins,
        )

    def _answers(self) -> dict[int, _Answers]:
        position = {int(pk): i for i, pk in enumerate(self.ids)}
        option_index = {
            q.pk: {code: j for j, code in enumerate(q.option_codes())} for q in self.questions
        }
        collected: dict[int, tuple[list[int], list[int]]] = {q.pk: ([], []) for q in self.questions}
        rows = (
            Answer.objects.filter(question__survey=self.survey)
            .order_by()
            .values_list("response_id", "question_id", "option")
        )
        for response_id, question_id, option in rows.iterator(chunk_size=5000):
            respondent = position.get(response_id)
            if respondent is None or question_id not in collected:
                continue  # a response written after the respondents were read
            index = option_index[question_id].get(option, -1)
            collected[question_id][0].append(respondent)
            collected[question_id][1].append(index)
        return {
            pk: _Answers(np.array(r, dtype=np.intp), np.array(o, dtype=np.intp))
            for pk, (r, o) in collected.items()
        }

    def chosen(self, question: Question) -> tuple[IntArray, np.ndarray[Any, np.dtype[np.bool_]]]:
        """The respondents who answered (sorted indexes) and, for choice questions, who chose
        which option (a boolean matrix: answered × options)."""
        rows = self.answers[question.pk]
        answered = np.unique(rows.respondents)
        matrix = np.zeros((answered.size, len(question.options)), dtype=bool)
        valid = rows.options >= 0
        matrix[np.searchsorted(answered, rows.respondents[valid]), rows.options[valid]] = True
        return answered, matrix


def _estimate(count: int, n: int) -> Estimate:
    low, high = wilson_interval(count, n)
    return Estimate(proportion=count / n, low=low, high=high)


def _question_result(data: _Data, question: Question, language: str) -> QuestionResult:
    answered, matrix = data.chosen(question)
    n = int(answered.size)
    weights = data.weights[answered] if data.weights is not None and n else None
    options = []
    for j, option in enumerate(question.options):
        count = int(matrix[:, j].sum())
        weighted = None
        if weights is not None:
            share = weighted_share(matrix[:, j], weights)
            weighted = Estimate(proportion=share.proportion, low=share.low, high=share.high)
        options.append(
            OptionResult(
                code=str(option["code"]),
                label=text_in(option["label"], language),
                count=count,
                estimate=_estimate(count, n) if n else None,
                weighted=weighted,
            )
        )
    mean = weighted_mean = None
    if question.kind == Question.Kind.SCALE and n:
        values = np.array(
            [np.nan if o.get("value") is None else float(o["value"]) for o in question.options]
        )
        per_respondent = np.where(matrix, values, 0.0).sum(axis=1)
        rated = (matrix & ~np.isnan(values)).any(axis=1)
        if rated.any():
            mean = float(per_respondent[rated].mean())
            if weights is not None:
                weighted_mean = float(np.average(per_respondent[rated], weights=weights[rated]))
    n_effective = None
    if weights is not None:
        n_effective = kish_effective_n(weights)
    return QuestionResult(
        code=question.code,
        kind=question.kind,
        text=question.text_in(language),
        n=n,
        skipped=int(data.ids.size) - n,
        options=options,
        n_effective=n_effective,
        mean=mean,
        weighted_mean=weighted_mean,
    )


def _crosstab(data: _Data, question: Question, dimension: str, language: str) -> CrossTab:
    answered, matrix = data.chosen(question)
    values = dimension_values(dimension)
    index = {value: i for i, value in enumerate(values)}
    groups_of = np.array([index.get(v, -1) for v in data.demographics[dimension]], dtype=np.intp)[
        answered
    ]
    known = groups_of >= 0
    pairs = np.nonzero(matrix[known])
    shape = (len(values), len(question.options))
    counts = crosstab(rows=groups_of[known][pairs[0]], columns=pairs[1], shape=shape)
    bases = np.bincount(groups_of[known], minlength=len(values))
    weighted = weighted_bases = None
    if data.weights is not None:
        w = data.weights[answered][known]
        weighted = crosstab(
            rows=groups_of[known][pairs[0]], columns=pairs[1], shape=shape, weights=w[pairs[0]]
        )
        weighted_bases = np.bincount(groups_of[known], weights=w, minlength=len(values))
    groups = []
    for g, value in enumerate(values):
        if not bases[g]:
            continue
        cells = [
            CrossCell(
                code=str(option["code"]),
                count=int(counts[g, j]),
                percent=percent_of(int(counts[g, j]), int(bases[g])),
                weighted_percent=(
                    None
                    if weighted is None or weighted_bases is None
                    else percent_of(float(weighted[g, j]), float(weighted_bases[g]))
                ),
            )
            for j, option in enumerate(question.options)
        ]
        groups.append(
            CrossGroup(
                value=value, label=dimension_label(dimension, value), n=int(bases[g]), cells=cells
            )
        )
    return CrossTab(
        question=question.code,
        dimension=dimension,
        options=[(str(o["code"]), text_in(o["label"], language)) for o in question.options],
        groups=groups,
    )


def survey_results(
    *,
    survey: Survey,
    language: str,
    weighted: bool = True,
    crosstabs: bool = False,
    include_texts: bool = False,
) -> SurveyResults:
    """Every question's results; with `crosstabs`, each choice question by region, sex and age
    band; with `include_texts`, the open answers themselves (survey staff only). Labels are
    in `language`."""
    with override(language):
        return _survey_results(
            survey=survey,
            language=language,
            weighted=weighted,
            crosstabs=crosstabs,
            include_texts=include_texts,
        )


def _survey_results(
    *, survey: Survey, language: str, weighted: bool, crosstabs: bool, include_texts: bool
) -> SurveyResults:
    data = _Data(survey, weighted=weighted)
    questions = [_question_result(data, q, language) for q in data.questions]
    if include_texts:
        texts: dict[int, list[str]] = {}
        for question_id, text in (
            Answer.objects.filter(question__survey=survey, question__kind=Question.Kind.TEXT)
            .order_by("id")
            .values_list("question_id", "text")
        ):
            texts.setdefault(question_id, []).append(text)
        by_code = {q.code: texts.get(q.pk, []) for q in data.questions}
        questions = [
            QuestionResult(**{**q.__dict__, "texts": by_code.get(q.code, [])}) for q in questions
        ]
    tables = []
    if crosstabs:
        tables = [
            _crosstab(data, q, dimension, language)
            for q in data.questions
            if q.kind != Question.Kind.TEXT
            for dimension in DIMENSIONS
        ]
    return SurveyResults(
        survey=survey,
        language=language,
        respondents=int(data.ids.size),
        questions=questions,
        weighting=data.weighting,
        crosstabs=tables,
    )


def survey_crosstab(*, survey: Survey, question: str, by: str, language: str) -> CrossTab:
    """One question by one of region, sex, age band (counts, column %, weighted %)."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    data = _Data(survey, weighted=True)
    target = next((q for q in data.questions if q.code == question), None)
    if target is None or target.kind == Question.Kind.TEXT:
        raise LookupError(question)
    with override(language):
        return _crosstab(data, target, by, language)
