"""A survey's results as files: CSV (one row per answer option, or per cross-tabulation cell)
and JSON. Numbers use a dot for decimals whatever the language; labels are in the language the
results were computed in."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from qyzmet.surveys.results import CrossTab, Estimate, SurveyResults

RESULTS_COLUMNS = (
    "question",
    "question_text",
    "kind",
    "n",
    "option",
    "option_label",
    "count",
    "percent",
    "ci95_low",
    "ci95_high",
    "weighted_percent",
    "weighted_ci95_low",
    "weighted_ci95_high",
)
CROSSTAB_COLUMNS = (
    "question",
    "by",
    "group",
    "group_label",
    "n",
    "option",
    "option_label",
    "count",
    "percent",
    "weighted_percent",
)


def _numbers(estimate: Estimate | None) -> list[str]:
    if estimate is None:
        return ["", "", ""]
    return [str(estimate.percent), str(estimate.ci_low), str(estimate.ci_high)]


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def results_csv(results: SurveyResults) -> str:
    rows = []
    for question in results.questions:
        if not question.options:  # an open question: its number of answers only
            rows.append([question.code, question.text, question.kind, question.n]
                        + [""] * (len(RESULTS_COLUMNS) - 4))  # fmt: skip
        for option in question.options:
            rows.append(
                [question.code, question.text, question.kind, question.n, option.code,
                 option.label, option.count, *_numbers(option.estimate),
                 *_numbers(option.weighted)]
            )  # fmt: skip
    return _csv(RESULTS_COLUMNS, rows)


def crosstabs_csv(tables: Sequence[CrossTab]) -> str:
    rows = []
    for table in tables:
        labels = dict(table.options)
        for group in table.groups:
            for cell in group.cells:
                rows.append(
                    [table.question, table.dimension, group.value, group.label, group.n,
                     cell.code, labels.get(cell.code, cell.code), cell.count, str(cell.percent),
                     "" if cell.weighted_percent is None else str(cell.weighted_percent)]
                )  # fmt: skip
    return _csv(CROSSTAB_COLUMNS, rows)


def results_json(results: SurveyResults) -> str:
    return json.dumps(results.as_dict(), ensure_ascii=False, indent=1)
