"""The QR sign-in code opened in a phone's browser where the person is signed in: the page shows
who asks (browser, network, time) before the approval, and approving signs the computer in."""

from __future__ import annotations

import re

import pytest

from conftest import PHONE, CommittingClient, last_code
from qyzmet.identity.models import AuthSession
from qyzmet.identity.tests.factories import PASSWORD, citizen_create

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_the_phone_page_shows_who_asks_then_approves() -> None:
    computer = CommittingClient(
        HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.77"
    )
    match = re.search(r"<code>([\w-]+)</code>", computer.get("/signin/qr/").content.decode())
    assert match is not None
    token = match.group(1)
    account = citizen_create()
    assert account.person is not None
    phone = CommittingClient(HTTP_ACCEPT_LANGUAGE="kk", REMOTE_ADDR="198.51.100.5")
    phone.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    phone.post("/signin/code/", {"code": last_code(phone, PHONE)})

    landing = phone.get("/qr/").content.decode()
    asking = phone.post("/qr/", {"token": token})

    assert "data-qr-look" in landing and "portal/qr-approve.js" in landing
    page = asking.content.decode()
    assert asking.status_code == 200
    assert "Firefox · Linux" in page
    assert "203.0.113.0/24" in page
    assert "Браузер" in page  # in the phone's language
    assert computer.post("/signin/qr/status", HTTP_ACCEPT="application/json").json() == {
        "status": "pending"
    }  # looking approved nothing

    approved = phone.post("/qr/", {"token": token, "decision": "approve"})

    assert approved.status_code == 200
    assert "data-qr-approved" in approved.content.decode()
    done = computer.post("/signin/qr/status", HTTP_ACCEPT="application/json").json()
    assert done == {"status": "approved", "next": "/me/"}
    assert AuthSession.objects.filter(method="qr", kind="web").count() == 1


def test_an_anonymous_post_goes_to_sign_in_and_an_expired_code_says_so(
    web: CommittingClient,
) -> None:
    anonymous = web.post("/qr/", {"token": "whatever"})
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/signin/?next=/qr/"

    account = citizen_create()
    assert account.person is not None
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    expired = web.post("/qr/", {"token": "not-a-code"})
    assert expired.status_code == 404
    assert "This QR code has expired or was already used." in expired.content.decode()
