"""Driving licences: issued for new categories, replaced, revoked, expired."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.core.locking import row_change_locked
from qyzmet.identity.models import Person
from qyzmet.registries import licence_rules
from qyzmet.registries import validation as rules
from qyzmet.registries.actions.numbers import licence_number_new
from qyzmet.registries.actions.refusals import person_living_check, rule_refusal
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.models import (
    DrivingLicence,
    ExamResult,
)
from qyzmet.registries.selectors import licence_categories_held_since, medical_valid

LICENCE_REPLACE_REASONS = ("expiry", "loss", "damage", "personal_data")


def _valid_licence(holder: Person) -> DrivingLicence | None:
    return (
        DrivingLicence.objects.select_for_update()
        .filter(holder=holder, status=DrivingLicence.Status.VALID)
        .first()
    )


def _refusal(code: str, message: str | Promise, **details: object) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=details)


def _conditions_check(
    *, holder: Person, categories: list[str], held: list[str], today: date
) -> None:
    """The law's conditions for each new category, in the edition in force `today`: the towing
    category of a trailer category, the minimum age, the driving experience in the registry."""
    law = licence_rules.licence_rules_on(today)
    missing = licence_rules.missing_base_categories(law, categories, held)
    if missing:
        raise _refusal(
            ErrorCode.BASE_CATEGORY_MISSING,
            _("A trailer category needs its towing category first."),
            categories=missing,
        )
    young = [
        law.categories[c]
        for c in categories
        if licence_rules.under_age(law.categories[c], birth_date=holder.birth_date, on=today)
    ]
    if young:
        raise _refusal(
            ErrorCode.UNDER_AGE,
            " ".join(
                gettext(
                    "The holder is too young for category %(category)s: the minimum age is %(age)d."
                )
                % {"category": rule.category, "age": rule.minimum_age}
                for rule in young
            ),
            categories=[rule.category for rule in young],
            minimum_age={rule.category: rule.minimum_age for rule in young},
            act=law.act,
        )
    held_since = licence_categories_held_since(person=holder)
    short = {
        c: gaps
        for c in categories
        if (
            gaps := licence_rules.experience_missing(
                law.categories[c], held_since=held_since, on=today
            )
        )
    }
    if short:
        raise _refusal(
            ErrorCode.EXPERIENCE_SHORT,
            " ".join(_experience_sentence(c, gap) for c, gaps in short.items() for gap in gaps),
            categories=list(short),
            experience=short,
            act=law.act,
        )


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


def licence_issue(
    *, holder: Person, categories: list[str], on: date | None = None
) -> DrivingLicence:
    """Issue a licence for new `categories`. Checks, each with its own code: the categories
    (`category_invalid`), the trailer categories' base (`base_category_missing`), the age per
    category (`under_age`), the driving experience per category (`experience_short`; the age and
    the experience are the law's, from `licence_rules`), a valid medical certificate that allows
    them (`no_medical`, `medical_restricted`), passed theory and driving exams per category
    (`exam_not_passed`).
    A holder with a valid licence gets a new one with all categories; the old one is replaced."""
    today = on or local_today()
    try:
        wanted = rules.categories_normalise(categories)
    except rules.RuleError as exc:
        raise rule_refusal(error=exc, field="categories") from exc
    person_living_check(person=holder, field="holder")
    with transaction.atomic():
        old = _valid_licence(holder)
        held = old.categories if old is not None else []
        held_codes = [item["category"] for item in held]
        new = [c for c in wanted if c not in held_codes]
        if not new:
            raise ValidationFailed(
                _("The licence already has these categories."),
                code=ErrorCode.CATEGORIES_HELD,
                details={"categories": wanted},
            )
        _conditions_check(holder=holder, categories=new, held=held_codes, today=today)
        medical = medical_valid(person=holder, on=today)
        if medical is None:
            raise _refusal(
                ErrorCode.NO_MEDICAL, _("There is no valid medical certificate on file.")
            )
        restricted = rules.medical_covers(medical.categories, new)
        if restricted:
            raise _refusal(
                ErrorCode.MEDICAL_RESTRICTED,
                _("The medical certificate does not allow these categories."),
                categories=restricted,
            )
        passed = set(
            ExamResult.objects.filter(person=holder, category__in=new, passed=True).values_list(
                "category", "kind"
            )
        )
        not_passed = [
            {"category": c, "kind": kind}
            for c in new
            for kind in (ExamResult.Kind.THEORY, ExamResult.Kind.PRACTICE)
            if (c, kind) not in passed
        ]
        if not_passed:
            raise _refusal(
                ErrorCode.EXAM_NOT_PASSED,
                _("The theory and driving exams for this category are not passed."),
                exams=not_passed,
            )
        items = {item["category"]: item for item in held}
        for c in new:
            items[c] = {"category": c, "issued": today.isoformat()}
        return _licence_write(
            holder=holder,
            categories=[items[c] for c in rules.CATEGORIES if c in items],
            today=today,
            old=old,
            reason="categories",
        )


def _licence_write(
    *,
    holder: Person,
    categories: list[dict[str, str]],
    today: date,
    old: DrivingLicence | None,
    reason: str,
) -> DrivingLicence:
    if old is not None:
        old.status = DrivingLicence.Status.REPLACED
        old.replace_reason = reason
        old.save(update_fields=["status", "replace_reason"])
    try:
        with transaction.atomic():
            licence = DrivingLicence.objects.create(
                number=licence_number_new(),
                holder=holder,
                categories=categories,
                issued=today,
                expires=rules.licence_expiry(today),
            )
    except IntegrityError as exc:  # another licence was issued to the holder at the same moment
        raise Conflict(code=ErrorCode.LICENCE_ISSUED_ELSEWHERE) from exc
    if old is not None:
        old.replaced_by = licence
        old.save(update_fields=["replaced_by"])
    return licence


def licence_replace(
    *, licence: DrivingLicence, reason: str, on: date | None = None
) -> DrivingLicence:
    """Replace a licence (expiry, loss, damage, change of personal data) with one of the same
    categories, valid 10 years. An expired licence needs a valid medical certificate on file."""
    today = on or local_today()
    if reason not in LICENCE_REPLACE_REASONS:
        raise ValidationFailed(
            _("This is not a reason to replace a licence."),
            code=ErrorCode.REPLACE_REASON_INVALID,
            details={"fields": [{"field": "reason", "message": reason}]},
        )
    with transaction.atomic():
        locked = DrivingLicence.objects.select_for_update().get(pk=licence.pk)
        if locked.status not in (DrivingLicence.Status.VALID, DrivingLicence.Status.EXPIRED):
            raise Conflict(
                _("This licence was already replaced or revoked."),
                code=ErrorCode.LICENCE_NOT_CURRENT,
                details={"status": locked.status},
            )
        expired = locked.expires < today or locked.status == DrivingLicence.Status.EXPIRED
        if (expired or reason == "expiry") and medical_valid(
            person=locked.holder, on=today
        ) is None:
            raise ValidationFailed(
                _("There is no valid medical certificate on file."), code=ErrorCode.NO_MEDICAL
            )
        return _licence_write(
            holder=locked.holder,
            categories=list(locked.categories),
            today=today,
            old=locked,
            reason=reason,
        )


def licence_revoke(*, licence: DrivingLicence, reason: str) -> DrivingLicence:
    """Revoke a licence by a court's decision."""
    return row_change_locked(
        row=licence,
        status_in=(DrivingLicence.Status.VALID,),
        refusal=Conflict(
            _("This licence was already replaced or revoked."),
            code=ErrorCode.LICENCE_NOT_CURRENT,
        ),
        values={"status": DrivingLicence.Status.REVOKED, "replace_reason": reason[:16]},
    )


def licence_expire_due(*, on: date | None = None) -> int:
    """Mark valid licences past their expiry as expired (a daily sweep); answers how many."""
    today = on or local_today()
    return DrivingLicence.objects.filter(
        status=DrivingLicence.Status.VALID, expires__lt=today
    ).update(status=DrivingLicence.Status.EXPIRED)
