"""Writes of the vehicle and driving-licence registries. Each action is one transaction and
refuses with a `ValidationFailed` or `Conflict` whose `code` names the rule that failed.

A package by register: `plates` (the plate pool), `vehicles`, `licences`; `numbers` makes
certificate and licence numbers, `refusals` the refusals they share, `records` an officer's or
system's read of a vehicle's history (a recorded data access).
"""

from qyzmet.registries.actions.licences import (
    LICENCE_REPLACE_REASONS,
    licence_expire_due,
    licence_issue,
    licence_replace,
    licence_revoke,
)
from qyzmet.registries.actions.numbers import certificate_number_new, licence_number_new
from qyzmet.registries.actions.plates import plate_pool_add, plate_release, plate_reserve
from qyzmet.registries.actions.records import vehicle_record_read
from qyzmet.registries.actions.vehicles import (
    FIRST_VEHICLE_YEAR,
    VehicleData,
    vehicle_arrest_set,
    vehicle_certificate_reissue,
    vehicle_deregister,
    vehicle_owner_change,
    vehicle_register_first,
)

__all__ = [
    "FIRST_VEHICLE_YEAR",
    "LICENCE_REPLACE_REASONS",
    "VehicleData",
    "certificate_number_new",
    "licence_expire_due",
    "licence_issue",
    "licence_number_new",
    "licence_replace",
    "licence_revoke",
    "plate_pool_add",
    "plate_release",
    "plate_reserve",
    "vehicle_arrest_set",
    "vehicle_certificate_reissue",
    "vehicle_deregister",
    "vehicle_owner_change",
    "vehicle_record_read",
    "vehicle_register_first",
]
