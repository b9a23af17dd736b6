"""Applications for services, their history, signatures and the officers who decide them.

An application keeps the exact service definition it was submitted under (`ServiceSnapshot`),
so a later version of the service never changes how an open application is handled.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import EncryptedTextField
from qyzmet.core.models import Record, UuidRecord


class ServiceSnapshot(models.Model):
    """One published version of a service definition, frozen as submitted."""

    code = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_snapshot_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class OfficerMembership(models.Model):
    """Who may work an agency's queue, and as what."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("officer")
        SUPERVISOR = "supervisor", _("supervisor")

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.CharField(max_length=80)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OFFICER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "agency", "role"], name="one_role_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency}:{self.role}"


class Application(UuidRecord):
    class Payment(models.TextChoices):
        NOT_REQUIRED = "not_required", _("no fee")
        AWAITING = "awaiting", _("awaiting payment")
        PAID = "paid", _("paid")
        REFUNDED = "refunded", _("refunded")

    class Channel(models.TextChoices):
        WEB = "web", _("portal")
        APP = "app", _("phone app")
        CENTRE = "centre", _("service centre")

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    service = models.ForeignKey(ServiceSnapshot, on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(max_length=80, db_index=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    # The second party of a two-party service (the buyer of a car): named by the applicant in
    # the form, confirms and signs, and may pay the duty.
    counterparty = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    state = models.CharField(max_length=40, db_index=True)  # "draft" before submission
    form_data = EncryptedTextField(default="{}")  # JSON, encrypted: it holds personal data
    correction_fields = models.JSONField(default=list, blank=True)
    fee_tiyn = models.BigIntegerField(default=0)
    payment = models.CharField(max_length=16, choices=Payment.choices, default=Payment.NOT_REQUIRED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    state_due_date = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "outcome", "due_date"]),
            models.Index(fields=["applicant", "created_at"]),
            models.Index(fields=["counterparty", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.id}"


class ApplicationNumberDay(models.Model):
    """The last serial given to an application submitted on `day` (`actions.numbering`)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ApplicationEvent(models.Model):
    """One row per transition: who, on whose behalf, when, why, and what changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=60)
    from_state = models.CharField(max_length=40)
    to_state = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=16)
    on_behalf_of = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    grounds = models.CharField(max_length=80, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} → {self.to_state}"


class Signature(Record):
    """How a party signed: by SMS code (the code's use and a hash of the signed content, never
    the code) or by certificate (the detached CMS, verified on receipt), and what was signed
    (encrypted: it holds the answers). The applicant signs on submission, and again over the new
    content each time they send a corrected application (`round` 1, 2, …); a counterparty (the
    buyer of a car) signs the same content on confirming."""

    class Method(models.TextChoices):
        SMS = "sms", _("SMS code")
        CERTIFICATE = "certificate", _("certificate")

    class Party(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        COUNTERPARTY = "counterparty", _("counterparty")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="signatures"
    )
    party = models.CharField(max_length=16, choices=Party.choices, default=Party.APPLICANT)
    method = models.CharField(max_length=16, choices=Method.choices)
    content_sha256 = models.CharField(max_length=64)
    code = models.ForeignKey(
        "identity.OneTimeCode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate_serial = models.CharField(max_length=64, blank=True)
    cms = models.BinaryField(blank=True, default=b"")
    signed_at = models.DateTimeField(default=timezone.now)
    content = EncryptedTextField(blank=True, default="")  # the signed bytes, as text
    round = models.PositiveSmallIntegerField(default=0)  # 0: submission; n: the n-th correction

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(method="sms", code__isnull=False)
                | Q(method="certificate", certificate_serial__gt=""),
                name="signature_has_its_proof",
            ),
            models.UniqueConstraint(
                fields=["application", "party", "round"], name="one_signature_a_party_a_round"
            ),
        ]
