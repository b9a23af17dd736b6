"""The plate pool: plates added, reserved for an application, released, and taken by a vehicle."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.core.locking import row_change_locked
from qyzmet.registries import validation as rules
from qyzmet.registries.actions.refusals import rule_refusal
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.models import (
    Plate,
)


def plate_pool_add(*, numbers: Iterable[str]) -> int:
    """Put plate numbers into the pool as free (numbers already there are left as they are);
    answers how many were added."""
    plates = []
    for text in numbers:
        number = rules.plate_parse(text)
        tier = rules.plate_tier(number)
        plates.append(
            Plate(
                number=str(number),
                region=number.region,
                increased_demand=tier != rules.PriceTier.STANDARD,
                price_tier=tier,
            )
        )
    with transaction.atomic():
        before = Plate.objects.count()
        Plate.objects.bulk_create(plates, batch_size=2000, ignore_conflicts=True)
        return Plate.objects.count() - before


def plate_reserve(
    *, region: str, increased_demand: bool = False, number: str | None = None
) -> Plate:
    """Take a free plate from the region's pool (or the chosen `number`) and mark it reserved.

    On PostgreSQL concurrent callers skip each other's locked rows, so two reservations never get
    the same plate and neither waits; SQLite serialises writers."""
    try:
        region = rules.region_check(region)
        wanted = rules.plate_parse(number) if number else None
    except rules.RuleError as exc:
        raise rule_refusal(error=exc, field="number" if number else "region") from exc
    if wanted is not None and wanted.region != region:
        raise ValidationFailed(
            _("The plate's region code is not the region asked for."),
            code=ErrorCode.PLATE_REGION_MISMATCH,
            details={"fields": [{"field": "number", "message": "region"}]},
        )
    with transaction.atomic():
        query = Plate.objects.filter(region=region, status=Plate.Status.FREE)
        if wanted is not None:
            query = query.filter(number=str(wanted))
        else:
            query = query.filter(increased_demand=increased_demand)
        skip = connection.features.has_select_for_update_skip_locked
        plate = query.order_by("number").select_for_update(skip_locked=skip).first()
        if plate is None:
            if wanted is not None:
                raise Conflict(
                    _("This plate number is not free."),
                    code=ErrorCode.PLATE_TAKEN,
                    details={"number": str(wanted)},
                )
            raise Conflict(
                _("No free plates are left in this region's pool."),
                code=ErrorCode.PLATE_POOL_EMPTY,
                details={"region": region, "increased_demand": increased_demand},
            )
        plate.status = Plate.Status.RESERVED
        plate.reserved_at = timezone.now()
        plate.save(update_fields=["status", "reserved_at"])
    return plate


def plate_release(*, plate: Plate) -> Plate:
    """Give a reserved plate back to the pool (an application was withdrawn or refused)."""
    return row_change_locked(
        row=plate,
        status_in=(Plate.Status.RESERVED,),
        refusal=Conflict(
            _("Only a reserved plate can be released."), code=ErrorCode.PLATE_NOT_RESERVED
        ),
        values={"status": Plate.Status.FREE, "reserved_at": None},
    )


def plate_text(*, number: str) -> str:
    try:
        return str(rules.plate_parse(number))
    except rules.RuleError as exc:
        raise rule_refusal(error=exc, field="plate") from exc


def plate_take(*, number: str) -> Plate:
    """Lock the plate and make it assigned; it must be free or reserved."""
    plate = Plate.objects.select_for_update().filter(number=plate_text(number=number)).first()
    if plate is None:
        raise NotFound(_("This plate number is not in the pool."), code=ErrorCode.PLATE_UNKNOWN)
    if plate.status == Plate.Status.RETIRED:
        raise Conflict(
            _("This plate number is retired and cannot be issued."),
            code=ErrorCode.PLATE_RETIRED,
            details={"number": plate.number},
        )
    if plate.status == Plate.Status.ASSIGNED:
        raise Conflict(
            _("This plate number is already on another vehicle."),
            code=ErrorCode.PLATE_TAKEN,
            details={"number": plate.number},
        )
    plate.status = Plate.Status.ASSIGNED
    plate.save(update_fields=["status"])
    return plate
