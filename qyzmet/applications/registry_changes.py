"""The registry writes a service's `result.registry_change` names, made in the approval's
transaction: a vehicle registered or re-registered, a licence issued or replaced.

Each action is a small adapter from the application (its answers, its applicant and second party)
to one action of `qyzmet.registries`. The registries' own refusals (under age, plate taken,
vehicle under arrest…) come back as `RegistryRefused`, carrying the registry's code, translated
message and details; the step decides what a refusal means (see `actions.step`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.utils.translation import gettext as _

from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.registries import UNKNOWN, registry_value
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, NotFound, QyzmetError, ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.registries import actions as reg
from qyzmet.registries import selectors as registry
from qyzmet.registries.models import Vehicle

logger = logging.getLogger(__name__)


class RegistryRefused(Exception):
    """A registry refused the change; `error` is its refusal as the registry raised it."""

    def __init__(self, error: QyzmetError) -> None:
        self.error = error
        super().__init__(str(error))


@dataclass(frozen=True)
class Change:
    """What an adapter gets: the applicant, the second party and the action's parameters."""

    person: Person
    counterparty: Person | None
    params: Mapping[str, Any]
    today: date

    def text(self, name: str) -> str:
        value = self.params.get(name)
        return "" if value is None or value is UNKNOWN else str(value).strip()


def _vehicle_of(change: Change) -> Vehicle:
    """The vehicle the application names (by plate, else VIN), which the applicant must own."""
    vehicle = None
    if change.text("plate"):
        vehicle = registry.vehicle_by_plate(plate=change.text("plate"))
    elif change.text("vin"):
        vehicle = registry.vehicle_by_vin(vin=change.text("vin"))
    if vehicle is None:
        raise NotFound(
            _("No registered vehicle has this plate in the registry."),
            code=ErrorCode.VEHICLE_UNKNOWN,
        )
    if registry.vehicle_owner_id(vehicle=vehicle) != change.person.pk:
        raise Conflict(
            _("The vehicle is not registered to the applicant."), code=ErrorCode.NOT_VEHICLE_OWNER
        )
    return vehicle


def _register_first(change: Change) -> dict[str, Any]:
    chosen = change.text("plate")
    plate = reg.plate_reserve(region=change.person.region, number=chosen or None)
    year = change.params.get("year")
    registration = reg.vehicle_register_first(
        owner=change.person,
        vehicle=reg.VehicleData(
            vin=change.text("vin"),
            make=change.text("make"),
            model=change.text("model"),
            year=int(year) if isinstance(year, int | float | str) and str(year).isdigit() else 0,
            colour=change.text("colour"),
            category=change.text("category") or "B",
        ),
        plate=plate.number,
        on=change.today,
    )
    return {
        "vin": registration.vehicle.vin,
        "plate": plate.number,
        "certificate_number": registration.certificate_number,
    }


def _change_owner(change: Change) -> dict[str, Any]:
    if change.counterparty is None:
        raise ValidationFailed(_("The buyer is not known."), code=ErrorCode.COUNTERPARTY_UNKNOWN)
    vehicle = _vehicle_of(change)
    new = change.params.get("new_plates") is True
    plate = reg.plate_reserve(region=change.counterparty.region).number if new else None
    registration = reg.vehicle_owner_change(
        vehicle=vehicle, buyer=change.counterparty, plate=plate, on=change.today
    )
    return {
        "vin": vehicle.vin,
        "plate": registration.plate.number,
        "certificate_number": registration.certificate_number,
    }


def _deregister(change: Change) -> dict[str, Any]:
    vehicle = _vehicle_of(change)
    plate = change.text("plate")
    reg.vehicle_deregister(vehicle=vehicle, on=change.today)
    return {"vin": vehicle.vin, "plate": plate}


def _reissue_certificate(change: Change) -> dict[str, Any]:
    registration = reg.vehicle_certificate_reissue(vehicle=_vehicle_of(change))
    return {
        "vin": registration.vehicle.vin,
        "plate": registration.plate.number,
        "certificate_number": registration.certificate_number,
    }


def _licence_issue(change: Change) -> dict[str, Any]:
    categories = [c for c in change.text("category").replace(",", " ").split() if c]
    licence = reg.licence_issue(holder=change.person, categories=categories, on=change.today)
    return {
        "licence_number": licence.number,
        "categories": licence.category_codes,
        "expires": licence.expires.isoformat(),
    }


def _licence_replace(change: Change) -> dict[str, Any]:
    old = registry.licence_latest(person=change.person)
    if old is None:
        raise NotFound(
            _("No driving licence of yours is in the registry."), code=ErrorCode.NO_LICENCE
        )
    licence = reg.licence_replace(licence=old, reason=change.text("reason"), on=change.today)
    return {
        "licence_number": licence.number,
        "replaces": old.number,
        "categories": licence.category_codes,
        "expires": licence.expires.isoformat(),
    }


ACTIONS: Final[dict[tuple[str, str], Callable[[Change], dict[str, Any]]]] = {
    ("vehicle", "register_first"): _register_first,
    ("vehicle", "change_owner"): _change_owner,
    ("vehicle", "deregister"): _deregister,
    ("vehicle", "reissue_certificate"): _reissue_certificate,
    ("licence", "issue"): _licence_issue,
    ("licence", "replace"): _licence_replace,
}


def _change_for(
    definition: ServiceDefinition,
    person: Person,
    counterparty: Person | None,
    answers: Mapping[str, Any],
    today: date,
) -> Change:
    change = definition.result.registry_change
    assert change is not None  # noqa: S101 - callers check
    prefills = {item.key: item.source for item in definition.prefill}
    params: dict[str, Any] = {}
    for name, key in change.fields.items():
        if key in prefills:
            params[name] = registry_value(person=person, source=prefills[key], today=today)
        else:
            params[name] = answers.get(key)
    return Change(person=person, counterparty=counterparty, params=params, today=today)


def registry_change_apply(
    *,
    definition: ServiceDefinition,
    person: Person,
    counterparty: Person | None,
    answers: Mapping[str, Any],
) -> dict[str, Any]:
    """Make the definition's registry change, in the caller's transaction; answer what was
    written (for the history)."""
    change = definition.result.registry_change
    if change is None:
        return {}
    action = ACTIONS.get((change.registry, change.action))
    if action is None:
        # A registry not connected yet (the civil registry's birth, the ID card's issue…): the
        # approval stands and the history says the change is the agency's to make by hand.
        logger.warning(
            "registry not connected", extra={"registry": change.registry, "action": change.action}
        )
        return {"not_connected": f"{change.registry}.{change.action}"}
    today = local_today()
    try:
        # no savepoint of its own: an automatic step runs in one (`steps_automatic_run`), and
        # an officer's step rolls back whole
        return action(_change_for(definition, person, counterparty, answers, today))
    except QyzmetError as exc:
        raise RegistryRefused(exc) from exc


def registry_change_precheck(
    *,
    definition: ServiceDefinition,
    person: Person,
    answers: Mapping[str, Any],
) -> None:
    """What can be known before submission, as a field error on the form so that nothing is
    signed or paid for in vain: the vehicle a sale or a deregistration names must be the
    applicant's; a vehicle registered for the first time must not be in the registry yet, and a
    chosen plate must be free."""
    change = definition.result.registry_change
    if change is None or change.registry != "vehicle":
        return
    if change.action == "register_first":
        _first_registration_precheck(change.fields, answers)
        return
    try:
        _vehicle_of(_change_for(definition, person, None, answers, local_today()))
    except QyzmetError as exc:
        field = change.fields.get("plate") or change.fields.get("vin") or "plate"
        raise ValidationFailed(
            details={"fields": [{"field": field, "message": str(exc.message)}]},
            code=exc.code,
        ) from exc


def _first_registration_precheck(fields: Mapping[str, str], answers: Mapping[str, Any]) -> None:
    vin_key, plate_key = fields.get("vin"), fields.get("plate")
    vin = str(answers.get(vin_key, "")) if vin_key else ""
    if vin and registry.vehicle_by_vin(vin=vin) is not None:
        raise ValidationFailed(
            details={
                "fields": [
                    {
                        "field": vin_key,
                        "message": _("A vehicle with this VIN is already in the registry."),
                    }
                ]
            },
            code=ErrorCode.VIN_REGISTERED,
        )
    plate = str(answers.get(plate_key, "") or "") if plate_key else ""
    if plate and not registry.plate_is_free(number=plate):
        raise ValidationFailed(
            details={
                "fields": [{"field": plate_key, "message": _("This plate number is not free.")}]
            },
            code=ErrorCode.PLATE_TAKEN,
        )


def registry_action_known(registry_name: str, action: str) -> bool:
    return (registry_name, action) in ACTIONS
