"""The schema of a service definition: one YAML document per public service.

A ministry publishes a service as data; these models validate it when the catalogue is loaded and
are what the application engine interprets. Every model is frozen and forbids unknown keys, so a
typo in a key is an error and not a silently ignored setting.

Structural faults (a missing key, a wrong type) come from pydantic with their location. Faults
between fields (a transition to an unknown state, a `show_if` on an unknown field, a state with no
way to an end) are collected by `ServiceDefinition` all at once and raised as one
`ConsistencyError`, which carries each fault with its own location. They are only checked once the
structure is valid.
"""

from __future__ import annotations

from pydantic import model_validator

from qyzmet.catalogue.consistency import definition_faults
from qyzmet.catalogue.parts import (
    CODE_PATTERN,
    Condition,
    Fee,
    FieldCondition,
    FormField,
    I18n,
    Loc,
    Model,
    ServiceFields,
    Slug,
    Transition,
    Workflow,
)

__all__ = [
    "CODE_PATTERN",
    "Condition",
    "ConsistencyError",
    "Fee",
    "FieldCondition",
    "FormField",
    "I18n",
    "Loc",
    "Model",
    "ServiceDefinition",
    "Slug",
    "Transition",
    "Workflow",
]


class ConsistencyError(ValueError):
    """Faults between the fields of one definition, each with its location."""

    def __init__(self, faults: list[tuple[Loc, str]]) -> None:
        self.faults = faults
        super().__init__(
            "; ".join(f"{'.'.join(str(part) for part in loc)}: {reason}" for loc, reason in faults)
        )


class ServiceDefinition(ServiceFields):
    """One public service: its passport (names, agency, fee, term…), form, workflow and result,
    with the rules between its fields checked (`qyzmet.catalogue.consistency`)."""

    @model_validator(mode="after")
    def _consistent(self) -> ServiceDefinition:
        faults = definition_faults(self)
        if faults:
            raise ConsistencyError(faults)
        return self
