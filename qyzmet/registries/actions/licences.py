"""Driving licences: issued for new categories, replaced, revoked, expired."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict
from qyzmet.core.locking import row_change_locked
from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.actions.numbers import licence_number_new
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.models import DrivingLicence
from qyzmet.registries.preconditions import (
    LICENCE_REPLACE_REASONS,
    licence_facts,
    licence_issue_refusals,
    licence_replace_refusals,
)
from qyzmet.registries.selectors import medical_valid

__all__ = [
    "LICENCE_REPLACE_REASONS",
    "licence_expire_due",
    "licence_issue",
    "licence_replace",
    "licence_revoke",
]


def _valid_licence(holder: Person) -> DrivingLicence | None:
    return (
        DrivingLicence.objects.select_for_update()
        .filter(holder=holder, status=DrivingLicence.Status.VALID)
        .first()
    )


def licence_issue(
    *, holder: Person, categories: list[str], on: date | None = None
) -> DrivingLicence:
    """Issue a licence for new `categories`, or refuse with the first of
    `preconditions.licence_issue_refusals`, each with its own code: the categories
    (`category_invalid`), a deceased holder, nothing new (`categories_held`), the trailer
    categories' base (`base_category_missing`), the age per category (`under_age`), the driving
    experience per category (`experience_short`; the age and the experience are the law's, from
    `licence_rules`), a valid medical certificate that allows them (`no_medical`,
    `medical_restricted`), passed theory and driving exams per category (`exam_not_passed`).
    A holder with a valid licence gets a new one with all categories; the old one is replaced."""
    today = on or local_today()
    with transaction.atomic():
        old = _valid_licence(holder)
        facts = licence_facts(holder=holder, current=old, on=today)
        refusals = licence_issue_refusals(facts=facts, categories=categories, on=today)
        if refusals:
            raise refusals[0]
        new = [c for c in rules.categories_normalise(categories) if c not in facts.held]
        items = {item["category"]: item for item in (old.categories if old else [])}
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
    with transaction.atomic():
        locked = DrivingLicence.objects.select_for_update().get(pk=licence.pk)
        medical = medical_valid(person=locked.holder, on=today) is not None
        refusals = licence_replace_refusals(
            licence=locked, reason=reason, medical=medical, on=today
        )
        if refusals:
            raise refusals[0]
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
