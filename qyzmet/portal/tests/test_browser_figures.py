"""The figures dashboard in a real Chromium on a 390-px phone, in Kazakh, Russian and English:
every chart is drawn by Chart.js (a chart object with data, and painted pixels), headings and
chart labels are in the page's language, the tables fold away once the charts are drawn, and
nothing (a script, the CSP) complains."""

from __future__ import annotations

from typing import Any

import pytest

from qyzmet.feedback.models import Rating
from qyzmet.feedback.tests.fixtures import ID_CARD, application_make, other_citizen
from qyzmet.portal.tests.browser import chromium_page, menu_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["online", "years", "channels", "mobile", "ratings_agency", "ratings_service", "deadlines"]
HEADINGS = {
    "kk": (
        "Жұмыс көрсеткіштері",
        [
            "Онлайн көрсетілетін қызметтер",
            "Жылдар мен қызметтер бойынша өтініштер",
            "Веб-портал және мобильді қосымша",
            "Мобильді азаматтар базасындағы ересектер",
            "Мемлекеттік органдар бойынша бағалар",
            "Қызметтер бойынша бағалар",
            "Мерзімдердің сақталуы: органдар бойынша",
        ],
        ["Онлайн", "Тек жеке келу арқылы"],
    ),
    "ru": (
        "Показатели работы",
        [
            "Услуги, оказываемые онлайн",
            "Заявления по годам и услугам",
            "Веб-портал и мобильное приложение",
            "Взрослые в базе мобильных граждан",
            "Оценки по ведомствам",
            "Оценки по услугам",
            "Соблюдение сроков по ведомствам",
        ],
        ["Онлайн", "Только лично"],
    ),
    "en": (
        "Operating figures",
        [
            "Services delivered online",
            "Applications per year by service",
            "Web portal and phone app",
            "Adults in the mobile citizens database",
            "Ratings by agency",
            "Ratings by service",
            "Deadlines met by agency",
        ],
        ["Online", "Only in person"],
    ),
}

DRAWN = """() => Array.from(document.querySelectorAll("[data-chart] canvas")).map((canvas) => {
  const chart = window.Chart.getChart(canvas);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted += 1; } }
  return {
    key: canvas.parentElement.getAttribute("data-chart"),
    points: chart ? chart.data.datasets.reduce((n, set) => n + set.data.length, 0) : 0,
    painted: painted,
    labels: chart ? chart.data.labels : [],
  };
})"""


def _world() -> None:
    citizen = other_citizen()
    for outcome, grade, channel in (
        ("approved", "excellent", "web"),
        ("approved", "good", "app"),
        ("refused", "bad", "web"),
    ):
        application = application_make(citizen, outcome=outcome, channel=channel)
        Rating.objects.create(application=application, account=citizen, grade=grade)
    rated = application_make(citizen, service=ID_CARD, channel="app")
    Rating.objects.create(application=rated, account=citizen, grade="hard_to_say")


def test_the_dashboard_draws_every_chart_in_each_language(live_server: Any) -> None:
    _world()
    problems: list[str] = []

    with chromium_page(width=390) as page:
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: problems.append(message.text) if message.type == "error" else None,
        )
        page.goto(f"{live_server.url}/figures/")  # in Kazakh, the browser's language
        for language, (title, sections, online_labels) in HEADINGS.items():
            if language != "kk":  # the page's own language switcher, as a person would
                menu_open(page)
                with page.expect_navigation():
                    page.click(f"button[name=language][value={language}]")
            page.wait_for_selector("[data-chart='deadlines'][data-drawn='true']")

            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("h1").inner_text() == title
            assert page.locator("main section h2").all_inner_texts() == sections
            drawn = {chart["key"]: chart for chart in page.evaluate(DRAWN)}
            assert list(drawn) == CHARTS
            for key, chart in drawn.items():
                assert chart["points"] > 0, (language, key)
                assert chart["painted"] > 500, (language, key)  # not a blank canvas
            assert drawn["online"]["labels"] == online_labels
            assert page.locator("details[open]").count() == 0  # the tables folded away
            assert page.evaluate("document.documentElement.scrollWidth") <= 390

    assert problems == []
