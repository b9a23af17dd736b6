"""The buyer of a car confirms the sale with a downloaded demo certificate in a real Chromium:
the key is opened and the same content the seller signed is signed inside the page."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from qyzmet.portal.tests.browser import (
    chromium_page,
    demo_certificate_download,
    main_fits,
    page_sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_buyer_confirms_with_a_certificate_in_the_browser(
    live_server: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from qyzmet.applications.models import Application, Signature
    from qyzmet.identity.tests.factories import citizen_create
    from qyzmet.registries import actions as registry
    from qyzmet.registries.tests.conftest import car, pool
    from qyzmet.signatures.actions import demo_p12_password

    seller = citizen_create(phone="+77011234567")
    buyer = citizen_create(phone="+77017654321", birth_date=date(1985, 5, 5), sex="M")
    pool("123 ABC 02")
    registry.vehicle_register_first(owner=seller.person, vehicle=car(), plate="123 ABC 02")
    sale = Application.objects.create(
        service=_snapshot(), agency="mvd-admin-police", applicant=seller, person=seller.person,
        state="draft",
    )  # fmt: skip
    _submit_signed(sale, seller, buyer)
    base = live_server.url
    posted: list[str] = []

    with chromium_page(width=360, language="en") as page:
        page_sign_in(page, base, buyer.person.iin, "+77017654321")
        bundle = demo_certificate_download(page, base, buyer.person.iin, tmp_path)
        page.goto(base + f"/applications/{sale.pk}/")
        page.click("summary:has-text('Sign with a certificate')")
        page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else 0)
        page.set_input_files("input[name=p12]", str(bundle))
        page.fill("input[name=p12_password]", demo_p12_password(buyer.person.iin))
        page.click("form[data-certsign] button[type=submit]")
        page.wait_for_selector("text=Confirmed and signed.")
        assert main_fits(page, 360)

    sale.refresh_from_db()
    assert sale.state == "confirmed"
    signature = Signature.objects.get(application=sale, party="counterparty")
    assert signature.method == "certificate"
    applicant = Signature.objects.get(application=sale, party="applicant")
    assert signature.content_sha256 == applicant.content_sha256  # the very same content
    assert len(posted) == 1 and demo_p12_password(buyer.person.iin) not in posted[0]


def _snapshot() -> Any:
    from qyzmet.applications.actions import snapshot_for
    from qyzmet.catalogue.selectors import service_get

    return snapshot_for(service_get(code="vehicle-re-registration"))


def _submit_signed(sale: Any, seller: Any, buyer: Any) -> None:
    """The seller's part, as the demo does it: answers, a certificate signature, submission."""
    import base64

    from qyzmet.applications.actions import (
        application_draft_save,
        application_submit,
        signing_content,
    )
    from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
    from qyzmet.signatures.client import cms_sign

    answers = {"plate": "123 ABC 02", "buyer_iin": buyer.person.iin, "price": 4_500_000}
    application_draft_save(account=seller, application_id=str(sale.pk), answers=answers)
    sale.refresh_from_db()
    iin = seller.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SELLER", given_name="A")
    cms = cms_sign(content=signing_content(sale), p12=p12, password=demo_p12_password(iin))
    application_submit(
        account=seller, application_id=str(sale.pk), idempotency_key="sale-1", client="127.0.0.1",
        signature_b64=base64.b64encode(cms).decode(),
    )  # fmt: skip
