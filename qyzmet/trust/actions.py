"""Writes of the trust app."""

from __future__ import annotations

from qyzmet.trust.models import DataAccessEvent


def data_access_record(
    *,
    person_id: int,
    channel: str,
    fields: list[str],
    purpose: str,
    actor_id: int | None = None,
    actor_system: str = "",
    legal_basis: str = "",
) -> DataAccessEvent:
    """Record that someone read `fields` of a person's record, and why."""
    if actor_id is None and not actor_system:
        raise ValueError("a data access needs an actor: an account or a named system")
    return DataAccessEvent.objects.create(
        person_id=person_id,
        actor_id=actor_id,
        actor_system=actor_system,
        channel=channel,
        fields=fields,
        purpose=purpose[:200],
        legal_basis=legal_basis[:200],
    )
