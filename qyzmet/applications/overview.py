"""One application as every interface shows it: the API's answer and the portal's page render
the same `ApplicationOverview`, so "waiting for you", "editable", the labels, the payer and the
next steps are decided here and nowhere else. Reads only."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.applications.actions import DRAFT, definition_of, party_of
from qyzmet.applications.actions.definitions import resigning_step
from qyzmet.applications.engine import transitions_for
from qyzmet.applications.forms import visible_fields
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.refusals import Refusal, refusals_foreseen
from qyzmet.applications.registries import UNKNOWN, registry_value
from qyzmet.applications.selectors import (
    application_history,
    application_list_for_citizen,
    working_days_left,
)
from qyzmet.applications.subject import Subject, application_subject
from qyzmet.applications.words import Role, Step
from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.core.calendar import WorkingCalendar, working_calendar
from qyzmet.core.mci import format_tenge
from qyzmet.documents.rendering import answer_rows
from qyzmet.identity.models import Account
from qyzmet.registries.selectors import plates_free_list

# Which party of the application: the applicant, or the second party (e.g. the buyer).
Party = Literal["applicant", "counterparty"]

# What a registry change wrote, named for the history line.
WRITTEN: dict[str, Promise] = {
    "certificate_number": gettext_lazy("registration certificate"),
    "plate": gettext_lazy("plate"),
    "licence_number": gettext_lazy("driving licence"),
}
# History rows only the agency sees.
OFFICE_ONLY = frozenset({Step.CONFLICT_REFUSED})
SIGNED_WITH: dict[str, Promise] = {
    "sms": gettext_lazy("signed by SMS code"),
    "certificate": gettext_lazy("signed with a certificate"),
}


@dataclass(frozen=True, slots=True)
class NextStep:
    """A transition the viewer may take now."""

    name: str
    label: str
    requires: tuple[str, ...]

    @property
    def needs_signature(self) -> bool:
        return "signature" in self.requires


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One step of the history, with what it wrote or why it refused (`written`)."""

    transition: str
    from_state: str
    to_state: str
    to_state_label: str
    actor_role: str
    comment: str
    grounds: str
    changes: Mapping[str, Any]
    at: datetime
    signed_with: str
    written: str
    corrected: str = ""  # a corrected application's changes: the fields, and values allowed


@dataclass(frozen=True, slots=True)
class FieldRow:
    """A question of the form as the applicant fills it in."""

    key: str
    type: str
    required: bool
    label: str
    help: str
    value: Any
    options: tuple[tuple[str, str], ...]
    marked: bool  # named by the officer for correction
    free_plates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ApplicationForm:
    """The form part of one application's page (lists leave it out: it reads the registries)."""

    fields: tuple[FieldRow, ...]
    prefill: tuple[tuple[str, Any], ...]  # (label, value or "—" when the registry is silent)
    summary: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ApplicationOverview:
    id: str
    number: str | None
    service: str
    service_version: int
    service_name: str
    agency: str
    state: str
    state_label: str  # "" while the state is not one of the workflow's (a draft)
    is_draft: bool
    outcome: str
    role: Role
    party: Party
    party_label: str  # the second party's name for themselves ("Buyer"); "" for the applicant
    editable: bool
    waiting_for_you: bool
    answers: Mapping[str, Any]
    correction_fields: tuple[str, ...]
    fee_tiyn: int
    fee_text: str
    payment: str
    payment_label: str
    payer: Party
    submitted_at: datetime | None
    due_date: date | None
    working_days_left: int | None
    next_steps: tuple[NextStep, ...]
    history: tuple[HistoryRow, ...]
    signing_methods: tuple[str, ...]
    version: int
    form: ApplicationForm | None
    subject: Subject | None  # what a sale is about (the car, the seller, the price); lists omit it
    # why the application would be refused, while the viewer could still sign or pay it (None:
    # not asked, as in lists); signing and paying are offered only when it is empty
    blockers: tuple[Refusal, ...] | None

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)

    @property
    def countersign_step(self) -> NextStep | None:
        """The second party's confirmation, which is signed rather than clicked."""
        if self.role != Role.COUNTERPARTY:
            return None
        return next((s for s in self.next_steps if s.needs_signature), None)

    @property
    def can_resubmit(self) -> bool:
        return any(s.name == "resubmit" for s in self.next_steps)

    @property
    def plain_steps(self) -> tuple[NextStep, ...]:
        """Steps taken with one button: not the resubmission, nothing that needs a signature."""
        return tuple(s for s in self.next_steps if s.name != "resubmit" and not s.needs_signature)

    @property
    def sign_by_sms(self) -> bool:
        return "sms" in self.signing_methods

    @property
    def sign_by_certificate(self) -> bool:
        return "certificate" in self.signing_methods


def application_overview(
    *,
    account: Account,
    application: Application,
    language: str,
    role: Role | None = None,
    calendar: WorkingCalendar | None = None,
    with_form: bool = False,
    with_subject: bool = True,
    with_blockers: bool = True,
) -> ApplicationOverview:
    """What `account` sees of `application`: as its party (`role` None) or as `role`. Lists pass
    one `calendar` for all rows and leave out the subject (`with_subject`) and the blockers
    (`with_blockers`), which read the registries; `with_form` adds the form, the registries'
    prefill and the answers' summary (one application's page)."""
    viewer = role or party_of(application, account)
    with translation.override(language):
        overview = _overview(application, viewer, language, calendar, with_form, with_subject)
        if with_blockers and _may_sign_or_pay(overview):
            blockers = refusals_foreseen(
                definition=definition_of(application),
                person=application.person,
                answers=overview.answers,
                counterparty=application.counterparty,
            )
            overview = dataclasses.replace(overview, blockers=tuple(blockers))
        return overview


def _may_sign_or_pay(overview: ApplicationOverview) -> bool:
    """The viewer could still sign the application (the applicant a draft, the second party
    their confirmation) or pay its duty."""
    if overview.role == Role.CITIZEN and overview.is_draft:
        return True
    if overview.role == Role.COUNTERPARTY and overview.countersign_step is not None:
        return True
    payer = Role.COUNTERPARTY if overview.payer == "counterparty" else Role.CITIZEN
    return overview.payment == Application.Payment.AWAITING and overview.role == payer


def application_overview_list(
    *, account: Account, language: str, calendar: WorkingCalendar | None = None
) -> list[ApplicationOverview]:
    """The citizen's applications and those naming them as the second party, each as its party
    sees it; the history comes prefetched, so the list costs the same queries whatever its
    length."""
    calendar = calendar or working_calendar()
    return [
        application_overview(
            account=account,
            application=application,
            language=language,
            calendar=calendar,
            with_subject=False,
            with_blockers=False,
        )
        for application in application_list_for_citizen(account=account)
    ]


def _overview(
    application: Application,
    role: Role,
    language: str,
    calendar: WorkingCalendar | None,
    with_form: bool,
    with_subject: bool,
) -> ApplicationOverview:
    definition = definition_of(application)
    states = definition.workflow.states
    state = states.get(application.state)
    steps = transitions_for(definition, application.state, role) if state else []
    answers: dict[str, Any] = json.loads(application.form_data or "{}")
    editable = role == Role.CITIZEN and (
        application.state == DRAFT
        or bool(state and state.citizen_action and not application.outcome)
    )
    counterparty = definition.counterparty
    fields_step = any("fields" in t.requires for t in steps)
    resigned = resigning_step(application) if role == Role.CITIZEN and fields_step else None
    return ApplicationOverview(
        id=str(application.id),
        number=application.number,
        service=definition.code,
        service_version=definition.version,
        service_name=definition.name.get(language),
        agency=application.agency,
        state=application.state,
        state_label=state.label.get(language) if state else "",
        is_draft=application.state == DRAFT,
        outcome=application.outcome,
        role=role,
        party="counterparty" if role == Role.COUNTERPARTY else "applicant",
        party_label=(
            counterparty.label.get(language) if role == Role.COUNTERPARTY and counterparty else ""
        ),
        editable=editable,
        waiting_for_you=(
            bool(steps)  # the second party's confirmation
            if role == Role.COUNTERPARTY
            else bool(state and state.citizen_action) or application.state == DRAFT
        ),
        answers=answers,
        correction_fields=tuple(application.correction_fields),
        fee_tiyn=application.fee_tiyn,
        fee_text=format_tenge(application.fee_tiyn, language) if application.fee_tiyn else "",
        payment=application.payment,
        payment_label=_payment_label(application, definition, language),
        payer="counterparty" if counterparty is not None and counterparty.pays else "applicant",
        submitted_at=application.submitted_at,
        due_date=application.due_date,
        working_days_left=working_days_left(application, calendar=calendar),
        next_steps=tuple(
            NextStep(
                name=t.name,
                label=t.label.get(language),
                # a corrected application is sent back signed again
                requires=(*t.requires, "signature") if t == resigned else tuple(t.requires),
            )
            for t in steps
        ),
        history=tuple(
            _history_row(e, definition, language)
            for e in application_history(application=application)
            # the agency's own control: the refusals of officers in a conflict of interest
            if e.transition not in OFFICE_ONLY or role not in (Role.CITIZEN, Role.COUNTERPARTY)
        ),
        signing_methods=tuple(definition.signing),
        version=application.lock_version,
        form=_form(application, definition, answers, language, editable) if with_form else None,
        subject=(
            application_subject(application=application, definition=definition, language=language)
            if with_subject
            else None
        ),
        blockers=None,
    )


def _payment_label(application: Application, definition: ServiceDefinition, language: str) -> str:
    party = definition.counterparty
    if (
        application.payment == Application.Payment.NOT_REQUIRED
        and application.fee_tiyn
        and party is not None
        and party.pays
        and not application.outcome
    ):
        return _("%(party)s pays it when confirming") % {"party": party.label.get(language)}
    return str(application.get_payment_display())


def _history_row(
    event: ApplicationEvent, definition: ServiceDefinition, language: str
) -> HistoryRow:
    states = definition.workflow.states
    changes = event.changes or {}
    return HistoryRow(
        transition=event.transition,
        from_state=event.from_state,
        to_state=event.to_state,
        to_state_label=(
            states[event.to_state].label.get(language)
            if event.to_state in states
            else event.to_state
        ),
        actor_role=event.actor_role,
        comment=event.comment,
        grounds=event.grounds,
        changes=changes,
        at=event.created_at,
        signed_with=str(SIGNED_WITH.get(str(changes.get("signature", "")), "")),
        written=_written(event, definition, language),
        corrected=_corrected(changes, definition, language),
    )


def _corrected(changes: Mapping[str, Any], definition: ServiceDefinition, language: str) -> str:
    """ "changed: Purpose: Employment → Other; Details" (values only where they were kept)."""
    keys = changes.get("changed") or []
    if not keys:
        return ""
    labels = {f.key: f.label.get(language) for f in definition.form}
    values = changes.get("values") or {}

    def shown(key: str, value: Any) -> str:
        rows = answer_rows(definition, {key: value}, language) if value not in (None, "") else []
        return str(rows[0][1]) if rows else "—"

    parts = [
        f"{labels.get(key, key)}: {shown(key, values[key]['from'])} → "
        f"{shown(key, values[key]['to'])}"
        if key in values
        else str(labels.get(key, key))
        for key in keys
    ]
    return _("changed: %(fields)s") % {"fields": "; ".join(parts)}


def _written(event: ApplicationEvent, definition: ServiceDefinition, language: str) -> str:
    """What a step wrote or why it refused, for the history (the comment is shown apart)."""
    changes = event.changes or {}
    written = changes.get("registry") or {}
    parts = [f"{WRITTEN[key]} {written[key]}" for key in WRITTEN if written.get(key)]
    if changes.get("document"):
        parts.append(_("document %(number)s") % {"number": changes["document"]})
    if event.grounds:
        grounds = {g.code: g.text.get(language) for g in definition.refusal_grounds}
        parts.append(grounds.get(event.grounds, event.grounds))
    return "; ".join(str(part) for part in parts)


def _form(
    application: Application,
    definition: ServiceDefinition,
    answers: dict[str, Any],
    language: str,
    editable: bool,
) -> ApplicationForm:
    shown = visible_fields(definition, answers)
    change = definition.result.registry_change
    chosen_plate_key = (
        change.fields.get("plate")
        if change is not None and (change.registry, change.action) == ("vehicle", "register_first")
        else None
    )
    free_plates = (
        tuple(p.number for p in plates_free_list(region=application.person.region))
        if chosen_plate_key and application.state == DRAFT
        else ()
    )
    fields = tuple(
        FieldRow(
            key=f.key,
            type=str(f.type),
            required=f.required,
            label=f.label.get(language),
            help=f.help.get(language) if f.help else "",
            value=answers.get(f.key, ""),
            options=tuple((o.value, o.label.get(language)) for o in f.options),
            marked=f.key in application.correction_fields,
            free_plates=free_plates if f.key == chosen_plate_key else (),
        )
        for f in shown
    )
    prefill: list[tuple[str, Any]] = []
    for item in definition.prefill:
        value = registry_value(person=application.person, source=item.source)
        prefill.append((item.label.get(language), "—" if value is UNKNOWN else value))
    summary = () if editable else _summary(definition, answers, language)
    return ApplicationForm(fields=fields, prefill=tuple(prefill), summary=summary)


def application_answers_summary(
    *, application: Application, language: str
) -> tuple[tuple[str, str], ...]:
    """The answers as the result document lists them, of the fields the form shows now (what a
    certificate signature covers, shown before signing)."""
    answers: dict[str, Any] = json.loads(application.form_data or "{}")
    return _summary(definition_of(application), answers, language)


def _summary(
    definition: ServiceDefinition, answers: dict[str, Any], language: str
) -> tuple[tuple[str, str], ...]:
    shown = {f.key for f in visible_fields(definition, answers)}
    return tuple(
        answer_rows(definition, {k: v for k, v in answers.items() if k in shown}, language)
    )
