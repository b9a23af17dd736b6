"""Reads of the trust app."""

from __future__ import annotations

from qyzmet.trust.models import DataAccessEvent


def data_access_list_for_person(*, person_id: int, limit: int = 200) -> list[DataAccessEvent]:
    return list(
        DataAccessEvent.objects.filter(person_id=person_id)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
