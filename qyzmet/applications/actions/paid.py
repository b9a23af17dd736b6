"""A credited duty: the application continues.

The paid hook sits above both the duty (which marks the credit) and the steps (which the credit
lets run), so neither imports the other. `ApplicationsConfig.ready()` registers it with
payments; it is safe to run twice (a second run finds the duty paid and changes nothing).
"""

from __future__ import annotations

from qyzmet.applications.actions.definitions import definition_of
from qyzmet.applications.actions.duty import duty_credit
from qyzmet.applications.actions.step import steps_automatic_run
from qyzmet.payments.models import Invoice


def duty_paid(invoice: Invoice) -> None:
    """Payments' hook for a paid `application:` invoice: mark the duty paid, start the legal
    term and take the automatic steps that waited for it, in one transaction."""
    application = duty_credit(invoice=invoice)
    if application is None:
        return  # paid again, or after the application ended: the credit stands, nothing moves
    steps_automatic_run(application, definition_of(application))
