"""The chosen invoice ids, read from a request: canonical, each once; none is a field error."""

from __future__ import annotations

import uuid

import pytest

from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.payments.choice import MAX_INVOICES, invoice_ids_parse

A = "6f1c2a8e-0b7d-4c3e-9f5a-1d2e3f4a5b6c"
B = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([A], [A]),
        ([A, B], [B, A]),
        ([A, A, A.upper()], [A]),
        ([f" {A} ", ""], [A]),
        ([A.replace("-", "")], [A]),
        ([f"urn:uuid:{B}"], [B]),
    ],
)
def test_chosen_ids_are_canonical_and_each_once(given: list[str], expected: list[str]) -> None:
    assert invoice_ids_parse(given) == expected


@pytest.mark.parametrize("given", [[], [""], ["  "]])
def test_nothing_chosen_is_a_field_error_never_all(given: list[str]) -> None:
    with pytest.raises(ValidationFailed) as raised:
        invoice_ids_parse(given)
    assert raised.value.code == "invoices"
    assert [f["field"] for f in raised.value.details["fields"]] == ["invoices"]


@pytest.mark.parametrize("given", [["not-an-id"], [A, "12"], ["1; drop table"]])
def test_an_id_that_is_not_one_is_not_found(given: list[str]) -> None:
    with pytest.raises(NotFound) as raised:
        invoice_ids_parse(given)
    assert raised.value.code == "invoice_not_found"


def test_at_most_fifty_invoices_in_one_payment() -> None:
    many = [str(uuid.UUID(int=n + 1)) for n in range(MAX_INVOICES + 1)]
    assert len(invoice_ids_parse(many[:MAX_INVOICES])) == MAX_INVOICES
    with pytest.raises(ValidationFailed):
        invoice_ids_parse(many)
