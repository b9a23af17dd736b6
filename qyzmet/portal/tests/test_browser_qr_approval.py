"""In a real browser: the sign-in QR code opened on a phone where the person is signed in shows
who asks (the computer's browser, network and time), and approving signs the computer in."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.portal.tests.browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_the_phone_sees_who_asks_and_approves(live_server: Any) -> None:
    computer = CommittingClient(
        HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.77"
    )
    shown = computer.get("/signin/qr/").content.decode()
    match = re.search(r"<code>([\w-]+)</code>", shown)
    assert match is not None
    account = citizen_create()
    assert account.person is not None
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    assert web.post("/signin/code/", {"code": last_code(web, PHONE)}).status_code == 302

    with chromium_page(language="en") as page:
        cookies = [
            {"name": k, "value": v.value, "url": live_server.url} for k, v in web.cookies.items()
        ]
        page.context.add_cookies(cookies)  # type: ignore[arg-type]
        page.goto(f"{live_server.url}/qr/#{match.group(1)}")
        page.wait_for_selector("[data-qr-request]")  # the fragment was posted by the script
        assert page.inner_text("[data-qr-browser]") == "Firefox · Linux"
        assert page.inner_text("[data-qr-network]") == "203.0.113.0/24"
        page.click("button[name=decision][value=approve]")
        page.wait_for_selector("[data-qr-approved]")

    done = computer.post("/signin/qr/status", HTTP_ACCEPT="application/json").json()
    assert done == {"status": "approved", "next": "/me/"}
