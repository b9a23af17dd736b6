"""A refused form, on every kind of page: each field in error says so to a screen reader
(`aria-invalid`, `aria-describedby` naming its message and its hint), and the error summary at
the top (focused by forms.js) links to each of them, as the GOV.UK design system does."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.applications.models import Application
from qyzmet.backoffice.tests.test_decide import office, submitted  # noqa: F401 - fixtures
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "option"})


class Page(HTMLParser):
    """The elements of a page by id (their attributes and text), and the summary's links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.text: dict[str, str] = {}
        self.summary: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self._stack: list[tuple[str, str, bool]] = []  # (tag, id, is the summary)
        self._link = False
        self.feed(html)

    def _in_summary(self) -> bool:
        return any(summary for _, _, summary in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        summary = "data-error-summary" in attributes
        if summary:
            self.summary = attributes
        if tag == "a" and self._in_summary():
            self._link = True
            self.links.append((attributes.get("href", ""), ""))
        if "id" in attributes:
            self.by_id[attributes["id"]] = attributes | {"tag": tag}
            self.text[attributes["id"]] = ""
        if tag not in VOID:
            self._stack.append((tag, attributes.get("id", ""), summary))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._link = False
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data: str) -> None:
        for _, element_id, _ in self._stack:
            if element_id:
                self.text[element_id] += data
        if self._link:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)


def _signed_in(language: str = "en") -> CommittingClient:
    account = citizen_create()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE=language)
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def _assert_field_in_error(page: Page, field_id: str, message: str, *, hint: bool) -> None:
    field = page.by_id[field_id]
    assert field["aria-invalid"] == "true"
    described = field["aria-describedby"].split()
    assert f"{field_id}-error" in described
    assert (f"{field_id}-hint" in described) is hint
    assert message in page.text[f"{field_id}-error"]
    assert (f"#{field_id}", message) in page.links


def _assert_summary(page: Page, heading: str = "There is a problem") -> None:
    assert page.summary["role"] == "alert"
    assert page.summary["tabindex"] == "-1"  # forms.js focuses it
    assert page.text["error-summary"].strip().startswith(heading)


def test_a_wrong_answer_of_an_application_is_marked_and_linked_from_the_summary() -> None:
    web = _signed_in()
    url = web.post("/services/criminal-record-certificate/apply")["Location"]

    refused = web.post(f"{url}save", {"purpose": "piracy"})

    assert refused.status_code == 422
    page = Page(refused.content.decode())
    _assert_summary(page)
    _assert_field_in_error(page, "f-purpose", "Choose one of the options.", hint=False)
    assert page.by_id["f-purpose"]["tag"] == "select"
    assert [href for href, _ in page.links] == ["#f-purpose"]


def test_registration_marks_the_iin_with_its_hint_and_error_in_kazakh() -> None:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="kk")

    refused = web.post("/register/", {"iin": "123", "phone": "+77011234567"})

    page = Page(refused.content.decode())
    _assert_summary(page, heading="Қате бар")
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
    _assert_summary(page)
    message = page.text["password-error"].replace("Error:", "").strip()
    _assert_field_in_error(page, "password", message, hint=False)


def test_notification_settings_mark_a_wrong_email() -> None:
    web = _signed_in()

    refused = web.post("/me/notifications/", {"email": "not-an-address", "email_enabled": "on"})

    page = Page(refused.content.decode())
    _assert_summary(page)
    _assert_field_in_error(page, "email", "Enter a valid e-mail.", hint=False)


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
    _assert_summary(page)
    message = page.text[f"{field_id}-error"].replace("Error:", "").strip()
    _assert_field_in_error(page, field_id, message, hint=False)


def test_a_wrong_receipt_code_is_marked() -> None:
    refused = CommittingClient(HTTP_ACCEPT_LANGUAGE="en").get("/receipts/?code=NOPE")

    page = Page(refused.content.decode())
    _assert_summary(page)
    message = page.text["code-error"].replace("Error:", "").strip()
    _assert_field_in_error(page, "code", message, hint=False)


def test_an_officers_step_without_grounds_marks_the_grounds_of_that_step(
    submitted: Application,  # noqa: F811 - the fixture
    office: CommittingClient,  # noqa: F811 - the fixture
) -> None:
    url = f"/office/applications/{submitted.id}/"
    office.post(url, {"action": "claim"})
    submitted.refresh_from_db()

    refused = office.post(
        url, {"action": "propose_refusal", "version": submitted.lock_version, "comment": "kept"}
    )

    assert refused.status_code == 422
    page = Page(refused.content.decode())
    _assert_summary(page)
    message = "Choose the grounds from the service's list."
    _assert_field_in_error(page, "grounds-propose_refusal", message, hint=False)
    assert "aria-invalid" not in page.by_id["comment-propose_refusal"]  # only the field in error
    assert page.text["comment-propose_refusal"] == "kept"  # what the officer wrote is kept
    assert "aria-invalid" not in page.by_id["comment-return_for_correction"]  # another step


def test_the_error_summary_is_not_shown_without_an_error() -> None:
    page = Page(CommittingClient(HTTP_ACCEPT_LANGUAGE="en").get("/register/").content.decode())

    assert page.summary == {}
    assert "aria-invalid" not in page.by_id["iin"]
    assert page.by_id["iin"]["aria-describedby"] == "iin-hint"

