"""Values that service definitions read from state registries by dotted path (`person.age`).

Connected: the population registry (`person.*`) and the vehicle, driving-licence, medical and
exam registries (`vehicle.*`, `licence.*`, `medical.*`, `exam.passed.<category>`, answered by
`qyzmet.registries.selectors`). A path into a registry that is not connected answers UNKNOWN,
and a check on an unknown value never passes, so such an application goes to an officer
instead of being decided automatically on missing data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from qyzmet.core.calendar import local_today
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import age_on
from qyzmet.registries import selectors as reg
from qyzmet.registries.selectors import (  # one "unknown" for every registry
    UNKNOWN,
    RegistryValue,
)

__all__ = ["UNKNOWN", "RegistryValue", "ValueOf", "registry_value", "registry_values"]

# A registry value by dotted path (`person.age`); its type is the registry's.
ValueOf = Callable[[str], RegistryValue]


def registry_value(
    *, person: Person, source: str, today: date | None = None, record: str | None = None
) -> RegistryValue:
    """`record` is the registry record the application names (see `record_keys`), if any."""
    registry, _, field = source.partition(".")
    today = today or local_today()
    if registry in reg.REGISTRIES:  # vehicles, driving licences, medical certificates, exams
        return reg.registry_value(person=person, source=source, today=today, record=record)
    if registry != "person":
        return UNKNOWN
    values: dict[str, RegistryValue] = {
        "iin": person.iin,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "age": age_on(person.birth_date, today),
        "sex": person.sex,
        "citizenship": person.citizenship,
        "region": person.region,
        "status": person.status,
        "registered_address": ", ".join(p for p in (person.settlement, person.street) if p),
    }
    return values.get(field, UNKNOWN)


def registry_values(person: Person, records: dict[str, str] | None = None) -> ValueOf:
    """Registry values for conditions; `records` are the records the form names by registry."""
    records = records or {}
    known: dict[str, RegistryValue] = {}  # several checks of one step read the same paths

    def value_of(source: str) -> RegistryValue:
        if source not in known:
            record = records.get(source.partition(".")[0])
            known[source] = registry_value(person=person, source=source, record=record)
        return known[source]

    return value_of
