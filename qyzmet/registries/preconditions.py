"""What a registry write would refuse, known before it is made: the one place of the conditions
of issuing and replacing a driving licence and of changing a registered vehicle.

Each condition is a pure function of the facts the registries hold (`licence_issue_refusals`
over `LicenceFacts`, `licence_replace_refusals`, `vehicle_change_refusals`), answering every
refusal, in the order the write checks them. The writes (`registries.actions`) read the facts
under their row locks and raise the first refusal; a service asks the same functions through
the `*_check` readers below before the citizen signs or pays (they read, never lock, never
write), so what would be refused after payment is refused before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, QyzmetError, ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.registries import licence_rules
from qyzmet.registries import validation as rules
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.models import (
    DrivingLicence,
    ExamResult,
    Vehicle,
    VehicleRegistration,
)
from qyzmet.registries.selectors import licence_categories_held_since, medical_valid

LICENCE_REPLACE_REASONS = ("expiry", "loss", "damage", "personal_data")
EXAM_KINDS = (ExamResult.Kind.THEORY, ExamResult.Kind.PRACTICE)


def refusal(code: str, message: str | Promise, **details: object) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=details)


def person_deceased(*, field: str) -> ValidationFailed:
    return ValidationFailed(
        _("The registry records this person as deceased."),
        code=ErrorCode.PERSON_DECEASED,
        details={"fields": [{"field": field, "message": "deceased"}]},
    )


@dataclass(frozen=True)
class LicenceFacts:
    """What the registries hold that issuing a licence depends on."""

    birth_date: date
    living: bool
    held: tuple[str, ...]  # the categories of the holder's valid licence
    held_since: Mapping[str, date]  # every category ever issued, with its earliest issue day
    medical: tuple[str, ...] | None  # what the valid certificate allows (empty: all); None: none
    exams_passed: frozenset[tuple[str, str]]  # (category, kind)


def licence_issue_refusals(
    *, facts: LicenceFacts, categories: list[str], on: date
) -> list[QyzmetError]:
    """Every reason the licence registry would refuse to issue `categories`, in its order: the
    categories themselves, a deceased holder, nothing new asked; then the law's conditions
    (a trailer's towing category, the age, the driving experience: `licence_rules`), the
    medical certificate, the theory and driving exams."""
    try:
        wanted = rules.categories_normalise(categories)
    except rules.RuleError as exc:
        return [
            ValidationFailed(
                exc.message,
                code=exc.code,
                details={"fields": [{"field": "categories", "message": str(exc.message)}]},
            )
        ]
    if not facts.living:
        return [person_deceased(field="holder")]
    new = [c for c in wanted if c not in facts.held]
    if not new:
        return [
            refusal(
                ErrorCode.CATEGORIES_HELD,
                _("The licence already has these categories."),
                categories=wanted,
            )
        ]
    found = _law_refusals(facts, new, on)
    if facts.medical is None:
        found.append(
            refusal(ErrorCode.NO_MEDICAL, _("There is no valid medical certificate on file."))
        )
    elif restricted := rules.medical_covers(list(facts.medical), new):
        found.append(
            refusal(
                ErrorCode.MEDICAL_RESTRICTED,
                _("The medical certificate does not allow these categories."),
                categories=restricted,
            )
        )
    not_passed = [
        {"category": c, "kind": kind}
        for c in new
        for kind in EXAM_KINDS
        if (c, kind) not in facts.exams_passed
    ]
    if not_passed:
        found.append(
            refusal(
                ErrorCode.EXAM_NOT_PASSED,
                _("The theory and driving exams for this category are not passed."),
                exams=not_passed,
            )
        )
    return found


def _law_refusals(facts: LicenceFacts, new: list[str], on: date) -> list[QyzmetError]:
    """The law's conditions for each new category, in the edition in force `on`."""
    law = licence_rules.licence_rules_on(on)
    found: list[QyzmetError] = []
    missing = licence_rules.missing_base_categories(law, new, list(facts.held))
    if missing:
        found.append(
            refusal(
                ErrorCode.BASE_CATEGORY_MISSING,
                _("A trailer category needs its towing category first."),
                categories=missing,
            )
        )
    young = [
        law.categories[c]
        for c in new
        if licence_rules.under_age(law.categories[c], birth_date=facts.birth_date, on=on)
    ]
    if young:
        found.append(
            refusal(
                ErrorCode.UNDER_AGE,
                " ".join(
                    gettext(
                        "The holder is too young for category %(category)s: "
                        "the minimum age is %(age)d."
                    )
                    % {"category": rule.category, "age": rule.minimum_age}
                    for rule in young
                ),
                categories=[rule.category for rule in young],
                minimum_age={rule.category: rule.minimum_age for rule in young},
                act=law.act,
            )
        )
    short = {
        c: gaps
        for c in new
        if (
            gaps := licence_rules.experience_missing(
                law.categories[c], held_since=facts.held_since, on=on
            )
        )
    }
    if short:
        found.append(
            refusal(
                ErrorCode.EXPERIENCE_SHORT,
                " ".join(_experience_sentence(c, gap) for c, gaps in short.items() for gap in gaps),
                categories=list(short),
                experience=short,
                act=law.act,
            )
        )
    return found


def _experience_sentence(category: str, gap: dict[str, Any]) -> str:
    values = {"category": category, "years": gap["years"]}
    if gap["with"] == licence_rules.ANY:
        return (
            ngettext(
                "Category %(category)s needs at least %(years)d year as a driver.",
                "Category %(category)s needs at least %(years)d years as a driver.",
                gap["years"],
            )
            % values
        )
    return ngettext(
        "Category %(category)s needs at least %(years)d year with category %(with)s.",
        "Category %(category)s needs at least %(years)d years with category %(with)s.",
        gap["years"],
    ) % {**values, "with": ", ".join(gap["with"])}


def licence_facts(*, holder: Person, current: DrivingLicence | None, on: date) -> LicenceFacts:
    """The facts of `holder` as the registries hold them `on`; `current` is their valid licence
    (read under a lock by the write, plainly by a check)."""
    medical = medical_valid(person=holder, on=on)
    passed = ExamResult.objects.filter(person=holder, passed=True).values_list("category", "kind")
    return LicenceFacts(
        birth_date=holder.birth_date,
        living=holder.status == Person.Status.LIVING,
        held=tuple(item["category"] for item in current.categories) if current else (),
        held_since=licence_categories_held_since(person=holder),
        medical=tuple(medical.categories) if medical is not None else None,
        exams_passed=frozenset(passed),
    )


def licence_issue_check(
    *, holder: Person, categories: list[str], on: date | None = None
) -> list[QyzmetError]:
    """What `licence_issue` would refuse now, without writing anything."""
    today = on or local_today()
    current = DrivingLicence.objects.filter(
        holder=holder, status=DrivingLicence.Status.VALID
    ).first()
    facts = licence_facts(holder=holder, current=current, on=today)
    return licence_issue_refusals(facts=facts, categories=categories, on=today)


def licence_replace_refusals(
    *, licence: DrivingLicence, reason: str, medical: bool, on: date
) -> list[QyzmetError]:
    """Why `licence` could not be replaced for `reason` `on`: not a reason, a licence already
    replaced or revoked, an expired licence (or one replaced for expiry) without a valid medical
    certificate (`medical`)."""
    if reason not in LICENCE_REPLACE_REASONS:
        return [
            ValidationFailed(
                _("This is not a reason to replace a licence."),
                code=ErrorCode.REPLACE_REASON_INVALID,
                details={"fields": [{"field": "reason", "message": reason}]},
            )
        ]
    if licence.status not in (DrivingLicence.Status.VALID, DrivingLicence.Status.EXPIRED):
        return [
            Conflict(
                _("This licence was already replaced or revoked."),
                code=ErrorCode.LICENCE_NOT_CURRENT,
                details={"status": licence.status},
            )
        ]
    expired = licence.expires < on or licence.status == DrivingLicence.Status.EXPIRED
    if (expired or reason == "expiry") and not medical:
        return [refusal(ErrorCode.NO_MEDICAL, _("There is no valid medical certificate on file."))]
    return []


def licence_replace_check(
    *, licence: DrivingLicence, reason: str, on: date | None = None
) -> list[QyzmetError]:
    """What `licence_replace` would refuse now, without writing anything."""
    today = on or local_today()
    medical = medical_valid(person=licence.holder, on=today) is not None
    return licence_replace_refusals(licence=licence, reason=reason, medical=medical, on=today)


def vehicle_change_refusals(
    *,
    vehicle: Vehicle,
    registration: VehicleRegistration | None,
    buyer: Person | None = None,
    arrest_bars: bool = True,
) -> list[QyzmetError]:
    """Why a registered vehicle's registration could not change (a sale to `buyer`, a
    deregistration, a new certificate): a deceased buyer, a vehicle not registered (its open
    `registration`), an arrest (unless the change is a new certificate: `arrest_bars`), a buyer
    who owns it already."""
    found: list[QyzmetError] = []
    if buyer is not None and buyer.status != Person.Status.LIVING:
        found.append(person_deceased(field="buyer"))
    if registration is None or vehicle.status != Vehicle.Status.REGISTERED:
        found.append(
            Conflict(_("This vehicle is not registered."), code=ErrorCode.VEHICLE_NOT_REGISTERED)
        )
        return found
    if arrest_bars and vehicle.arrested:
        found.append(
            Conflict(
                _("The vehicle is under arrest in the registry: %(reason)s")
                % {"reason": vehicle.arrest_reason or "—"},
                code=ErrorCode.VEHICLE_ARRESTED,
            )
        )
    if buyer is not None and registration.owner_id == buyer.pk:
        found.append(
            ValidationFailed(
                _("The buyer already owns this vehicle."),
                code=ErrorCode.SAME_OWNER,
                details={"fields": [{"field": "buyer", "message": "same"}]},
            )
        )
    return found


def vehicle_change_check(
    *, vehicle: Vehicle, buyer: Person | None = None, arrest_bars: bool = True
) -> list[QyzmetError]:
    """What a change of `vehicle`'s registration would refuse now, without writing anything."""
    registration = VehicleRegistration.objects.filter(vehicle=vehicle, ended_on=None).first()
    return vehicle_change_refusals(
        vehicle=vehicle, registration=registration, buyer=buyer, arrest_bars=arrest_bars
    )
