"""Paying through the API and the sandbox bank: every path a card can take."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import CommittingClient
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments import sandbox_bank
from qyzmet.payments.hooks import invoice_paid_hooks_task, on_paid, paid_hook_remove
from qyzmet.payments.models import (
    Invoice,
    Payment,
    PaymentEvent,
    Receipt,
    SandboxTransaction,
    WebhookEvent,
)
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import card, duty, pay, run_tasks

pytestmark = pytest.mark.django_db


def test_pay_two_bills_in_one_payment_through_the_sandbox(
    api_client: CommittingClient, auth: dict[str, str], bills: list[Invoice]
) -> None:
    listed = api_client.get("/api/v1/payments/invoices?kind=utility&status=unpaid", **auth).json()
    assert [i["amount_tiyn"] for i in listed] == [451230, 398700]

    payment = pay(api_client, auth, bills)
    assert payment["state"] == "pending"
    assert payment["amount_tiyn"] == 451230 + 398700
    assert payment["redirect_url"].startswith("/sandbox/pay/sbx_")

    answered = card(api_client, payment, "4242 4242 4242 4242")
    assert answered.status_code == 200, answered.json()
    assert answered.json()["return_url"] == f"/payments/p/{payment['id']}/"
    run_tasks()

    done = api_client.get(f"/api/v1/payments/{payment['id']}", **auth).json()
    assert done["state"] == "succeeded"
    assert len(done["receipt_code"]) == 19  # XXXX-XXXX-XXXX-XXXX
    paid = api_client.get("/api/v1/payments/invoices?status=paid", **auth).json()
    assert sorted(i["amount_tiyn"] for i in paid) == [398700, 451230]
    assert api_client.get("/api/v1/payments/invoices?status=unpaid", **auth).json() == []
    assert Receipt.objects.count() == 1


def test_a_declined_card_leaves_the_invoices_unpaid_and_says_why(
    api_client: CommittingClient, auth: dict[str, str], bills: list[Invoice]
) -> None:
    payment = pay(api_client, auth, bills)
    card(api_client, payment, sandbox.CARD_DECLINE)
    run_tasks()

    done = api_client.get(f"/api/v1/payments/{payment['id']}", **auth).json()
    assert done["state"] == "declined"
    assert done["reason"] == "insufficient_funds"
    assert done["reason_message"] == "The bank declined the card: insufficient funds."
    assert done["receipt_code"] == ""
    assert set(Invoice.objects.values_list("status", flat=True)) == {"unpaid"}
    # …and the citizen can try again with another card.
    again = pay(api_client, auth, bills, key="k-2")
    assert again["id"] != payment["id"]


def test_a_delayed_card_stays_pending_until_the_late_notification(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    invoice = duty(account)
    payment = pay(api_client, auth, [invoice])
    card(api_client, payment, sandbox.CARD_DELAY)
    run_tasks()  # nothing is due yet
    assert Payment.objects.get().state == "pending"
    assert api_client.get(f"/api/v1/payments/{payment['id']}", **auth).json()["state"] == "pending"

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        run_tasks()
    assert Payment.objects.get().state == "succeeded"
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.paid_tiyn == payment["amount_tiyn"]


def test_a_gateway_failure_fails_the_payment_and_charges_nothing(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    invoice = duty(account)
    payment = pay(api_client, auth, [invoice])
    card(api_client, payment, sandbox.CARD_FAIL)
    run_tasks()
    done = api_client.get(f"/api/v1/payments/{payment['id']}", **auth).json()
    assert (done["state"], done["reason"]) == ("failed", "gateway_error")
    assert done["reason_message"].startswith("The payment service failed.")
    invoice.refresh_from_db()
    assert invoice.status == "unpaid"


def test_the_same_idempotency_key_gives_one_payment_and_another_body_conflicts(
    api_client: CommittingClient, auth: dict[str, str], bills: list[Invoice]
) -> None:
    first = pay(api_client, auth, bills, key="same")
    second = pay(api_client, auth, bills, key="same")
    assert first["id"] == second["id"]
    assert Payment.objects.count() == 1

    other = api_client.post_json(
        "/api/v1/payments", {"invoices": [str(bills[0].pk)]}, HTTP_IDEMPOTENCY_KEY="same", **auth
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_reused"
    missing = api_client.post_json("/api/v1/payments", {"invoices": [str(bills[0].pk)]}, **auth)
    assert (missing.status_code, missing.json()["code"]) == (422, "idempotency_key")
    # A second payment for an invoice in progress is refused, pointing at the first.
    busy = api_client.post_json(
        "/api/v1/payments", {"invoices": [str(bills[0].pk)]}, HTTP_IDEMPOTENCY_KEY="x", **auth
    )
    assert (busy.status_code, busy.json()["code"]) == (409, "payment_in_progress")
    assert busy.json()["details"]["payment"] == first["id"]
    assert Payment.objects.count() == 1


def test_paid_and_other_peoples_invoices_are_refused(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    stranger = citizen_create(phone="+77017654321")
    theirs = duty(stranger, ref="fine:1")
    refused = api_client.post_json(
        "/api/v1/payments", {"invoices": [str(theirs.pk)]}, HTTP_IDEMPOTENCY_KEY="a", **auth
    )
    assert (refused.status_code, refused.json()["code"]) == (404, "invoice_not_found")
    assert api_client.get(f"/api/v1/payments/invoices/{theirs.pk}", **auth).status_code == 404

    mine = duty(account)
    Invoice.objects.filter(pk=mine.pk).update(status="paid")
    paid = api_client.post_json(
        "/api/v1/payments", {"invoices": [str(mine.pk)]}, HTTP_IDEMPOTENCY_KEY="b", **auth
    )
    assert (paid.status_code, paid.json()["code"]) == (409, "invoice_paid")
    assert paid.json()["message"] == "This invoice is already paid."
    Invoice.objects.filter(pk=mine.pk).update(status="cancelled")
    cancelled = api_client.post_json(
        "/api/v1/payments", {"invoices": [str(mine.pk)]}, HTTP_IDEMPOTENCY_KEY="c", **auth
    )
    assert cancelled.json()["code"] == "invoice_cancelled"
    assert Payment.objects.count() == 0


def test_anonymous_callers_see_nothing(api_client: CommittingClient, account: Account) -> None:
    invoice = duty(account)
    for path in ("/api/v1/payments/invoices", f"/api/v1/payments/invoices/{invoice.pk}",
                 "/api/v1/payments", "/api/v1/payments/utility/accounts"):  # fmt: skip
        assert api_client.get(path).status_code == 401, path
    created = api_client.post_json(
        "/api/v1/payments", {"invoices": [str(invoice.pk)]}, HTTP_IDEMPOTENCY_KEY="a"
    )
    assert created.status_code == 401
    assert Payment.objects.count() == 0


def _signed_success(payment_id: str) -> tuple[bytes, dict[str, str]]:
    """The bank's notification of success, as it would deliver it over HTTP."""
    ref = Payment.objects.get(pk=payment_id).gateway_ref
    SandboxTransaction.objects.filter(ref=ref).update(status="succeeded")
    body = sandbox_bank.notification(ref)
    return body, sandbox.sign(body)


def _http(headers: dict[str, str]) -> dict[str, str]:
    return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}


def test_the_same_webhook_three_times_credits_once(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    credited: list[str] = []

    @on_paid("application:")
    def record(invoice: Invoice) -> None:
        credited.append(invoice.purpose_ref)

    try:
        invoice = duty(account, ref="application:42")
        payment = pay(api_client, auth, [invoice])
        body, headers = _signed_success(payment["id"])
        outcomes = []
        for _ in range(3):
            response = api_client.post(
                "/api/v1/payments/webhooks/sandbox", body, content_type="application/json",
                **_http(headers),
            )  # fmt: skip
            assert response.status_code == 200, response.json()
            outcomes.append(response.json()["outcome"])
        run_tasks()  # the worker runs the paid hooks
        run_tasks()  # and a second run runs nothing more
    finally:
        paid_hook_remove(record)

    assert outcomes == ["moved", "duplicate", "duplicate"]
    assert credited == ["application:42"]
    assert Payment.objects.get().state == "succeeded"
    assert Receipt.objects.count() == 1
    assert WebhookEvent.objects.count() == 1
    assert PaymentEvent.objects.filter(to_state="succeeded").count() == 1


def test_the_webhook_answers_2xx_and_credits_when_the_step_above_fails_then_the_task_retries(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    calls: list[str] = []

    def flaky(invoice: Invoice) -> None:
        calls.append(invoice.purpose_ref)
        if len(calls) == 1:
            raise RuntimeError("the layer above is down")

    on_paid("application:")(flaky)
    try:
        invoice = duty(account, ref="application:7")
        payment = pay(api_client, auth, [invoice])
        body, headers = _signed_success(payment["id"])
        answered = api_client.post(
            "/api/v1/payments/webhooks/sandbox", body, content_type="application/json",
            **_http(headers),
        )  # fmt: skip
        assert (answered.status_code, answered.json()["outcome"]) == (200, "moved")
        invoice.refresh_from_db()
        assert invoice.status == "paid"
        assert Payment.objects.get().state == "succeeded"
        assert WebhookEvent.objects.count() == 1 and Receipt.objects.count() == 1
        assert calls == []  # the layer above runs in the worker, not in the bank's call

        run_tasks()
        assert calls == ["application:7"]
        (retry,) = _hook_tasks(TaskResultStatus.READY)  # the same row, back in the queue
        assert retry.args_kwargs["args"] == [str(invoice.pk)]
        assert retry.run_after > timezone.now() + timedelta(seconds=25)
        assert retry.exception_class_path == "builtins.RuntimeError"
        run_tasks()  # not due yet
        assert calls == ["application:7"]

        with time_machine.travel(timezone.now() + timedelta(seconds=31)):
            run_tasks()
        assert calls == ["application:7", "application:7"]
        assert _hook_tasks(TaskResultStatus.READY) == []
        assert _hook_tasks(TaskResultStatus.FAILED) == []
        (done,) = _hook_tasks(TaskResultStatus.SUCCESSFUL)
        assert len(done.worker_ids) == 2  # two attempts
    finally:
        paid_hook_remove(flaky)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Receipt.objects.count() == 1


def _hook_tasks(status: TaskResultStatus) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path=invoice_paid_hooks_task.module_path, status=status)
    )


def test_a_hook_that_keeps_failing_is_retried_a_bounded_number_of_times_then_logged(
    account: Account, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.QYZMET_TASK_ATTEMPTS = 3

    def broken(invoice: Invoice) -> None:
        raise RuntimeError("the layer above is down")

    invoice = duty(account, ref="application:9")
    on_paid("application:")(broken)
    try:
        invoice_paid_hooks_task.enqueue(str(invoice.pk))
        with caplog.at_level("WARNING", logger="qyzmet.core.actions"):
            for minutes in (0, 1, 3, 10):  # 30 s, then 60 s later
                with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
                    run_tasks()
    finally:
        paid_hook_remove(broken)
    assert _hook_tasks(TaskResultStatus.READY) == []  # no attempt after the last
    (failed,) = _hook_tasks(TaskResultStatus.FAILED)
    assert len(failed.worker_ids) == 3
    assert "the layer above is down" in failed.traceback
    (gave_up,) = [r for r in caplog.records if r.getMessage() == "task gave up"]
    assert gave_up.levelname == "ERROR"
    assert (gave_up.task_id, gave_up.attempt) == (str(failed.pk), 3)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "tamper",
    ["signature", "body", "old", "missing"],
)
def test_a_bad_signature_is_refused_and_nothing_changes(
    api_client: CommittingClient, auth: dict[str, str], account: Account, tamper: str
) -> None:
    invoice = duty(account)
    payment = pay(api_client, auth, [invoice])
    body, headers = _signed_success(payment["id"])
    if tamper == "signature":
        signed = headers[sandbox.SIGNATURE_HEADER]
        other = "1" if signed.endswith("0") else "0"  # always another signature
        headers = {sandbox.SIGNATURE_HEADER: signed[:-1] + other}
    elif tamper == "body":
        body = body.replace(b'"amount_tiyn":', b'"amount_tiyn":1')
    elif tamper == "old":
        headers = sandbox.sign(body, timestamp=int(timezone.now().timestamp()) - 301)
    else:
        headers = {}
    response = api_client.post(
        "/api/v1/payments/webhooks/sandbox", body, content_type="application/json",
        **_http(headers),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] in {"webhook_signature", "webhook_too_old"}
    assert Payment.objects.get().state == "pending"
    assert WebhookEvent.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.status == "unpaid"


def test_a_webhook_for_an_unknown_provider_is_404(api_client: CommittingClient) -> None:
    response = api_client.post(
        "/api/v1/payments/webhooks/nobank", json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 404


def test_a_receipt_code_verifies_publicly_and_a_wrong_one_does_not(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    invoice = duty(account)
    payment = pay(api_client, auth, [invoice])
    card(api_client, payment, sandbox.CARD_ACCEPT)
    run_tasks()
    code = api_client.get(f"/api/v1/payments/{payment['id']}", **auth).json()["receipt_code"]

    anyone = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    checked = anyone.get(f"/api/v1/payments/receipts/{code.lower()}")
    assert checked.status_code == 200, checked.json()
    data = checked.json()
    assert data["code"] == code
    assert data["amount_tiyn"] == payment["amount_tiyn"]
    assert data["purposes"] == ["State duty"]
    iin = account.person.iin
    assert data["payer_iin"] == f"{iin[:4]}******{iin[-2:]}"
    assert iin not in json.dumps(data)

    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    malformed = anyone.get(f"/api/v1/payments/receipts/{typo}")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "receipt_code_malformed")
    assert anyone.get("/api/v1/payments/receipts/HELLO").status_code == 400
    from qyzmet.payments.codes import check_char

    body = "0" * 15
    unknown = anyone.get(f"/api/v1/payments/receipts/{body}{check_char(body)}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "receipt_not_found")


def test_the_sandbox_bank_page_json_is_demo_only(
    api_client: CommittingClient, auth: dict[str, str], account: Account, settings: object
) -> None:
    payment = pay(api_client, auth, [duty(account)])
    settings.QYZMET_DEMO = False  # type: ignore[attr-defined]
    assert card(api_client, payment, sandbox.CARD_ACCEPT).status_code == 404
    settings.QYZMET_DEMO = True  # type: ignore[attr-defined]
    wrong = card(api_client, payment, "4242 4242 4242 4241")
    assert (wrong.status_code, wrong.json()["code"]) == (422, "card_number")
    assert card(api_client, payment, sandbox.CARD_ACCEPT).status_code == 200
    used = card(api_client, payment, sandbox.CARD_ACCEPT)
    assert (used.status_code, used.json()["code"]) == (409, "sandbox_used")


def test_the_gateway_reaches_the_webhook_without_a_csrf_token(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    payment = pay(api_client, auth, [duty(account)])
    body, headers = _signed_success(payment["id"])
    bank = CommittingClient(enforce_csrf_checks=True)
    response = bank.post(
        "/api/v1/payments/webhooks/sandbox", body, content_type="application/json",
        **_http(headers),
    )  # fmt: skip
    assert (response.status_code, response.json()["outcome"]) == (200, "moved")


def test_my_payments_list_reads_as_many_rows_for_one_payment_as_for_three(
    api_client: CommittingClient, account: Account, auth: dict[str, str]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def listed() -> tuple[int, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as captured:
            rows = api_client.get("/api/v1/payments", **auth).json()
        return len(captured), rows

    first = pay(api_client, auth, [duty(account, ref="application:a")])
    card(api_client, first, sandbox.CARD_ACCEPT)
    run_tasks()
    one, rows = listed()
    for ref in ("application:b", "application:c"):
        card(api_client, pay(api_client, auth, [duty(account, ref=ref)]), sandbox.CARD_ACCEPT)
    run_tasks()
    three, rows = listed()

    assert three == one  # the receipts and the items come with the list
    assert len(rows) == 3 and all(r["receipt_code"] and len(r["invoices"]) == 1 for r in rows)
