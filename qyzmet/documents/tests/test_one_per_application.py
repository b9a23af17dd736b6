"""An application's result is one document: a second, by a retried or re-run task or by the
sweep, is impossible."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from qyzmet.core.errors import Conflict
from qyzmet.documents.actions import document_issue
from qyzmet.documents.errors import ErrorCode
from qyzmet.documents.models import Document
from qyzmet.documents.tests.fixtures import SERVICE
from qyzmet.identity.tests.factories import person_create

pytestmark = pytest.mark.django_db


def test_a_second_document_of_an_application_is_refused() -> None:
    holder = person_create()
    first = document_issue(holder=holder, service_code=SERVICE, application_id="app-1")

    with pytest.raises(Conflict) as refused:
        document_issue(holder=holder, service_code=SERVICE, application_id="app-1")

    assert refused.value.code == ErrorCode.DOCUMENT_ALREADY_ISSUED
    assert list(Document.objects.values_list("number", flat=True)) == [first.number]


def test_the_database_refuses_a_second_document_of_an_application() -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE, application_id="a-2")

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            number="9" * 16,
            holder=document.holder,
            service_code=SERVICE,
            agency_code=document.agency_code,
            application_id="a-2",
            language="kk",
            title="t",
            sha256="0" * 64,
            signer_serial="00",
        )


def test_documents_without_an_application_are_not_limited() -> None:
    holder = person_create()
    document_issue(holder=holder, service_code=SERVICE)
    document_issue(holder=holder, service_code=SERVICE)

    assert Document.objects.filter(application_id="").count() == 2


def test_a_replacement_for_the_same_application_supersedes_the_first() -> None:
    holder = person_create()
    first = document_issue(holder=holder, service_code=SERVICE, application_id="a-3")

    second = document_issue(
        holder=holder, service_code=SERVICE, application_id="a-3", supersedes=first
    )

    first.refresh_from_db()
    assert (first.status, first.superseded_by_id) == (Document.Status.SUPERSEDED, second.pk)
    assert second.status == Document.Status.VALID
