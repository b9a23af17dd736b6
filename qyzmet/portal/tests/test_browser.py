from typing import Any

import pytest

from qyzmet.portal.tests.browser import chromium_page, menu_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_fits_a_360px_phone_without_sideways_scrolling(live_server: Any) -> None:
    with chromium_page(width=360) as page:
        page.goto(live_server.url + "/")

        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.title().startswith("Qyzmet")


def test_skip_link_is_the_first_tab_stop_and_becomes_visible(live_server: Any) -> None:
    with chromium_page(language="en") as page:
        page.goto(live_server.url + "/")
        page.keyboard.press("Tab")

        focused = page.evaluate("document.activeElement.textContent")
        top = page.evaluate("document.activeElement.getBoundingClientRect().top")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focused == "Skip to main content"
        assert top >= 0
        assert outline == "solid"


def test_switching_language_by_click_is_remembered(live_server: Any) -> None:
    with chromium_page(language="en") as page:
        page.goto(live_server.url + "/")
        menu_open(page)
        page.click("button[name=language][value=ru]")
        page.goto(live_server.url + "/signin/")

        assert page.get_attribute("html", "lang") == "ru"
        assert page.inner_text("h1") == "Войти"


def test_certificate_sign_in_signs_the_challenge_inside_the_browser(
    live_server: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    # Reading the outbox from inside Playwright's sync API (which runs an event loop).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from qyzmet.identity.tests.factories import citizen_create
    from qyzmet.notifications.selectors import sink_message_list
    from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password

    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    bundle = tmp_path / "me.p12"
    bundle.write_bytes(p12)
    posted: list[str] = []

    with chromium_page(language="en") as page:
        page.on(
            "request",
            lambda r: (
                posted.append(r.post_data or "")
                if r.method == "POST" and r.url.endswith("/certificate/")
                else 0
            ),
        )
        page.goto(live_server.url + "/signin/certificate/")
        page.set_input_files("input[name=p12]", str(bundle))
        page.fill("input[name=p12_password]", demo_p12_password(iin))
        page.click("form[data-certsign] button[type=submit]")
        page.wait_for_url("**/signin/code/")
        code = sink_message_list(limit=1)[0]["text"].split(": ")[1][:6]
        page.fill("input[name=code]", code)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/me/")

        assert "SEITKALI" in page.inner_text("main")
    assert posted and "signature=" in posted[0]
    assert demo_p12_password(iin) not in posted[0]  # the key's password never leaves the page
    assert "p12_password" not in posted[0]


def test_wrong_certificate_password_is_explained_in_the_page(
    live_server: Any, tmp_path: Any
) -> None:
    from qyzmet.signatures.actions import citizen_certificate_issue

    _issued, p12 = citizen_certificate_issue(
        iin="791028302728", surname="SEITKALI", given_name="ALIYA"
    )
    bundle = tmp_path / "me.p12"
    bundle.write_bytes(p12)

    with chromium_page(language="en") as page:
        page.goto(live_server.url + "/signin/certificate/")
        page.set_input_files("input[name=p12]", str(bundle))
        page.fill("input[name=p12_password]", "wrong")
        page.click("form[data-certsign] button[type=submit]")
        page.wait_for_selector("[data-certsign-error]:not(:empty)")

        assert "password is not correct" in page.inner_text("[data-certsign-error]")
        assert page.url.endswith("/signin/certificate/")
