"""Signing an application with a downloaded demo certificate in a real Chromium: the key is
opened and the content signed inside the page; only the signature is posted."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from qyzmet.portal.tests.browser import (
    chromium_page,
    demo_certificate_download,
    main_fits,
    page_sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "criminal-record-certificate"
SCREENSHOTS = os.environ.get("QYZMET_SCREENSHOTS_DIR", "")


def _shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_an_application_is_signed_with_the_downloaded_demo_certificate(
    live_server: Any, tmp_path: Path, monkeypatch: Any, width: int
) -> None:
    # Reading the outbox from inside Playwright's sync API (which runs an event loop).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from conftest import PHONE
    from qyzmet.applications.models import Application, Signature
    from qyzmet.identity.tests.factories import citizen_create
    from qyzmet.signatures.actions import demo_p12_password

    iin = citizen_create().person.iin
    base = live_server.url
    posted: list[str] = []

    with chromium_page(width=width, language="en") as page:
        page_sign_in(page, base, iin, PHONE)
        bundle = demo_certificate_download(page, base, iin, tmp_path)
        page.goto(base + f"/services/{SERVICE}/")
        page.click("form[action$='/apply'] button[type=submit]")
        page.wait_for_url("**/applications/*/")
        page.select_option("select[name=purpose]", "employment")
        _shoot(page, f"draft-{width}")
        assert main_fits(page, width)
        page.click("button[formaction$='/sign/certificate']")
        page.wait_for_url("**/applications/*/?sign=certificate")
        url = page.url.split("?")[0]
        page.on(
            "request",
            lambda r: posted.append(r.post_data or "") if r.method == "POST" else 0,
        )

        page.set_input_files("input[name=p12]", str(bundle))
        page.fill("input[name=p12_password]", "wrong")
        page.click("form[data-certsign] button[type=submit]")
        page.wait_for_selector("[data-certsign-error=password]:not([hidden])")
        assert "password is not correct" in page.inner_text("[data-certsign-error=password]")
        assert page.get_attribute("#p12_password", "aria-invalid") == "true"
        assert not posted  # a wrong password never reaches the server
        _shoot(page, f"certificate-error-{width}")
        assert main_fits(page, width)

        page.fill("input[name=p12_password]", demo_p12_password(iin))
        page.click("form[data-certsign] button[type=submit]")
        page.wait_for_url(url)
        _shoot(page, f"submitted-{width}")

        assert "Your application is submitted." in page.inner_text("main")
        assert "signed with a certificate" in page.inner_text("main")
        assert main_fits(page, width)
    application = Application.objects.get()
    assert application.state == "in_review"
    assert Signature.objects.get(application=application).method == "certificate"
    assert len(posted) == 1 and "signature=" in posted[0]
    assert demo_p12_password(iin) not in posted[0]  # the key's password never leaves the page
    assert "p12_password" not in posted[0]


def test_someone_elses_certificate_is_refused_on_the_page_in_kazakh(
    live_server: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.utils import translation

    from conftest import PHONE
    from qyzmet.applications.models import Application
    from qyzmet.identity.tests.factories import citizen_create
    from qyzmet.portal.views_applications import CERTIFICATE_ERRORS
    from qyzmet.signatures.actions import demo_p12_password

    iin = citizen_create().person.iin
    other = citizen_create(phone="+77075554433").person.iin
    base = live_server.url

    with chromium_page(width=360, language="kk") as page:
        page_sign_in(page, base, iin, PHONE)
        bundle = demo_certificate_download(page, base, other, tmp_path)
        page.goto(base + f"/services/{SERVICE}/")
        page.click("form[action$='/apply'] button[type=submit]")
        page.wait_for_url("**/applications/*/")
        page.select_option("select[name=purpose]", "travel")
        page.click("button[formaction$='/sign/certificate']")
        page.wait_for_url("**/applications/*/?sign=certificate")
        page.set_input_files("input[name=p12]", str(bundle))
        page.fill("input[name=p12_password]", demo_p12_password(other))
        page.click("form[data-certsign] button[type=submit]")
        page.wait_for_selector("#p12-error:not([hidden])")
        _shoot(page, "certificate-mismatch-kk-360")

        with translation.override("kk"):
            expected = str(CERTIFICATE_ERRORS["certificate_mismatch"])
        assert page.inner_text("#p12-error") == expected
        assert page.get_attribute("#p12", "aria-invalid") == "true"
        assert main_fits(page, 360)
        # trying again clears the server's message before signing
        page.click("form[data-certsign] button[type=submit]")
        page.wait_for_selector("#p12-error:not([hidden])")  # no file chosen any more
        assert page.get_attribute("#p12", "aria-invalid") == "true"
    application = Application.objects.get()
    assert application.state == "draft"
    assert '"travel"' in application.form_data
