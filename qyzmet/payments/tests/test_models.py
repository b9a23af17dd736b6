from __future__ import annotations

import uuid

from qyzmet.core.models import Record, UuidRecord
from qyzmet.payments.models import Invoice, Payment, PaymentItem, Refund


def test_a_record_reads_as_its_model_and_number() -> None:
    assert str(Refund(pk=12)) == "Refund #12"
    assert str(PaymentItem(pk=3)) == "PaymentItem #3"


def test_a_uuid_record_reads_as_its_model_and_key_unless_it_says_otherwise() -> None:
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")

    assert str(Payment(id=key)) == f"Payment {key}"
    assert str(Invoice(id=key, purpose_ref="duty:1")) == "Invoice duty:1"
    assert isinstance(Payment().id, uuid.UUID)


def test_the_record_bases_add_no_table() -> None:
    assert Record._meta.abstract
    assert UuidRecord._meta.abstract
