"""A vehicle's history read by an officer or another system: an action, because the read is
written to the data-access log of every owner in the same call."""

from __future__ import annotations

from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.identity.models import Account
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.models import VehicleRegistration
from qyzmet.registries.selectors import vehicle_by_vin, vehicle_history
from qyzmet.trust.actions import data_access_record


def vehicle_record_read(
    *,
    vin: str,
    purpose: str,
    channel: str,
    actor: Account | None = None,
    actor_system: str = "",
) -> list[VehicleRegistration]:
    """A vehicle's history read by an officer or another system: every owner in it gets a
    data-access event (who, when, why) in the same call, as `person_record_read` does for a
    person."""
    if not purpose.strip():
        raise ValidationFailed(details={"field": "purpose"}, code=ErrorCode.PURPOSE_REQUIRED)
    vehicle = vehicle_by_vin(vin=vin)
    if vehicle is None:
        raise NotFound()
    history = vehicle_history(vehicle=vehicle)
    for owner_id in dict.fromkeys(r.owner_id for r in history):
        data_access_record(
            person_id=owner_id,
            actor_id=actor.pk if actor else None,
            actor_system=actor_system,
            channel=channel,
            fields=["vehicle_registrations"],
            purpose=purpose.strip(),
        )
    return history
