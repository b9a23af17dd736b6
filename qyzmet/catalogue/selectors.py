"""Reads of the published catalogue (the `services/` directory), loaded once per process."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from qyzmet.catalogue.loader import SERVICES_DIR, Catalogue, load_catalogue
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.calendar import local_today
from qyzmet.core.errors import NotFound
from qyzmet.core.mci import fee_tiyn


@functools.cache
def _catalogue_at(directory: Path) -> Catalogue:
    return load_catalogue(directory)


def catalogue_forget() -> None:
    """Drop the catalogue loaded in this process: the next read loads it again (tests that point
    `QYZMET_SERVICES_DIR` elsewhere)."""
    _catalogue_at.cache_clear()


def catalogue_get() -> Catalogue:
    """The catalogue in `QYZMET_SERVICES_DIR` (default `services/`); raises DefinitionError if it
    has any fault. Cached for the life of the process: publishing a change means a restart (after
    `services_check`)."""
    return _catalogue_at(Path(getattr(settings, "QYZMET_SERVICES_DIR", "") or SERVICES_DIR))


def service_get(*, code: str) -> ServiceDefinition:
    try:
        return catalogue_get().service(code)
    except KeyError:
        raise NotFound() from None


def _haystack(definition: ServiceDefinition) -> str:
    parts = [definition.code]
    for text in (definition.name, definition.description, definition.recipients):
        parts.extend((text.kk, text.ru, text.en))
    return " ".join(parts).casefold()


def service_search(
    *, query: str = "", category: str = "", life_situation: str = "", agency: str = ""
) -> list[ServiceDefinition]:
    """Services matching every filter given; `query` words must all appear in the name,
    description or recipients in any of the three languages (so a Russian word finds a service
    while the page is in Kazakh)."""
    catalogue = catalogue_get()
    words = [word for word in query.casefold().split() if word]
    found = []
    for definition in catalogue.services.values():
        if category and category not in definition.categories:
            continue
        if life_situation and life_situation not in definition.life_situations:
            continue
        if agency and definition.agency != agency:
            continue
        if words:
            haystack = _haystack(definition)
            if not all(word in haystack for word in words):
                continue
        found.append(definition)
    return found


@dataclass(frozen=True)
class FeeToday:
    mci: Decimal
    tiyn: int
    on: date


def service_fee_today(*, definition: ServiceDefinition) -> FeeToday:
    """The base state duty in tiyn at today's MCI (conditional rules apply to a filled form)."""
    today = local_today()
    return FeeToday(
        mci=definition.fee.mci, tiyn=fee_tiyn(mci_multiple=definition.fee.mci, on=today), on=today
    )
