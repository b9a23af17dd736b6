"""Reads of the published catalogue (the `services/` directory), loaded once per process."""

from __future__ import annotations

import functools

from qyzmet.catalogue.loader import SERVICES_DIR, Catalogue, load_catalogue
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.errors import NotFound


@functools.cache
def catalogue_get() -> Catalogue:
    """The catalogue in `services/`; raises DefinitionError if it has any fault. Cached for the
    life of the process: publishing a change means a restart (after `services_check`)."""
    return load_catalogue(SERVICES_DIR)


def service_get(*, code: str) -> ServiceDefinition:
    try:
        return catalogue_get().service(code)
    except KeyError:
        raise NotFound() from None
