"""A service with a state duty, through the API: it waits for the duty, the sandbox bank's credit
moves it on, a refusal returns the duty, and a withdrawal cancels an unpaid invoice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.actions import duty as duty_module
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.codes import code_display
from qyzmet.payments.hooks import paid_hooks_run
from qyzmet.payments.models import Invoice, Receipt, WebhookEvent
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import run_tasks

pytestmark = pytest.mark.django_db

ID_CARD = "id-card-replacement"  # 0.2 MCI, paid before the agency starts, refunded if refused


def _submitted(api: CommittingClient, auth: dict[str, str]) -> dict[str, Any]:
    draft = api.post_json("/api/v1/applications", {"service": ID_CARD}, **auth)
    assert draft.status_code == 201, draft.json()
    app_id = draft.json()["id"]
    saved = api.patch(
        f"/api/v1/applications/{app_id}",
        data='{"answers": {"reason": "expiry", "collection_centre": "Almaty, Abay 10"}}',
        content_type="application/json",
        **auth,
    )
    assert saved.json()["errors"] == {}, saved.json()
    code = api.post(f"/api/v1/applications/{app_id}/sign/sms", **auth)
    assert code.status_code == 202, code.json()
    done = api.post_json(
        f"/api/v1/applications/{app_id}/submit",
        {"code_id": code.json()["code_id"], "code": last_code(api, PHONE)},
        HTTP_IDEMPOTENCY_KEY=f"duty-{app_id}",
        **auth,
    )
    assert done.status_code == 201, done.json()
    result: dict[str, Any] = done.json()
    return result


def _pay(api: CommittingClient, auth: dict[str, str], card_number: str) -> dict[str, Any]:
    invoices = api.get("/api/v1/payments/invoices?kind=duty&status=unpaid", **auth).json()
    assert len(invoices) == 1
    payment = api.post_json(
        "/api/v1/payments", {"invoices": [invoices[0]["id"]]}, HTTP_IDEMPOTENCY_KEY="pay-1", **auth
    ).json()
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    api.post_json(f"/api/v1/payments/sandbox/{ref}/card", {"card_number": card_number})
    run_tasks()
    result: dict[str, Any] = api.get(f"/api/v1/payments/{payment['id']}", **auth).json()
    return result


@pytest.fixture
def citizen(api_client: CommittingClient) -> dict[str, str]:
    with time_machine.travel(timezone.now() - timedelta(seconds=61)):  # past the code pause
        return bearer(sign_in(api_client, citizen_create().person.iin)["access_token"])


@pytest.fixture
def officer(api_client: CommittingClient) -> dict[str, str]:
    phone = "+77470003344"
    account = citizen_create(phone=phone, birth_date=date(1980, 8, 8), sex="M")
    application_agency = "migration-service"
    OfficerMembership.objects.create(account=account, agency=application_agency)
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        return bearer(sign_in(api_client, account.person.iin, phone=phone)["access_token"])


def test_the_application_waits_for_its_duty_and_the_credit_moves_it_on(
    api_client: CommittingClient, citizen: dict[str, str], officer: dict[str, str]
) -> None:
    application = _submitted(api_client, citizen)
    url = f"/api/v1/applications/{application['id']}"
    assert application["payment"] == "awaiting"
    assert application["fee_tiyn"] > 0
    assert application["working_days_left"] is None  # the term starts when the duty is paid
    agency = Application.objects.get(pk=application["id"]).agency
    OfficerMembership.objects.filter(agency="migration-service").update(agency=agency)
    # not the agency's yet: not in its queue, and no officer step is possible
    assert api_client.get("/api/v1/office/queue", {"agency": agency}, **officer).json() == []
    refused = api_client.post_json(
        f"/api/v1/office/applications/{application['id']}/steps", {"name": "take"}, **officer
    )
    assert refused.status_code == 409 and refused.json()["code"] == "awaiting_payment"

    declined = _pay(api_client, citizen, sandbox.CARD_DECLINE)
    assert declined["state"] == "declined"
    assert api_client.get(url, **citizen).json()["payment"] == "awaiting"

    invoices = api_client.get("/api/v1/payments/invoices?kind=duty", **citizen).json()
    payment = api_client.post_json(
        "/api/v1/payments", {"invoices": [invoices[0]["id"]]}, HTTP_IDEMPOTENCY_KEY="pay-2",
        **citizen,
    ).json()  # fmt: skip
    ref = payment["redirect_url"].rsplit("/", 1)[-1]
    api_client.post_json(
        f"/api/v1/payments/sandbox/{ref}/card", {"card_number": sandbox.CARD_ACCEPT}
    )
    run_tasks()

    paid = api_client.get(url, **citizen).json()
    assert paid["payment"] == "paid"
    assert paid["working_days_left"] == 15
    inbox = api_client.get("/api/v1/inbox", **citizen).json()["items"]
    events = [m["event"] for m in inbox]
    assert events.count("payment.declined") == 1
    assert events.count("payment.succeeded") == 1
    assert events.count("payment.receipt") == 1
    received = next(m for m in inbox if m["event"] == "payment.succeeded")
    assert received["link"] == f"/payments/p/{payment['id']}/"
    assert application["number"] in received["text"]
    assert f"{invoices[0]['amount_tiyn'] // 100:,}".replace(",", " ") in received["text"]
    assert [e["transition"] for e in paid["history"]] == ["submit", "pay"]
    assert paid["fee_tiyn"] == invoices[0]["amount_tiyn"]
    queue = api_client.get("/api/v1/office/queue", {"agency": agency}, **officer).json()
    assert [a["id"] for a in queue] == [application["id"]]
    taken = api_client.post_json(
        f"/api/v1/office/applications/{application['id']}/steps", {"name": "take"}, **officer
    )
    assert taken.status_code == 200, taken.json()


def test_a_refusal_returns_the_paid_duty(
    api_client: CommittingClient, citizen: dict[str, str], officer: dict[str, str]
) -> None:
    application = _submitted(api_client, citizen)
    agency = Application.objects.get(pk=application["id"]).agency
    OfficerMembership.objects.filter(agency="migration-service").update(agency=agency)
    assert _pay(api_client, citizen, sandbox.CARD_ACCEPT)["state"] == "succeeded"
    steps = f"/api/v1/office/applications/{application['id']}/steps"
    assert api_client.post_json(steps, {"name": "take"}, **officer).status_code == 200
    hearing = api_client.post_json(
        steps, {"name": "propose_refusal", "grounds": "untrue_data", "comment": "Data differ"},
        **officer,
    )  # fmt: skip
    assert hearing.status_code == 200, hearing.json()
    final = api_client.post_json(steps, {"name": "refuse", "grounds": "untrue_data"}, **officer)
    assert final.status_code == 200, final.json()
    run_tasks()  # the refund goes to the bank from the worker

    mine = api_client.get(f"/api/v1/applications/{application['id']}", **citizen).json()
    assert mine["outcome"] == "refused"
    assert mine["payment"] == "refunded"
    assert mine["history"][-1]["transition"] == "refund"
    assert Invoice.objects.get(purpose_ref=f"application:{application['id']}").status == "refunded"
    run_tasks()  # a second run of the worker refunds nothing more
    assert Invoice.objects.filter(status="refunded").count() == 1


def test_withdrawing_before_paying_cancels_the_invoice(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    application = _submitted(api_client, citizen)
    withdrawn = api_client.post_json(
        f"/api/v1/applications/{application['id']}/steps", {"name": "withdraw"}, **citizen
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    assert api_client.get("/api/v1/payments/invoices?status=unpaid", **citizen).json() == []
    assert Invoice.objects.get(purpose_ref=f"application:{application['id']}").status == "cancelled"


def test_the_paid_hook_run_again_changes_nothing(
    api_client: CommittingClient, citizen: dict[str, str]
) -> None:
    # given a duty paid and credited (the hook has run once)
    application = _submitted(api_client, citizen)
    url = f"/api/v1/applications/{application['id']}"
    _pay(api_client, citizen, sandbox.CARD_ACCEPT)
    before = api_client.get(url, **citizen).json()
    version = Application.objects.get(pk=application["id"]).lock_version
    invoice = Invoice.objects.get(purpose_ref=f"application:{application['id']}")

    # when the hook runs again (a retried task delivers the same credit)
    paid_hooks_run(invoice)

    # then nothing moved and the history has one payment
    after = api_client.get(url, **citizen).json()
    assert after == before
    assert [e["transition"] for e in after["history"]] == ["submit", "pay"]
    assert Application.objects.get(pk=application["id"]).lock_version == version


def test_the_bank_is_answered_when_the_application_step_fails_and_the_worker_moves_it_on_later(
    api_client: CommittingClient, citizen: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    application = _submitted(api_client, citizen)
    url = f"/api/v1/applications/{application['id']}"

    def down(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the applications app is down")

    working = duty_module.definition_of
    monkeypatch.setattr(duty_module, "definition_of", down)
    paid = _pay(api_client, citizen, sandbox.CARD_ACCEPT)  # the bank's notification, delivered

    assert paid["state"] == "succeeded"
    assert paid["receipt_code"] == code_display(Receipt.objects.get().code)
    notified = WebhookEvent.objects.get()
    assert notified.outcome == "moved"
    invoice = Invoice.objects.get(purpose_ref=f"application:{application['id']}")
    assert invoice.status == "paid"
    waiting = api_client.get(url, **citizen).json()
    assert (waiting["payment"], waiting["working_days_left"]) == ("awaiting", None)
    assert [e["transition"] for e in waiting["history"]] == ["submit"]

    monkeypatch.setattr(duty_module, "definition_of", working)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        run_tasks()  # the retry, once due

    moved = api_client.get(url, **citizen).json()
    assert (moved["payment"], moved["working_days_left"]) == ("paid", 15)
    assert [e["transition"] for e in moved["history"]] == ["submit", "pay"]
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
