"""The payment page's status answer, which its script polls: the payer's own payments only."""

from __future__ import annotations

import uuid

import pytest

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.actions import payment_create
from qyzmet.payments.models import Payment
from qyzmet.payments.providers.sandbox import CARD_ACCEPT
from qyzmet.payments.sandbox_bank import sandbox_card_submit, sandbox_notify
from qyzmet.payments.tests.conftest import duty

pytestmark = pytest.mark.django_db


def _signed_in(account: Account, phone: str) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, phone)})
    return web


def _pending(account: Account) -> Payment:
    invoice = duty(account, ref="fine:1")
    return payment_create(
        account=account, invoice_ids=[str(invoice.pk)], idempotency_key=uuid.uuid4().hex
    )


def test_the_status_says_waiting_until_the_bank_answers() -> None:
    account = citizen_create()
    web = _signed_in(account, PHONE)
    payment = _pending(account)
    url = f"/payments/p/{payment.pk}/status"

    waiting = web.get(url)
    sandbox_card_submit(ref=payment.gateway_ref, card_number=CARD_ACCEPT)
    sandbox_notify(payment.gateway_ref)
    answered = web.get(url)

    assert waiting.status_code == 200
    assert waiting.json() == {"state": "pending", "waiting": True}
    assert waiting["Cache-Control"].startswith("max-age=0")
    assert answered.json() == {"state": "succeeded", "waiting": False}
    page = web.get(f"/payments/p/{payment.pk}/").content.decode()
    assert "data-payment-poll" not in page  # nothing left to wait for: the script stops


def test_the_waiting_page_polls_and_still_offers_a_refresh_link() -> None:
    account = citizen_create()
    web = _signed_in(account, PHONE)
    payment = _pending(account)

    page = web.get(f"/payments/p/{payment.pk}/").content.decode()

    assert f'data-payment-poll="/payments/p/{payment.pk}/status"' in page
    assert 'aria-live="polite"' in page
    assert f'href="/payments/p/{payment.pk}/">Refresh</a>' in page
    assert "portal/payment-status.js" in page


def test_someone_elses_payment_status_is_404_and_anonymous_signs_in_first() -> None:
    owner = citizen_create()
    payment = _pending(owner)
    other = _signed_in(citizen_create(phone="+77075554433"), "+77075554433")
    url = f"/payments/p/{payment.pk}/status"

    assert other.get(url).status_code == 404
    anonymous = CommittingClient().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/signin/")
