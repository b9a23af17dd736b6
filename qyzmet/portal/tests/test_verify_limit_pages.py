"""The public check page limits guesses by number and IIN per client address, answering its
own translated page with 429 and Retry-After; the QR code's link still opens the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import CommittingClient

pytestmark = pytest.mark.django_db

WRONG = {"number": "1234567890123456", "iin": "900101300017"}


@pytest.fixture(autouse=True)
def _small_budget(settings: Any) -> None:
    settings.QYZMET_DOCUMENT_VERIFY_FAILURES_PER_HOUR = 3


def test_the_portal_page_refuses_guesses_with_its_own_translated_page(
    web: CommittingClient,
) -> None:
    answers = [web.post("/verify/", WRONG, REMOTE_ADDR="198.51.100.7") for _ in range(4)]

    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    refused = answers[-1]
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Too many checks from your address." in page
    assert WRONG["iin"] in page  # kept in the form, for the person who typed it


def test_the_qr_link_still_opens_the_form_with_the_number(web: CommittingClient) -> None:
    page = web.get("/verify/", {"number": WRONG["number"]})
    assert page.status_code == 200
    assert f'value="{WRONG["number"]}"' in page.content.decode()


def test_the_refusal_is_in_kazakh_by_default(client_kk: Client) -> None:
    for _ in range(3):
        client_kk.post("/verify/", WRONG)
    refused = client_kk.post("/verify/", WRONG)
    assert refused.status_code == 429
    assert "тексерулер тым көп" in refused.content.decode()
