"""Paying only what the citizen chose, on the pages: nothing is ticked unless the citizen ticks it
(or came to pay one application's duty), and the total is stated before the card."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import PASSWORD, PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.actions import invoice_create
from qyzmet.payments.models import Invoice, Payment
from qyzmet.payments.tests.conftest import duty
from qyzmet.payments.utility import utility_bills_import

pytestmark = pytest.mark.django_db

TICKED = re.compile(r'<input type="checkbox"[^>]*value="([0-9a-f-]{36})"[^>]*\bchecked\b')
BOXES = re.compile(r'<input type="checkbox"[^>]*name="invoice" value="([0-9a-f-]{36})"')
NBSP = "\N{NO-BREAK SPACE}"


def _web(account: Account) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def _invoice(account: Account, ref: str, kind: str, tiyn: int) -> Invoice:
    return invoice_create(
        payer=account.person,
        kind=kind,
        purpose_ref=ref,
        description={"kk": ref, "ru": ref, "en": ref},
        amount_tiyn=tiyn,
    )


def _eight_invoices(web: CommittingClient, account: Account) -> dict[str, Invoice]:
    """A duty, a fine and six water bills: what the citizen of the finding had."""
    invoices = {
        "duty": _invoice(account, f"application:{uuid.uuid4()}", "duty", 108125),
        "fine": _invoice(account, "fine:1", "fine", 4325000),
    }
    utility_bills_import(
        provider_code="almaty-su",
        text="account,period,amount,due_date\n"
        + "".join(f"5500,2026-0{m},{m}000.50,2026-1{m % 3}-25\n" for m in range(1, 7)),
    )
    web.post("/payments/", {"action": "link", "provider": "almaty-su", "number": "5500"})
    for bill in Invoice.objects.filter(kind="utility"):
        invoices[f"utility-{bill.pk}"] = bill
    assert Invoice.objects.filter(status="unpaid").count() == 8
    return invoices


def test_the_payments_page_opens_with_nothing_ticked(account: Account, water: object) -> None:
    web = _web(account)
    _eight_invoices(web, account)
    page = web.get("/payments/").content.decode()

    assert len(BOXES.findall(page)) == 8
    assert TICKED.findall(page) == []
    assert '<input type="hidden" name="action" value="confirm">' in page
    assert "portal/payments" in page and ".js" in page  # the total's script, not inline


def test_coming_from_an_application_ticks_its_duty_alone(account: Account, water: object) -> None:
    web = _web(account)
    invoices = _eight_invoices(web, account)
    application_id = invoices["duty"].purpose_ref.removeprefix("application:")

    page = web.get("/payments/", {"application": application_id}).content.decode()
    assert TICKED.findall(page) == [str(invoices["duty"].pk)]
    assert f"1,081.25{NBSP}₸" in page  # the total the script starts from

    # someone else's application, or no application at all, ticks nothing
    for other in (str(uuid.uuid4()), "not-an-id", ""):
        page = web.get("/payments/", {"application": other}).content.decode()
        assert TICKED.findall(page) == []


def test_two_chosen_invoices_cost_their_sum_stated_before_the_card(
    account: Account, water: object
) -> None:
    web = _web(account)
    invoices = _eight_invoices(web, account)
    chosen = [invoices["duty"], Invoice.objects.filter(kind="utility").order_by("due_date")[0]]
    expected = sum(i.amount_tiyn or 0 for i in chosen)

    confirm = web.post("/payments/", {"action": "confirm", "invoice": [str(i.pk) for i in chosen]})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    total = f"{expected // 100:,}.{expected % 100:02d}{NBSP}₸"
    assert f"Total: <strong data-confirm-total>{total}</strong>" in page
    assert f"Pay {total} by card" in page
    assert "43,250.00" not in page  # the fine was not chosen
    assert Payment.objects.count() == 0  # nothing is charged before the citizen confirms
    key = re.search(r'name="idempotency_key" value="(\w+)"', page)
    sent_ids = re.findall(r'<input type="hidden" name="invoice" value="([0-9a-f-]{36})">', page)
    assert key is not None and sorted(sent_ids) == sorted(str(i.pk) for i in chosen)

    paid = web.post("/payments/", {"action": "pay", "invoice": sent_ids, "idempotency_key": key[1]})
    assert paid.status_code == 302 and paid["Location"].startswith("/sandbox/pay/sbx_")
    payment = Payment.objects.get()
    assert payment.amount_tiyn == expected
    assert sorted(str(i.invoice_id) for i in payment.items.all()) == sorted(sent_ids)
    assert f"{total}" in web.get(paid["Location"]).content.decode()  # the bank's page too


def test_continuing_with_nothing_ticked_says_so_and_charges_nothing(
    account: Account, water: object
) -> None:
    web = _web(account)
    _eight_invoices(web, account)
    for action in ("confirm", "pay"):
        refused = web.post("/payments/", {"action": action, "idempotency_key": "k-none"})
        assert refused.status_code == 422
        page = refused.content.decode()
        assert "Choose at least one invoice to pay." in page
        assert TICKED.findall(page) == []
    assert Payment.objects.count() == 0


def test_a_refused_confirmation_keeps_what_was_ticked(account: Account, water: object) -> None:
    web = _web(account)
    invoices = _eight_invoices(web, account)
    stranger = duty(citizen_create(phone="+77470009988"), ref="application:stranger")

    refused = web.post(
        "/payments/", {"action": "confirm", "invoice": [str(invoices["fine"].pk), str(stranger.pk)]}
    )
    assert refused.status_code == 404
    page = refused.content.decode()
    assert "One of these invoices was not found." in page
    assert TICKED.findall(page) == [str(invoices["fine"].pk)]
    assert Payment.objects.count() == 0


def test_the_application_page_links_to_paying_its_duty_alone(api_client: CommittingClient) -> None:
    account = citizen_create()
    with time_machine.travel(timezone.now() - timedelta(seconds=200)):
        auth = bearer(sign_in(api_client, account.person.iin)["access_token"])
    with time_machine.travel(timezone.now() - timedelta(seconds=120)):
        application_id = _submitted_with_duty(api_client, auth)
    _invoice(account, "fine:2", "fine", 4325000)
    web = _web(account)

    page = web.get(f"/applications/{application_id}/").content.decode()
    link = f'href="/payments/?application={application_id}"'
    assert link in page
    payments = web.get(f"/payments/?application={application_id}").content.decode()
    assert TICKED.findall(payments) == [
        str(Invoice.objects.get(purpose_ref=f"application:{application_id}").pk)
    ]


def _submitted_with_duty(api: CommittingClient, auth: dict[str, str]) -> str:
    """An ID card replacement (a duty paid before the agency starts), submitted and waiting."""
    draft = api.post_json("/api/v1/applications", {"service": "id-card-replacement"}, **auth)
    app_id: str = draft.json()["id"]
    api.patch(
        f"/api/v1/applications/{app_id}",
        data='{"answers": {"reason": "expiry", "collection_centre": "Almaty, Abay 10"}}',
        content_type="application/json",
        **auth,
    )
    code = api.post(f"/api/v1/applications/{app_id}/sign/sms", **auth)
    done = api.post_json(
        f"/api/v1/applications/{app_id}/submit",
        {"code_id": code.json()["code_id"], "code": last_code(api, PHONE)},
        HTTP_IDEMPOTENCY_KEY=f"duty-{app_id}",
        **auth,
    )
    assert done.status_code == 201, done.json()
    assert done.json()["payment"] == "awaiting"
    return app_id
