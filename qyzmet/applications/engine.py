"""The workflow engine's pure parts: conditions, role-checked transitions, automatic steps.

It interprets a `ServiceDefinition` and never needs Python per service.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from qyzmet.applications.registries import UNKNOWN
from qyzmet.applications.words import Role
from qyzmet.catalogue.schema import Condition, ServiceDefinition, Transition


def condition_holds(condition: Condition, value: Any) -> bool:
    """Whether a registry value satisfies a condition. An unknown value satisfies nothing."""
    if condition.op == "exists":
        wanted = True if condition.value is None else bool(condition.value)
        if value is UNKNOWN:
            return False
        return (value is not None and value != "" and value != []) == wanted
    if value is UNKNOWN or value is None:
        return False
    if condition.op == "eq":
        return bool(value == condition.value)
    if condition.op == "ne":
        return bool(value != condition.value)
    if condition.op == "in":
        return value in condition.value
    try:
        number, bound = Decimal(str(value)), Decimal(str(condition.value))
    except ArithmeticError:
        return False
    return number >= bound if condition.op == "gte" else number <= bound


def transitions_for(definition: ServiceDefinition, state: str, role: str) -> list[Transition]:
    """What `role` may do in `state` (supervisors may do what officers may)."""
    roles = {role, Role.OFFICER} if role == Role.SUPERVISOR else {role}
    return [
        t
        for t in definition.workflow.transitions_from(state)
        if t.role in roles and not (Role(t.role) == Role.SYSTEM and t.auto)
    ]


def transition_named(
    definition: ServiceDefinition, state: str, name: str, role: str
) -> Transition | None:
    return next((t for t in transitions_for(definition, state, role) if t.name == name), None)


def auto_transition(
    definition: ServiceDefinition, state: str, value_of: Callable[[str], Any]
) -> Transition | None:
    """The first automatic system transition out of `state` whose checks all pass."""
    checks = {check.name: check.condition for check in definition.checks}
    for transition in definition.workflow.transitions_from(state):
        if Role(transition.role) != Role.SYSTEM or not transition.auto:
            continue
        if all(
            condition_holds(checks[name], value_of(checks[name].source))
            for name in transition.checks
        ):
            return transition
    return None


def is_final(definition: ServiceDefinition, state: str) -> bool:
    return definition.workflow.states[state].final
