"""Demo data of the registries: a plate pool in every region, and vehicles, licences, medical
certificates and exam results for the demo citizens, each showing a case the services meet:

- 881020301884: two cars (one bought from 940717401513), a valid licence B and C1;
- 940717401513: sold her car; her licence B expired, a medical certificate is on file (so it
  can be replaced online);
- 900620300237: a car under arrest (its sale is refused before signing, with the arrest's
  reason); medical on file, the B theory passed and the driving exam failed (a licence draft
  shows exam_not_passed and cannot be signed);
- the first demo person aged 17 today: medical and both B and A1 exams passed (a B draft shows
  under_age and cannot be signed or paid for; A1 can be issued).

Idempotent: nothing is written when the demo vehicles are already in the registry.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from qyzmet.core.calendar import local_today
from qyzmet.demo.generate_registries import plate_from_index
from qyzmet.demo.people import demo_population_rows
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import age_on, person_get_by_iin
from qyzmet.registries import actions
from qyzmet.registries import validation as rules
from qyzmet.registries.models import (
    DrivingLicence,
    ExamResult,
    MedicalCertificate,
    Plate,
    Vehicle,
)

DEMO_IINS = ("881020301884", "940717401513", "900620300237")
POOL_PER_REGION = 40
INCREASED_PER_REGION = 6
DEMO_VINS = {
    "camry": "JTNB11HK003012345",
    "cobalt": "XWB3L32C1KA123456",
    "granta": "XTA219010K0654321",
}


def _vin(draft: str) -> str:
    return draft[:8] + rules.vin_check_digit(draft) + draft[9:]


def _plate_pool() -> None:
    rng = random.Random(17)  # noqa: S311 - demo data must be reproducible, not secret
    numbers: list[str] = []
    for region in rules.REGIONS:
        numbers += [
            plate_from_index(rng.randrange(999 * 26**3), region) for _ in range(POOL_PER_REGION)
        ]
        special = ("777 AAA", "001 KZK", "100 ABC", "555 QQQ", "007 BND", "888 XXX")
        numbers += [f"{s} {region}" for s in special[:INCREASED_PER_REGION]]
    actions.plate_pool_add(numbers=numbers)


def _teenager(today: date) -> Person | None:
    for row in demo_population_rows():
        born = date.fromisoformat(row["birth_date"])
        if age_on(born, today) == 17:
            return person_get_by_iin(iin=row["iin"])
    return None


def _medical(person: Person, today: date, categories: list[str], number: str) -> None:
    MedicalCertificate.objects.get_or_create(
        number=number,
        defaults={
            "person": person,
            "issued": today - timedelta(days=60),
            "expires": today + timedelta(days=305),
            "categories": categories,
            "issuer": "Қалалық емхана №5",
        },
    )


def _exam(person: Person, category: str, kind: str, passed: bool, on: date) -> None:
    ExamResult.objects.get_or_create(
        person=person,
        category=category,
        kind=kind,
        taken_on=on,
        defaults={"passed": passed, "centre": "Демо емтихан орталығы"},
    )


def _car(name: str, make: str, model: str, year: int, colour: str) -> actions.VehicleData:
    return actions.VehicleData(
        vin=_vin(DEMO_VINS[name]), make=make, model=model, year=year, colour=colour, category="B"
    )


def registries_demo_load() -> None:
    """Load the demo registries (after the demo population). A second call changes nothing."""
    today = local_today()
    _plate_pool()
    people = [person_get_by_iin(iin=iin) for iin in DEMO_IINS]
    if (
        any(p is None for p in people)
        or Vehicle.objects.filter(vin=_vin(DEMO_VINS["camry"])).exists()
    ):
        return
    first, second, third = (p for p in people if p is not None)
    region_plates = {
        p.region: p.number
        for p in Plate.objects.filter(status=Plate.Status.FREE, increased_demand=False)
    }
    with transaction.atomic():
        actions.vehicle_register_first(
            owner=first,
            vehicle=_car("camry", "Toyota", "Camry", 2021, "white"),
            plate=region_plates[first.region],
            on=date(2021, 5, 14),
        )
        sold = actions.vehicle_register_first(
            owner=second,
            vehicle=_car("cobalt", "Chevrolet", "Cobalt", 2019, "silver"),
            plate=region_plates["02"],
            on=date(2019, 8, 2),
        )
        actions.vehicle_owner_change(vehicle=sold.vehicle, buyer=first, on=date(2024, 3, 11))
        arrested = actions.vehicle_register_first(
            owner=third,
            vehicle=_car("granta", "Lada", "Granta", 2018, "grey"),
            plate=region_plates[third.region],
            on=date(2018, 11, 20),
        )
        actions.vehicle_arrest_set(
            vehicle=arrested.vehicle, arrested=True, reason="Сот орындаушысының қаулысы"
        )
        issued = date(2019, 4, 3)
        DrivingLicence.objects.create(
            number="AB1234567",
            holder=first,
            categories=[
                {"category": "B", "issued": "2009-06-15"},
                {"category": "C1", "issued": issued.isoformat()},
            ],
            issued=issued,
            expires=rules.licence_expiry(issued),
        )
        old = date(2015, 9, 1)
        DrivingLicence.objects.create(
            number="AC7654321",
            holder=second,
            categories=[{"category": "B", "issued": old.isoformat()}],
            issued=old,
            expires=rules.licence_expiry(old),
            status=DrivingLicence.Status.EXPIRED,
        )
        _medical(first, today, ["B", "C1"], "MED-DEMO-0001")
        _medical(second, today, ["B"], "MED-DEMO-0002")
        _medical(third, today, ["B"], "MED-DEMO-0003")
        _exam(third, "B", ExamResult.Kind.THEORY, True, today - timedelta(days=20))
        _exam(third, "B", ExamResult.Kind.PRACTICE, False, today - timedelta(days=10))
        teen = _teenager(today)
        if teen is not None:
            _medical(teen, today, ["A1", "B"], "MED-DEMO-0017")
            for category in ("A1", "B"):
                for kind in ExamResult.Kind.values:
                    _exam(teen, category, kind, True, today - timedelta(days=14))
