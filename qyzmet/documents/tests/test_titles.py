"""A document's title in the three languages: given at issue from the service definition, and
filled for documents issued before (the migration) from the definition when the stored title is
one of its names, else kept as it was."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from qyzmet.documents.actions import document_issue
from qyzmet.documents.models import Document
from qyzmet.documents.tests.fixtures import SERVICE
from qyzmet.identity.tests.factories import person_create
from qyzmet.signatures.models import IssuedCertificate

pytestmark = pytest.mark.django_db

TITLES = {
    "kk": "Мекенжай анықтамасы",
    "ru": "Адресная справка",
    "en": "Certificate of registered address",
}
migration = importlib.import_module("qyzmet.documents.migrations.0002_document_titles")


def test_a_document_carries_its_title_in_the_three_languages(
    agency_certificate: IssuedCertificate,
) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE, language="ru")

    assert document.title == "Адресная справка"  # as its PDF has it
    assert Document.objects.get().titles == TITLES
    assert [document.title_in(language) for language in ("kk", "ru-RU", "en", "de")] == [
        TITLES["kk"], TITLES["ru"], TITLES["en"], "Адресная справка"
    ]  # fmt: skip
    with translation.override("en"):
        assert document.display_title == TITLES["en"]


@pytest.mark.parametrize(
    ("service", "language", "title", "titles"),
    [
        (SERVICE, "kk", "Мекенжай анықтамасы", TITLES),
        (SERVICE, "ru", "An old title", {"ru": "An old title"}),  # not the service's: kept
        ("gone-service", "en", "Some paper", {"en": "Some paper"}),
    ],
)
def test_the_migration_fills_the_titles_of_documents_issued_before(
    agency_certificate: IssuedCertificate,
    service: str,
    language: str,
    title: str,
    titles: dict[str, str],
) -> None:
    document = document_issue(holder=person_create(), service_code=SERVICE)
    Document.objects.filter(pk=document.pk).update(
        service_code=service, language=language, title=title, titles={}
    )

    migration.titles_fill(apps, None)

    stored = Document.objects.get()
    assert stored.titles == titles
    assert stored.title_in("ru") == titles.get("ru", title)
