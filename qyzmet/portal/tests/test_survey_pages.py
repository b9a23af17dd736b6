"""Surveys through the pages: answering without JavaScript and the interviewer's page (the
report of the demo survey is tested with the demo data, in `qyzmet/demo/tests`)."""

from __future__ import annotations

import pytest

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.surveys.actions import survey_close
from qyzmet.surveys.models import Response
from qyzmet.surveys.tests.factories import interviewer_create, open_survey

pytestmark = pytest.mark.django_db

STAFF_PHONE = "+77470003344"


def _signed_in(account: Account, phone: str = PHONE) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})  # type: ignore[union-attr]
    web.post("/signin/code/", {"code": last_code(web, phone)})
    return web


def test_a_citizen_answers_on_the_web_without_javascript_once() -> None:
    open_survey()
    assert CommittingClient().get("/surveys/test-survey/").status_code == 302  # to sign-in
    web = _signed_in(citizen_create())

    form = web.get("/surveys/test-survey/").content.decode()
    refused = web.post("/surveys/test-survey/", {"q-use": "yes", "q-services": ["id"]})
    sent = web.post(
        "/surveys/test-survey/",
        {"q-use": "yes", "q-services": ["vehicle", "id"], "q-rating": "5", "q-comment": "Fine"},
    )
    after = web.get("/surveys/test-survey/").content.decode()
    again = web.post("/surveys/test-survey/", {"q-use": "no", "q-rating": "3"})

    assert 'type="radio" id="q-use-yes" name="q-use" value="yes"' in form
    assert 'type="checkbox" id="q-services-id" name="q-services" value="id"' in form
    assert refused.status_code == 422
    refused_body = refused.content.decode()
    assert "Some answers need attention." in refused_body
    assert '<a href="#q-rating">Please answer this question.</a>' in refused_body
    assert 'id="q-use-yes" name="q-use" value="yes" checked' in refused_body  # kept
    assert sent.status_code == 302
    response = Response.objects.get()
    assert response.channel == "web"
    assert sorted(response.answers.values_list("question__code", "option")) == [
        ("comment", ""), ("rating", "5"), ("services", "id"), ("services", "vehicle"),
        ("use", "yes"),
    ]  # fmt: skip
    assert "You have answered. Thank you!" in after
    assert again.status_code == 409
    assert Response.objects.count() == 1


def test_an_open_surveys_report_and_interviews_are_for_survey_staff() -> None:
    survey = open_survey()
    citizen = _signed_in(citizen_create())
    staff = _signed_in(interviewer_create(phone=STAFF_PHONE), STAFF_PHONE)

    assert CommittingClient().get("/surveys/test-survey/report/").status_code == 404
    assert citizen.get("/surveys/test-survey/report/").status_code == 404
    assert citizen.get("/surveys/test-survey/interview/").status_code == 404
    page = staff.get("/surveys/test-survey/interview/").content.decode()
    recorded = staff.post(
        "/surveys/test-survey/interview/",
        {"region": "02", "sex": "F", "age_band": "30-44", "q-use": "no", "q-rating": "dk"},
    )
    refused = staff.post("/surveys/test-survey/interview/", {"region": "", "q-use": "no"})
    report = staff.get("/surveys/test-survey/report/").content.decode()

    assert '<select id="region" name="region">' in page
    assert recorded.status_code == 302
    response = Response.objects.get()
    assert (response.channel, response.region, response.interviewer_id) == (
        "interviewer", "02", Account.objects.get(is_staff=True).pk,
    )  # fmt: skip
    assert refused.status_code == 422
    assert Response.objects.count() == 1
    assert '<tr data-quota="region:02"><th scope="row">Almaty</th><td>4</td><td>1</td>' in report
    assert "The survey is still open: the results are not final." in report
    survey_close(survey=survey)
    assert CommittingClient().get("/surveys/test-survey/report/").status_code == 200
