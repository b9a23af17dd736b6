"""What the office pages show in place of codes: the history's steps, roles, registry writes and
refusals, a person's record, a reconciliation's states and amounts; all in the officer's
language, from the service definition's labels where it has them, else from the owning app's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.applications.overview import HistoryRow
from qyzmet.applications.words import REGISTRY_CHANGE_LABELS, ROLE_LABELS, STEP_LABELS
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.mci import format_tenge
from qyzmet.identity.models import Person
from qyzmet.payments.models import Payment
from qyzmet.registries.validation import REGIONS

# What a registry change wrote, by the key its history entry keeps it under.
REGISTRY_LABELS: dict[str, Promise] = {
    "vin": _("VIN"),
    "plate": _("plate"),
    "certificate_number": _("registration certificate"),
    "licence_number": _("driving licence"),
    "categories": _("categories"),
    "expires": _("valid until"),
    "replaces": _("replaces"),
}
COUNTRIES: dict[str, Promise] = {"KAZ": _("Kazakhstan")}  # ISO 3166-1 alpha-3


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One step of the history as the officer reads it: the step, who took it, the state it led
    to and the grounds named in their language."""

    at: dt.datetime
    step: str
    role: str
    state: str
    grounds: str
    comment: str
    written: tuple[tuple[str, str], ...]
    not_connected: str
    refusal: str  # the ground the registry's refusal maps to, in words
    corrected: str = ""  # what a corrected application changed


def role_label(role: str) -> str:
    label = ROLE_LABELS.get(role)
    return str(label) if label is not None else role


def _value(value: Any) -> str:
    """A registry value as written: a list joined, an ISO date in the language's format."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and len(value) == 10:
        try:
            return str(date_format(dt.date.fromisoformat(value), "DATE_FORMAT"))
        except ValueError:
            pass
    return str(value)


def history_lines(
    rows: Sequence[HistoryRow], definition: ServiceDefinition, language: str
) -> list[HistoryLine]:
    steps: dict[str, str | Promise] = dict(STEP_LABELS)
    steps.update({t.name: t.label.get(language) for t in definition.workflow.transitions})
    grounds = {g.code: g.text.get(language) for g in definition.refusal_grounds}
    change = definition.result.registry_change
    lines = []
    for row in rows:
        written = row.changes.get("registry") or {}
        not_connected = str(written.get("not_connected", ""))
        refusal = str(row.changes.get("registry_refusal", ""))
        # a registry's refusal is named by the ground the definition maps its code to
        ground = (change.grounds.get(refusal) or change.default_ground) if change else None
        lines.append(
            HistoryLine(
                at=row.at,
                step=str(steps.get(row.transition, row.transition)),
                role=role_label(row.actor_role),
                state=row.to_state_label,
                grounds=grounds.get(row.grounds, row.grounds),
                comment=row.comment,
                written=tuple(
                    (str(REGISTRY_LABELS.get(key, key)), _value(value))
                    for key, value in written.items()
                    if key != "not_connected"
                ),
                not_connected=str(
                    REGISTRY_CHANGE_LABELS.get(not_connected, definition.name.get(language))
                )
                if not_connected
                else "",
                refusal=grounds.get(ground, "") if refusal and ground else "",
                corrected=row.corrected,
            )
        )
    return lines


def person_rows(record: Mapping[str, Any]) -> dict[str, str]:
    """A person's record with its coded values named: sex, status, citizenship, region."""
    sex, status = str(record.get("sex", "")), str(record.get("status", ""))
    citizenship, region = str(record.get("citizenship", "")), str(record.get("region", ""))
    return {
        "sex": str(Person.Sex(sex).label) if sex in Person.Sex.values else sex,
        "status": str(Person.Status(status).label) if status in Person.Status.values else status,
        "citizenship": str(COUNTRIES.get(citizenship, citizenship)),
        "region": str(REGIONS.get(region, region)),
    }


def payment_side(side: Mapping[str, Any], language: str) -> str:
    """One side of a reconciliation mismatch: its state named, its amount in tenge."""
    if not side:
        return "—"
    state = str(side.get("state", ""))
    label = Payment.State(state).label if state in Payment.State.values else state
    amount = side.get("amount_tiyn")
    money = format_tenge(int(amount), language) if isinstance(amount, int) else ""
    return " · ".join(part for part in (str(label), money) if part)
