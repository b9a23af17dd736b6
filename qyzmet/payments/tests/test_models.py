from __future__ import annotations

from qyzmet.core.models import Record
from qyzmet.payments.models import PaymentItem, Refund


def test_a_record_reads_as_its_model_and_number() -> None:
    assert str(Refund(pk=12)) == "Refund #12"
    assert str(PaymentItem(pk=3)) == "PaymentItem #3"


def test_the_record_base_adds_no_table() -> None:
    assert Record._meta.abstract
