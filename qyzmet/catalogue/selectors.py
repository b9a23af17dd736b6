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
from qyzmet.core.mci import fee_estimate


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


def service_search(
    *, query: str = "", category: str = "", life_situation: str = "", agency: str = ""
) -> list[ServiceDefinition]:
    """Services matching every filter given, the most relevant to `query` first (see
    `qyzmet.catalogue.search`): a word in any of the three languages finds a service whatever the
    page's language, in any of its forms, and through the synonyms of `_synonyms.yaml`. A query
    with no word to search by finds nothing; no query at all keeps the catalogue's order."""
    catalogue = catalogue_get()
    codes = [
        definition.code
        for definition in catalogue.services.values()
        if (not category or category in definition.categories)
        and (not life_situation or life_situation in definition.life_situations)
        and (not agency or definition.agency == agency)
    ]
    if query.strip():
        codes = catalogue.index.rank(query, codes)
    return [catalogue.services[code] for code in codes]


@dataclass(frozen=True)
class FeeToday:
    mci: Decimal
    tiyn: int
    on: date
    provisional: bool = False  # this year's MCI is not in the data yet: last year's is used


def service_fee_today(*, definition: ServiceDefinition) -> FeeToday:
    """The base state duty in tiyn at today's MCI (conditional rules apply to a filled form);
    shown before anything is charged, so from the last known MCI when this year's is missing,
    marked `provisional` for the page to say so."""
    today = local_today()
    fee = fee_estimate(mci_multiple=definition.fee.mci, on=today)
    return FeeToday(mci=definition.fee.mci, tiyn=fee.tiyn, on=today, provisional=fee.provisional)
