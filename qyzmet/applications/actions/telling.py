"""Telling the applicant and the second party.

The outbox rows are written in the caller's transaction; the worker sends them after commit.
"""

from __future__ import annotations

from qyzmet.applications.models import Application
from qyzmet.applications.subject import application_subject, subject_line
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.identity.models import Account
from qyzmet.identity.selectors import (
    notification_recipient,
    phone_binding_active,
    phone_recipient,
)
from qyzmet.notifications.actions import notify

LANGUAGES = ("kk", "ru", "en")


def counterparty_confirmation_ask(application: Application, definition: ServiceDefinition) -> None:
    """Ask the second party (the buyer) to confirm: to their account, else to their phone."""
    person = application.counterparty
    assert person is not None  # noqa: S101 - the caller checks
    account = Account.objects.filter(person=person, is_active=True).first()
    if account is not None:
        recipient = notification_recipient(account=account, person=person)
    else:
        binding = phone_binding_active(person=person)
        if binding is None:
            return  # reachable only through the portal, where the application waits for them
        recipient = phone_recipient(phone=binding.phone, language="kk")
    state = definition.workflow.states[application.state].label
    notify(
        recipient=recipient,
        event="application.confirmation_asked",
        context={
            "number": application.number,
            "what": {language: _what(application, definition, language) for language in LANGUAGES},
            "state": {language: state.get(language) for language in LANGUAGES},
            "application_id": str(application.pk),
        },
        dedupe_key=f"application:{application.pk}:{application.lock_version}:counterparty",
    )


def _what(application: Application, definition: ServiceDefinition, language: str) -> str:
    """What the second party is asked to confirm: the car and its price for a sale (so that the
    message alone tells them what they buy), else the service's name."""
    subject = application_subject(application=application, definition=definition, language=language)
    line = subject_line(subject, language) if subject is not None else ""
    return line or definition.name.get(language)


def applicant_state_tell(
    application: Application, definition: ServiceDefinition, state: str
) -> None:
    """Tell the applicant the application is now in `state`."""
    label = definition.workflow.states[state].label
    notify(
        recipient=notification_recipient(account=application.applicant, person=application.person),
        event="application.status_changed",
        context={
            "number": application.number,
            "state": {language: label.get(language) for language in LANGUAGES},
            "application_id": str(application.pk),
        },
        dedupe_key=f"application:{application.pk}:{application.lock_version}:{state}",
    )
