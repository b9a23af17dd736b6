"""Fixtures for the payments tests: a signed-in citizen with invoices, and a way to run the
sandbox bank's notifications as the worker would."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from conftest import CommittingClient, bearer, sign_in
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.actions import invoice_create
from qyzmet.payments.models import Invoice, UtilityProvider
from qyzmet.payments.utility import utility_bills_import, utility_provider_ensure


@pytest.fixture
def account() -> Account:
    return citizen_create()


@pytest.fixture
def auth(api_client: CommittingClient, account: Account) -> dict[str, str]:
    return bearer(sign_in(api_client, account.person.iin)["access_token"])


@pytest.fixture
def water() -> UtilityProvider:
    return utility_provider_ensure(
        code="almaty-su",
        name={"kk": "Алматы Су", "ru": "Алматы Су", "en": "Almaty Su"},
        service="water",
    )


@pytest.fixture
def bills(account: Account, water: UtilityProvider, api_client: CommittingClient,
          auth: dict[str, str]) -> list[Invoice]:  # fmt: skip
    """Two months of water bills on an account the citizen has linked."""
    report = utility_bills_import(
        provider_code="almaty-su",
        text="account,period,amount,due_date\n"
        "100200,2026-09,4 512.30,2026-10-25\n"
        "100200,2026-10,3987.00,2026-11-25\n",
    )
    assert report.imported == 2
    linked = api_client.post_json(
        "/api/v1/payments/utility/accounts", {"provider": "almaty-su", "number": "100200"}, **auth
    )
    assert linked.status_code == 201, linked.json()
    return list(Invoice.objects.filter(kind="utility").order_by("due_date"))


def duty(
    account: Account, *, mci: str = "0.5", ref: str = "application:x", **extra: Any
) -> Invoice:
    return invoice_create(
        payer=account.person,
        kind="duty",
        purpose_ref=ref,
        description={"kk": "Баж", "ru": "Пошлина", "en": "State duty"},
        mci_multiple=mci,
        **extra,
    )


def run_tasks() -> None:
    """Run what is queued (the sandbox's notifications), as the worker does. The worker closes
    "old" connections between tasks, which on PostgreSQL would close the test's transaction."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("worker", "--batch")


def pay(
    api: CommittingClient, auth: dict[str, str], invoices: list[Invoice], key: str = ""
) -> dict[str, Any]:
    key = key or uuid.uuid4().hex
    response = api.post_json(
        "/api/v1/payments",
        {"invoices": [str(i.pk) for i in invoices]},
        HTTP_IDEMPOTENCY_KEY=key,
        **auth,
    )
    assert response.status_code == 201, response.json()
    result: dict[str, Any] = response.json()
    return result


def card(api: CommittingClient, payment: dict[str, Any], number: str) -> Any:
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    return api.post_json(f"/api/v1/payments/sandbox/{ref}/card", {"card_number": number})


Runner = Callable[[], None]
