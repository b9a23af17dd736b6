"""Paying on the pages: choose bills, pay at the sandbox bank, see the result, check the receipt."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.identity.models import Account
from qyzmet.payments.models import Invoice, Payment
from qyzmet.payments.providers import sandbox
from qyzmet.payments.tests.conftest import duty, run_tasks
from qyzmet.payments.utility import utility_bills_import

pytestmark = pytest.mark.django_db


def _web(account: Account) -> CommittingClient:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    return web


def test_pay_two_bills_on_the_pages_and_check_the_receipt(account: Account, water: object) -> None:
    utility_bills_import(
        provider_code="almaty-su",
        text="account,period,amount,due_date\n5500,2026-09,1000,2026-10-25\n"
        "5500,2026-10,2000.50,2026-11-25\n",
    )
    web = _web(account)
    linked = web.post("/payments/", {"action": "link", "provider": "almaty-su", "number": "5500"})
    assert linked.status_code == 302
    page = web.get("/payments/").content.decode()
    assert "Almaty Su, account 5500, 2026-09" in page
    assert "2,000.50\N{NO-BREAK SPACE}₸" in page
    ids = [str(i.pk) for i in Invoice.objects.all()]
    confirm = web.post("/payments/", {"action": "confirm", "invoice": ids}).content.decode()
    assert "Total: <strong data-confirm-total>3,000.50\N{NO-BREAK SPACE}₸</strong>" in confirm
    key = re.search(r'name="idempotency_key" value="(\w+)"', confirm)
    assert key is not None
    sent = web.post("/payments/", {"action": "pay", "invoice": ids, "idempotency_key": key[1]})
    assert sent.status_code == 302 and sent["Location"].startswith("/sandbox/pay/sbx_")
    bank = web.get(sent["Location"]).content.decode()
    assert "3,000.50\N{NO-BREAK SPACE}₸" in bank
    back = web.post(sent["Location"], {"card_number": "4242 4242 4242 4242"})
    payment = Payment.objects.get()
    assert back["Location"] == f"/payments/p/{payment.pk}/"
    assert "Waiting for the bank to confirm." in web.get(back["Location"]).content.decode()

    run_tasks()
    done = web.get(back["Location"]).content.decode()
    assert "<strong>paid</strong>" in done
    code = re.search(r"<strong>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>", done)
    assert code is not None
    assert "Nothing to pay." in web.get("/payments/").content.decode()

    public = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    checked = public.get("/receipts/", {"code": code[1]}).content.decode()
    assert "This payment was made" in checked and "3,000.50\N{NO-BREAK SPACE}₸" in checked
    assert account.person.iin not in checked
    wrong = public.get("/receipts/", {"code": code[1][:-1] + ("1" if code[1][-1] != "1" else "2")})
    assert wrong.status_code == 400
    assert "This is not a receipt code: check it for typos." in wrong.content.decode()


def test_a_declined_card_on_the_pages_says_why_and_offers_a_retry(account: Account) -> None:
    duty(account)
    web = _web(account)
    sent = web.post(
        "/payments/",
        {"action": "pay", "invoice": [str(Invoice.objects.get().pk)], "idempotency_key": "k1"},
    )
    back = web.post(sent["Location"], {"card_number": sandbox.CARD_DECLINE})
    run_tasks()
    page = web.get(back["Location"]).content.decode()
    assert "The bank declined the card: insufficient funds." in page
    assert "Try again" in page
    assert Invoice.objects.get().status == "unpaid"

    retried = web.post(back["Location"], {"idempotency_key": "k2"})
    assert retried["Location"].startswith("/sandbox/pay/sbx_")
    assert Payment.objects.count() == 2


def test_a_wrong_card_is_explained_on_the_bank_page(account: Account) -> None:
    duty(account)
    web = _web(account)
    sent = web.post(
        "/payments/",
        {"action": "pay", "invoice": [str(Invoice.objects.get().pk)], "idempotency_key": "k1"},
    )
    wrong = web.post(sent["Location"], {"card_number": "1234"})
    assert wrong.status_code == 422
    assert "This card number is not valid." in wrong.content.decode()


def test_payment_pages_need_sign_in_and_ownership(account: Account, settings: object) -> None:
    anonymous = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.get("/payments/")["Location"].startswith("/signin/")
    assert anonymous.get("/receipts/").status_code == 200
    assert anonymous.get("/sandbox/pay/sbx_nothing").status_code == 404
    web = _web(account)
    assert web.get("/payments/p/not-a-uuid/").status_code == 404
    other = Payment.objects.create(payer=duty(account).payer, gateway="sandbox", amount_tiyn=1)
    Payment.objects.filter(pk=other.pk).update(payer=_stranger())
    assert web.get(f"/payments/p/{other.pk}/").status_code == 404


def _stranger() -> object:
    from qyzmet.identity.tests.factories import person_create

    return person_create()


def test_the_navigation_links_payments(account: Account) -> None:
    page = _web(account).get("/payments/").content.decode()
    assert 'href="/payments/"' in page


def test_an_officer_reconciles_a_day_on_the_back_office_page(account: Account) -> None:
    from datetime import date

    from django.contrib.auth.models import Permission

    from qyzmet.core.calendar import local_today
    from qyzmet.identity.tests.factories import citizen_create
    from qyzmet.payments.models import SandboxTransaction

    SandboxTransaction.objects.create(
        ref="sbx_planted", order="x", amount_tiyn=700, status="succeeded", day=local_today()
    )
    officer = citizen_create(phone="+77470001122", birth_date=date(1980, 8, 8), sex="M")
    officer.is_staff = True
    officer.save()
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": officer.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, "+77470001122")})
    assert web.get("/office/payments/reconciliation/").status_code == 403
    citizen = _web(account)
    assert citizen.get("/office/payments/reconciliation/").status_code == 302  # not staff
    officer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_reconciliationrun", "add_reconciliationrun"])
    )
    ran = web.post("/office/payments/reconciliation/", {"day": local_today().isoformat()})
    assert ran.status_code == 302
    page = web.get("/office/payments/reconciliation/").content.decode()
    assert "1 transactions checked, 1 mismatch." in page
    assert "at the gateway, not here" in page and "sbx_planted" in page
