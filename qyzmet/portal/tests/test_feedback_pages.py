"""Rating through the pages (without JavaScript), the include for the application page, the
public figures page and the ministry's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from conftest import CommittingClient
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.feedback.models import Rating
from qyzmet.feedback.selectors import rating_panel
from qyzmet.feedback.tests.fixtures import application_make, ministry_analyst, other_citizen
from qyzmet.identity.actions.sessions import session_start
from qyzmet.identity.models import Account, AuthSession
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.portal.middleware import SESSION_KEY

pytestmark = pytest.mark.django_db


def _browser(account: Account | None, language: str = "en") -> CommittingClient:
    """A browser signed in as `account` (as web_sign_in leaves it), or anonymous."""
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE=language)
    if account is not None:
        session = session_start(
            account=account, kind=AuthSession.Kind.WEB, method=AuthSession.Method.PASSWORD_SMS
        )
        web.force_login(account)
        cookie_session = web.session
        cookie_session[SESSION_KEY] = str(session.id)
        cookie_session.save()
    return web


def _rate_url(application: Application) -> str:
    return f"/me/applications/{application.pk}/rate"


@pytest.fixture
def owner() -> Account:
    return citizen_create()


def test_rating_through_the_page_without_javascript(owner: Account) -> None:
    application = application_make(owner)
    web = _browser(owner)

    form = web.get(_rate_url(application))
    assert form.status_code == 200
    page = form.content.decode()
    assert "<h1>Rate the service</h1>" in page
    assert application.number in page and "Approved" in page
    for grade in ("excellent", "good", "satisfactory", "bad", "hard_to_say"):
        assert f'name="grade" value="{grade}"' in page

    saved = web.post(_rate_url(application), {"grade": "satisfactory", "comment": "Орташа"})

    assert saved.status_code == 302
    assert saved["Location"] == f"/applications/{application.pk}/"
    rating = Rating.objects.get()
    assert (rating.grade, rating.comment, rating.account_id) == ("satisfactory", "Орташа", owner.pk)
    shown = web.get(_rate_url(application)).content.decode()
    assert "You rated this service: <strong>Satisfactory</strong>." in shown
    assert 'name="grade"' not in shown


@pytest.mark.parametrize(
    ("form", "code", "message"),
    [
        ({}, "bad_grade", "Choose one of the answers."),
        ({"grade": "great"}, "bad_grade", "Choose one of the answers."),
        (
            {"grade": "good", "comment": "ы" * 1001},
            "comment_too_long",
            "The comment is too long: at most 1000 characters.",
        ),
    ],
)
def test_a_refused_form_is_shown_again_with_the_reason(
    owner: Account, form: dict[str, str], code: str, message: str
) -> None:
    application = application_make(owner)

    response = _browser(owner).post(_rate_url(application), form)

    assert response.status_code == 422
    page = response.content.decode()
    assert f'data-error-code="{code}"' in page
    assert message in page
    assert form.get("comment", "") in page  # what was typed is kept
    assert not Rating.objects.exists()


def test_an_open_application_shows_no_form_and_refuses_a_post(owner: Account) -> None:
    application = application_make(owner, outcome="")
    web = _browser(owner)

    page = web.get(_rate_url(application)).content.decode()
    refused = web.post(_rate_url(application), {"grade": "good"})

    assert "You can rate an application once the agency has approved or refused it." in page
    assert 'name="grade"' not in page
    assert refused.status_code == 422
    assert 'data-error-code="not_final"' in refused.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "other citizen", "officer"])
def test_only_the_applicant_reaches_the_rating_page(owner: Account, who: str) -> None:
    application = application_make(owner)
    if who == "anonymous":
        account = None
    else:
        account = other_citizen()
        if who == "officer":
            OfficerMembership.objects.create(account=account, agency=application.agency)
    web = _browser(account)

    shown = web.get(_rate_url(application))
    posted = web.post(_rate_url(application), {"grade": "bad"})

    if who == "anonymous":
        assert shown.status_code == posted.status_code == 302
        assert shown["Location"].startswith("/signin/")
    else:
        assert shown.status_code == posted.status_code == 404
    assert not Rating.objects.exists()


def test_the_include_for_the_application_page(owner: Account) -> None:
    application = application_make(owner)
    request = RequestFactory().get("/")
    request.user = owner

    with translation.override("en"):
        form = render_to_string(
            "portal/_rating.html", {"rating_panel": rating_panel(application=application)}, request
        )
        Rating.objects.create(application=application, account=owner, grade="good", comment="ok")
        done = render_to_string(
            "portal/_rating.html", {"rating_panel": rating_panel(application=application)}, request
        )
        nothing = render_to_string(
            "portal/_rating.html",
            {"rating_panel": rating_panel(application=application_make(owner, outcome=""))},
            request,
        )

    assert f'action="/me/applications/{application.pk}/rate"' in form
    assert "csrfmiddlewaretoken" in form
    assert "You rated this service: <strong>Good</strong>." in done
    assert nothing.strip() == ""


def _figures_world() -> None:
    citizen = other_citizen()
    for outcome, grade in (("approved", "excellent"), ("refused", "bad"), ("approved", "good")):
        application = application_make(citizen, outcome=outcome)
        Rating.objects.create(application=application, account=citizen, grade=grade)
    application_make(citizen, channel="app")


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "Operating figures"),
        ("ru", "Показатели работы"),
        ("kk", "Жұмыс көрсеткіштері"),
    ],
)
def test_the_public_figures_page_has_every_table_and_the_chart_data(
    language: str, heading: str
) -> None:
    _figures_world()

    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/figures/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    for key in ("online", "years", "channels", "mobile", "ratings_agency", "ratings_service",
                "deadlines"):  # fmt: skip
        assert f'data-chart="{key}"' in page
        assert f'<details id="{key}-table" open>' in page
    assert '<script id="figures-data" type="application/json">' in page
    assert 'href="/api/v1/feedback/figures.csv"' in page
    charts: dict[str, Any] = response.context["charts"]
    assert charts["channels"]["datasets"][0]["data"] == [3, 1, 0]
    assert len(charts["ratings_agency"]["labels"]) == 1  # the chart shows the rated agencies
    by_grade = [d["data"][0] for d in charts["ratings_agency"]["datasets"]]
    assert by_grade == [1, 1, 0, 1, 0]  # excellent, good, satisfactory, bad, hard to say
    assert sum(sum(d["data"]) for d in charts["ratings_agency"]["datasets"]) == 3


@pytest.mark.parametrize("who", ["anonymous", "citizen", "officer", "analyst"])
def test_the_ministry_page_is_for_ministry_staff_only(who: str) -> None:
    _figures_world()
    account: Account | None = None
    if who == "citizen":
        account = citizen_create()
    elif who == "officer":
        account = other_citizen()
        OfficerMembership.objects.create(account=account, agency="gp-legal-statistics")
    elif who == "analyst":
        account = ministry_analyst()

    response = _browser(account).get("/figures/internal/?agency=gp-legal-statistics")

    expected = {"anonymous": 302, "citizen": 404, "officer": 404, "analyst": 200}[who]
    assert response.status_code == expected
    if who == "analyst":
        page = response.content.decode()
        assert "<h1>Operating figures for the ministry</h1>" in page
        assert 'data-agency="gp-legal-statistics"' in page
        assert response.context["shown"][0]["code"] == "gp-legal-statistics"
