"""The signed result document of an approved application."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from qyzmet.applications.actions.definitions import answers_of, definition_of
from qyzmet.applications.actions.history import event_record
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.words import Role
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.errors import Conflict
from qyzmet.core.ids import uuid_or_none
from qyzmet.core.retries import task_lease
from qyzmet.documents.actions import document_issue
from qyzmet.documents.errors import ErrorCode as DocumentsErrorCode
from qyzmet.documents.models import Document
from qyzmet.identity.models import Account, Person

logger = logging.getLogger(__name__)


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


def application_result_issue(*, application_id: str) -> bool:
    """Issue the signed result document of an approved application (run by a task, or by the
    sweep of approvals without theirs; a second run issues nothing more). True if it issued."""
    key = uuid_or_none(application_id)
    application = (
        Application.objects.select_related("person", "applicant", "counterparty")
        .filter(pk=key)
        .first()
        if key
        else None
    )
    if application is None or application.outcome != "approved":
        return False
    if Document.objects.filter(application_id=str(application.pk)).exists():
        return False
    definition = definition_of(application)
    if definition.result.document is None:
        return False
    holder = application.person
    if definition.result.document.holder == "counterparty" and application.counterparty:
        holder = application.counterparty  # the buyer's certificate
    try:
        document = _issue(application, definition, holder)
    except Conflict as exc:
        if exc.code == DocumentsErrorCode.DOCUMENT_ALREADY_ISSUED:
            return False  # another run (a retry, the sweep) issued it first
        raise
    event_record(
        application=application,
        transition="document",
        role=Role.SYSTEM,
        changes={"document": document.number},
    )
    return True


def _issue(application: Application, definition: ServiceDefinition, holder: Person) -> Document:
    return document_issue(
        holder=holder,
        service_code=definition.code,
        application_id=str(application.pk),
        answers=answers_of(application),
        language=_language_of_holder(application, holder),
        definition=definition,  # the version it was submitted under
        registry=_registry_written(application),  # the certificate or licence it made
    )


def application_results_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Issue the documents of approved applications that have none (their task was lost or
    gave up): approvals decided in the last `QYZMET_RESULT_DOCUMENTS_SWEEP_DAYS` days and
    older than the grace their own task has (twice the task lease). The unique constraint on
    a document's application makes a run that races the task harmless."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.QYZMET_RESULT_DOCUMENTS_SWEEP_DAYS)
    grace = now - 2 * task_lease()
    approved = (
        Application.objects.filter(outcome="approved", decided_at__gte=since, decided_at__lt=grace)
        .order_by("decided_at", "id")
        .values_list("pk", flat=True)
    )
    report = {"checked": 0, "issued": 0, "failed": 0}
    ids = [str(pk) for pk in approved]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        have = set(
            Document.objects.filter(application_id__in=chunk).values_list(
                "application_id", flat=True
            )
        )
        report["checked"] += len(chunk)
        for application_id in chunk:
            if application_id in have:
                continue
            try:
                issued = application_result_issue(application_id=application_id)
            except Exception:  # one application's failure must not stop the others
                logger.exception(
                    "result document not issued", extra={"application": application_id}
                )
                report["failed"] += 1
            else:
                report["issued"] += int(issued)
    if report["issued"] or report["failed"]:
        logger.warning("approvals found without their document", extra=report)
    return report
