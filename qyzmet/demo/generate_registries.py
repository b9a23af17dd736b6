"""Volume data for benchmarks: people (through the population import), vehicles with plates and
owner histories, driving licences with the medical certificates and exams they were issued on.

Rows go in with `bulk_create` in batches, inside one transaction; numbers the generator makes
(certificates `ZZ…`, licences `ZZ…`) continue from the highest already written, so the command
can be run again to add more."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max

from qyzmet.core.calendar import local_today
from qyzmet.demo.people import demo_population_iter
from qyzmet.identity.models import Person
from qyzmet.identity.population import population_import
from qyzmet.registries import validation as rules
from qyzmet.registries.models import (
    DrivingLicence,
    ExamResult,
    MedicalCertificate,
    Plate,
    Vehicle,
    VehicleRegistration,
)

BATCH = 5000
GENERATED_PREFIX = "ZZ"
MAKES = (
    ("Toyota", ("Camry", "Corolla", "RAV4", "Land Cruiser")),
    ("Hyundai", ("Accent", "Elantra", "Tucson", "Sonata")),
    ("Lada", ("Granta", "Vesta", "Niva")),
    ("Chevrolet", ("Cobalt", "Nexia", "Onix")),
    ("Kia", ("Rio", "Sportage", "K5")),
    ("Volkswagen", ("Polo", "Passat")),
)
COLOURS = ("white", "black", "silver", "grey", "blue", "red")
VIN_CHARS = "".join(sorted(rules.VIN_ALPHABET))


@dataclass
class GenerateReport:
    people: int = 0
    vehicles: int = 0
    registrations: int = 0
    licences: int = 0


def vin_random(rng: random.Random) -> str:
    """A VIN with a matching check digit (as North American ones have)."""
    body = "".join(rng.choice(VIN_CHARS) for _ in range(16))
    draft = body[:8] + "0" + body[8:]
    return draft[:8] + rules.vin_check_digit(draft) + draft[9:]


def plate_from_index(index: int, region: str) -> str:
    """A bijection from 0…999·26³−1 to the plates of a region: digits first, then letters."""
    digits = index % 999 + 1
    n = index // 999
    letters = "".join(string.ascii_uppercase[(n // 26**p) % 26] for p in (2, 1, 0))
    return f"{digits:03d} {letters} {region}"


def _next_serial(model: type[VehicleRegistration] | type[DrivingLicence], field: str) -> int:
    top = model.objects.filter(**{f"{field}__startswith": GENERATED_PREFIX}).aggregate(
        top=Max(field)
    )["top"]
    return int(top[len(GENERATED_PREFIX) :]) + 1 if top else 1


def plate_pool_fill(*, region: str, count: int, start: int = 0) -> int:
    """Add `count` free standard plates of the region (numbers already in the pool are
    skipped); answers how many were added."""
    added = 0
    index = start
    while added < count:
        numbers: list[str] = []
        while len(numbers) < min(BATCH, count - added):
            number = rules.plate_parse(plate_from_index(index, region))
            index += 1
            if rules.plate_tier(number) == rules.PriceTier.STANDARD:
                numbers.append(str(number))
        before = Plate.objects.filter(region=region).count()
        Plate.objects.bulk_create(
            [Plate(number=n, region=region) for n in numbers], ignore_conflicts=True
        )
        added += Plate.objects.filter(region=region).count() - before
    return added


def _adults(count: int, today: date, rng: random.Random) -> list[tuple[int, date]]:
    """(id, birth date) of `count` living adults drawn at random (tuples: no model instances)."""
    born_before = rules.add_years(today, -18)
    ids = list(
        Person.objects.filter(status=Person.Status.LIVING, birth_date__lte=born_before)
        .order_by("id")
        .values_list("id", "birth_date")
    )
    return rng.sample(ids, min(count, len(ids)))


def _batches(total: int) -> Iterator[int]:
    while total > 0:
        yield min(BATCH, total)
        total -= BATCH


def _vehicles(count: int, today: date, rng: random.Random, report: GenerateReport) -> None:
    owners = _adults(count, today, rng)
    if not owners or not count:
        return
    serial = _next_serial(VehicleRegistration, "certificate_number")
    done = 0
    for size in _batches(count):
        region = f"{rng.randint(1, 20):02d}"
        plate_pool_fill(region=region, count=size, start=Plate.objects.count())
        plates = list(
            Plate.objects.filter(
                region=region, status=Plate.Status.FREE, increased_demand=False
            ).order_by("id")[:size]
        )
        vehicles = []
        for _ in range(len(plates)):
            make, models = rng.choice(MAKES)
            vehicles.append(
                Vehicle(
                    vin=vin_random(rng),
                    make=make,
                    model=rng.choice(models),
                    year=rng.randint(1995, today.year),
                    colour=rng.choice(COLOURS),
                    category="B",
                    engine_cc=rng.choice((1400, 1600, 2000, 2500, 3500)),
                )
            )
        _vins_unique(vehicles, rng)
        Vehicle.objects.bulk_create(vehicles)
        registrations = []
        for n, (vehicle, plate) in enumerate(zip(vehicles, plates, strict=True)):
            first = date(vehicle.year, 1, 1) + timedelta(days=rng.randrange(300))
            first = min(first, today)
            owner = owners[(done + n) % len(owners)]
            # Each owner in turn: (owner, from, until); the last one holds the vehicle now.
            spells: list[tuple[int, date, date | None]] = []
            if rng.random() < 0.3 and len(owners) > 1:  # one earlier owner
                seller = owners[(done + n + 1) % len(owners)]
                sold = first + timedelta(days=rng.randrange(max(1, (today - first).days + 1)))
                spells.append((seller[0], first, sold))
                first = sold
            spells.append((owner[0], first, None))
            for number, (owner_id, started_on, ended_on) in enumerate(spells):
                registrations.append(
                    VehicleRegistration(
                        vehicle=vehicle,
                        owner_id=owner_id,
                        plate=plate,
                        certificate_number=f"{GENERATED_PREFIX}{serial:08d}",
                        reason=VehicleRegistration.Reason.OWNER_CHANGE
                        if number
                        else VehicleRegistration.Reason.FIRST,
                        started_on=started_on,
                        ended_on=ended_on,
                        end_reason=VehicleRegistration.EndReason.OWNER_CHANGE if ended_on else "",
                    )
                )
                serial += 1
        VehicleRegistration.objects.bulk_create(registrations, batch_size=BATCH)
        Plate.objects.filter(id__in=[p.pk for p in plates]).update(status=Plate.Status.ASSIGNED)
        done += len(vehicles)
        report.vehicles += len(vehicles)
        report.registrations += len(registrations)


def _vins_unique(vehicles: list[Vehicle], rng: random.Random) -> None:
    """Draw again any VIN already in the registry or twice in the batch (rare, but a unique
    violation would roll back the whole run)."""
    while True:
        vins = [v.vin for v in vehicles]
        taken = set(Vehicle.objects.filter(vin__in=vins).values_list("vin", flat=True))
        seen: set[str] = set()
        clashes = 0
        for vehicle in vehicles:
            if vehicle.vin in taken or vehicle.vin in seen:
                vehicle.vin = vin_random(rng)
                clashes += 1
            seen.add(vehicle.vin)
        if not clashes:
            return


def _licences(count: int, today: date, rng: random.Random, report: GenerateReport) -> None:
    if not count:
        return
    taken = set(
        DrivingLicence.objects.filter(status=DrivingLicence.Status.VALID).values_list(
            "holder_id", flat=True
        )
    )
    holders = [p for p in _adults(count + len(taken), today, rng) if p[0] not in taken][:count]
    serial = _next_serial(DrivingLicence, "number")
    for start in range(0, len(holders), BATCH):
        licences, medicals, exams = [], [], []
        for person_id, birth_date in holders[start : start + BATCH]:
            adult = rules.add_years(birth_date, 18)
            issued = adult + timedelta(days=rng.randrange(max(1, (today - adult).days + 1)))
            issued = max(issued, rules.add_years(today, -10) + timedelta(days=1))
            categories = ["B"] if rng.random() < 0.85 else ["B", "C1"]
            number = f"{GENERATED_PREFIX}{serial:07d}"
            serial += 1
            licences.append(
                DrivingLicence(
                    number=number,
                    holder_id=person_id,
                    categories=[{"category": c, "issued": issued.isoformat()} for c in categories],
                    issued=issued,
                    expires=rules.licence_expiry(issued),
                )
            )
            medicals.append(
                MedicalCertificate(
                    person_id=person_id,
                    number=f"MED-{number}",
                    issued=issued - timedelta(days=30),
                    expires=issued + timedelta(days=335),
                    categories=categories,
                    issuer="Demo polyclinic",
                )
            )
            for c in categories:
                for kind in (ExamResult.Kind.THEORY, ExamResult.Kind.PRACTICE):
                    exams.append(
                        ExamResult(
                            person_id=person_id,
                            category=c,
                            kind=kind,
                            passed=True,
                            taken_on=issued - timedelta(days=7 if kind == "theory" else 1),
                            centre="Demo exam centre",
                        )
                    )
        DrivingLicence.objects.bulk_create(licences)
        MedicalCertificate.objects.bulk_create(medicals)
        ExamResult.objects.bulk_create(exams, ignore_conflicts=True)
        report.licences += len(licences)


def registries_generate(
    *, people: int = 0, vehicles: int = 0, licences: int = 0, seed: int = 2026
) -> GenerateReport:
    """Generate volume data; `people` demo people are imported first (the same seed gives the
    same people, so a second run adds none)."""
    report = GenerateReport()
    today = local_today()
    # Reproducible for a seed and a starting registry, and different on every further run, so
    # a second run adds new VINs instead of repeating the first run's.
    start = f"{seed}:{Vehicle.objects.count()}:{DrivingLicence.objects.count()}"
    rng = random.Random(start)  # noqa: S311 - benchmark data must be reproducible, not secret
    if people:
        result = population_import(rows=demo_population_iter(count=people, seed=seed))
        report.people = result.created
    with transaction.atomic():
        _vehicles(vehicles, today, rng, report)
        _licences(licences, today, rng, report)
    return report
