"""The rules between the fields of one service definition (see `schema.ServiceDefinition`).

Each rule returns its faults as (location, reason) pairs, locations as in the YAML document, so
that one load reports every fault of a definition at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from qyzmet.catalogue.parts import FieldCondition, FormField, Loc, ServiceFields, Workflow

Fault = tuple[Loc, str]


def definition_faults(definition: ServiceFields) -> list[Fault]:
    return [
        *_form_faults(definition),
        *_prefill_faults(definition),
        *_fee_faults(definition),
        *_named_list_faults(definition),
        *_result_faults(definition),
        *_counterparty_faults(definition),
        *_deadline_faults(definition),
        *_transition_faults(definition),
        *_graph_faults(definition.workflow),
    ]


def _form_faults(definition: ServiceFields) -> Iterator[Fault]:
    first_index: dict[str, int] = {}
    for index, field in enumerate(definition.form):
        if field.key in first_index:
            yield (
                ("form", index, "key"),
                (f"'{field.key}' is already the key of form[{first_index[field.key]}]"),
            )
        else:
            first_index[field.key] = index
    for index, field in enumerate(definition.form):
        if field.show_if is None:
            continue
        target = field.show_if.field
        if target not in first_index:
            yield ("form", index, "show_if", "field"), f"unknown form key '{target}'"
        elif first_index[target] > index:
            yield (
                ("form", index, "show_if", "field"),
                (f"'{target}' comes after this field; show_if must refer to a field above it"),
            )
        else:
            reason = _equals_fault(definition.form[first_index[target]], field.show_if)
            if reason:
                yield ("form", index, "show_if", "equals"), reason
    for registry, key in definition.record_keys.items():
        if key not in first_index:
            yield ("record_keys", registry), f"unknown form key '{key}'"


def _prefill_faults(definition: ServiceFields) -> Iterator[Fault]:
    form_keys = {field.key for field in definition.form}
    seen: set[str] = set()
    for index, prefill in enumerate(definition.prefill):
        if prefill.key in seen:
            yield ("prefill", index, "key"), f"'{prefill.key}' is listed twice"
        elif prefill.key in form_keys:
            yield ("prefill", index, "key"), f"'{prefill.key}' is also a form key"
        seen.add(prefill.key)


def _fee_faults(definition: ServiceFields) -> Iterator[Fault]:
    fields = {field.key: field for field in definition.form}
    for index, rule in enumerate(definition.fee.conditions):
        target = rule.when.field
        if target not in fields:
            yield ("fee", "conditions", index, "when", "field"), f"unknown form key '{target}'"
        else:
            reason = _equals_fault(fields[target], rule.when)
            if reason:
                yield ("fee", "conditions", index, "when", "equals"), reason
    if definition.payment == "none" and not definition.fee.is_free:
        yield ("payment",), "the service has a fee, so payment cannot be 'none'"
    if definition.payment != "none" and definition.fee.is_free:
        yield ("payment",), "the service is free, so payment must be 'none'"


def _equals_fault(field: FormField, condition: FieldCondition) -> str | None:
    value = condition.equals
    if field.type == "select":
        values = [option.value for option in field.options]
        if value not in values:
            return f"'{value}' is not an option of '{field.key}' ({', '.join(values)})"
    elif field.type == "boolean":
        if not isinstance(value, bool):
            return f"'{field.key}' is a boolean field: compare it with true or false"
    elif field.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return f"'{field.key}' is a number field: compare it with a number"
    elif field.type == "date":
        if not isinstance(value, str | date):
            return f"'{field.key}' is a date field: compare it with a date"
    elif not isinstance(value, str):
        return f"'{field.key}' is a {field.type} field: compare it with a text"
    return None


def _named_list_faults(definition: ServiceFields) -> Iterator[Fault]:
    seen: set[str] = set()
    for index, check in enumerate(definition.checks):
        if check.name in seen:
            yield ("checks", index, "name"), f"another check is already called '{check.name}'"
        seen.add(check.name)
    seen = set()
    for index, ground in enumerate(definition.refusal_grounds):
        if ground.code in seen:
            yield ("refusal_grounds", index, "code"), f"the code '{ground.code}' is used twice"
        seen.add(ground.code)


def _result_faults(definition: ServiceFields) -> Iterator[Fault]:
    change = definition.result.registry_change
    if change is None:
        return
    keys = {field.key for field in definition.form} | {item.key for item in definition.prefill}
    for registry_field, key in change.fields.items():
        if key not in keys:
            yield (
                ("result", "registry_change", "fields", registry_field),
                (f"unknown form or prefill key '{key}'"),
            )
    at: Loc = ("result", "registry_change")
    grounds = {ground.code for ground in definition.refusal_grounds}
    for code, ground in change.grounds.items():
        if ground not in grounds:
            yield (*at, "grounds", code), f"unknown refusal ground '{ground}'"
    if change.default_ground is not None and change.default_ground not in grounds:
        yield (*at, "default_ground"), f"unknown refusal ground '{change.default_ground}'"
    if change.on_refusal is None:
        return
    if change.default_ground is None:
        yield (*at, "default_ground"), "on_refusal needs a default_ground"
    refusals = [t for t in definition.workflow.transitions if t.name == change.on_refusal]
    states = definition.workflow.states
    if not refusals:
        yield (*at, "on_refusal"), f"unknown transition '{change.on_refusal}'"
    for transition in refusals:
        target = states.get(transition.to)
        if transition.role != "system" or transition.auto:
            yield (*at, "on_refusal"), "must name a system transition that is not automatic"
        if target is None or target.outcome != "refused":
            yield (*at, "on_refusal"), "must lead to a final state with the outcome 'refused'"


def _counterparty_faults(definition: ServiceFields) -> Iterator[Fault]:
    party = definition.counterparty
    steps = [t for t in definition.workflow.transitions if t.role == "counterparty"]
    document = definition.result.document
    if party is None and document is not None and document.holder == "counterparty":
        yield ("result", "document", "holder"), "no counterparty is declared"
    if party is None:
        for transition in steps:
            yield ("workflow", "transitions", transition.name), "no counterparty is declared"
        return
    fields = {field.key: field for field in definition.form}
    field = fields.get(party.field)
    if field is None:
        yield ("counterparty", "field"), f"unknown form key '{party.field}'"
    elif field.type != "iin" or not field.required:
        yield ("counterparty", "field"), "must be a required form field of type 'iin'"
    if not any("signature" in t.requires for t in steps):
        yield ("counterparty",), "no counterparty transition requires a signature"


def _deadline_faults(definition: ServiceFields) -> Iterator[Fault]:
    transitions = definition.workflow.transitions
    for name, state in definition.workflow.states.items():
        if state.on_deadline is None:
            continue
        taken = [t for t in transitions if t.name == state.on_deadline and name in t.from_]
        if not taken:
            yield (
                ("workflow", "states", name, "on_deadline"),
                f"no transition '{state.on_deadline}' leaves this state",
            )
        elif taken[0].role != "system" or taken[0].auto:
            yield (
                ("workflow", "states", name, "on_deadline"),
                "must name a system transition that is not automatic",
            )


def _transition_faults(definition: ServiceFields) -> Iterator[Fault]:
    workflow = definition.workflow
    states = workflow.states
    checks = {check.name for check in definition.checks}
    if workflow.initial not in states:
        yield ("workflow", "initial"), f"unknown state '{workflow.initial}'"
    elif states[workflow.initial].final:
        yield ("workflow", "initial"), f"the initial state '{workflow.initial}' is final"
    names_from: dict[str, set[str]] = {}
    unconditional_auto_from: set[str] = set()
    for index, transition in enumerate(workflow.transitions):
        at: Loc = ("workflow", "transitions", index)
        for source in transition.from_:
            if source not in states:
                yield (*at, "from"), f"unknown state '{source}'"
            elif states[source].final:
                yield (*at, "from"), f"'{source}' is a final state: no transition leaves it"
            names = names_from.setdefault(source, set())
            if transition.name in names:
                yield (
                    (*at, "name"),
                    (f"another transition from '{source}' is already called '{transition.name}'"),
                )
            names.add(transition.name)
        if transition.to not in states:
            yield (*at, "to"), f"unknown state '{transition.to}'"
        for check_index, check in enumerate(transition.checks):
            if check not in checks:
                yield (*at, "checks", check_index), f"unknown check '{check}'"
        if "grounds" in transition.requires and not definition.refusal_grounds:
            yield (*at, "requires"), "requires grounds, but refusal_grounds is empty"
        if transition.auto:
            shadowed = [source for source in transition.from_ if source in unconditional_auto_from]
            if shadowed:
                yield (
                    (*at, "auto"),
                    (
                        f"never runs: an earlier automatic transition from '{shadowed[0]}' "
                        "has no checks and is always taken"
                    ),
                )
            if not transition.checks:
                unconditional_auto_from.update(transition.from_)
    if not any(state.final and state.outcome == "approved" for state in states.values()):
        yield ("workflow", "states"), "no final state has the outcome 'approved'"


def _graph_faults(workflow: Workflow) -> Iterator[Fault]:
    states = workflow.states
    forward: dict[str, set[str]] = {name: set() for name in states}
    backward: dict[str, set[str]] = {name: set() for name in states}
    for transition in workflow.transitions:
        for source in transition.from_:
            if source in states and transition.to in states:
                forward[source].add(transition.to)
                backward[transition.to].add(source)
    if workflow.initial in states:
        reached = _reach({workflow.initial}, forward)
        for name in states:
            if name not in reached:
                yield (
                    ("workflow", "states", name),
                    (f"unreachable from the initial state '{workflow.initial}'"),
                )
    finals = {name for name, state in states.items() if state.final}
    ending = _reach(finals, backward)
    for name, state in states.items():
        if not state.final and name not in ending:
            yield ("workflow", "states", name), "no way from this state to a final state"


def _reach(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(start)
    queue: deque[str] = deque(start)
    while queue:
        for target in edges[queue.popleft()] - seen:
            seen.add(target)
            queue.append(target)
    return seen
