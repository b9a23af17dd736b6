"""The demo survey reproduces the article's published figures."""

from __future__ import annotations

import pytest

from qyzmet.demo.loading import demo_population_load
from qyzmet.demo.surveys import (
    DEMO_SURVEY_CODE,
    OPEN_INTERVIEWED,
    OPEN_SURVEY_CODE,
    surveys_demo_load,
)
from qyzmet.surveys.models import Response, Survey
from qyzmet.surveys.report_pdf import survey_report_html
from qyzmet.surveys.results import survey_results
from qyzmet.surveys.selectors import quota_progress

pytestmark = pytest.mark.django_db

ARTICLE = {
    "awareness": [("know", 413, "91.8"), ("heard", 35, "7.8"), ("hard", 2, "0.4")],
    "use": [("self", 339, "75.3"), ("others", 39, "8.7"), ("none", 72, "16.0")],
    "trust": [("full", 156, "40.9"), ("rather", 162, "42.5"), ("rather_not", 16, "4.2"),
              ("not", 9, "2.4"), ("hard", 38, "10.0")],
    "data_safety": [("safe", 224, "49.8"), ("satisfactory", 182, "40.4"), ("doubt", 37, "8.2"),
                    ("leak", 7, "1.6")],
    "mobile_db": [("yes", 322, "71.6"), ("no", 128, "28.4")],
    "app_convenience": [("5", 114, "25.3"), ("4", 204, "45.3"), ("3", 96, "21.3"),
                        ("2", 6, "1.3"), ("dk", 30, "6.7")],
}  # fmt: skip


def test_the_demo_survey_gives_the_article_figures_once() -> None:
    demo_population_load()

    survey = surveys_demo_load()
    again = surveys_demo_load()

    assert again.pk == survey.pk
    assert Survey.objects.filter(code=DEMO_SURVEY_CODE).count() == 1
    assert survey.status == Survey.Status.CLOSED
    assert Response.objects.filter(survey=survey).count() == 450
    results = survey_results(survey=survey, language="ru")
    assert results.respondents == 450
    for question in results.questions:
        got = [(o.code, o.count, str(o.estimate.percent)) for o in question.options if o.estimate]
        assert got == ARTICLE[question.code], question.code
    assert results.question("trust").n == 381  # 42.5% needs a base other than 450
    assert results.question("use").text == "Пользуетесь ли вы услугами портала eGov.kz?"
    use = results.question("use").options[0]
    assert use.estimate is not None
    assert (str(use.estimate.ci_low), str(use.estimate.ci_high)) == ("71.1", "79.1")
    assert results.weighting.applied
    assert results.weighting.reference_date.isoformat() == "2021-10-29"
    assert all(row.percent == 100 for row in quota_progress(survey=survey))


def test_the_demo_has_a_survey_open_to_answer_with_its_quotas_under_way() -> None:
    surveys_demo_load()
    surveys_demo_load()

    survey = Survey.objects.get(code=OPEN_SURVEY_CODE)
    assert survey.status == Survey.Status.OPEN
    assert Response.objects.filter(survey=survey).count() == OPEN_INTERVIEWED
    kinds = sorted(survey.questions.values_list("kind", flat=True))
    assert kinds == ["multiple", "scale", "single", "single", "text"]
    progress = quota_progress(survey=survey)
    assert sum(row.achieved for row in progress if row.dimension == "sex") == OPEN_INTERVIEWED
    assert all(row.achieved <= row.target for row in progress)
    assert any(row.percent < 100 for row in progress)


def test_the_printable_report_has_a_chart_per_question() -> None:
    survey = surveys_demo_load()

    html = survey_report_html(survey_results(survey=survey, language="kk", weighted=False))

    assert html.count('<img class="chart" src="data:image/svg+xml;base64,') == 6
    assert "eGov.kz порталының қызметтерін пайдаланасыз ба?" in html
    assert '<td class="num">339</td>' in html
