"""The registry writes a service's `result.registry_change` names, made in the approval's
transaction: a vehicle registered or re-registered, a licence issued or replaced.

Each action is a small adapter from the application (its answers, its applicant and second party)
to one action of `qyzmet.registries`. The registries' own refusals (under age, plate taken,
vehicle under arrest…) come back as `RegistryRefused`, carrying the registry's code, translated
message and details; the step decides what a refusal means (see `actions.step`).

Each change also has its check (`CHECKS`, through `registry_change_refusals`): what the registry
would refuse if the change were made now, asked of `qyzmet.registries.preconditions` (the same
conditions the write checks), so that `applications.refusals` can refuse before the citizen
signs or pays what would be refused after.
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
from qyzmet.registries import preconditions
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


def _vehicle_named(change: Change) -> bool:
    return bool(change.text("plate") or change.text("vin"))


def _register_first_check(change: Change) -> list[QyzmetError]:
    """A vehicle registered for the first time must not be in the registry yet, and a chosen
    plate must be free."""
    found: list[QyzmetError] = []
    vin, plate = change.text("vin"), change.text("plate")
    if vin and registry.vehicle_by_vin(vin=vin) is not None:
        found.append(
            Conflict(
                _("A vehicle with this VIN is already in the registry."),
                code=ErrorCode.VIN_REGISTERED,
                details={"field": "vin"},
            )
        )
    if plate and not registry.plate_is_free(number=plate):
        found.append(
            Conflict(
                _("This plate number is not free."),
                code=ErrorCode.PLATE_TAKEN,
                details={"field": "plate"},
            )
        )
    return found


def _vehicle_change_check(
    change: Change, *, buyer: Person | None = None, arrest_bars: bool = True
) -> list[QyzmetError]:
    """The vehicle the application names must be the applicant's, and free to change."""
    if not _vehicle_named(change):
        return []  # not answered yet
    try:
        vehicle = _vehicle_of(change)
    except QyzmetError as exc:
        return [exc]
    return preconditions.vehicle_change_check(vehicle=vehicle, buyer=buyer, arrest_bars=arrest_bars)


def _change_owner_check(change: Change) -> list[QyzmetError]:
    return _vehicle_change_check(change, buyer=change.counterparty)


def _deregister_check(change: Change) -> list[QyzmetError]:
    return _vehicle_change_check(change)


def _reissue_check(change: Change) -> list[QyzmetError]:
    return _vehicle_change_check(change, arrest_bars=False)


def _licence_issue_check(change: Change) -> list[QyzmetError]:
    categories = [c for c in change.text("category").replace(",", " ").split() if c]
    if not categories:
        return []  # not answered yet
    return preconditions.licence_issue_check(
        holder=change.person, categories=categories, on=change.today
    )


def _licence_replace_check(change: Change) -> list[QyzmetError]:
    old = registry.licence_latest(person=change.person)
    if old is None:
        return [
            NotFound(
                _("No driving licence of yours is in the registry."), code=ErrorCode.NO_LICENCE
            )
        ]
    if not change.text("reason"):
        return []  # not answered yet
    return preconditions.licence_replace_check(
        licence=old, reason=change.text("reason"), on=change.today
    )


# What each registry change would refuse, asked before it is made (reads only).
CHECKS: Final[dict[tuple[str, str], Callable[[Change], list[QyzmetError]]]] = {
    ("vehicle", "register_first"): _register_first_check,
    ("vehicle", "change_owner"): _change_owner_check,
    ("vehicle", "deregister"): _deregister_check,
    ("vehicle", "reissue_certificate"): _reissue_check,
    ("licence", "issue"): _licence_issue_check,
    ("licence", "replace"): _licence_replace_check,
}


def registry_change_refusals(
    *,
    definition: ServiceDefinition,
    person: Person,
    counterparty: Person | None,
    answers: Mapping[str, Any],
    today: date | None = None,
) -> list[tuple[QyzmetError, str]]:
    """What the registry would refuse of the definition's `result.registry_change` if it were
    made now with these `answers` (the valid ones: a part not answered yet is not judged), each
    with the form field it concerns ("" for none). Writes nothing."""
    change = definition.result.registry_change
    check = CHECKS.get((change.registry, change.action)) if change is not None else None
    if change is None or check is None:
        return []
    found = check(_change_for(definition, person, counterparty, answers, today or local_today()))
    return [(error, _field_of(error, change.fields, definition)) for error in found]


def _field_of(error: QyzmetError, fields: Mapping[str, str], definition: ServiceDefinition) -> str:
    """The form field a registry refusal concerns: the one that gave the parameter it names (a
    vehicle's plate or VIN, a licence's categories, the buyer), else none."""
    named = ""
    if isinstance(error.details, dict):
        named = str(error.details.get("field", ""))
        items = error.details.get("fields") or []
        if not named and items and isinstance(items[0], dict):
            named = str(items[0].get("field", ""))
    if error.code in (ErrorCode.VEHICLE_UNKNOWN, ErrorCode.NOT_VEHICLE_OWNER):
        named = "plate" if "plate" in fields else "vin"
    if named == "buyer":
        return definition.counterparty.field if definition.counterparty is not None else ""
    named = {"categories": "category"}.get(named, named)
    return fields.get(named, "")


def registry_action_known(registry_name: str, action: str) -> bool:
    return (registry_name, action) in ACTIONS
