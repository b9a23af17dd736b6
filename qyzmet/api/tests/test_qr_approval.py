"""Before approving a QR sign-in, the phone is shown who asks: the browser, the network it asked
from (or "this network", the phone's own) and the time; the approval answers the same."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from conftest import CommittingClient, bearer, sign_in
from qyzmet.identity.models import QrSignIn
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


def qr_shown(address: str) -> str:
    """A browser at `address` opens the QR sign-in page; the token its demo page shows."""
    browser = CommittingClient(
        HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=WINDOWS_CHROME, REMOTE_ADDR=address
    )
    page = browser.get("/signin/qr/").content.decode()
    match = re.search(r"<code>([\w-]+)</code>", page)
    assert match is not None
    return match.group(1)


def test_the_phone_sees_the_browser_the_network_and_the_time_before_approving() -> None:
    token = qr_shown("203.0.113.77")
    phone = CommittingClient(HTTP_ACCEPT_LANGUAGE="ru", REMOTE_ADDR="198.51.100.5")
    account = citizen_create()
    assert account.person is not None
    auth = bearer(sign_in(phone, account.person.iin)["access_token"])

    asking = phone.post_json("/api/v1/auth/qr/inspect", {"token": token}, **auth)

    assert asking.status_code == 200, asking.json()
    shown = asking.json()
    qr = QrSignIn.objects.get()
    assert (shown["browser"], shown["browser_shown"]) == ("Chrome · Windows",) * 2
    assert (shown["network"], shown["same_network"]) == ("203.0.113.0/24", False)
    assert shown["network_shown"] == "203.0.113.0/24"
    asked_at = datetime.fromisoformat(shown["requested_at"])  # the API's times are in ms
    assert asked_at == qr.created_at.replace(microsecond=qr.created_at.microsecond // 1000 * 1000)
    assert qr.approved_at is None  # looking approves nothing
    assert "203.0.113.77" not in str(QrSignIn.objects.values().get())  # only the network kept

    approved = phone.post_json("/api/v1/auth/qr/approve", {"token": token}, **auth)
    assert approved.status_code == 200
    assert approved.json()["approved"] is True
    assert approved.json()["request"] == shown
    gone = phone.post_json("/api/v1/auth/qr/inspect", {"token": token}, **auth)
    assert gone.status_code == 404 and gone.json()["code"] == "qr_expired"


def test_a_code_shown_on_the_phone_s_own_network_says_so_in_the_phone_s_language() -> None:
    token = qr_shown("203.0.113.77")
    phone = CommittingClient(HTTP_ACCEPT_LANGUAGE="ru", REMOTE_ADDR="203.0.113.9")
    account = citizen_create()
    assert account.person is not None
    auth = bearer(sign_in(phone, account.person.iin)["access_token"])

    shown = phone.post_json("/api/v1/auth/qr/inspect", {"token": token}, **auth).json()

    assert shown["same_network"] is True
    assert shown["network_shown"] == "эта сеть (та же, что у этого телефона)"


def test_only_a_signed_in_app_may_look(api_client: CommittingClient) -> None:
    token = qr_shown("203.0.113.77")
    assert api_client.post_json("/api/v1/auth/qr/inspect", {"token": token}).status_code == 401
    assert api_client.post_json("/api/v1/auth/qr/inspect", {"token": "x"}).status_code == 401
