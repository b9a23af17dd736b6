"""Headless Chromium (Debian's) driven by Playwright, for tests that look at pages as people do."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import PASSWORD
from qyzmet.notifications.selectors import sink_message_list

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_page(*, width: int = 360, language: str = "kk") -> Iterator[Page]:
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(
                viewport={"width": width, "height": 800},
                locale=language,
                extra_http_headers={"Accept-Language": language},
            )
            yield page
        finally:
            browser.close()


@contextmanager
def chromium_profile_page(*, width: int = 360, language: str = "kk") -> Iterator[Page]:
    """A page of a browser profile kept on disk, as a person's browser is (not incognito: the
    browser offers to install an app only there)."""
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="qyzmet-profile-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=ARGS,
            viewport={"width": width, "height": 800},
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def page_sign_in(page: Page, base: str, iin: str, phone: str) -> None:
    """Sign in on the portal with a password and the SMS code from the sink."""
    page.goto(base + "/signin/")
    page.fill("input[name=iin]", iin)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/signin/code/")
    code = sink_message_list(limit=1, recipient=phone)[0]["text"]
    page.fill("input[name=code]", code.split(": ")[1][:6])
    page.click("main form button[type=submit]")
    page.wait_for_url("**/me/")


def demo_certificate_download(page: Page, base: str, iin: str, folder: Path) -> Path:
    page.goto(base + "/dev/certificate/")
    page.fill("input[name=iin]", iin)
    with page.expect_download() as download:
        page.click("main form button[type=submit]")
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def main_fits(page: Page, width: int) -> bool:
    """Nothing in the page's main content reaches past the viewport (the site header is the
    layout tests' business)."""
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main, main *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    return bool(right <= width)


def menu_open(page: Page) -> None:
    """Open the header's menu where it is folded behind its button (a phone's width), to reach
    the links, the sign-out and the languages."""
    button = page.locator("[data-menu-button]")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
