"""The vehicle registry: first registration, change of owner, deregistration, arrests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.actions.numbers import certificate_number_new
from qyzmet.registries.actions.plates import plate_take, plate_text
from qyzmet.registries.actions.refusals import person_living_check, rule_refusal
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.models import (
    Plate,
    Vehicle,
    VehicleRegistration,
)
from qyzmet.registries.preconditions import vehicle_change_refusals

FIRST_VEHICLE_YEAR = 1900


@dataclass(frozen=True)
class VehicleData:
    vin: str
    make: str
    model: str
    year: int
    colour: str
    category: str
    engine_cc: int | None = None


def _vehicle_checked(data: VehicleData, today: date) -> tuple[rules.VinCheck, str]:
    try:
        vin = rules.vin_check(data.vin)
    except rules.RuleError as exc:
        raise rule_refusal(error=exc, field="vin") from exc
    category = data.category.strip()
    if category not in rules.VEHICLE_CATEGORIES:
        raise ValidationFailed(
            _("This is not a vehicle category."),
            code=ErrorCode.VEHICLE_CATEGORY_INVALID,
            details={"fields": [{"field": "category", "message": category}]},
        )
    if not FIRST_VEHICLE_YEAR <= data.year <= today.year + 1:
        raise ValidationFailed(
            _("The year of manufacture is not possible."),
            code=ErrorCode.VEHICLE_YEAR_INVALID,
            details={"fields": [{"field": "year", "message": str(data.year)}]},
        )
    if not data.make.strip() or not data.model.strip():
        raise ValidationFailed(
            _("The make and the model are required."),
            code=ErrorCode.VEHICLE_MAKE_REQUIRED,
            details={"fields": [{"field": "make", "message": "required"}]},
        )
    return vin, category


def _registration_open(
    vehicle: Vehicle, buyer: Person | None = None, *, arrest_bars: bool = True
) -> VehicleRegistration:
    """The vehicle's open registration, locked, once nothing refuses the change (see
    `preconditions.vehicle_change_refusals`)."""
    current = (
        VehicleRegistration.objects.select_for_update()
        .filter(vehicle=vehicle, ended_on=None)
        .first()
    )
    refusals = vehicle_change_refusals(
        vehicle=vehicle, registration=current, buyer=buyer, arrest_bars=arrest_bars
    )
    if refusals:
        raise refusals[0]
    assert current is not None  # noqa: S101 - no refusal: the vehicle is registered
    return current


def _locked(vehicle: Vehicle) -> Vehicle:
    return Vehicle.objects.select_for_update().get(pk=vehicle.pk)


def _vin_registered(vin: str) -> Conflict:
    return Conflict(
        _("A vehicle with this VIN is already in the registry."),
        code=ErrorCode.VIN_REGISTERED,
        details={"vin": vin},
    )


def _registration_start(
    *, vehicle: Vehicle, owner: Person, plate: Plate, reason: str, on: date
) -> VehicleRegistration:
    return VehicleRegistration.objects.create(
        vehicle=vehicle,
        owner=owner,
        plate=plate,
        certificate_number=certificate_number_new(),
        reason=reason,
        started_on=on,
    )


def vehicle_register_first(
    *, owner: Person, vehicle: VehicleData, plate: str, on: date | None = None
) -> VehicleRegistration:
    """Register a vehicle for the first time, with a plate from the pool (free or reserved).
    A VIN whose check digit does not match is registered (see `VinCheck`)."""
    today = on or local_today()
    vin, category = _vehicle_checked(vehicle, today)
    person_living_check(person=owner, field="owner")
    with transaction.atomic():
        if Vehicle.objects.filter(vin=vin.vin).exists():
            raise _vin_registered(vin.vin)
        taken = plate_take(number=plate)
        try:
            with transaction.atomic():
                row = Vehicle.objects.create(
                    vin=vin.vin,
                    make=vehicle.make.strip(),
                    model=vehicle.model.strip(),
                    year=vehicle.year,
                    colour=vehicle.colour.strip(),
                    category=category,
                    engine_cc=vehicle.engine_cc,
                )
        except IntegrityError as exc:  # the same VIN registered at the same moment
            raise _vin_registered(vin.vin) from exc
        return _registration_start(
            vehicle=row, owner=owner, plate=taken, reason=VehicleRegistration.Reason.FIRST, on=today
        )


def vehicle_owner_change(
    *, vehicle: Vehicle, buyer: Person, plate: str | None = None, on: date | None = None
) -> VehicleRegistration:
    """Re-register to a new owner: the seller's registration ends, the buyer's starts with a new
    certificate, on the same plate unless a new `plate` is given."""
    today = on or local_today()
    with transaction.atomic():
        vehicle = _locked(vehicle)
        current = _registration_open(vehicle, buyer)
        new_plate = current.plate
        if plate is not None and plate_text(number=plate) != current.plate.number:
            new_plate = plate_take(number=plate)
            current.plate.status = Plate.Status.RETIRED
            current.plate.save(update_fields=["status"])
        current.ended_on = today
        current.end_reason = VehicleRegistration.EndReason.OWNER_CHANGE
        current.save(update_fields=["ended_on", "end_reason"])
        return _registration_start(
            vehicle=vehicle,
            owner=buyer,
            plate=new_plate,
            reason=VehicleRegistration.Reason.OWNER_CHANGE,
            on=today,
        )


def vehicle_deregister(*, vehicle: Vehicle, on: date | None = None) -> Vehicle:
    """Take a vehicle off the registry: its registration ends and its plate is retired."""
    today = on or local_today()
    with transaction.atomic():
        vehicle = _locked(vehicle)
        current = _registration_open(vehicle)
        current.ended_on = today
        current.end_reason = VehicleRegistration.EndReason.DEREGISTRATION
        current.save(update_fields=["ended_on", "end_reason"])
        current.plate.status = Plate.Status.RETIRED
        current.plate.save(update_fields=["status"])
        vehicle.status = Vehicle.Status.DEREGISTERED
        vehicle.save(update_fields=["status"])
    return vehicle


def vehicle_certificate_reissue(*, vehicle: Vehicle) -> VehicleRegistration:
    """A duplicate registration certificate (the old one lost or damaged): the current
    registration gets a new certificate number, and the old number stops being valid."""
    with transaction.atomic():
        vehicle = _locked(vehicle)
        current = _registration_open(vehicle, arrest_bars=False)
        current.certificate_number = certificate_number_new()
        current.save(update_fields=["certificate_number"])
    return current


def vehicle_arrest_set(*, vehicle: Vehicle, arrested: bool, reason: str = "") -> Vehicle:
    """Record (or lift) an arrest ordered by a court or a bailiff."""
    if arrested and not reason.strip():
        raise ValidationFailed(
            _("An arrest needs its reason."),
            code=ErrorCode.ARREST_REASON_REQUIRED,
            details={"fields": [{"field": "reason", "message": "required"}]},
        )
    with transaction.atomic():
        vehicle = _locked(vehicle)
        vehicle.arrested = arrested
        vehicle.arrest_reason = reason.strip()[:200] if arrested else ""
        vehicle.save(update_fields=["arrested", "arrest_reason"])
    return vehicle
