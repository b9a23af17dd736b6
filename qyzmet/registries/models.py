"""The vehicle registry, the plate pool, driving licences, and the medical and exam records that
licences are issued on (the last two written by their agencies' systems, imported here)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from qyzmet.identity.models import Person


class Vehicle(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("vehicle status", "registered")
        DEREGISTERED = "deregistered", pgettext_lazy("vehicle status", "deregistered")

    vin = models.CharField(max_length=17, unique=True)
    make = models.CharField(max_length=64)
    model = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    colour = models.CharField(max_length=32)
    category = models.CharField(max_length=4)
    engine_cc = models.PositiveIntegerField(null=True, blank=True)
    arrested = models.BooleanField(default=False)
    arrest_reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Vehicle {self.vin}"


class Plate(models.Model):
    class Status(models.TextChoices):
        FREE = "free", pgettext_lazy("plate status", "free")
        RESERVED = "reserved", pgettext_lazy("plate status", "reserved")
        ASSIGNED = "assigned", pgettext_lazy("plate status", "assigned")
        RETIRED = "retired", pgettext_lazy("plate status", "retired")

    number = models.CharField(max_length=10, unique=True)  # "123 ABC 02"
    region = models.CharField(max_length=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FREE)
    increased_demand = models.BooleanField(default=False)
    price_tier = models.CharField(max_length=16, default="standard")
    reserved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["region", "status", "increased_demand"])]

    def __str__(self) -> str:
        return self.number


class VehicleRegistration(models.Model):
    """One owner's registration of a vehicle; the open row (`ended_on` empty) is the current one,
    all rows in order are the history."""

    class Reason(models.TextChoices):
        FIRST = "first", pgettext_lazy("registration", "first registration")
        OWNER_CHANGE = "owner_change", pgettext_lazy("registration", "change of owner")
        PLATE_CHANGE = "plate_change", pgettext_lazy("registration", "change of plate")

    class EndReason(models.TextChoices):
        OWNER_CHANGE = "owner_change", pgettext_lazy("registration", "change of owner")
        DEREGISTRATION = "deregistration", pgettext_lazy("registration", "deregistration")
        PLATE_CHANGE = "plate_change", pgettext_lazy("registration", "change of plate")

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="registrations")
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    plate = models.ForeignKey(Plate, on_delete=models.PROTECT, related_name="registrations")
    certificate_number = models.CharField(max_length=12, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(ended_on=None), name="one_open_registration"
            ),
            models.UniqueConstraint(
                fields=["plate"], condition=Q(ended_on=None), name="one_vehicle_per_plate"
            ),
        ]
        indexes = [models.Index(fields=["owner", "ended_on"])]

    def __str__(self) -> str:
        return f"VehicleRegistration {self.certificate_number}"


class DrivingLicence(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("licence status", "valid")
        EXPIRED = "expired", pgettext_lazy("licence status", "expired")
        REPLACED = "replaced", pgettext_lazy("licence status", "replaced")
        REVOKED = "revoked", pgettext_lazy("licence status", "revoked")

    number = models.CharField(max_length=12, unique=True)
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # [{"category": "B", "issued": "2015-03-01"}, …] in the registry's category order
    categories = models.JSONField(default=list)
    issued = models.DateField()
    expires = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replace_reason = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["holder"], condition=Q(status="valid"), name="one_valid_licence"
            )
        ]

    def __str__(self) -> str:
        return f"DrivingLicence {self.number}"

    @property
    def category_codes(self) -> list[str]:
        return [item["category"] for item in self.categories]


class MedicalCertificate(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=32, unique=True)
    issued = models.DateField()
    expires = models.DateField()
    categories = models.JSONField(default=list)  # categories the holder is fit to drive
    issuer = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["person", "expires"])]

    def __str__(self) -> str:
        return f"MedicalCertificate {self.number}"


class ExamResult(models.Model):
    class Kind(models.TextChoices):
        THEORY = "theory", pgettext_lazy("exam kind", "theory")
        PRACTICE = "practice", pgettext_lazy("exam kind", "driving")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=4)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    passed = models.BooleanField()
    taken_on = models.DateField()
    centre = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category", "kind", "taken_on"], name="one_exam_result_a_day"
            )
        ]
        indexes = [models.Index(fields=["person", "category", "kind"])]

    def __str__(self) -> str:
        return f"ExamResult {self.category} {self.kind}"
