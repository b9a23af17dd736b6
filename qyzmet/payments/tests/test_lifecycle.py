"""The state machine, refunds, the late-payment sweep, reconciliation, utility accounts and the
provider file import."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from conftest import CommittingClient
from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict
from qyzmet.identity.models import Account
from qyzmet.payments import sandbox_bank
from qyzmet.payments.actions import (
    fine_issue,
    invoice_create,
    invoice_refund,
    payment_move,
    payments_sweep,
)
from qyzmet.payments.models import Invoice, Payment, Refund, SandboxTransaction, UtilityBill
from qyzmet.payments.providers import sandbox
from qyzmet.payments.reconciliation import reconcile
from qyzmet.payments.selectors import invoice_for_ref
from qyzmet.payments.states import MOVES, move_allowed
from qyzmet.payments.tests.conftest import card, duty, pay, run_tasks
from qyzmet.payments.utility import utility_bills_import

pytestmark = pytest.mark.django_db
ALL = [s.value for s in Payment.State]


@pytest.mark.parametrize("source", ALL)
@pytest.mark.parametrize("target", ALL)
def test_only_the_moves_in_the_table_are_allowed(
    account: Account, source: str, target: str
) -> None:
    invoice = duty(account)
    payment = Payment.objects.create(payer=account.person, gateway="sandbox", amount_tiyn=1)
    payment.items.create(invoice=invoice, amount_tiyn=1)
    Payment.objects.filter(pk=payment.pk).update(state=source)
    if source == target:
        assert payment_move(payment_id=str(payment.pk), to_state=target, source="t").state == source
    elif target in MOVES[source]:
        assert payment_move(payment_id=str(payment.pk), to_state=target, source="t").state == target
    else:
        with pytest.raises(Conflict) as refused:
            payment_move(payment_id=str(payment.pk), to_state=target, source="t")
        assert refused.value.code == "payment_state"
        assert Payment.objects.get(pk=payment.pk).state == source


def test_the_table_is_the_payment_lifecycle() -> None:
    # written out here, so that a changed table has to change this test too
    assert {source: set(targets) for source, targets in MOVES.items()} == {
        "created": {"pending", "declined", "failed", "expired"},
        "pending": {"succeeded", "declined", "failed", "expired"},
        "expired": {"succeeded", "declined", "failed"},  # the bank's late answer still counts
        "succeeded": {"refunded"},
        "declined": set(),
        "failed": set(),
        "refunded": set(),
    }


def test_the_table_has_no_way_back_from_an_end() -> None:
    assert not move_allowed("succeeded", "pending")
    assert not move_allowed("declined", "succeeded")
    assert not move_allowed("refunded", "succeeded")
    assert not move_allowed("failed", "pending")
    assert move_allowed("expired", "succeeded")  # the bank answered after we stopped waiting


def test_a_webhook_contradicting_a_final_state_is_refused_not_applied(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    payment = pay(api_client, auth, [duty(account)])
    card(api_client, payment, sandbox.CARD_DECLINE)
    run_tasks()
    ref = Payment.objects.get().gateway_ref
    SandboxTransaction.objects.filter(ref=ref).update(status="succeeded")  # a confused bank
    assert sandbox_bank.sandbox_notify(ref) == {"outcome": "refused"}
    assert Payment.objects.get().state == "declined"
    assert Invoice.objects.get().status == "unpaid"


def _paid(api: CommittingClient, auth: dict[str, str], invoices: list[Invoice]) -> Payment:
    payment = pay(api, auth, invoices)
    card(api, payment, sandbox.CARD_ACCEPT)
    run_tasks()
    return Payment.objects.get(pk=payment["id"])


def test_a_refundable_duty_is_refunded_through_the_gateway(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    refundable = duty(account, ref="application:a", refundable=True)
    other = duty(account, ref="application:b", refundable=False)
    payment = _paid(api_client, auth, [refundable, other])

    refund = invoice_refund(invoice_id=str(refundable.pk), reason="application refused")
    item_amount = payment.items.get(invoice=refundable).amount_tiyn
    assert refund.amount_tiyn == item_amount
    assert Invoice.objects.get(pk=refundable.pk).status == "refunded"
    bank = SandboxTransaction.objects.get(ref=payment.gateway_ref)
    assert bank.refunded_tiyn == item_amount
    assert Payment.objects.get().state == "succeeded"  # one invoice of two is still paid

    with pytest.raises(Conflict) as again:
        invoice_refund(invoice_id=str(refundable.pk))
    assert again.value.code == "invoice_not_paid"
    with pytest.raises(Conflict) as rules:
        invoice_refund(invoice_id=str(other.pk))
    assert rules.value.code == "invoice_not_refundable"
    assert Refund.objects.count() == 1


def test_refunding_every_invoice_refunds_the_payment(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    invoice = duty(account, refundable=True)
    _paid(api_client, auth, [invoice])
    invoice_refund(invoice_id=str(invoice.pk))
    assert Payment.objects.get().state == "refunded"
    unpaid = duty(account, ref="application:z", refundable=True)
    with pytest.raises(Conflict):
        invoice_refund(invoice_id=str(unpaid.pk))


def test_the_sweep_asks_the_gateway_about_late_payments_then_expires_them(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    first = pay(api_client, auth, [duty(account, ref="application:1")], key="a")
    second = pay(api_client, auth, [duty(account, ref="application:2")], key="b")
    card(api_client, first, sandbox.CARD_ACCEPT)  # the notification is lost: no run_tasks()
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        report = payments_sweep()
    assert (report.checked, report.changed) == (2, 1)
    assert Payment.objects.get(pk=first["id"]).state == "succeeded"
    assert Payment.objects.get(pk=second["id"]).state == "pending"
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        payments_sweep()
    assert Payment.objects.get(pk=second["id"]).state == "expired"
    assert Payment.objects.get(pk=second["id"]).reason == "timeout"


def test_the_sweep_reschedules_itself_once(settings: object) -> None:
    from qyzmet.core.periodic import periodic_schedule

    assert periodic_schedule(name="payments") is True
    assert periodic_schedule(name="payments") is False


def test_reconciliation_flags_planted_mismatches(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    good = _paid(api_client, auth, [duty(account, ref="application:good")])
    wrong_amount = _paid(api_client, auth, [duty(account, ref="application:amount")])
    wrong_status = pay(api_client, auth, [duty(account, ref="application:status")], key="s")
    SandboxTransaction.objects.filter(ref=wrong_amount.gateway_ref).update(amount_tiyn=1)
    SandboxTransaction.objects.filter(
        ref=Payment.objects.get(pk=wrong_status["id"]).gateway_ref
    ).update(status="succeeded")
    SandboxTransaction.objects.create(
        ref="sbx_stranger", order="x", amount_tiyn=500, status="succeeded", day=local_today()
    )
    lost = pay(api_client, auth, [duty(account, ref="application:lost")], key="l")
    SandboxTransaction.objects.filter(ref=Payment.objects.get(pk=lost["id"]).gateway_ref).delete()

    run = reconcile(gateway_name="sandbox", day=local_today())

    found = {(m.kind, m.gateway_ref) for m in run.mismatches.all()}
    assert found == {
        ("amount", wrong_amount.gateway_ref),
        ("status", Payment.objects.get(pk=wrong_status["id"]).gateway_ref),
        ("missing_here", "sbx_stranger"),
        ("missing_there", Payment.objects.get(pk=lost["id"]).gateway_ref),
    }
    assert good.gateway_ref not in {ref for _, ref in found}
    assert run.checked == 5


def test_reconciliation_of_a_clean_day_has_no_mismatch(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    _paid(api_client, auth, [duty(account)])
    call_command("payments_reconcile", "--day", local_today().isoformat())
    assert reconcile(gateway_name="sandbox", day=local_today()).mismatches.count() == 0


CSV = (
    "account,period,amount,due_date\n"
    "100200,2026-09,4512.30,2026-10-25\n"
    "100201,2026-09,-5,2026-10-25\n"
    "100202,2026-13,100,2026-10-25\n"
    "100203,2026-09,12.345,2026-10-25\n"
    "100204,2026-09,100,25.10.2026\n"
    ",2026-09,100,2026-10-25\n"
    "100200,2026-09,4512.30,2026-10-25\n"
    "100205,2026-09,abc,2026-10-25\n"
)


def test_a_provider_file_is_imported_with_bad_rows_rejected_and_idempotently(water: object) -> None:
    report = utility_bills_import(provider_code="almaty-su", text=CSV)
    assert report.imported == 1
    assert report.rejected == [
        (3, "the amount is not a positive sum in tenge"),
        (4, "the period is not YYYY-MM"),
        (5, "the amount is not a positive sum in tenge"),
        (6, "the due date is not YYYY-MM-DD"),
        (7, "no account number"),
        (8, "the same account and period twice in the file"),
        (9, "the amount is not a positive sum in tenge"),
    ]
    bill = UtilityBill.objects.get()
    assert (bill.amount_tiyn, bill.period, bill.invoice) == (451230, "2026-09", None)

    again = utility_bills_import(provider_code="almaty-su", text=CSV)
    assert (again.imported, again.unchanged) == (0, 1)
    changed = utility_bills_import(
        provider_code="almaty-su",
        text="account,period,amount,due_date\n100200,2026-09,1,2026-10-25\n",
    )
    assert changed.rejected == [(2, "already billed for this period with another amount")]
    assert UtilityBill.objects.count() == 1


def test_the_import_command_reports_rejected_rows(water: object, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bills.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("utility_bills_import", "almaty-su", str(path))
    out = capsys.readouterr().out
    assert "line 3: rejected: the amount is not a positive sum in tenge" in out
    assert "Imported 1, unchanged 0, rejected 7." in out


def test_a_file_with_wrong_columns_is_refused(water: object) -> None:
    from qyzmet.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        utility_bills_import(provider_code="almaty-su", text="acc;per;sum\n1;2;3\n")
    assert refused.value.code == "import_columns"


def test_utility_accounts_link_list_bills_and_unlink(
    api_client: CommittingClient, auth: dict[str, str], bills: list[Invoice]
) -> None:
    mine = api_client.get("/api/v1/payments/utility/accounts", **auth).json()
    assert [(a["provider"], a["number"]) for a in mine] == [("almaty-su", "100200")]
    account_id = mine[0]["id"]
    listed = api_client.get(f"/api/v1/payments/utility/accounts/{account_id}/bills", **auth).json()
    assert [(b["period"], b["amount_tiyn"]) for b in listed] == [
        ("2026-10", 398700),
        ("2026-09", 451230),
    ]
    assert listed[0]["invoice"]["description"] == "Almaty Su, account 100200, 2026-10"
    unknown = api_client.post_json(
        "/api/v1/payments/utility/accounts", {"provider": "almaty-su", "number": "999"}, **auth
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "utility_account_not_found")

    removed = api_client.delete(f"/api/v1/payments/utility/accounts/{account_id}", **auth)
    assert removed.status_code == 204
    assert api_client.get("/api/v1/payments/utility/accounts", **auth).json() == []
    assert set(Invoice.objects.values_list("status", flat=True)) == {"cancelled"}
    relinked = api_client.post_json(
        "/api/v1/payments/utility/accounts", {"provider": "almaty-su", "number": "100200"}, **auth
    )
    assert relinked.status_code == 201
    assert Invoice.objects.filter(status="unpaid").count() == 2


def test_someone_elses_utility_account_cannot_be_taken(
    api_client: CommittingClient, bills: list[Invoice]
) -> None:
    from conftest import bearer, sign_in
    from qyzmet.identity.tests.factories import citizen_create

    other = citizen_create(phone="+77017654321")
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        token = bearer(sign_in(api_client, other.person.iin, phone="+77017654321")["access_token"])
    taken = api_client.post_json(
        "/api/v1/payments/utility/accounts", {"provider": "almaty-su", "number": "100200"}, **token
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "utility_account_taken")
    mine = UtilityBill.objects.first()
    assert mine is not None
    bills_of = api_client.get(f"/api/v1/payments/utility/accounts/{mine.account_id}/bills", **token)
    assert bills_of.status_code == 404


def test_invoices_are_one_per_purpose(account: Account) -> None:
    first = duty(account, ref="application:1")
    assert duty(account, ref="application:1").pk == first.pk
    assert invoice_for_ref("application:1") == first
    assert invoice_for_ref("application:none") is None
    fine = fine_issue(
        iin=account.person.iin, number="KZ-77", mci_multiple="10",
        description={"en": "Speeding"}, due_date=date(2026, 12, 31),
    )  # fmt: skip
    assert (fine.kind, fine.purpose_ref, fine.mci_multiple) == ("fine", "fine:KZ-77", Decimal(10))
    with pytest.raises(TypeError):
        invoice_create(payer=account.person, kind="fine", purpose_ref="f", description={},
                       mci_multiple=0.5)  # type: ignore[arg-type]  # fmt: skip


def test_the_example_provider_file_imports(water: object) -> None:
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "data/payments/almaty-su-2026-10.csv").read_text()
    report = utility_bills_import(provider_code="almaty-su", text=text)
    assert (report.imported, len(report.rejected)) == (3, 2)


def test_a_late_notification_after_expiry_still_credits(
    api_client: CommittingClient, auth: dict[str, str], account: Account
) -> None:
    payment = pay(api_client, auth, [duty(account)])
    card(api_client, payment, sandbox.CARD_DELAY)
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        payments_sweep()
        assert Payment.objects.get().state == "expired"
        run_tasks()  # the bank finally accepts and notifies
    assert Payment.objects.get().state == "succeeded"
    assert Invoice.objects.get().status == "paid"
    assert list(Payment.objects.get().events.values_list("from_state", "to_state", "source")) == [
        ("created", "pending", "create"),
        ("pending", "expired", "refresh"),
        ("expired", "succeeded", "webhook:sandbox"),
    ]
