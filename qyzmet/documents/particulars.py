"""The facts a result document carries from the registry, as its paper original does: a vehicle
registration certificate its number, plate and vehicle; a deregistration certificate the vehicle
and the registration that ended; a driving licence its number, categories and dates.

They are read from the registry after the change, by what the change wrote (the application's
history keeps it: a certificate number, a licence number, or the VIN of a deregistered vehicle),
never from the application's answers, which were written before the registry chose a plate or a
number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

from qyzmet.identity.models import Person
from qyzmet.registries import selectors as registry
from qyzmet.registries.models import DrivingLicence, VehicleRegistration

Row = tuple[str, str]


def particulars_rows(*, written: Mapping[str, Any], language: str) -> list[Row]:
    """The registry's facts for what a registry change `written`, as (label, value) in
    `language`; empty when it wrote nothing a document shows."""
    with override(language):
        if written.get("certificate_number"):
            registration = registry.registration_by_certificate(
                number=str(written["certificate_number"])
            )
            return _registration_rows(registration) if registration is not None else []
        if written.get("licence_number"):
            licence = registry.licence_by_number(number=str(written["licence_number"]))
            if licence is None:
                return []
            return _licence_rows(licence, replaces=str(written.get("replaces") or ""))
        if written.get("vin"):
            return _deregistration_rows(str(written["vin"]))
    return []


def _date(day: dt.date | str) -> str:
    value = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
    return str(formats.date_format(value, "DATE_FORMAT"))


def _vehicle_rows(registration: VehicleRegistration) -> list[Row]:
    vehicle = registration.vehicle
    rows = [
        (_("Vehicle identification number (VIN)"), vehicle.vin),
        (_("Make"), vehicle.make),
        (_("Model"), vehicle.model),
        (_("Vehicle category"), vehicle.category),
        (_("Year of manufacture"), str(vehicle.year) if vehicle.year else ""),
        (_("Colour"), vehicle.colour),
        (_("Engine capacity, cm³"), str(vehicle.engine_cc) if vehicle.engine_cc else ""),
    ]
    return [(label, value) for label, value in rows if value]


def _address(person: Person) -> str:
    return ", ".join(part for part in (person.settlement, person.street) if part)


def _registration_rows(registration: VehicleRegistration) -> list[Row]:
    rows = [
        (_("Registration certificate number"), registration.certificate_number),
        (_("Registration plate"), registration.plate.number),
        *_vehicle_rows(registration),
        (_("Owner's address"), _address(registration.owner)),
        (_("Registered on"), _date(registration.started_on)),
    ]
    return [(label, value) for label, value in rows if value]


def _deregistration_rows(vin: str) -> list[Row]:
    vehicle = registry.vehicle_by_vin(vin=vin)
    history = registry.vehicle_history(vehicle=vehicle) if vehicle is not None else []
    ended = [r for r in history if r.end_reason == VehicleRegistration.EndReason.DEREGISTRATION]
    if not ended:
        return []
    last = ended[-1]
    rows = [
        (_("Registration plate"), last.plate.number),
        (_("Registration certificate number"), last.certificate_number),
        *_vehicle_rows(last),
        (_("Deregistered on"), _date(last.ended_on) if last.ended_on else ""),
    ]
    return [(label, value) for label, value in rows if value]


def _licence_rows(licence: DrivingLicence, *, replaces: str) -> list[Row]:
    rows = [
        (_("Driving licence number"), licence.number),
        (_("Date of birth"), _date(licence.holder.birth_date)),
        (_("Categories"), ", ".join(licence.category_codes)),
    ]
    for item in licence.categories:
        if item.get("issued"):
            label = _("Category %(category)s held since") % {"category": item["category"]}
            rows.append((label, _date(item["issued"])))
    rows += [
        (_("Licence issued on"), _date(licence.issued)),
        (_("Licence valid until"), _date(licence.expires)),
        (_("Replaces licence"), replaces),
    ]
    return [(label, value) for label, value in rows if value]
