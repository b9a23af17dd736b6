from typing import Any

import pytest

from qyzmet.portal.tests.browser import chromium_page

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
        page.click("button[name=language][value=ru]")
        page.goto(live_server.url + "/signin/")

        assert page.get_attribute("html", "lang") == "ru"
        assert page.inner_text("h1") == "Войти"
