"""The portal on a 360-px phone, in a real browser: every key page, error pages included, passes
axe-core with no violation of any impact in the three languages, every tap target is big enough,
the header is one compact row with a menu button, the office queue scrolls inside itself, and the
payment page shows the bank's answer without a reload."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.documents.actions import document_issue
from qyzmet.documents.tests.fixtures import SERVICE as DOCUMENT_SERVICE
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.actions import payment_create
from qyzmet.payments.models import Payment
from qyzmet.payments.providers.sandbox import CARD_ACCEPT
from qyzmet.payments.sandbox_bank import sandbox_card_submit, sandbox_notify
from qyzmet.payments.tests.conftest import duty
from qyzmet.portal.tests.browser import ARGS, CHROMIUM
from qyzmet.portal.tests.page_checks import HEADER_MAX, page_problems

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("qyzmet.portal.tests.error_urls"),
]

T = TypeVar("T")
WIDTH = 360
OFFICER_PHONE = "+77470001122"
SCREENSHOTS = os.environ.get("QYZMET_SCREENSHOTS_DIR", "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole module; each test opens its own contexts in it."""
    import shutil

    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop the whole module long; the tests read and write
    # the database around it, as the other browser tests do inside theirs.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    connections.close_all()  # or PostgreSQL cannot drop the test database


def _context(
    browser: Browser, base: str, language: str, web: CommittingClient | None = None, **extra: Any
) -> BrowserContext:
    context = browser.new_context(
        service_workers="block",  # the install tests have theirs; here, pages only
        viewport={"width": WIDTH, "height": 740},
        locale=language,
        extra_http_headers={"Accept-Language": language},
        **extra,
    )
    if web is not None:  # signed in by the test client: the browser carries the same session
        cookies = [{"name": k, "value": v.value, "url": base} for k, v in web.cookies.items()]
        context.add_cookies(cookies)  # type: ignore[arg-type]
    return context


def _signed_in(account: Account, phone: str) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    done = web.post("/signin/code/", {"code": last_code(web, phone)})
    assert done.status_code == 302, done.content
    return web


def _submitted(web: CommittingClient) -> Application:
    url = web.post("/services/criminal-record-certificate/apply")["Location"]
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        web.post(f"{url}sign/sms", {"purpose": "employment"})
        page = web.get(url).content.decode()
        key = page.split('name="idempotency_key" value="')[1].split('"')[0]
        web.post(f"{url}submit", {"code": last_code(web, PHONE), "idempotency_key": key})
    return Application.objects.get(pk=url.split("/")[2])


def _pending_payment(account: Account) -> Payment:
    invoice = duty(account, ref="fine:1", mci="5")
    return payment_create(
        account=account, invoice_ids=[str(invoice.pk)], idempotency_key=uuid.uuid4().hex
    )


def _world() -> dict[str, Any]:
    """A citizen with a submitted application, a draft, an unpaid invoice, a pending payment, a
    document and messages; an officer of the application's agency."""
    account = citizen_create()
    citizen = _signed_in(account, PHONE)
    submitted = _submitted(citizen)
    draft = citizen.post("/services/criminal-record-certificate/apply")["Location"]
    duty(account, ref="fine:2", mci="2")
    payment = _pending_payment(account)
    document_issue(holder=account.person, service_code=DOCUMENT_SERVICE)
    officer_account = citizen_create(phone=OFFICER_PHONE, birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=officer_account, agency=submitted.agency)
    return {
        "citizen": citizen,
        "officer": _signed_in(officer_account, OFFICER_PHONE),
        "submitted": submitted,
        "draft": draft,
        "payment": payment,
    }


def _apart(job: Callable[[], T]) -> T:
    """Run `job` in a thread of its own, away from the event loop Playwright keeps running in
    this one (signing a document runs an event loop of its own)."""

    def run() -> T:
        try:
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _check(page: Page, name: str, problems: dict[str, list[str]]) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/phone-{name}.png", full_page=True)
    found = page_problems(page, WIDTH)
    if found:
        problems[name] = found


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_key_page_passes_axe_and_fits_a_thumb_on_a_phone(
    live_server: Any, browser: Browser, language: str
) -> None:
    world = _apart(_world)
    base = live_server.url
    problems: dict[str, list[str]] = {}
    anonymous = {
        "home": "/",
        "services": "/services/",
        "search": "/services/?q=%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82",
        "passport": "/services/criminal-record-certificate/",
        "sign-in": "/signin/",
        "register": "/register/",
        "verify": "/verify/",
        "receipts": "/receipts/",
        "404": "/no-such-page/",
        "403": "/test-errors/403",
        "500": "/test-errors/500",
    }
    citizen_pages = {
        "applications": "/applications/",
        "application": f"/applications/{world['submitted'].pk}/",
        "payments": "/payments/",
        "payment": f"/payments/p/{world['payment'].pk}/",
        "inbox": "/me/inbox/",
        "documents": "/me/documents/",
        "wallet": "/wallet/",
        "me": "/me/",
    }
    officer_pages = {
        "queue": f"/office/queue/?agency={world['submitted'].agency}",
        "office-application": f"/office/applications/{world['submitted'].pk}/",
    }
    with _context(browser, base, language) as context:
        page = context.new_page()
        for name, path in anonymous.items():
            page.goto(base + path)
            _check(page, f"{language}-{name}", problems)
    with _context(browser, base, language, world["citizen"]) as context:
        page = context.new_page()
        for name, path in citizen_pages.items():
            page.goto(base + path)
            _check(page, f"{language}-{name}", problems)
        page.goto(base + world["draft"])  # the form, sent with its required answer missing
        page.click("main form button[formaction$='sign/sms']")
        page.wait_for_selector(".field.has-error")
        _check(page, f"{language}-form-with-errors", problems)
    with _context(browser, base, language, world["officer"]) as context:
        page = context.new_page()
        for name, path in officer_pages.items():
            page.goto(base + path)
            _check(page, f"{language}-{name}", problems)

    found = [f"{at}: {line}" for at, lines in problems.items() for line in lines]
    assert not found, "\n".join(found)


def test_the_menu_button_opens_and_closes_the_compact_header(
    live_server: Any, browser: Browser
) -> None:
    web = _signed_in(citizen_create(), PHONE)
    with _context(browser, live_server.url, "en", web) as context:
        page = context.new_page()
        page.goto(live_server.url + "/services/")
        button = page.get_by_role("button", name="Menu")
        nav = page.get_by_role("navigation", name="Main")

        assert page.evaluate("document.querySelector('.site-header').offsetHeight") <= HEADER_MAX
        assert button.get_attribute("aria-expanded") == "false"
        assert page.locator(f"#{button.get_attribute('aria-controls')}").count() == 1
        assert not nav.is_visible()
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
        assert nav.is_visible()
        assert page.get_by_role("link", name="Payments").is_visible()
        assert page.get_by_role("button", name="RU").is_visible()
        page.keyboard.press("Escape")  # closes, and the focus is back on the button
        assert button.get_attribute("aria-expanded") == "false"
        assert not nav.is_visible()
        assert page.evaluate("document.activeElement.getAttribute('aria-controls')") is not None


def test_without_javascript_the_menu_is_simply_open(live_server: Any, browser: Browser) -> None:
    with _context(browser, live_server.url, "en", java_script_enabled=False) as context:
        page = context.new_page()
        page.goto(live_server.url + "/")

        nav = page.get_by_role("navigation", name="Main")
        assert nav.is_visible()
        assert nav.get_by_role("link", name="Sign in").is_visible()
        assert not page.get_by_role("button", name="Menu").is_visible()


def test_on_a_desktop_the_header_shows_everything_without_a_menu_button(
    live_server: Any, browser: Browser
) -> None:
    with browser.new_context(viewport={"width": 1280, "height": 800}, locale="en") as context:
        page = context.new_page()
        page.goto(live_server.url + "/")

        assert page.get_by_role("navigation", name="Main").is_visible()
        assert not page.get_by_role("button", name="Menu").is_visible()
        assert page.evaluate("document.querySelector('.site-header').offsetHeight") <= HEADER_MAX


def test_the_office_queue_scrolls_inside_itself_on_a_phone(
    live_server: Any, browser: Browser
) -> None:
    world = _apart(_world)
    with _context(browser, live_server.url, "kk", world["officer"]) as context:
        page = context.new_page()
        page.goto(f"{live_server.url}/office/queue/?agency={world['submitted'].agency}")

        assert world["submitted"].number in page.inner_text("main table")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        scroller = page.locator("main .table-scroll")
        box = scroller.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH
        # what is wider than the screen scrolls inside the table's own box, by touch or keyboard
        assert scroller.evaluate("s => getComputedStyle(s).overflowX") == "auto"
        assert scroller.get_attribute("tabindex") == "0"


def test_the_payment_page_shows_the_banks_answer_without_a_reload(
    live_server: Any, browser: Browser
) -> None:
    account = citizen_create()
    web = _signed_in(account, PHONE)
    payment = _pending_payment(account)
    with _context(browser, live_server.url, "en", web) as context:
        page = context.new_page()
        page.clock.install()  # the page asks only when the test lets its time run
        page.goto(f"{live_server.url}/payments/p/{payment.pk}/")
        assert "Waiting for the bank" in page.inner_text("main")
        page.evaluate("window.notReloaded = true")
        with page.expect_response(lambda response: response.url.endswith("/status")):
            page.clock.run_for(3_000)  # asked, and still waiting
        assert "Waiting for the bank" in page.inner_text("main")

        sandbox_card_submit(ref=payment.gateway_ref, card_number=CARD_ACCEPT)
        sandbox_notify(payment.gateway_ref)  # the bank's answer, as the worker delivers it
        assert Payment.objects.get(pk=payment.pk).state == Payment.State.SUCCEEDED
        page.clock.run_for(3_000)

        page.locator("[data-payment-live]").get_by_text("paid", exact=True).wait_for()
        assert page.evaluate("window.notReloaded") is True
        assert "Waiting for the bank" not in page.inner_text("main")
        assert page.locator("[data-payment-live]").get_attribute("aria-live") == "polite"
        assert page.locator("[data-payment-live] a[href*='/receipts/?code=']").count() == 1
