"""Demo applications, made through the same actions the pages and the API call, so that the
first `make run` shows every state: a decided application with its signed document, one
waiting for its state duty, one in an agency's queue, and a car sale waiting for its buyer."""

from __future__ import annotations

import base64
import logging

from qyzmet.applications.actions import (
    application_claim,
    application_draft_save,
    application_start,
    application_submit,
    application_transition,
    signing_content,
)
from qyzmet.applications.models import Application
from qyzmet.applications.words import Role
from qyzmet.identity.models import Account
from qyzmet.registries.selectors import vehicles_of
from qyzmet.signatures.actions import citizen_certificate_issue, demo_p12_password
from qyzmet.signatures.client import cms_sign

logger = logging.getLogger(__name__)


def _submitted(account: Account, service: str, answers: dict[str, object]) -> Application:
    """Fill in, sign with the citizen's demo certificate and submit, as the page does."""
    person = account.person
    assert person is not None  # noqa: S101 - demo citizens have a person
    draft = application_start(account=account, service_code=service)
    application_draft_save(account=account, application_id=str(draft.pk), answers=answers)
    draft.refresh_from_db()
    _certificate, p12 = citizen_certificate_issue(
        iin=person.iin, surname=person.surname, given_name=person.given_name
    )
    signature = cms_sign(
        content=signing_content(draft), p12=p12, password=demo_p12_password(person.iin)
    )
    return application_submit(
        account=account,
        application_id=str(draft.pk),
        idempotency_key=f"demo-{draft.pk}",
        client="127.0.0.1",
        signature_b64=base64.b64encode(signature).decode(),
    )


def demo_applications_load(*, citizens: list[Account], officer: Account) -> None:
    """Idempotent: citizens who already have applications are left alone."""
    first, second = citizens[0], citizens[1]
    if not Application.objects.filter(applicant=first).exists():
        decided = _submitted(first, "criminal-record-certificate", {"purpose": "employment"})
        application_claim(actor=officer, application_id=str(decided.pk))
        application_transition(
            actor=officer, application_id=str(decided.pk), name="issue", role=Role.OFFICER
        )  # the worker then issues its signed PDF
        _submitted(
            first,
            "id-card-replacement",
            {"reason": "expiry", "collection_centre": "Астана, Мәңгілік Ел 55"},
        )  # waits for its duty on /payments/
    if not Application.objects.filter(applicant=second).exists():
        _submitted(second, "criminal-record-certificate", {"purpose": "travel"})
    _car_sale(seller=first, buyer=second)


def _car_sale(*, seller: Account, buyer: Account) -> None:
    """The first citizen sells their Chevrolet to the second, who signs in to confirm, pay the
    fee (sandbox test card) and see it move into their wallet."""
    if seller.person is None or buyer.person is None:
        return
    if Application.objects.filter(applicant=seller, counterparty=buyer.person).exists():
        return
    cars = [r for r in vehicles_of(person=seller.person) if r.vehicle.make == "Chevrolet"]
    if not cars:
        return
    _submitted(
        seller,
        "vehicle-re-registration",
        {"plate": cars[0].plate.number, "buyer_iin": buyer.person.iin, "price": 5_200_000},
    )
