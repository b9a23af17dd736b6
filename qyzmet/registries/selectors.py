"""Reads of the vehicle and driving-licence registries, and the values that service definitions
read from them (`registry_value`)."""

from __future__ import annotations

from datetime import date
from typing import Final

from qyzmet.core.calendar import local_today
from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.models import (
    DrivingLicence,
    ExamResult,
    MedicalCertificate,
    Plate,
    Vehicle,
    VehicleRegistration,
)


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Final = _Unknown()
# What a registry answers for a dotted path: a flag, a count, a text or a date (None when the
# record has none), a list of VINs or categories, or UNKNOWN for a path it does not know.
RegistryValue = bool | int | str | date | list[str] | None | _Unknown
REGISTRIES: Final = ("vehicle", "licence", "medical", "exam")


def vehicles_of(*, person: Person) -> list[VehicleRegistration]:
    """The person's current registrations (one per vehicle they own), with vehicle and plate."""
    return list(
        VehicleRegistration.objects.select_related("vehicle", "plate")
        .filter(owner=person, ended_on=None)
        .order_by("started_on", "id")
    )


def vehicle_by_vin(*, vin: str) -> Vehicle | None:
    return Vehicle.objects.filter(vin=rules.vin_normalise(vin)).first()


def vehicle_by_plate(*, plate: str) -> Vehicle | None:
    """The vehicle that has this plate now (None for a free, retired or unknown plate)."""
    try:
        number = str(rules.plate_parse(plate))
    except rules.RuleError:
        return None
    current = (
        VehicleRegistration.objects.select_related("vehicle")
        .filter(plate__number=number, ended_on=None)
        .first()
    )
    return current.vehicle if current is not None else None


def vehicle_current_registration(*, vehicle: Vehicle) -> VehicleRegistration | None:
    return (
        VehicleRegistration.objects.select_related("owner", "plate")
        .filter(vehicle=vehicle, ended_on=None)
        .first()
    )


def vehicle_owner_id(*, vehicle: Vehicle) -> int | None:
    """The current owner's person id (no decryption of the person), None if not registered."""
    return (
        VehicleRegistration.objects.filter(vehicle=vehicle, ended_on=None)
        .values_list("owner_id", flat=True)
        .first()
    )


def vehicle_history(*, vehicle: Vehicle) -> list[VehicleRegistration]:
    """Every registration of the vehicle, oldest first: the history of owners and plates."""
    return list(
        VehicleRegistration.objects.select_related("plate")
        .filter(vehicle=vehicle)
        .order_by("started_on", "id")
    )


def registration_by_certificate(*, number: str) -> VehicleRegistration | None:
    """The registration a certificate number was issued for, with its vehicle, plate and owner
    (ended or not: a certificate keeps naming what it named)."""
    return (
        VehicleRegistration.objects.select_related("vehicle", "plate", "owner")
        .filter(certificate_number=number)
        .first()
    )


def plate_is_free(*, number: str) -> bool:
    """Whether `number` is a free plate of the pool (False for a malformed or unknown one)."""
    try:
        text = str(rules.plate_parse(number))
    except rules.RuleError:
        return False
    return Plate.objects.filter(number=text, status=Plate.Status.FREE).exists()


def plates_free_list(*, region: str, increased_demand: bool = True, limit: int = 60) -> list[Plate]:
    """Free plates of a region, in number order: what a citizen may choose from."""
    return list(
        Plate.objects.filter(
            region=region, status=Plate.Status.FREE, increased_demand=increased_demand
        ).order_by("number")[:limit]
    )


def licence_of(*, person: Person, on: date | None = None) -> DrivingLicence | None:
    """The person's valid licence (valid status and not past its expiry on `on`)."""
    today = on or local_today()
    return DrivingLicence.objects.filter(
        holder=person, status=DrivingLicence.Status.VALID, expires__gte=today
    ).first()


def licence_latest(*, person: Person) -> DrivingLicence | None:
    """The newest licence of any status (an expired one can still be replaced)."""
    return DrivingLicence.objects.filter(holder=person).order_by("-issued", "-id").first()


def licence_categories_held_since(*, person: Person) -> dict[str, date]:
    """Each category the person was ever issued, with the earliest day it was issued, over all
    their licences whatever their status (the driving experience the law counts)."""
    since: dict[str, date] = {}
    for licence in DrivingLicence.objects.filter(holder=person).only("categories", "issued"):
        for item in licence.categories:
            issued = date.fromisoformat(item["issued"]) if item.get("issued") else licence.issued
            category = item["category"]
            if category not in since or issued < since[category]:
                since[category] = issued
    return since


def licence_by_number(*, number: str) -> DrivingLicence | None:
    return DrivingLicence.objects.select_related("holder").filter(number=number).first()


def medical_valid(*, person: Person, on: date | None = None) -> MedicalCertificate | None:
    today = on or local_today()
    return (
        MedicalCertificate.objects.filter(person=person, issued__lte=today, expires__gte=today)
        .order_by("-expires")
        .first()
    )


def exams_passed(*, person: Person, category: str) -> bool:
    """Both the theory and the driving exam of the category passed."""
    kinds = set(
        ExamResult.objects.filter(person=person, category=category, passed=True).values_list(
            "kind", flat=True
        )
    )
    return {ExamResult.Kind.THEORY, ExamResult.Kind.PRACTICE} <= kinds


def _vehicle_record_value(person: Person, field: str, record: str) -> RegistryValue:
    """A field of the vehicle the application names (by plate or VIN)."""
    vehicle = vehicle_by_plate(plate=record) or vehicle_by_vin(vin=record)
    if field == "registered":
        return vehicle is not None and vehicle.status == Vehicle.Status.REGISTERED
    if vehicle is None:
        return UNKNOWN
    if field == "arrested":
        return vehicle.arrested
    if field == "owned_by_applicant":
        return vehicle_owner_id(vehicle=vehicle) == person.pk
    return UNKNOWN


def registry_value(
    *, person: Person, source: str, today: date | None = None, record: str | None = None
) -> RegistryValue:
    """The value a service definition reads by dotted path: `vehicle.count`, `vehicle.vins`,
    `licence.valid`, and of the current licence (valid or expired) `licence.on_record`,
    `licence.categories`, `licence.expires`, `licence.number`;
    `medical.valid`, `exam.passed.<category>`; with the `record` an application names (a plate
    or a VIN), `vehicle.registered`, `vehicle.arrested`, `vehicle.owned_by_applicant`.
    UNKNOWN for a path this module does not know."""
    today = today or local_today()
    registry, _, field = source.partition(".")
    if registry == "vehicle" and record:
        return _vehicle_record_value(person, field, record.strip())
    if registry == "vehicle":
        if field == "count":
            return VehicleRegistration.objects.filter(owner=person, ended_on=None).count()
        if field == "vins":
            return [r.vehicle.vin for r in vehicles_of(person=person)]
        return UNKNOWN
    if registry == "licence":
        if field == "valid":
            return licence_of(person=person, on=today) is not None
        # the current licence, valid or expired (an expired one can still be replaced)
        current = licence_latest(person=person)
        if current is not None and current.status not in (
            DrivingLicence.Status.VALID,
            DrivingLicence.Status.EXPIRED,
        ):
            current = None
        if field == "on_record":
            return current is not None
        if field == "categories":
            return current.category_codes if current is not None else []
        if field in ("expires", "number"):
            return getattr(current, field) if current is not None else None
        return UNKNOWN
    if registry == "medical" and field == "valid":
        return medical_valid(person=person, on=today) is not None
    if registry == "exam":
        kind, _, category = field.partition(".")
        if kind == "passed" and category in rules.CATEGORIES:
            return exams_passed(person=person, category=category)
        return UNKNOWN
    return UNKNOWN
