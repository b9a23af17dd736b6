"""A refused form, on every kind of page: each field in error says so to a screen reader
(`aria-invalid`, `aria-describedby` naming its message and its hint), and the error summary at
the top (focused by forms.js) links to each of them, as the GOV.UK design system does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.core.tests.pages import Page, field_in_error, summary_shown
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


def _signed_in(language: str = "en") -> CommittingClient:
    account = citizen_create()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE=language)
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def test_a_wrong_answer_of_an_application_is_marked_and_linked_from_the_summary() -> None:
    web = _signed_in()
    url = web.post("/services/criminal-record-certificate/apply")["Location"]

    refused = web.post(f"{url}save", {"purpose": "piracy"})

    assert refused.status_code == 422
    page = Page(refused.content.decode())
    summary_shown(page)
    field_in_error(page, "f-purpose", "Choose one of the options.", hint=False)
    assert page.by_id["f-purpose"]["tag"] == "select"
    assert [href for href, _ in page.links] == ["#f-purpose"]


def test_registration_marks_the_iin_with_its_hint_and_error_in_kazakh() -> None:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="kk")

    refused = web.post("/register/", {"iin": "123", "phone": "+77011234567"})

    page = Page(refused.content.decode())
    summary_shown(page, heading="Қате бар")
    field = page.by_id["iin"]
    assert field["aria-describedby"] == "iin-hint iin-error"
    assert field["aria-invalid"] == "true"
    assert page.text["iin-error"].startswith("Қате: ")  # read before the message, not shown
    assert page.links == [("#iin", page.text["iin-error"].removeprefix("Қате: "))]
    assert "aria-invalid" not in page.by_id["phone"]  # only the field in error
    assert page.by_id["phone"]["aria-describedby"] == "phone-hint"


def test_a_phone_change_with_a_wrong_password_marks_the_password() -> None:
    web = _signed_in()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        refused = web.post(
            "/me/phone/", {"step": "start", "phone": "+77017654321", "password": "wrong-one"}
        )

    page = Page(refused.content.decode())
    summary_shown(page)
    message = page.text["password-error"].replace("Error:", "").strip()
    field_in_error(page, "password", message, hint=False)


def test_notification_settings_mark_a_wrong_email() -> None:
    web = _signed_in()

    refused = web.post("/me/notifications/", {"email": "not-an-address", "email_enabled": "on"})

    page = Page(refused.content.decode())
    summary_shown(page)
    field_in_error(page, "email", "Enter a valid e-mail.", hint=False)


@pytest.mark.parametrize(
    ("url", "data", "field_id"),
    [
        ("/verify/", {"number": "", "iin": ""}, "number"),
        ("/wallet/check", {"code": ""}, "code"),
    ],
)
def test_public_checks_mark_the_field_to_fill_in(
    url: str, data: dict[str, str], field_id: str
) -> None:
    refused = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").post(url, data)

    assert refused.status_code == 422
    page = Page(refused.content.decode())
    summary_shown(page)
    message = page.text[f"{field_id}-error"].replace("Error:", "").strip()
    field_in_error(page, field_id, message, hint=False)


def test_a_wrong_receipt_code_is_marked() -> None:
    refused = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").get("/receipts/?code=NOPE")

    page = Page(refused.content.decode())
    summary_shown(page)
    message = page.text["code-error"].replace("Error:", "").strip()
    field_in_error(page, "code", message, hint=False)


def test_the_error_summary_is_not_shown_without_an_error() -> None:
    page = Page(CommittingClient(HTTP_ACCEPT_LANGUAGE="en").get("/register/").content.decode())

    assert page.summary == {}
    assert "aria-invalid" not in page.by_id["iin"]
    assert page.by_id["iin"]["aria-describedby"] == "iin-hint"
