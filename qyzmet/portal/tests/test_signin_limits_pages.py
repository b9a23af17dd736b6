"""Sign-in and registration pages under abuse: a browser that signed in before is not locked out
by a stranger's wrong passwords, a refusal says when to try again (with Retry-After), and the
registration page answers alike whether or not the IIN has an account."""

import pytest
from django.test import override_settings

from conftest import PHONE, CommittingClient, last_code
from qyzmet.identity.models import AuthSession
from qyzmet.identity.tests.factories import PASSWORD, citizen_create

pytestmark = pytest.mark.django_db

STRANGER = {"REMOTE_ADDR": "203.0.113.66"}


def _signed_in_once(browser: CommittingClient, iin: str) -> None:
    browser.post("/signin/", {"iin": iin, "password": PASSWORD})
    done = browser.post("/signin/code/", {"code": last_code(browser, PHONE)})
    assert done["Location"] == "/me/"
    browser.post("/signout/")


def test_a_stranger_cannot_lock_the_owner_out_of_a_browser_that_signed_in_before() -> None:
    account = citizen_create()
    iin = account.person.iin
    owner = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    _signed_in_once(owner, iin)
    cookie = owner.cookies["qyzmet_device"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    stranger = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        wrong = stranger.post("/signin/", {"iin": iin, "password": "wrong-wrong"}, **STRANGER)
        assert wrong.status_code == 401
    locked = stranger.post("/signin/", {"iin": iin, "password": PASSWORD}, **STRANGER)
    fresh = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/signin/", {"iin": iin, "password": PASSWORD}
    )

    with override_settings(QYZMET_OTP_RESEND_SECONDS=0):
        again = owner.post("/signin/", {"iin": iin, "password": PASSWORD})

    assert locked.status_code == fresh.status_code == 429
    assert "Too many unsuccessful attempts. Try again in 15 minutes." in locked.content.decode()
    assert locked["Retry-After"] == str(15 * 60)
    assert again.status_code == 302
    assert again["Location"] == "/signin/code/"
    done = owner.post("/signin/code/", {"code": last_code(owner, PHONE)})
    assert done["Location"] == "/me/"
    assert AuthSession.objects.filter(ended_at__isnull=True).count() == 1


def test_the_locked_page_is_translated(client_kk: CommittingClient) -> None:
    account = citizen_create()
    for _ in range(5):
        client_kk.post("/signin/", {"iin": account.person.iin, "password": "wrong-wrong"})

    locked = client_kk.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})

    assert locked.status_code == 429
    assert "15 минуттан кейін" in locked.content.decode()


def test_the_registration_page_answers_alike_for_an_iin_with_an_account(
    web: CommittingClient,
) -> None:
    account = citizen_create()

    start = web.post("/register/", {"iin": account.person.iin, "phone": "+7 701 765 43 21"})

    assert start.status_code == 302
    assert start["Location"] == "/signin/code/"
    page = web.get("/signin/code/").content.decode()
    assert "+7 701 *** ** 21" in page
    assert "the SMS says why instead" in page
    assert (
        "already has an account"
        in web.get("/dev/outbox.json", {"to": "+77017654321", "limit": "1"}).json()["messages"][0][
            "text"
        ]
    )
