"""The signed result document of an approved application."""

from __future__ import annotations

from typing import Any

from qyzmet.applications.actions.definitions import answers_of, definition_of
from qyzmet.applications.actions.history import event_record
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.words import Role
from qyzmet.core.ids import uuid_or_none
from qyzmet.documents.actions import document_issue
from qyzmet.documents.models import Document
from qyzmet.identity.models import Account, Person


def _registry_written(application: Application) -> dict[str, Any]:
    """What the approval's registry change wrote (its history row keeps it), {} if none."""
    for changes in (
        ApplicationEvent.objects.filter(application=application)
        .order_by("-created_at", "-id")
        .values_list("changes", flat=True)
    ):
        written = (changes or {}).get("registry")
        if isinstance(written, dict) and written:
            return written
    return {}


def _language_of_holder(application: Application, holder: Person) -> str | None:
    """The document speaks its holder's language: their own account's (the buyer's certificate
    is the buyer's, not in the seller's language), else the applicant's when the applicant
    asked for themselves or someone without an account; kk when neither says."""
    own = Account.objects.filter(person=holder, is_active=True).values_list("language", flat=True)
    language = next(iter(own), "")
    if not language and holder.pk == application.person_id:
        language = application.applicant.language
    return language or None


def application_result_issue(*, application_id: str) -> None:
    """Issue the signed result document of an approved application (run by a task; a retried
    task issues nothing more)."""
    key = uuid_or_none(application_id)
    application = (
        Application.objects.select_related("person", "applicant", "counterparty")
        .filter(pk=key)
        .first()
        if key
        else None
    )
    if application is None or application.outcome != "approved":
        return
    if Document.objects.filter(application_id=str(application.pk)).exists():
        return
    definition = definition_of(application)
    holder = application.person
    if (
        definition.result.document is not None
        and definition.result.document.holder == "counterparty"
        and application.counterparty is not None
    ):
        holder = application.counterparty  # the buyer's certificate
    document = document_issue(
        holder=holder,
        service_code=definition.code,
        application_id=str(application.pk),
        answers=answers_of(application),
        language=_language_of_holder(application, holder),
        definition=definition,  # the version it was submitted under
        registry=_registry_written(application),  # the certificate or licence it made
    )
    event_record(
        application=application,
        transition="document",
        role=Role.SYSTEM,
        changes={"document": document.number},
    )
