"""The portal installs as an app in a real browser (Chromium's own installability check), and
with the network cut the wallet and the offline verifier still open, other pages show the
translated offline page, and signing out forgets the kept wallet."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PHONE
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.portal.tests.browser import (
    chromium_page,
    chromium_profile_page,
    menu_open,
    page_sign_in,
)
from qyzmet.wallet.actions import offline_token_issue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

MANIFEST = """async () => {
  const link = document.querySelector("link[rel=manifest]");
  const response = await fetch(link.href);
  return {type: response.headers.get("Content-Type"), body: await response.json()};
}"""


def _controlled(page: Any) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)


def test_the_portal_installs_and_keeps_the_wallet_without_network(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the sign-in reads the SMS sink
    account = citizen_create(phone=PHONE)
    assert account.person is not None
    iin = account.person.iin
    token = offline_token_issue(
        account=account, kind="id_card", ref="self", presentation="age_over_18"
    ).token
    base = live_server.url

    with chromium_profile_page(language="en") as page:
        page.goto(base + "/")
        _controlled(page)  # the worker registered and took the page
        manifest = page.evaluate(MANIFEST)
        assert manifest["type"].startswith("application/manifest+json")
        assert manifest["body"]["display"] == "standalone" and manifest["body"]["lang"] == "en"
        cdp = page.context.new_cdp_session(page)
        app = cdp.send("Page.getAppManifest")
        assert app["errors"] == [] and app["url"].endswith("/manifest.webmanifest?lang=en")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors  # installable by the browser's own criteria

        page_sign_in(page, base, iin, PHONE)
        page.goto(base + "/wallet/")
        wallet_text = page.locator("main").inner_text()
        assert "My wallet" in wallet_text
        page.goto(base + "/verify/offline")
        page.wait_for_selector("#offline-verifier[data-keys=ready]")

        page.context.set_offline(True)
        page.goto(base + "/wallet/")
        assert page.locator("main").inner_text() == wallet_text  # as last read
        page.goto(base + "/verify/offline")
        page.wait_for_selector("#offline-verifier[data-keys=ready]")
        page.fill("#token", token)
        page.locator("[data-offline-form] button[type=submit]").click()
        page.wait_for_selector("[data-result][data-code=valid]")
        for personal in ("/me/", "/applications/", "/me/inbox/"):
            page.goto(base + personal)
            assert page.locator("h1").inner_text() == "No connection", personal
            assert page.locator("[data-offline-page]").count() == 1

        page.context.set_offline(False)
        page.goto(base + "/me/")
        menu_open(page)
        page.click("header form[action='/signout/'] button[type=submit]")
        page.wait_for_load_state()
        page.context.set_offline(True)
        page.goto(base + "/wallet/")  # signed out: the kept wallet is gone
        assert page.locator("h1").inner_text() == "No connection"


def test_the_offline_page_follows_the_language_read(live_server: Any) -> None:
    with chromium_page(language="ru") as page:
        page.goto(live_server.url + "/services/")
        _controlled(page)
        page.goto(live_server.url + "/deadlines/")  # a page read in Russian once controlled
        page.context.set_offline(True)
        page.goto(live_server.url + "/figures/")
        assert page.locator("h1").inner_text() == "Нет соединения"
        assert page.locator("html").get_attribute("lang") == "ru"
