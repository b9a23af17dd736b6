"""A 17-year-old applying for category B sees in a real Chromium, on a phone's width and in
Kazakh, why the licence would be refused, as soon as the answer is saved, and no way to sign or
pay for it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from qyzmet.portal.tests.browser import chromium_page, main_fits, page_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reason_shows_at_once_and_nothing_can_be_signed(
    live_server: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from qyzmet.core.calendar import local_today
    from qyzmet.identity.tests.factories import citizen_create
    from qyzmet.registries import validation as rules
    from qyzmet.registries.models import ExamResult, MedicalCertificate

    today = local_today()
    young = citizen_create(birth_date=rules.add_years(today, -17) - timedelta(days=30))
    MedicalCertificate.objects.create(
        person=young.person, number="M-17", issued=today - timedelta(days=30),
        expires=today + timedelta(days=300), categories=[], issuer="Polyclinic 5",
    )  # fmt: skip
    for kind in ("theory", "practice"):
        ExamResult.objects.create(
            person=young.person, category="B", kind=kind, passed=True,
            taken_on=today - timedelta(days=3), centre="Centre",
        )  # fmt: skip
    base = live_server.url

    with chromium_page(width=360, language="kk") as page:
        page_sign_in(page, base, young.person.iin, "+77011234567")
        page.goto(base + "/services/driving-licence-issue/")
        page.click("main form[action$='/apply'] button[type=submit]")
        page.select_option("select[name=category]", "B")
        page.click("button[formaction$='/save']")
        page.wait_for_selector("#blockers")

        blockers = page.inner_text("#blockers")
        signing = page.locator("button[formaction*='/sign/']").count()
        fits = main_fits(page, 360)
        page.screenshot(path=str(tmp_path / "blocked.png"), full_page=True)

    assert "Бұл өтінішке бас тартылар еді" in blockers
    assert "Өтініш беруші B санаты үшін тым жас: ең төменгі жас — 18." in blockers
    assert signing == 0
    assert fits
