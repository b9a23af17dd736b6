"""The public document checks are limited before any lookup: checks by number and IIN that find
nothing, per client address (the client behind a trusted proxy, never the proxy) and for everyone
together, and file checks per client; refused with 429 and Retry-After. The IIN travels in the
POST body, never in the address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import CommittingClient
from qyzmet.documents.actions import document_issue
from qyzmet.documents.models import Document, VerificationCheck
from qyzmet.documents.tests.fixtures import SERVICE, demo_pki
from qyzmet.identity.tests.factories import person_create
from qyzmet.signatures.models import IssuedCertificate

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/documents/verify"
VERIFY_PDF = "/api/v1/documents/verify-pdf"
WRONG = {"number": "1234567890123456", "iin": "900101300017"}
PROXY = "10.0.0.2"


@pytest.fixture(scope="module")
def agency_certificate(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[IssuedCertificate]:
    with demo_pki(django_db_blocker) as certificate:
        yield certificate


@pytest.fixture(autouse=True)
def _small_budgets(settings: Any) -> None:
    settings.QYZMET_DOCUMENT_VERIFY_FAILURES_PER_HOUR = 3
    settings.QYZMET_DOCUMENT_VERIFY_FAILURES_ALL_PER_HOUR = 100
    settings.QYZMET_DOCUMENT_VERIFY_FILES_PER_HOUR = 2
    settings.QYZMET_TRUSTED_PROXIES = ["10.0.0.0/24"]


def issued() -> Document:
    return document_issue(holder=person_create(), service_code=SERVICE, language="en")


def check(api: CommittingClient, body: dict[str, str], **meta: str) -> Any:
    return api.post_json(VERIFY, body, **meta)


def test_the_iin_goes_in_the_body_and_never_in_the_address(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    document = issued()
    body = {"number": document.number, "iin": document.holder.iin}

    assert check(api_client, body).json()["status"] == "valid"
    by_address = api_client.get(VERIFY, body)
    assert by_address.status_code == 405
    assert by_address.json()["code"] == "method_not_allowed"


def test_guesses_are_limited_per_client_before_any_lookup(
    api_client: CommittingClient, agency_certificate: IssuedCertificate
) -> None:
    document = issued()
    right = {"number": document.number, "iin": document.holder.iin}
    guesser = {"REMOTE_ADDR": "198.51.100.7", "HTTP_ACCEPT_LANGUAGE": "en"}

    answers = [check(api_client, WRONG, **guesser).status_code for _ in range(4)]
    refused = check(api_client, right, **guesser)  # even a right guess, once the budget is spent

    assert answers == [404, 404, 404, 429]
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(refused.json()["details"]["retry_after"])
    assert refused.json()["code"] == "verify_rate_limited"
    assert refused.json()["message"].startswith("Too many checks from your address.")
    assert VerificationCheck.objects.count() == 3  # refusals look nothing up
    # another client is not held back, and a check that finds the document never counts
    other = {"REMOTE_ADDR": "198.51.100.8"}
    assert [check(api_client, right, **other).status_code for _ in range(5)] == [200] * 5


def test_guesses_spread_over_many_addresses_meet_the_budget_of_everyone(
    api_client: CommittingClient, settings: Any
) -> None:
    settings.QYZMET_DOCUMENT_VERIFY_FAILURES_ALL_PER_HOUR = 5
    answers = [
        check(api_client, WRONG, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(6)
    ]
    assert answers == [404] * 5 + [429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(
    api_client: CommittingClient,
) -> None:
    alice = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    bob = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.8"}

    assert [check(api_client, WRONG, **alice).status_code for _ in range(4)] == [404] * 3 + [429]
    assert check(api_client, WRONG, **bob).status_code == 404  # not the proxy's budget


def test_an_untrusted_peer_cannot_pick_its_address_by_the_header(
    api_client: CommittingClient,
) -> None:
    answers = [
        check(
            api_client, WRONG, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(4)
    ]
    assert answers == [404] * 3 + [429]


def test_file_checks_are_limited_per_client(api_client: CommittingClient) -> None:
    def upload() -> Any:
        pdf = SimpleUploadedFile("d.pdf", b"not a pdf", content_type="application/pdf")
        return api_client.post(VERIFY_PDF, {"file": pdf}, REMOTE_ADDR="198.51.100.7")

    answers = [upload() for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].json()["code"] == "not_pdf"
    assert answers[2].json()["code"] == "verify_rate_limited"
    assert int(answers[2]["Retry-After"]) > 0
