"""A credited duty: the application continues; and a duty that must not be paid now.

The paid hook sits above both the duty (which marks the credit) and the steps (which the credit
lets run), so neither imports the other. `ApplicationsConfig.ready()` registers it with
payments; it is safe to run twice (a second run finds the duty paid and changes nothing).
"""

from __future__ import annotations

from qyzmet.applications.access import with_snapshot
from qyzmet.applications.actions.definitions import answers_of, definition_of
from qyzmet.applications.actions.duty import DUTY_PREFIX, duty_credit
from qyzmet.applications.actions.step import steps_automatic_run
from qyzmet.applications.models import Application
from qyzmet.applications.refusals import refusals_foreseen
from qyzmet.core.ids import uuid_or_none
from qyzmet.payments.models import Invoice


def duty_paid(invoice: Invoice) -> None:
    """Payments' hook for a paid `application:` invoice: mark the duty paid, start the legal
    term and take the automatic steps that waited for it, in one transaction."""
    application = duty_credit(invoice=invoice)
    if application is None:
        return  # paid again, or after the application ended: the credit stands, nothing moves
    steps_automatic_run(application, definition_of(application))


def duty_payable(invoice: Invoice) -> str:
    """Payments' check before a duty is paid: why it may not be paid now ("" when it may), that
    is what its application would be refused for (a car arrested, an exam withdrawn since
    signing…). Reads only."""
    key = uuid_or_none(invoice.purpose_ref.removeprefix(DUTY_PREFIX))
    application = with_snapshot(Application.objects.filter(pk=key)).first() if key else None
    if application is None or application.payment != Application.Payment.AWAITING:
        return ""
    refusals = refusals_foreseen(
        definition=definition_of(application),
        person=application.person,
        answers=answers_of(application),
        counterparty=application.counterparty,
    )
    return " ".join(r.message for r in refusals)
