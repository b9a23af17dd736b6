"""Exactness when copies arrive at the same moment (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import at_once
from qyzmet.core.models import IdempotencyKey
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments import sandbox_bank
from qyzmet.payments.actions import payment_create, webhook_receive
from qyzmet.payments.models import Invoice, Payment, Receipt, WebhookEvent
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import duty

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
]


def test_the_same_webhook_at_the_same_moment_credits_once() -> None:
    account = citizen_create()
    payment = payment_create(
        account=account, invoice_ids=[str(duty(account).pk)], idempotency_key="k"
    )
    sandbox_bank.sandbox_card_submit(ref=payment.gateway_ref, card_number=sandbox.CARD_ACCEPT)
    body = sandbox_bank.notification(payment.gateway_ref)
    headers = sandbox.sign(body)

    results = at_once(4, lambda _i: webhook_receive(provider="sandbox", body=body, headers=headers))

    assert sorted(r.outcome for r in results) == ["duplicate", "duplicate", "duplicate", "moved"]
    assert Payment.objects.get().state == "succeeded"
    assert (Receipt.objects.count(), WebhookEvent.objects.count()) == (1, 1)
    assert Invoice.objects.get().status == "paid"


def test_the_same_idempotency_key_at_the_same_moment_makes_one_payment() -> None:
    account = citizen_create()
    invoice = duty(account)

    results = at_once(
        4,
        lambda _i: payment_create(
            account=account, invoice_ids=[str(invoice.pk)], idempotency_key="k"
        ),
    )

    assert all(isinstance(r, Payment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert (Payment.objects.count(), IdempotencyKey.objects.count()) == (1, 1)
