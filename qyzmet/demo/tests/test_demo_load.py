"""`manage.py demo_load` fills every part of the demo, through the real actions, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from qyzmet.applications.models import Application
from qyzmet.documents.models import Document
from qyzmet.payments.models import Invoice

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_load_shows_every_state_and_a_second_run_changes_nothing() -> None:
    call_command("demo_load")
    call_command("worker", "--batch")  # the worker issues the approved application's PDF

    states = sorted(
        (a.service.code, a.outcome or a.state, a.payment) for a in Application.objects.all()
    )
    assert states == [
        ("criminal-record-certificate", "approved", "not_required"),
        ("criminal-record-certificate", "in_review", "not_required"),
        ("id-card-replacement", "submitted", "awaiting"),
        ("vehicle-re-registration", "buyer_confirmation", "not_required"),
    ]
    sale = Application.objects.get(service__code="vehicle-re-registration")
    assert sale.counterparty is not None and sale.counterparty_id != sale.person_id
    document = Document.objects.get()
    approved = Application.objects.get(outcome="approved")
    assert document.application_id == str(approved.pk)
    assert document.holder_id == approved.person_id
    duty = Invoice.objects.get(kind="duty")
    assert duty.status == "unpaid" and duty.mci_multiple is not None

    counts = (Application.objects.count(), Document.objects.count(), Invoice.objects.count())
    call_command("demo_load")
    call_command("worker", "--batch")
    assert (
        Application.objects.count(),
        Document.objects.count(),
        Invoice.objects.count(),
    ) == counts
