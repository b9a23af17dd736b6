"""The published catalogue in services/: every file loads, and every passport is complete."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from qyzmet.catalogue.loader import SERVICES_DIR, Catalogue, load_catalogue, load_definition
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.catalogue.selectors import catalogue_get, service_get
from qyzmet.catalogue.tests.conftest import EXAMPLE
from qyzmet.core.errors import NotFound

SERVICE_FILES = sorted(p for p in SERVICES_DIR.glob("*.yaml") if not p.name.startswith("_"))
DOCS = SERVICES_DIR.parent / "docs" / "services.md"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(SERVICES_DIR)


@pytest.mark.parametrize("path", SERVICE_FILES, ids=lambda path: path.stem)
def test_every_file_loads(path: Path) -> None:
    definition = load_definition(path)

    assert f"{definition.code}.yaml" == path.name


def test_the_catalogue_loads_with_its_references(catalogue: Catalogue) -> None:
    assert len(catalogue) == len(SERVICE_FILES) >= 12
    assert set(catalogue.services) >= {
        "address-registration",
        "criminal-record-certificate",
        "birth-registration",
        "id-card-replacement",
        "vehicle-first-registration",
        "vehicle-re-registration",
        "vehicle-deregistration",
        "vehicle-certificate-duplicate",
        "driving-licence-issue",
        "driving-licence-replacement",
    }


def test_birth_registration_is_proactive(catalogue: Catalogue) -> None:
    assert "proactive" in catalogue.service("birth-registration").channels


@pytest.mark.parametrize(
    ("code", "mci"),
    [
        ("id-card-replacement", Decimal("0.2")),
        ("passport-issue", Decimal(4)),
        ("criminal-record-certificate", Decimal(0)),
        ("birth-registration", Decimal(0)),
    ],
)
def test_fees(catalogue: Catalogue, code: str, mci: Decimal) -> None:
    assert catalogue.service(code).fee.mci == mci


@pytest.mark.parametrize(
    "code", ["criminal-record-certificate", "address-certificate", "driving-licence-replacement"]
)
def test_instant_services_decide_automatically(catalogue: Catalogue, code: str) -> None:
    service = catalogue.service(code)
    workflow = service.workflow

    automatic = [t for t in workflow.transitions_from(workflow.initial) if t.auto and t.checks]

    assert automatic
    assert workflow.states[automatic[0].to].outcome == "approved"


def _complete(service: ServiceDefinition) -> list[str]:
    """What a passport lacks: officer review, correction, refusal with grounds, withdrawal."""
    workflow = service.workflow
    lacks = []
    if not any(t.role == "officer" for t in workflow.transitions):
        lacks.append("officer review")
    if not any("fields" in t.requires and t.role == "citizen" for t in workflow.transitions):
        lacks.append("correction by the citizen")
    if not any(
        "grounds" in t.requires and workflow.states[t.to].outcome == "refused"
        for t in workflow.transitions
    ):
        lacks.append("refusal with grounds")
    if not any(
        t.role == "citizen" and workflow.states[t.to].outcome == "withdrawn"
        for t in workflow.transitions
    ):
        lacks.append("withdrawal")
    return lacks


@pytest.mark.parametrize("path", SERVICE_FILES, ids=lambda path: path.stem)
def test_every_passport_is_complete(catalogue: Catalogue, path: Path) -> None:
    service = catalogue.service(path.stem)

    assert _complete(service) == []
    assert service.refusal_grounds
    assert service.agency in catalogue.agencies


def test_paid_services_are_paid_before_submission(catalogue: Catalogue) -> None:
    for service in catalogue.services.values():
        assert (service.payment == "none") == service.fee.is_free, service.code


def test_the_catalogue_knows_the_file_of_each_service(catalogue: Catalogue) -> None:
    assert catalogue.files["birth-registration"] == str(SERVICES_DIR / "birth-registration.yaml")


def test_the_documented_example_is_the_published_file() -> None:
    # given: the one full example in docs/services.md
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    published = (SERVICES_DIR / EXAMPLE).read_text(encoding="utf-8")

    # then: it is the published file, word for word, so the docs cannot drift
    assert published in blocks


def test_selectors_read_the_published_catalogue() -> None:
    assert service_get(code="birth-registration").code == "birth-registration"
    assert len(catalogue_get()) == len(SERVICE_FILES)
    with pytest.raises(NotFound):
        service_get(code="no-such-service")
