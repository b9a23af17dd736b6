"""The document check in a real browser on a 360-px phone: the QR code's address, the IIN typed
from the paper, the answer."""

from __future__ import annotations

from typing import Any

import pytest

from qyzmet.documents.actions import document_issue
from qyzmet.documents.numbering import number_display
from qyzmet.documents.tests.fixtures import SERVICE
from qyzmet.identity.tests.factories import person_create
from qyzmet.portal.tests.browser import chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_checking_a_document_from_its_qr_code_on_a_phone(live_server: Any) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE, language="ru")

    with chromium_page(language="ru") as page:
        page.goto(f"{live_server.url}/verify/?number={document.number}")
        assert page.input_value("#number") == document.number
        page.fill("#iin", document.holder.iin)
        page.locator("form.form button[type=submit]").click()
        page.wait_for_selector("[data-status]")

        assert page.locator("[data-status]").get_attribute("data-status") == "valid"
        assert number_display(document.number) in page.locator("[data-status]").inner_text()
        assert document.holder.iin not in page.url  # the IIN went by POST
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
