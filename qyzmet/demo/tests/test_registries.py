"""The registries' volume generator (`registries_generate`) and demo data
(`registries_demo_load`)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.demo.loading import demo_population_load
from qyzmet.demo.registries import registries_demo_load
from qyzmet.identity.selectors import person_get_by_iin
from qyzmet.registries import actions, selectors
from qyzmet.registries import validation as rules
from qyzmet.registries.models import (
    DrivingLicence,
    MedicalCertificate,
    Plate,
    Vehicle,
    VehicleRegistration,
)

pytestmark = pytest.mark.django_db


def _run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_the_generator_writes_people_vehicles_with_history_and_licences() -> None:
    out = _run("registries_generate", "--people", "300", "--vehicles", "120", "--licences", "80")

    assert out.startswith("people 300, vehicles 120, registrations ")
    assert Vehicle.objects.count() == 120
    assert VehicleRegistration.objects.filter(ended_on=None).count() == 120
    assert VehicleRegistration.objects.filter(reason="owner_change").count() == (
        VehicleRegistration.objects.exclude(ended_on=None).count()
    )
    assert Plate.objects.filter(status="assigned").count() == 120
    assert DrivingLicence.objects.filter(status="valid").count() == 80
    assert MedicalCertificate.objects.count() == 80
    licence = DrivingLicence.objects.first()
    assert licence is not None
    assert selectors.exams_passed(person=licence.holder, category="B")
    # generated VINs are well formed, check digit included (a warning only when it is not)
    assert all(rules.vin_check(v.vin).check_digit_ok for v in Vehicle.objects.all()[:20])

    again = _run("registries_generate", "--vehicles", "10", "--licences", "5")

    assert again.startswith("people 0, vehicles 10, registrations ")
    assert Vehicle.objects.count() == 130
    assert DrivingLicence.objects.filter(status="valid").count() == 85
    _run("registries_generate", "--vehicles", "10")
    _run("registries_generate", "--vehicles", "10")  # the same run again adds new VINs
    assert Vehicle.objects.count() == 150


def test_the_demo_data_shows_each_case_and_loads_once() -> None:
    demo_population_load()

    registries_demo_load()
    counts = (Vehicle.objects.count(), DrivingLicence.objects.count(), Plate.objects.count())
    out = _run("registries_demo_load")

    assert out == "registries demo data loaded\n"
    assert (
        Vehicle.objects.count(),
        DrivingLicence.objects.count(),
        Plate.objects.count(),
    ) == counts
    assert Plate.objects.filter(status="free").values("region").distinct().count() == 20
    today = local_today()
    first = person_get_by_iin(iin="881020301884")
    second = person_get_by_iin(iin="940717401513")
    third = person_get_by_iin(iin="900620300237")
    assert first is not None and second is not None and third is not None
    assert len(selectors.vehicles_of(person=first)) == 2
    assert selectors.vehicles_of(person=second) == []
    bought = selectors.vehicles_of(person=first)[1].vehicle
    assert [r.owner_id for r in selectors.vehicle_history(vehicle=bought)] == [second.pk, first.pk]
    assert selectors.licence_of(person=first, on=today) is not None
    expired = selectors.licence_latest(person=second)
    assert expired is not None and expired.status == "expired"
    assert actions.licence_replace(licence=expired, reason="expiry").status == "valid"
    with pytest.raises(ValidationFailed) as exam:
        actions.licence_issue(holder=third, categories=["B"])
    assert exam.value.code == "exam_not_passed"
    with pytest.raises(Conflict) as arrested:
        actions.vehicle_owner_change(
            vehicle=selectors.vehicles_of(person=third)[0].vehicle, buyer=first
        )
    assert arrested.value.code == "vehicle_arrested"
