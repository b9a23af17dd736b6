"""`manage.py demo_load` fills every part of the demo, through the real actions, once."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command

from qyzmet.applications.actions import (
    application_claim,
    application_draft_save,
    application_start,
    application_submit,
    application_transition,
    signing_content,
)
from qyzmet.applications.models import Application, OfficerMembership
from qyzmet.applications.words import Role
from qyzmet.documents.models import Document
from qyzmet.feedback.models import Rating
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.payments.models import Invoice, Payment
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
from qyzmet.signatures.client import cms_sign

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


def _decided_by_a_real_citizen() -> Application:
    """A citizen who is not one of the demo's signs, submits and is decided, through the same
    actions the pages call."""
    citizen = citizen_create(phone="+77019998877", birth_date=date(1979, 3, 4), sex="F")
    officer = citizen_create(phone="+77019998866", birth_date=date(1975, 6, 7), sex="M")
    person = citizen.person
    assert person is not None
    draft = application_start(account=citizen, service_code="criminal-record-certificate")
    application_draft_save(
        account=citizen, application_id=str(draft.pk), answers={"purpose": "employment"}
    )
    draft.refresh_from_db()
    _certificate, p12 = citizen_certificate_issue(
        iin=person.iin, surname=person.surname, given_name=person.given_name
    )
    signature = cms_sign(
        content=signing_content(draft), p12=p12, password=demo_p12_password(person.iin)
    )
    submitted = application_submit(
        account=citizen,
        application_id=str(draft.pk),
        idempotency_key="real-1",
        client="127.0.0.1",
        signature_b64=base64.b64encode(signature).decode(),
    )
    OfficerMembership.objects.create(account=officer, agency=submitted.agency)
    application_claim(actor=officer, application_id=str(submitted.pk))
    application_transition(
        actor=officer, application_id=str(submitted.pk), name="issue", role=Role.OFFICER
    )
    return Application.objects.get(pk=submitted.pk)


def _database() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_a_restart_leaves_real_activity_alone() -> None:
    """`make run` loads the demo on every start: a real citizen's decided application, made
    between two starts, gets no rating, no payment and no application from the demo."""
    call_command("demo_load")  # the first start
    real = _decided_by_a_real_citizen()
    assert real.outcome == "approved"
    before = _database()

    for _restart in range(2):
        call_command("demo_load")

        assert _database() == before
        assert not Rating.objects.filter(application=real).exists()
        assert list(Application.objects.filter(applicant=real.applicant)) == [real]
        assert not Invoice.objects.filter(payer=real.person).exists()
        assert not Payment.objects.filter(payer=real.person).exists()
