"""The demo payments: fines and utility bills for the demo people, loaded once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qyzmet.demo.payments import DEMO_IINS, payments_demo_load
from qyzmet.identity.tests.factories import person_create
from qyzmet.payments.models import Invoice, UtilityBill

pytestmark = pytest.mark.django_db


def test_demo_data_loads_once_and_again_changes_nothing() -> None:
    for iin in DEMO_IINS:
        person_create(iin=iin)
    payments_demo_load()
    counts = (Invoice.objects.count(), UtilityBill.objects.count())
    assert counts == (3 * 3 * 2 + 2, 3 * 3 * 2)
    payments_demo_load()
    assert (Invoice.objects.count(), UtilityBill.objects.count()) == counts
    assert Invoice.objects.filter(kind="fine", mci_multiple=Decimal(5)).count() == 1
