"""Applying through the pages: start from the passport, fill in, sign by SMS code, track."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.applications.models import Application
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


def _signed_in() -> CommittingClient:
    account = citizen_create()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def test_apply_fill_in_sign_and_track_through_the_pages() -> None:
    web = _signed_in()
    passport = web.get("/services/criminal-record-certificate/").content.decode()
    assert "Apply online" in passport

    started = web.post("/services/criminal-record-certificate/apply")
    page_url = started["Location"]
    assert page_url.startswith("/applications/")
    wrong = web.post(f"{page_url}save", {"purpose": "piracy"})
    assert wrong.status_code == 422
    assert "Choose one of the options." in wrong.content.decode()
    assert Application.objects.get().form_data != "{}"  # kept even though wrong

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        web.post(f"{page_url}sign/sms", {"purpose": "employment"})
        page = web.get(page_url).content.decode()
        assert "Code sent to +7 701 *** ** 67" in page
        key = page.split('name="idempotency_key" value="')[1].split('"')[0]
        code = last_code(web, PHONE)
        done = web.post(f"{page_url}submit", {"code": code, "idempotency_key": key})

    assert done.status_code == 302
    page = web.get(page_url).content.decode()
    assert "Your application is submitted." in page
    assert "Under review" in page
    assert "5 working days left" in page
    listing = web.get("/applications/").content.decode()
    assert Application.objects.get().number in listing


def test_someone_elses_application_page_is_404() -> None:
    owner = _signed_in()
    url = owner.post("/services/criminal-record-certificate/apply")["Location"]
    other_account = citizen_create(phone="+77075554433")
    other = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    other.post("/signin/", {"iin": other_account.person.iin, "password": PASSWORD})
    other.post("/signin/code/", {"code": last_code(other, "+77075554433")})

    assert other.get(url).status_code == 404
    assert other.post(f"{url}steps/withdraw").status_code == 404


def test_applying_needs_sign_in() -> None:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")

    passport = web.get("/services/criminal-record-certificate/").content.decode()
    response = web.post("/services/criminal-record-certificate/apply")

    assert "Sign in to apply" in passport
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")
    assert Application.objects.count() == 0


def test_an_officer_works_the_queue_and_decides_on_the_pages() -> None:
    from datetime import date

    from qyzmet.applications.models import OfficerMembership
    from qyzmet.trust.models import DataAccessEvent

    citizen = _signed_in()
    url = citizen.post("/services/criminal-record-certificate/apply")["Location"]
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        citizen.post(f"{url}sign/sms", {"purpose": "employment"})
        page = citizen.get(url).content.decode()
        key = page.split('name="idempotency_key" value="')[1].split('"')[0]
        citizen.post(f"{url}submit", {"code": last_code(citizen, PHONE), "idempotency_key": key})
    application = Application.objects.get()
    officer_account = citizen_create(phone="+77470001122", birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer_account, agency=application.agency)
    officer = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    officer.post("/signin/", {"iin": officer_account.person.iin, "password": PASSWORD})
    officer.post("/signin/code/", {"code": last_code(officer, "+77470001122")})

    queue = officer.get("/office/queue/").content.decode()
    assert application.number in queue
    page = officer.get(f"/office/applications/{application.pk}/").content.decode()
    assert "Issue the certificate" in page
    assert DataAccessEvent.objects.filter(actor=officer_account).count() == 1
    stale = application.lock_version
    officer.post(f"/office/applications/{application.pk}/", {"action": "claim"})
    refused = officer.post(
        f"/office/applications/{application.pk}/", {"action": "issue", "version": stale}
    )
    assert refused.status_code == 409  # acted on an old version of the page
    fresh = Application.objects.get().lock_version
    officer.post(f"/office/applications/{application.pk}/", {"action": "issue", "version": fresh})

    assert Application.objects.get().outcome == "approved"
    assert "Certificate issued" in citizen.get(url).content.decode()


def test_a_proactive_offer_is_completed_and_accepted_on_its_page() -> None:
    from django.core.management import call_command

    web = _signed_in()
    iin = Application._meta.apps.get_model("identity", "Person").objects.get().iin
    call_command("services_offer", "birth-registration", "--iin", iin)
    offer = Application.objects.get()
    url = f"/applications/{offer.pk}/"

    page = web.get(url).content.decode()
    assert f'formaction="{url}steps/accept"' in page
    assert f'formaction="{url}steps/decline"' in page
    incomplete = web.post(f"{url}steps/accept")
    assert incomplete.status_code == 422
    declined = web.post(f"{url}steps/decline")

    assert declined.status_code == 302
    assert Application.objects.get().outcome == "withdrawn"
