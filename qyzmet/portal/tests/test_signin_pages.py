"""Registration and sign-in through the pages, as a person in a browser would."""

import re
from datetime import date, timedelta

import pytest
import segno
import time_machine
from django.test import override_settings
from django.utils import timezone

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.identity.models import AuthSession, QrSignIn
from qyzmet.identity.tests.factories import PASSWORD, citizen_create, person_create

pytestmark = pytest.mark.django_db


def test_register_through_the_pages_and_land_on_my_account(web: CommittingClient) -> None:
    person = person_create(given_name="Айгерім")

    start = web.post("/register/", {"iin": person.iin, "phone": "+7 701 123 45 67"})
    assert start.status_code == 302
    assert start["Location"] == "/signin/code/"
    page = web.get("/signin/code/").content.decode()
    assert "+7 701 *** ** 67" in page
    assert 'name="password"' in page

    done = web.post("/signin/code/", {"code": last_code(web, PHONE), "password": PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/me/"
    me = web.get("/me/").content.decode()
    assert "Айгерім" in me
    assert person.iin not in me  # shown masked
    assert person.iin[:4] + "******" + person.iin[-2:] in me


def test_sign_in_with_password_and_code_then_sign_out(web: CommittingClient) -> None:
    account = citizen_create()

    step = web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    assert step["Location"] == "/signin/code/"
    session_key_before = web.session.session_key
    done = web.post("/signin/code/", {"code": last_code(web, PHONE)})

    assert done["Location"] == "/me/"
    assert web.session.session_key != session_key_before  # rotated at sign-in
    assert web.get("/me/").status_code == 200
    assert web.cookies["qyzmet_session"]["httponly"]
    assert web.cookies["qyzmet_session"]["samesite"] == "Lax"
    web.post("/signout/")
    assert web.get("/me/").status_code == 302
    assert AuthSession.objects.get().end_reason == "signed_out"


def test_wrong_password_page_shows_the_translated_reason_and_keeps_the_iin(
    client_kk: CommittingClient,
) -> None:
    account = citizen_create()

    response = client_kk.post("/signin/", {"iin": account.person.iin, "password": "wrong-wrong"})

    assert response.status_code == 401
    body = response.content.decode()
    assert "ЖСН немесе құпиясөз қате." in body
    assert f'value="{account.person.iin}"' in body


def test_wrong_code_page_says_how_many_tries_are_left(web: CommittingClient) -> None:
    account = citizen_create()
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    wrong = "000000" if last_code(web, PHONE) != "000000" else "111111"

    response = web.post("/signin/code/", {"code": wrong})

    assert response.status_code == 400
    assert "Tries left: 4." in response.content.decode()


def test_my_account_pages_need_sign_in(web: CommittingClient) -> None:
    for path in ("/me/", "/me/phone/", "/me/sessions/"):
        response = web.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/signin/?next=")


def _signed_in_web(account_iin: str) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT="Firefox on Linux")
    web.post("/signin/", {"iin": account_iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def test_ending_a_browser_session_from_another_signs_that_browser_out() -> None:
    account = citizen_create()
    laptop = _signed_in_web(account.person.iin)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        phone = _signed_in_web(account.person.iin)
        page = phone.get("/me/sessions/").content.decode()
        assert page.count("End this session") == 2
        laptop_session = AuthSession.objects.order_by("created_at").first()

        phone.post(f"/me/sessions/{laptop_session.pk}/end")

        assert laptop.get("/me/").status_code == 302
        assert phone.get("/me/").status_code == 200


def test_an_idle_browser_session_times_out() -> None:
    account = citizen_create()
    web = _signed_in_web(account.person.iin)

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert web.get("/me/").status_code == 302
    assert AuthSession.objects.get().end_reason == "timeout"


def test_the_sign_in_qr_code_leads_to_the_public_address_whatever_the_host(
    web: CommittingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []
    real = segno.make
    monkeypatch.setattr(
        segno, "make", lambda content, **kw: encoded.append(content) or real(content, **kw)
    )

    with override_settings(QYZMET_PUBLIC_URL="https://egov.example.kz"):
        page = web.get("/signin/qr/", HTTP_HOST="localhost").content.decode()

    token = re.search(r"<code>([\w-]+)</code>", page).group(1)  # type: ignore[union-attr]
    assert encoded == [f"https://egov.example.kz/qr/#{token}"]


def test_qr_sign_in_approved_by_the_phone_app(web: CommittingClient, api_client) -> None:  # type: ignore[no-untyped-def]
    account = citizen_create()
    page = web.get("/signin/qr/").content.decode()
    assert "<svg" in page
    token = re.search(r"<code>([\w-]+)</code>", page).group(1)  # demo mode shows the token
    pending = web.post("/signin/qr/status", HTTP_ACCEPT="application/json").json()
    assert pending == {"status": "pending"}

    app = sign_in(api_client, account.person.iin)
    approved = api_client.post_json(
        "/api/v1/auth/qr/approve", {"token": token}, **bearer(app["access_token"])
    )
    assert approved.status_code == 200

    done = web.post("/signin/qr/status", HTTP_ACCEPT="application/json").json()
    assert done == {"status": "approved", "next": "/me/"}
    assert web.get("/me/").status_code == 200
    replay = api_client.post_json(
        "/api/v1/auth/qr/approve", {"token": token}, **bearer(app["access_token"])
    )
    assert replay.status_code == 404
    assert AuthSession.objects.filter(method="qr", kind="web").count() == 1


def test_a_qr_approved_for_one_browser_does_not_sign_in_another(web: CommittingClient) -> None:
    web.get("/signin/qr/")
    other = CommittingClient()
    qr = QrSignIn.objects.get()
    qr.approved_by = citizen_create()
    qr.approved_at = timezone.now()
    qr.save()

    response = other.post("/signin/qr/status", HTTP_ACCEPT="application/json").json()

    assert response == {"status": "expired"}
    assert other.get("/me/").status_code == 302


def test_an_expired_qr_cannot_be_approved(web: CommittingClient, api_client) -> None:  # type: ignore[no-untyped-def]
    account = citizen_create()
    page = web.get("/signin/qr/").content.decode()
    token = re.search(r"<code>([\w-]+)</code>", page).group(1)
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        app = sign_in(api_client, account.person.iin)
        response = api_client.post_json(
            "/api/v1/auth/qr/approve", {"token": token}, **bearer(app["access_token"])
        )

    assert response.status_code == 404
    assert response.json()["code"] == "qr_expired"


def test_my_phone_page_binds_a_new_number(web: CommittingClient) -> None:
    account = citizen_create()
    web = _signed_in_web(account.person.iin)

    web.post("/me/phone/", {"step": "start", "phone": "+7 777 555 44 33", "password": PASSWORD})
    page = web.get("/me/phone/").content.decode()
    assert "+7 777 *** ** 33" in page
    web.post("/me/phone/", {"step": "confirm", "code": last_code(web, "+77775554433")})

    page = web.get("/me/phone/").content.decode()
    assert "Your new number is bound." in page
    assert "+7 777 *** ** 33</strong>" in page


def test_registration_page_names_the_iin_problem(web: CommittingClient) -> None:
    response = web.post("/register/", {"iin": "791028302729", "phone": PHONE})

    assert response.status_code == 422
    assert "has-error" in response.content.decode()


@pytest.mark.parametrize("path", ["/signin/", "/signin/certificate/", "/signin/qr/", "/register/"])
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_sign_in_pages_answer_in_each_language(path: str, language: str) -> None:
    response = CommittingClient(HTTP_ACCEPT_LANGUAGE=language).get(path)

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_person_factory_is_adult() -> None:
    assert person_create().birth_date < date(2008, 1, 1)
