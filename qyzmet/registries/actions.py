"""Writes of the vehicle and driving-licence registries. Each action is one transaction and
refuses with a `ValidationFailed` or `Conflict` whose `code` names the rule that failed."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.identity.models import Person
from qyzmet.registries import validation as rules
from qyzmet.registries.errors import ErrorCode
from qyzmet.registries.models import (
    DrivingLicence,
    ExamResult,
    Plate,
    Vehicle,
    VehicleRegistration,
)
from qyzmet.registries.selectors import medical_valid

LICENCE_REPLACE_REASONS = ("expiry", "loss", "damage", "personal_data")
FIRST_VEHICLE_YEAR = 1900


def _refused(error: rules.RuleError, *, field: str) -> ValidationFailed:
    return ValidationFailed(
        error.message,
        code=error.code,
        details={"fields": [{"field": field, "message": str(error.message)}], **error.details},
    )


def _random_number(letters: int, digits: int) -> str:
    head = "".join(secrets.choice(string.ascii_uppercase) for _ in range(letters))
    return head + "".join(secrets.choice(string.digits) for _ in range(digits))


def certificate_number_new() -> str:
    """A registration certificate (СРТС) number: two letters and eight digits."""
    return _random_number(2, 8)


def licence_number_new() -> str:
    return _random_number(2, 7)


def _living(person: Person, *, field: str) -> None:
    if person.status != Person.Status.LIVING:
        raise ValidationFailed(
            _("The registry records this person as deceased."),
            code=ErrorCode.PERSON_DECEASED,
            details={"fields": [{"field": field, "message": "deceased"}]},
        )


# --- Plates -------------------------------------------------------------------------------------


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
        raise _refused(exc, field="number" if number else "region") from exc
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
    with transaction.atomic():
        locked = Plate.objects.select_for_update().get(pk=plate.pk)
        if locked.status != Plate.Status.RESERVED:
            raise Conflict(
                _("Only a reserved plate can be released."), code=ErrorCode.PLATE_NOT_RESERVED
            )
        locked.status = Plate.Status.FREE
        locked.reserved_at = None
        locked.save(update_fields=["status", "reserved_at"])
    return locked


def _plate_text(number: str) -> str:
    try:
        return str(rules.plate_parse(number))
    except rules.RuleError as exc:
        raise _refused(exc, field="plate") from exc


def _plate_take(number: str) -> Plate:
    """Lock the plate and make it assigned; it must be free or reserved."""
    plate = Plate.objects.select_for_update().filter(number=_plate_text(number)).first()
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


# --- Vehicles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleData:
    vin: str
    make: str
    model: str
    year: int
    colour: str
    category: str
    engine_cc: int | None = None


def _vehicle_checked(data: VehicleData, today: date) -> tuple[rules.VinCheck, str]:
    try:
        vin = rules.vin_check(data.vin)
    except rules.RuleError as exc:
        raise _refused(exc, field="vin") from exc
    category = data.category.strip()
    if category not in rules.VEHICLE_CATEGORIES:
        raise ValidationFailed(
            _("This is not a vehicle category."),
            code=ErrorCode.VEHICLE_CATEGORY_INVALID,
            details={"fields": [{"field": "category", "message": category}]},
        )
    if not FIRST_VEHICLE_YEAR <= data.year <= today.year + 1:
        raise ValidationFailed(
            _("The year of manufacture is not possible."),
            code=ErrorCode.VEHICLE_YEAR_INVALID,
            details={"fields": [{"field": "year", "message": str(data.year)}]},
        )
    if not data.make.strip() or not data.model.strip():
        raise ValidationFailed(
            _("The make and the model are required."),
            code=ErrorCode.VEHICLE_MAKE_REQUIRED,
            details={"fields": [{"field": "make", "message": "required"}]},
        )
    return vin, category


def _registration_open(vehicle: Vehicle) -> VehicleRegistration:
    current = (
        VehicleRegistration.objects.select_for_update()
        .filter(vehicle=vehicle, ended_on=None)
        .first()
    )
    if current is None or vehicle.status != Vehicle.Status.REGISTERED:
        raise Conflict(_("This vehicle is not registered."), code=ErrorCode.VEHICLE_NOT_REGISTERED)
    return current


def _not_arrested(vehicle: Vehicle) -> None:
    if vehicle.arrested:
        raise Conflict(
            _("The vehicle is under arrest in the registry: %(reason)s")
            % {"reason": vehicle.arrest_reason or "—"},
            code=ErrorCode.VEHICLE_ARRESTED,
        )


def _locked(vehicle: Vehicle) -> Vehicle:
    return Vehicle.objects.select_for_update().get(pk=vehicle.pk)


def _vin_registered(vin: str) -> Conflict:
    return Conflict(
        _("A vehicle with this VIN is already in the registry."),
        code=ErrorCode.VIN_REGISTERED,
        details={"vin": vin},
    )


def _registration_start(
    *, vehicle: Vehicle, owner: Person, plate: Plate, reason: str, on: date
) -> VehicleRegistration:
    return VehicleRegistration.objects.create(
        vehicle=vehicle,
        owner=owner,
        plate=plate,
        certificate_number=certificate_number_new(),
        reason=reason,
        started_on=on,
    )


def vehicle_register_first(
    *, owner: Person, vehicle: VehicleData, plate: str, on: date | None = None
) -> VehicleRegistration:
    """Register a vehicle for the first time, with a plate from the pool (free or reserved).
    A VIN whose check digit does not match is registered (see `VinCheck`)."""
    today = on or local_today()
    vin, category = _vehicle_checked(vehicle, today)
    _living(owner, field="owner")
    with transaction.atomic():
        if Vehicle.objects.filter(vin=vin.vin).exists():
            raise _vin_registered(vin.vin)
        taken = _plate_take(plate)
        try:
            with transaction.atomic():
                row = Vehicle.objects.create(
                    vin=vin.vin,
                    make=vehicle.make.strip(),
                    model=vehicle.model.strip(),
                    year=vehicle.year,
                    colour=vehicle.colour.strip(),
                    category=category,
                    engine_cc=vehicle.engine_cc,
                )
        except IntegrityError as exc:  # the same VIN registered at the same moment
            raise _vin_registered(vin.vin) from exc
        return _registration_start(
            vehicle=row, owner=owner, plate=taken, reason=VehicleRegistration.Reason.FIRST, on=today
        )


def vehicle_owner_change(
    *, vehicle: Vehicle, buyer: Person, plate: str | None = None, on: date | None = None
) -> VehicleRegistration:
    """Re-register to a new owner: the seller's registration ends, the buyer's starts with a new
    certificate, on the same plate unless a new `plate` is given."""
    today = on or local_today()
    _living(buyer, field="buyer")
    with transaction.atomic():
        vehicle = _locked(vehicle)
        current = _registration_open(vehicle)
        _not_arrested(vehicle)
        if current.owner_id == buyer.pk:
            raise ValidationFailed(
                _("The buyer already owns this vehicle."),
                code=ErrorCode.SAME_OWNER,
                details={"fields": [{"field": "buyer", "message": "same"}]},
            )
        new_plate = current.plate
        if plate is not None and _plate_text(plate) != current.plate.number:
            new_plate = _plate_take(plate)
            current.plate.status = Plate.Status.RETIRED
            current.plate.save(update_fields=["status"])
        current.ended_on = today
        current.end_reason = VehicleRegistration.EndReason.OWNER_CHANGE
        current.save(update_fields=["ended_on", "end_reason"])
        return _registration_start(
            vehicle=vehicle,
            owner=buyer,
            plate=new_plate,
            reason=VehicleRegistration.Reason.OWNER_CHANGE,
            on=today,
        )


def vehicle_deregister(*, vehicle: Vehicle, on: date | None = None) -> Vehicle:
    """Take a vehicle off the registry: its registration ends and its plate is retired."""
    today = on or local_today()
    with transaction.atomic():
        vehicle = _locked(vehicle)
        current = _registration_open(vehicle)
        _not_arrested(vehicle)
        current.ended_on = today
        current.end_reason = VehicleRegistration.EndReason.DEREGISTRATION
        current.save(update_fields=["ended_on", "end_reason"])
        current.plate.status = Plate.Status.RETIRED
        current.plate.save(update_fields=["status"])
        vehicle.status = Vehicle.Status.DEREGISTERED
        vehicle.save(update_fields=["status"])
    return vehicle


def vehicle_certificate_reissue(*, vehicle: Vehicle) -> VehicleRegistration:
    """A duplicate registration certificate (the old one lost or damaged): the current
    registration gets a new certificate number, and the old number stops being valid."""
    with transaction.atomic():
        vehicle = _locked(vehicle)
        current = _registration_open(vehicle)
        current.certificate_number = certificate_number_new()
        current.save(update_fields=["certificate_number"])
    return current


def vehicle_arrest_set(*, vehicle: Vehicle, arrested: bool, reason: str = "") -> Vehicle:
    """Record (or lift) an arrest ordered by a court or a bailiff."""
    if arrested and not reason.strip():
        raise ValidationFailed(
            _("An arrest needs its reason."),
            code=ErrorCode.ARREST_REASON_REQUIRED,
            details={"fields": [{"field": "reason", "message": "required"}]},
        )
    with transaction.atomic():
        vehicle = _locked(vehicle)
        vehicle.arrested = arrested
        vehicle.arrest_reason = reason.strip()[:200] if arrested else ""
        vehicle.save(update_fields=["arrested", "arrest_reason"])
    return vehicle


# --- Driving licences ---------------------------------------------------------------------------


def _valid_licence(holder: Person) -> DrivingLicence | None:
    return (
        DrivingLicence.objects.select_for_update()
        .filter(holder=holder, status=DrivingLicence.Status.VALID)
        .first()
    )


def _refusal(code: str, message: str | Promise, **details: object) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=details)


def licence_issue(
    *, holder: Person, categories: list[str], on: date | None = None
) -> DrivingLicence:
    """Issue a licence for new `categories`. Checks, each with its own code: the categories
    (`category_invalid`), the trailer categories' base (`base_category_missing`), the age per
    category (`under_age`), a valid medical certificate that allows them (`no_medical`,
    `medical_restricted`), passed theory and driving exams per category (`exam_not_passed`).
    A holder with a valid licence gets a new one with all categories; the old one is replaced."""
    today = on or local_today()
    try:
        wanted = rules.categories_normalise(categories)
    except rules.RuleError as exc:
        raise _refused(exc, field="categories") from exc
    _living(holder, field="holder")
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
        missing = rules.missing_base_categories(new, held_codes)
        if missing:
            raise _refusal(
                ErrorCode.BASE_CATEGORY_MISSING,
                _("A trailer category needs its towing category first."),
                categories=missing,
            )
        young = [
            c for c in new if not rules.category_age_ok(c, birth_date=holder.birth_date, on=today)
        ]
        if young:
            raise _refusal(
                ErrorCode.UNDER_AGE,
                _("The holder is too young for this category."),
                categories=young,
                minimum_age={c: rules.MINIMUM_AGE[c] for c in young},
            )
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
    with transaction.atomic():
        locked = DrivingLicence.objects.select_for_update().get(pk=licence.pk)
        if locked.status != DrivingLicence.Status.VALID:
            raise Conflict(
                _("This licence was already replaced or revoked."),
                code=ErrorCode.LICENCE_NOT_CURRENT,
            )
        locked.status = DrivingLicence.Status.REVOKED
        locked.replace_reason = reason[:16]
        locked.save(update_fields=["status", "replace_reason"])
    return locked


def licence_expire_due(*, on: date | None = None) -> int:
    """Mark valid licences past their expiry as expired (a daily sweep); answers how many."""
    today = on or local_today()
    return DrivingLicence.objects.filter(
        status=DrivingLicence.Status.VALID, expires__lt=today
    ).update(status=DrivingLicence.Status.EXPIRED)
