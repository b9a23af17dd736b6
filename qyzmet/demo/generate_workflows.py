"""The services' workflows as the volume generator walks them: a shortest path from the initial
state to each final state, and the events (with their moments) along one such path."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from qyzmet.applications.actions import DRAFT, snapshot_for
from qyzmet.applications.models import Application
from qyzmet.catalogue.schema import ServiceDefinition, Transition
from qyzmet.catalogue.selectors import service_get


@dataclass(frozen=True)
class WorkflowEnd:
    state: str
    outcome: str
    path: tuple[Transition, ...]


@dataclass
class GeneratedService:
    code: str
    definition: ServiceDefinition
    snapshot_id: int
    ends: dict[str, list[WorkflowEnd]]  # outcome -> the final states with it, each with its path


def _paths(definition: ServiceDefinition) -> dict[str, tuple[Transition, ...]]:
    """A shortest path (breadth first, in the order the transitions are written) from the
    initial state to every state."""
    workflow = definition.workflow
    paths: dict[str, tuple[Transition, ...]] = {workflow.initial: ()}
    queue = deque([workflow.initial])
    while queue:
        state = queue.popleft()
        if workflow.states[state].final:
            continue
        for transition in workflow.transitions_from(state):
            if transition.to not in paths:
                paths[transition.to] = (*paths[state], transition)
                queue.append(transition.to)
    return paths


def generated_service_prepare(*, code: str) -> GeneratedService:
    definition = service_get(code=code)
    paths = _paths(definition)
    ends: dict[str, list[WorkflowEnd]] = {}
    for name, state in definition.workflow.states.items():
        if state.final and name in paths and state.outcome:
            ends.setdefault(state.outcome, []).append(WorkflowEnd(name, state.outcome, paths[name]))
    return GeneratedService(code, definition, snapshot_for(definition).pk, ends)


def _delay(definition: ServiceDefinition, transition: Transition, rng: random.Random) -> timedelta:
    """How long after the step before a transition happens, by who makes it."""
    states = definition.workflow.states
    if any(states[name].on_deadline == transition.name for name in transition.from_):
        return timedelta(days=rng.uniform(3, 5))  # a lapse, when the step's days ran out
    if transition.role == "system":  # automatic, or the registry's answer to an approval
        return timedelta(milliseconds=rng.randint(30, 900))
    if transition.role in ("officer", "supervisor"):
        return timedelta(hours=rng.expovariate(1 / 30))
    return timedelta(hours=rng.expovariate(1 / 5))  # the citizen or the second party


def history_generate(
    *,
    definition: ServiceDefinition,
    end: WorkflowEnd,
    fee: int,
    submitted: datetime,
    rng: random.Random,
) -> tuple[list[dict[str, Any]], str]:
    """The events from the submission to `end` (with the duty paid, and refunded, where the
    definition says), each with its moment; and the payment state they leave."""
    party = definition.counterparty
    by_party = party is not None and party.pays
    charged = bool(fee) and definition.payment != "none"
    state = definition.workflow.initial
    events: list[dict[str, Any]] = [
        _event("submit", DRAFT, state, "citizen", submitted,
               {"signature": rng.choice(definition.signing), "fee_tiyn": fee})
    ]  # fmt: skip
    payment = Application.Payment.NOT_REQUIRED
    paid = False

    def owed() -> None:
        """The duty is asked for; it is paid unless the application is withdrawn."""
        nonlocal payment, paid
        payment = Application.Payment.AWAITING
        if end.outcome != "withdrawn":
            moment = events[-1]["created_at"] + timedelta(minutes=rng.expovariate(1 / 20))
            events.append(_event("pay", state, state, "system", moment, {"paid_tiyn": fee}))
            payment, paid = Application.Payment.PAID, True

    if charged and not by_party:
        owed()
    for transition in end.path:
        moment = events[-1]["created_at"] + _delay(definition, transition, rng)
        event = _event(transition.name, state, transition.to, transition.role, moment)
        if "grounds" in transition.requires or (
            definition.workflow.states[transition.to].outcome == "refused"
        ):
            ground = rng.choice(definition.refusal_grounds)
            event.update(grounds=ground.code, comment=ground.text.en)
        elif "comment" in transition.requires:
            event["comment"] = "Generated for a benchmark"
        events.append(event)
        state = transition.to
        if transition.role == "counterparty" and charged and by_party:
            owed()
    if paid and end.outcome in definition.fee.refund_on:
        moment = events[-1]["created_at"] + timedelta(days=rng.uniform(1, 5))
        events.append(_event("refund", state, state, "system", moment, {"refunded_tiyn": fee}))
        payment = Application.Payment.REFUNDED
    return events, payment


def _event(
    transition: str,
    from_state: str,
    to_state: str,
    role: str,
    moment: datetime,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "transition": transition,
        "from_state": from_state,
        "to_state": to_state,
        "actor": _actor(role),
        "actor_role": role,
        "changes": changes or {},
        "created_at": moment,
    }


def _actor(role: str) -> str | None:
    """Whose account made a step: the applicant's, the second party's, an officer's or none."""
    if role == "citizen":
        return "applicant"
    if role in ("counterparty", "officer"):
        return role
    return "officer" if role == "supervisor" else None
