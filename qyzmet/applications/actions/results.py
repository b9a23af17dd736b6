"""The signed result document of an approved application."""

from __future__ import annotations

from qyzmet.applications.actions.common import (
    _answers,
    definition_of,
)
from qyzmet.applications.models import (
    Application,
    ApplicationEvent,
)
from qyzmet.core.ids import uuid_or_none


def application_result_issue(*, application_id: str) -> None:
    """Issue the signed result document of an approved application (run by a task; a retried
    task issues nothing more)."""
    from qyzmet.documents.actions import document_issue
    from qyzmet.documents.models import Document

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
        answers=_answers(application),
        language=application.applicant.language or None,
        definition=definition,  # the version it was submitted under
    )
    ApplicationEvent.objects.create(
        application=application,
        transition="document",
        from_state=application.state,
        to_state=application.state,
        actor_role="system",
        on_behalf_of_id=application.person_id,
        changes={"document": document.number},
    )
