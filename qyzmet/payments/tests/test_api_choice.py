"""Creating a payment through the API pays exactly the invoices named: no ids is a field error,
never "all my invoices", and someone else's invoice is not found."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import CommittingClient
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.models import Invoice, Payment
from qyzmet.payments.tests.conftest import duty

pytestmark = pytest.mark.django_db


def _create(api: CommittingClient, auth: dict[str, str], body: dict[str, Any]) -> Any:
    return api.post_json("/api/v1/payments", body, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **auth)


@pytest.mark.parametrize("body", [{}, {"invoices": []}, {"return_url": "/x"}])
def test_no_invoice_ids_is_a_field_error_and_charges_nothing(
    api_client: CommittingClient, auth: dict[str, str], bills: list[Invoice], body: dict[str, Any]
) -> None:
    refused = _create(api_client, auth, body)

    assert refused.status_code == 422, refused.json()
    assert refused.json()["code"] == "validation_error"
    assert [f["field"] for f in refused.json()["details"]["fields"]] == ["invoices"]
    assert Payment.objects.count() == 0


def test_someone_elses_invoice_is_the_same_as_one_that_does_not_exist(
    api_client: CommittingClient, auth: dict[str, str], bills: list[Invoice]
) -> None:
    stranger = duty(citizen_create(phone="+77470009988"), ref="application:stranger")

    theirs = _create(api_client, auth, {"invoices": [str(stranger.pk)]})
    missing = _create(api_client, auth, {"invoices": [str(uuid.uuid4())]})
    malformed = _create(api_client, auth, {"invoices": ["not-an-id"]})
    mixed = _create(api_client, auth, {"invoices": [str(bills[0].pk), str(stranger.pk)]})

    assert theirs.status_code == missing.status_code == malformed.status_code == 404
    assert mixed.status_code == 404
    assert theirs.json() == missing.json() == malformed.json() == mixed.json()
    assert theirs.json()["code"] == "invoice_not_found"
    assert Payment.objects.count() == 0
    assert set(Invoice.objects.values_list("status", flat=True)) == {"unpaid"}


def test_a_payment_charges_exactly_the_chosen_invoices(
    api_client: CommittingClient, auth: dict[str, str], bills: list[Invoice], account: Account
) -> None:
    fine = duty(account, ref="fine:1", mci="10")
    assert Invoice.objects.filter(payer=account.person, status="unpaid").count() == 3

    made = _create(api_client, auth, {"invoices": [str(bills[1].pk), str(bills[1].pk)]})

    assert made.status_code == 201, made.json()
    assert made.json()["amount_tiyn"] == 398700
    assert made.json()["invoices"] == [str(bills[1].pk)]
    payment = Payment.objects.get()
    assert [(str(i.invoice_id), i.amount_tiyn) for i in payment.items.all()] == [
        (str(bills[1].pk), 398700)
    ]
    assert str(fine.pk) not in made.json()["invoices"]
