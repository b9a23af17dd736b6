"""Forms in a real browser: a draft keeps what the citizen typed without pressing "Save", the
error summary takes the focus and its link takes it on to the field, and a long form that cannot
be saved asks before the page is left."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import PHONE
from qyzmet.applications.models import Application
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.portal.tests.browser import chromium_page, page_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_draft_keeps_what_was_typed_after_a_reload(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test reads the database too
    account = citizen_create(region="02")
    with chromium_page(width=360, language="kk") as page:
        page_sign_in(page, live_server.url, account.person.iin, PHONE)
        page.goto(live_server.url + "/services/vehicle-first-registration/")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/applications/**")

        page.locator("#f-make").press_sequentially("Toyota")
        page.locator("#f-vin").fill("1M8-GDM9A XKP 042788")
        status = page.locator("[data-autosave-status]")
        status.filter(has_text="Сақталды").wait_for()  # "Saved", said politely
        assert status.get_attribute("role") == "status"
        page.reload()

        assert page.input_value("#f-make") == "Toyota"
        assert page.input_value("#f-vin") == "1M8GDM9AXKP042788"  # as the registry keeps it
    answers = json.loads(Application.objects.get().form_data)
    assert answers["make"] == "Toyota"


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(live_server: Any) -> None:
    from playwright.sync_api import expect

    with chromium_page(language="en") as page:
        page.goto(live_server.url + "/register/")
        page.fill("#iin", "123")
        page.fill("#phone", "+77011234567")
        page.click("main form button[type=submit]")
        page.wait_for_selector("[data-error-summary]")
        # Playwright's own assertion (it polls; a predicate string would be eval'd, which the
        # page's Content Security Policy refuses)
        expect(page.locator("#error-summary")).to_be_focused()

        page.click("[data-error-summary] a[href='#iin']")

        expect(page.locator("#iin")).to_be_focused()


def test_leaving_a_filled_in_survey_asks_first(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qyzmet.surveys.tests.factories import open_survey

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the sign-in reads the SMS sink
    open_survey()
    account = citizen_create()
    with chromium_page(width=1024, language="en") as page:
        page_sign_in(page, live_server.url, account.person.iin, PHONE)
        page.goto(live_server.url + "/surveys/test-survey/")
        page.check("#q-use-yes")

        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
        # to the home page: the click ends only once the dialog is answered (dismissed: stay)
        page.click("a.brand", no_wait_after=True)

        assert asked == ["beforeunload"]

        page.wait_for_selector("#q-use-yes:checked")
        assert page.url.endswith("/surveys/test-survey/")
