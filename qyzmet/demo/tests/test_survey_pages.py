"""The demo survey through the pages: the list, the report with the article's figures, its charts
and files."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from conftest import CommittingClient
from qyzmet.demo.loading import demo_population_load
from qyzmet.demo.surveys import surveys_demo_load
from qyzmet.surveys.models import Survey
from qyzmet.surveys.tests.factories import open_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Survey:
    demo_population_load()
    return surveys_demo_load()


def test_the_demo_report_shows_the_article_figures_with_intervals_and_a_chart_each(
    demo: Survey,
) -> None:
    page = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").get("/surveys/egov-2021/report/")

    assert page.status_code == 200
    body = page.content.decode()
    row = re.search(r'<tr data-option="self">(.*?)</tr>', body, re.S)
    assert row is not None
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    assert cells[:4] == ["Yes, I use them myself", "339", "75.3", "71.1–79.1"]
    assert len(cells) == 6  # and the weighted percent with its interval
    assert "<strong>450 respondents</strong>" in body
    assert 'data-weighting="raked"' in body
    for figure in ("40.9", "42.5", "49.8", "40.4", "71.6", "25.3", "45.3", "21.3", "6.7"):
        assert f"<td>{figure}</td>" in body
    charts = json.loads(
        re.search(r'<script id="survey-chart-data" type="application/json">(.*?)</script>',
                  body, re.S).group(1)  # type: ignore[union-attr]
    )  # fmt: skip
    assert [c["code"] for c in charts["charts"]] == [
        "awareness", "use", "trust", "data_safety", "mobile_db", "app_convenience",
    ]  # fmt: skip
    assert charts["charts"][1]["values"][0] == {"percent": 75.3, "low": 71.1, "high": 79.1}
    assert body.count("data-survey-chart=") == 6
    assert '<script src="/static/portal/vendor/chart.umd.min.js" defer></script>' in body
    assert '<script src="/static/portal/survey-report.js" defer></script>' in body
    # No inline script: only the JSON block, the two files and every page's app.js.
    assert '<script src="/static/portal/app.js" defer></script>' in body
    assert len(re.findall(r"<script", body)) == 4
    assert 'href="/surveys/egov-2021/report.pdf"' in body
    assert 'href="/surveys/egov-2021/results.csv"' in body
    assert 'href="/surveys/egov-2021/results.json"' in body


def test_the_demo_report_speaks_russian_with_the_article_wording(demo: Survey) -> None:
    body = CommittingClient(HTTP_ACCEPT_LANGUAGE="ru").get("/surveys/egov-2021/report/")

    text = body.content.decode()
    assert "Пользуетесь ли вы услугами портала eGov.kz?" in text
    assert "<td>75,3</td>" in text  # Russian decimal comma


def test_the_report_breaks_answers_down_and_offers_files(demo: Survey) -> None:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")

    by_age = web.get("/surveys/egov-2021/report/?by=age_band").content.decode()
    data = web.get("/surveys/egov-2021/results.json")
    table = web.get("/surveys/egov-2021/results.csv?by=sex")
    pdf = web.get("/surveys/egov-2021/report.pdf")

    assert 'data-crosstab="use:age_band"' in by_age
    assert '<th scope="row">18-29</th><td>110</td>' in by_age
    assert data["Content-Disposition"] == 'attachment; filename="egov-2021-results.json"'
    results = data.json()
    assert results["questions"][1]["options"][0]["count"] == 339
    assert results["questions"][1]["options"][0]["ci95"] == [71.1, 79.1]
    assert len(results["crosstabs"]) == 18
    rows = list(csv.DictReader(io.StringIO(table.content.decode())))
    assert list(rows[0])[:4] == ["question", "by", "group", "group_label"]
    assert {row["by"] for row in rows} == {"sex"}  # broken down by what was asked, only
    men_use = [r for r in rows if (r["question"], r["group"]) == ("use", "M")]
    assert {r["n"] for r in men_use} == {"212"}  # 212 men answered
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert web.get("/surveys/egov-2021/results.xml").status_code == 404


def test_the_list_shows_open_surveys_to_answer_and_finished_ones_to_read(demo: Survey) -> None:
    open_survey()

    body = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").get("/surveys/").content.decode()

    assert 'href="/surveys/test-survey/"' in body
    assert 'href="/surveys/egov-2021/report/"' in body
    assert 'href="/surveys/test-survey/report/"' not in body  # not public while open
