"""Demo payments data: three utility providers, accounts and two months of bills for the demo
citizens, and a couple of traffic fines. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from qyzmet.core.calendar import local_today
from qyzmet.identity.selectors import person_get_by_iin
from qyzmet.payments.actions import fine_issue
from qyzmet.payments.models import UtilityAccount, UtilityBill
from qyzmet.payments.utility import utility_bill_invoice, utility_provider_ensure

PROVIDERS = [
    ("almaty-su", {"kk": "Алматы Су", "ru": "Алматы Су", "en": "Almaty Su"}, "water"),
    (
        "almatyenergosbyt",
        {"kk": "АлматыЭнергоСбыт", "ru": "АлматыЭнергоСбыт", "en": "AlmatyEnergoSbyt"},
        "electricity",
    ),
    (
        "qazaqgaz-aimaq",
        {"kk": "QazaqGaz Aimaq", "ru": "QazaqGaz Aimaq", "en": "QazaqGaz Aimaq"},
        "gas",
    ),
]
DEMO_IINS = ["881020301884", "940717401513", "900620300237"]
# (provider, account number prefix, amounts in tiyn for the two months)
BILLS = [
    ("almaty-su", "40001", (398740, 412310)),
    ("almatyenergosbyt", "7700", (1254000, 1189050)),
    ("qazaqgaz-aimaq", "G", (356020, 498700)),
]
FINES = [
    # (number, IIN, MCI multiple, description)
    ("ДП-2026-004512", "881020301884", "5", {
        "kk": "Жылдамдықты асыру (ӘҚБтК 592-бап 1-бөлік)",
        "ru": "Превышение скорости (ч. 1 ст. 592 КоАП)",
        "en": "Speeding (Administrative Code art. 592 part 1)",
    }),
    ("ДП-2026-007731", "940717401513", "10", {
        "kk": "Тұраққа қою ережесін бұзу (ӘҚБтК 597-бап)",
        "ru": "Нарушение правил остановки и стоянки (ст. 597 КоАП)",
        "en": "Parking violation (Administrative Code art. 597)",
    }),
]  # fmt: skip


def _periods(today: date) -> list[str]:
    previous = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    return [f"{previous:%Y-%m}", f"{today:%Y-%m}"]


def payments_demo_load() -> None:
    today = local_today()
    with transaction.atomic():
        providers = {
            code: utility_provider_ensure(code=code, name=name, service=service)
            for code, name, service in PROVIDERS
        }
        for index, iin in enumerate(DEMO_IINS):
            person = person_get_by_iin(iin=iin)
            if person is None:
                continue
            for code, prefix, amounts in BILLS:
                account, _ = UtilityAccount.objects.get_or_create(
                    provider=providers[code], number=f"{prefix}{iin[-6:]}"
                )
                if account.person_id is None:
                    account.person = person
                    account.save(update_fields=["person"])
                for period, amount in zip(_periods(today), amounts, strict=True):
                    due = date.fromisoformat(f"{period}-25")
                    bill, _ = UtilityBill.objects.get_or_create(
                        account=account,
                        period=period,
                        defaults={"amount_tiyn": amount + index * 1000, "due_date": due},
                    )
                    utility_bill_invoice(bill)
        for number, iin, multiple, description in FINES:
            if person_get_by_iin(iin=iin) is not None:
                fine_issue(iin=iin, number=number, mci_multiple=multiple, description=description,
                           due_date=date(today.year, 12, 31))  # fmt: skip
