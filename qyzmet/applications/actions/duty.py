"""The state duty of an application: its invoice, its credit, its refund."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.applications.actions.common import (
    _term_due,
    _update_checked,
    _with_snapshot,
    definition_of,
)
from qyzmet.applications.models import (
    Application,
    ApplicationEvent,
)
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.errors import Conflict
from qyzmet.core.ids import uuid_or_none
from qyzmet.payments.actions import invoice_cancel, invoice_create
from qyzmet.payments.hooks import on_paid
from qyzmet.payments.models import Invoice
from qyzmet.payments.selectors import invoice_for_ref

# --- The state duty ------------------------------------------------------------------------------
# A service with a fee and `payment` other than `none` waits, after submission, for its duty: an
# invoice is written in the submission's transaction; the payment's credit (payments app) calls
# `_duty_paid` in its own transaction, which starts the legal term and the automatic steps. A
# final outcome listed in the fee's `refund_on` returns a paid duty (by a task, since it talks to
# the gateway); any other end cancels an unpaid one.


def _duty_ref(application: Application) -> str:
    return f"application:{application.pk}"


def _duty_invoice(
    application: Application, definition: ServiceDefinition, answers: dict[str, Any]
) -> Invoice:
    languages = ("kk", "ru", "en")
    party = definition.counterparty
    payer = application.counterparty if party and party.pays else None
    return invoice_create(
        payer=payer or application.person,
        kind=Invoice.Kind.DUTY,
        purpose_ref=_duty_ref(application),
        description={
            lang: f"{definition.name.get(lang)} — {application.number}" for lang in languages
        },
        mci_multiple=definition.fee.mci_for(answers),
        refundable=bool(definition.fee.refund_on),
    )


@on_paid("application:")
def _duty_paid(invoice: Invoice) -> None:
    key = uuid_or_none(invoice.purpose_ref.removeprefix("application:"))
    application = _with_snapshot(Application.objects.filter(pk=key)).first() if key else None
    if application is None or application.payment != Application.Payment.AWAITING:
        return  # paid again, or after the application ended: the credit stands, nothing moves
    definition = definition_of(application)
    now = timezone.now()
    _update_checked(
        application,
        {
            "payment": Application.Payment.PAID,
            "fee_tiyn": invoice.paid_tiyn or application.fee_tiyn,
            "updated_at": now,
            # the legal term runs from the day the application is complete, duty included
            "due_date": _term_due(definition),
        },
        Conflict(_("The application changed while the payment was credited."), code="retry"),
    )
    ApplicationEvent.objects.create(
        application=application,
        transition="pay",
        from_state=application.state,
        to_state=application.state,
        actor_role="system",
        on_behalf_of_id=application.person_id,
        changes={"paid_tiyn": invoice.paid_tiyn, "invoice": str(invoice.pk)},
        created_at=now,
    )
    from qyzmet.applications.actions.workflow import _run_automatic_steps  # it calls back here

    _run_automatic_steps(application, definition)


def _duty_settle(application: Application, definition: ServiceDefinition, outcome: str) -> None:
    """On a final state: refund a paid duty where the definition says so; cancel an unpaid one."""
    if application.payment == Application.Payment.AWAITING:
        invoice = invoice_for_ref(_duty_ref(application))
        if invoice is not None and invoice.status == Invoice.Status.UNPAID:
            invoice_cancel(invoice_id=str(invoice.pk))
    elif application.payment == Application.Payment.PAID and outcome in definition.fee.refund_on:
        from qyzmet.applications.tasks import duty_refund_task

        duty_refund_task.enqueue(str(application.pk))  # in this transaction: never lost


def application_duty_refund(*, application_id: str) -> None:
    """Return the paid duty of an ended application through the gateway (run by a task)."""
    from qyzmet.payments.actions import invoice_refund

    key = uuid_or_none(application_id)
    application = Application.objects.filter(pk=key).first() if key else None
    if application is None or application.payment != Application.Payment.PAID:
        return  # refunded already: a retried task does nothing
    invoice = invoice_for_ref(_duty_ref(application))
    if invoice is None or invoice.status != Invoice.Status.PAID:
        return
    with transaction.atomic():
        refund = invoice_refund(invoice_id=str(invoice.pk), reason=application.outcome)
        Application.objects.filter(pk=application.pk).update(
            payment=Application.Payment.REFUNDED, updated_at=timezone.now(),
            lock_version=F("lock_version") + 1,
        )  # fmt: skip
        ApplicationEvent.objects.create(
            application=application,
            transition="refund",
            from_state=application.state,
            to_state=application.state,
            actor_role="system",
            on_behalf_of_id=application.person_id,
            changes={"refunded_tiyn": refund.amount_tiyn},
        )
