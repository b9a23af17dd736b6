"""The state duty of an application: its invoice, its credit, its settlement and its refund.

A service with a fee and `payment` other than `none` waits, after submission, for its duty: an
invoice is written in the submission's transaction. The payment's credit marks the duty paid
(`duty_credit`) and starts the legal term; what happens next, the automatic steps, is the
paid hook's (`actions.paid`), which sits above both this module and the steps. A final outcome
listed in the fee's `refund_on` returns a paid duty (by a task, since it talks to the gateway);
any other end cancels an unpaid one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.applications.access import with_snapshot
from qyzmet.applications.actions.definitions import definition_of, term_due
from qyzmet.applications.actions.history import event_record
from qyzmet.applications.actions.locking import application_update_checked
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.followups import FollowUp, followup_enqueue
from qyzmet.applications.models import Application
from qyzmet.applications.words import Role
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.errors import Conflict
from qyzmet.core.ids import uuid_or_none
from qyzmet.payments.actions import invoice_cancel, invoice_create, invoice_refund
from qyzmet.payments.models import Invoice
from qyzmet.payments.selectors import invoice_for_ref

DUTY_PREFIX = "application:"


def duty_ref(application: Application) -> str:
    """The invoice's `purpose_ref` for the application's duty."""
    return f"{DUTY_PREFIX}{application.pk}"


def duty_invoice(
    application: Application, definition: ServiceDefinition, answers: dict[str, Any]
) -> Invoice:
    """The duty's invoice, to the applicant or to the second party when the duty is theirs."""
    languages = ("kk", "ru", "en")
    party = definition.counterparty
    payer = application.counterparty if party and party.pays else None
    return invoice_create(
        payer=payer or application.person,
        kind=Invoice.Kind.DUTY,
        purpose_ref=duty_ref(application),
        description={
            lang: f"{definition.name.get(lang)} — {application.number}" for lang in languages
        },
        mci_multiple=definition.fee.mci_for(answers),
        refundable=bool(definition.fee.refund_on),
    )


def duty_credit(*, invoice: Invoice) -> Application | None:
    """Mark the application of a paid duty invoice paid, start its legal term and write the
    history; answer the application, or None when nothing moved (paid again, or after the
    application ended: the credit stands), so a second run changes nothing."""
    key = uuid_or_none(invoice.purpose_ref.removeprefix(DUTY_PREFIX))
    application = with_snapshot(Application.objects.filter(pk=key)).first() if key else None
    if application is None or application.payment != Application.Payment.AWAITING:
        return None
    definition = definition_of(application)
    now = timezone.now()
    application_update_checked(
        application=application,
        values={
            "payment": Application.Payment.PAID,
            "fee_tiyn": invoice.paid_tiyn or application.fee_tiyn,
            "updated_at": now,
            # the legal term runs from the day the application is complete, duty included
            "due_date": term_due(definition),
        },
        conflict=Conflict(
            _("The application changed while the payment was credited."), code=ErrorCode.RETRY
        ),
    )
    event_record(
        application=application,
        transition="pay",
        role=Role.SYSTEM,
        changes={"paid_tiyn": invoice.paid_tiyn, "invoice": str(invoice.pk)},
        at=now,
    )
    return application


def duty_settle(application: Application, definition: ServiceDefinition, outcome: str) -> None:
    """On a final state: refund a paid duty where the definition says so; cancel an unpaid one."""
    if application.payment == Application.Payment.AWAITING:
        invoice = invoice_for_ref(duty_ref(application))
        if invoice is not None and invoice.status == Invoice.Status.UNPAID:
            invoice_cancel(invoice_id=str(invoice.pk))
    elif application.payment == Application.Payment.PAID and outcome in definition.fee.refund_on:
        # in this transaction: never lost
        followup_enqueue(FollowUp.DUTY_REFUND, application_id=str(application.pk))


def application_duty_refund(*, application_id: str) -> None:
    """Return the paid duty of an ended application through the gateway (run by a task)."""
    key = uuid_or_none(application_id)
    application = Application.objects.filter(pk=key).first() if key else None
    if application is None or application.payment != Application.Payment.PAID:
        return  # refunded already: a retried task does nothing
    invoice = invoice_for_ref(duty_ref(application))
    if invoice is None or invoice.status != Invoice.Status.PAID:
        return
    with transaction.atomic():
        refund = invoice_refund(invoice_id=str(invoice.pk), reason=application.outcome)
        Application.objects.filter(pk=application.pk).update(
            payment=Application.Payment.REFUNDED, updated_at=timezone.now(),
            lock_version=F("lock_version") + 1,
        )  # fmt: skip
        event_record(
            application=application,
            transition="refund",
            role=Role.SYSTEM,
            changes={"refunded_tiyn": refund.amount_tiyn},
        )
