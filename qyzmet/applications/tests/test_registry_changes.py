"""Which registry changes the catalogue names, and what an approval does with one whose registry
is not connected yet."""

from __future__ import annotations

import pytest

from qyzmet.applications.registry_changes import registry_action_known, registry_change_apply
from qyzmet.catalogue.selectors import catalogue_get, service_get
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

CONNECTED = {
    "vehicle-first-registration",
    "vehicle-re-registration",
    "vehicle-deregistration",
    "vehicle-certificate-duplicate",
    "driving-licence-issue",
    "driving-licence-replacement",
}


def test_the_vehicle_and_licence_services_write_through_connected_actions() -> None:
    connected = {
        code
        for code, service in catalogue_get().services.items()
        if service.result.registry_change is not None
        and registry_action_known(
            service.result.registry_change.registry, service.result.registry_change.action
        )
    }

    assert connected == CONNECTED


def test_an_approval_with_a_registry_not_connected_stands_and_says_so() -> None:
    account = citizen_create()
    assert account.person is not None

    written = registry_change_apply(
        definition=service_get(code="address-registration"),
        person=account.person,
        counterparty=None,
        answers={"address_code": "A-1"},
    )

    assert written == {"not_connected": "person.register_residence"}
