"""The officer's application page: what it shows (from the officer's overview of the
application) and deciding on it."""

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

OFFICER_PHONE = "+77470001122"
AGENCY = "gp-legal-statistics"


def _later(seconds: int) -> Any:
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


@pytest.fixture
def submitted(api_client: CommittingClient) -> Application:
    account = citizen_create()
    auth = bearer(sign_in(api_client, account.person.iin)["access_token"])
    with _later(61):
        draft = api_client.post_json(
            "/api/v1/applications", {"service": "criminal-record-certificate"}, **auth
        ).json()
        api_client.patch(
            f"/api/v1/applications/{draft['id']}",
            data='{"answers": {"purpose": "employment"}}',
            content_type="application/json",
            **auth,
        )
        code = api_client.post(f"/api/v1/applications/{draft['id']}/sign/sms", **auth).json()
        done = api_client.post_json(
            f"/api/v1/applications/{draft['id']}/submit",
            {"code_id": code["code_id"], "code": last_code(api_client, PHONE)},
            HTTP_IDEMPOTENCY_KEY="key-1",
            **auth,
        )
    assert done.status_code == 201, done.json()
    return Application.objects.get()


@pytest.fixture
def office() -> CommittingClient:
    officer = citizen_create(phone=OFFICER_PHONE, birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer, agency=AGENCY)
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    with _later(180):
        web.post("/signin/", {"iin": officer.person.iin, "password": PASSWORD})
        web.post("/signin/code/", {"code": last_code(web, OFFICER_PHONE)})
    return web


def test_the_page_shows_the_application_and_the_officers_steps(
    submitted: Application, office: CommittingClient
) -> None:
    page = office.get(f"/office/applications/{submitted.id}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert submitted.number in html
    assert "Certificate of criminal record (or of no criminal record)</h1>" in html
    assert "<dt>Status</dt><dd>Under review</dd>" in html
    assert "<dt>What the certificate is for</dt><dd>Employment</dd>" in html
    assert (
        "<dt>Purpose of the certificate</dt><dd>—</dd>" in html
    )  # every question, answered or not
    assert "<dt>Full name</dt>" in html  # the registries' prefill
    assert 'value="claim"' in html
    assert 'value="issue"' in html
    assert "— Pass to an officer (automatically) → Under review" in html  # the history
    assert "send_to_officer" not in html
    queue = office.get(f"/office/queue/?agency={AGENCY}").content.decode()
    assert submitted.number in queue
    assert "<td>Under review</td>" in queue
    assert "in_review" not in queue


def test_the_page_names_states_steps_roles_and_answers_in_the_officers_language(
    submitted: Application, office: CommittingClient
) -> None:
    office.cookies["qyzmet_language"] = "ru"

    html = office.get(f"/office/applications/{submitted.id}/").content.decode()
    queue = office.get(f"/office/queue/?agency={AGENCY}").content.decode()

    assert "<dd>Трудоустройство</dd>" in html
    assert "— Передать на проверку сотруднику (автоматически) → На рассмотрении" in html
    assert "<td>На рассмотрении</td>" in queue


def test_an_officer_claims_and_decides_on_the_page(
    submitted: Application, office: CommittingClient
) -> None:
    url = f"/office/applications/{submitted.id}/"
    assert office.post(url, {"action": "claim"}).status_code == 302
    page = office.get(url).content.decode()
    assert 'value="claim"' not in page
    submitted.refresh_from_db()
    issued = office.post(url, {"action": "issue", "version": submitted.lock_version})

    assert issued.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == "issued"
    stale = office.post(url, {"action": "issue", "version": 0})
    assert stale.status_code in (409, 422)


def test_another_agencys_application_is_not_found(submitted: Application) -> None:
    other = citizen_create(phone="+77470009999", birth_date=date(1981, 8, 8), sex="M")
    OfficerMembership.objects.create(account=other, agency="mvd-admin-police")
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    with _later(180):
        web.post("/signin/", {"iin": other.person.iin, "password": PASSWORD})
        web.post("/signin/code/", {"code": last_code(web, "+77470009999")})

    assert web.get(f"/office/applications/{submitted.id}/").status_code == 404
