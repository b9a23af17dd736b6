"""Invoices, payments and their items, webhooks, receipts, refunds, utility
bills, reconciliation runs, and the sandbox gateway's own records (the bank's side).

Money is whole tiyn (`BigIntegerField`), never a float. A payment moves only by the table in
`qyzmet.payments.states`; crediting (invoices paid + a receipt) happens once, on the move to
`succeeded`, under a row lock.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import EncryptedTextField
from qyzmet.core.models import Record, UuidRecord


class UtilityProvider(models.Model):
    """A utility company whose monthly bills are imported from its files."""

    class Service(models.TextChoices):
        WATER = "water", _("water")
        ELECTRICITY = "electricity", _("electricity")
        GAS = "gas", _("gas")
        HEATING = "heating", _("heating")

    code = models.SlugField(max_length=40, unique=True)
    name = models.JSONField()  # {"kk": ..., "ru": ..., "en": ...}
    service = models.CharField(max_length=16, choices=Service.choices)

    def __str__(self) -> str:
        return self.code


class UtilityAccount(models.Model):
    """A personal account at a provider, linked by a citizen to their person."""

    provider = models.ForeignKey(UtilityProvider, on_delete=models.PROTECT, related_name="accounts")
    number = models.CharField(max_length=40)
    person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = EncryptedTextField(blank=True, default="")  # personal: where the person lives
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "number"], name="one_account_number")
        ]

    def __str__(self) -> str:
        return f"{self.provider.code}:{self.number}"


class Invoice(UuidRecord):
    class Kind(models.TextChoices):
        DUTY = "duty", _("state duty")
        FINE = "fine", _("fine")
        UTILITY = "utility", _("utility bill")

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("unpaid")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")
        REFUNDED = "refunded", _("refunded")

    payer = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    purpose_ref = models.CharField(max_length=200)
    description = models.JSONField(default=dict)  # {"kk": ..., "ru": ..., "en": ...}
    amount_tiyn = models.BigIntegerField(null=True, blank=True)
    mci_multiple = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.UNPAID, db_index=True
    )
    refundable = models.BooleanField(default=False)
    paid_tiyn = models.BigIntegerField(null=True, blank=True)  # what was actually paid
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_tiyn__isnull=False, mci_multiple__isnull=True)
                | Q(amount_tiyn__isnull=True, mci_multiple__isnull=False),
                name="invoice_fixed_amount_or_mci",
            ),
            models.CheckConstraint(
                condition=Q(amount_tiyn__isnull=True) | Q(amount_tiyn__gt=0),
                name="invoice_amount_positive",
            ),
            models.UniqueConstraint(
                fields=["purpose_ref"],
                condition=~Q(status="cancelled"),
                name="one_live_invoice_per_purpose",
            ),
        ]
        indexes = [models.Index(fields=["payer", "status", "kind"])]

    def __str__(self) -> str:
        return f"Invoice {self.purpose_ref}"


class UtilityBill(models.Model):
    account = models.ForeignKey(UtilityAccount, on_delete=models.PROTECT, related_name="bills")
    period = models.CharField(max_length=7)  # YYYY-MM
    amount_tiyn = models.BigIntegerField()
    due_date = models.DateField()
    invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="utility_bill"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="one_bill_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period}"


class Payment(UuidRecord):
    class State(models.TextChoices):
        CREATED = "created", _("created")
        PENDING = "pending", _("waiting for the bank")
        SUCCEEDED = "succeeded", _("paid")
        DECLINED = "declined", _("declined")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")
        REFUNDED = "refunded", _("refunded")

    payer = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    gateway = models.CharField(max_length=40)
    gateway_ref = models.CharField(max_length=100, blank=True, db_index=True)
    redirect_url = models.CharField(max_length=500, blank=True)
    amount_tiyn = models.BigIntegerField()
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.CREATED, db_index=True
    )
    reason = models.CharField(max_length=60, blank=True)  # why declined or failed: a stable code
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["payer", "created_at"])]


class PaymentItem(Record):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="items")
    amount_tiyn = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="invoice_once_per_payment")
        ]


class PaymentEvent(models.Model):
    """One row per state move: what moved it (api, webhook, refresh, refund) and when."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    source = models.CharField(max_length=40)
    reason = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class WebhookEvent(models.Model):
    """A gateway notification already taken in: the same event id again changes nothing."""

    provider = models.CharField(max_length=40)
    event_id = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_webhook_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class Receipt(models.Model):
    code = models.CharField(max_length=16, unique=True)  # normalised, without hyphens
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    issued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Receipt {self.code}"


class Refund(Record):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="refund")
    amount_tiyn = models.BigIntegerField()
    gateway_ref = models.CharField(max_length=100)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class ReconciliationRun(models.Model):
    gateway = models.CharField(max_length=40)
    day = models.DateField()
    checked = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reconciliation {self.gateway} {self.day}"


class ReconciliationMismatch(models.Model):
    class Kind(models.TextChoices):
        MISSING_HERE = "missing_here", _("at the gateway, not here")
        MISSING_THERE = "missing_there", _("here, not at the gateway")
        AMOUNT = "amount", _("amounts differ")
        STATUS = "status", _("statuses differ")

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="mismatches")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    gateway_ref = models.CharField(max_length=100)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ours = models.JSONField(default=dict)
    theirs = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.gateway_ref}"


class SandboxTransaction(models.Model):
    """The sandbox gateway's own ledger: the bank's side that reconciliation compares with ours."""

    ref = models.CharField(max_length=40, unique=True)
    order = models.CharField(max_length=64)  # our payment id, as a merchant order number
    amount_tiyn = models.BigIntegerField()
    status = models.CharField(max_length=16)  # awaiting_card|pending|succeeded|declined|failed…
    reason = models.CharField(max_length=60, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    refunded_tiyn = models.BigIntegerField(default=0)
    return_url = models.CharField(max_length=500, blank=True)
    day = models.DateField()  # the bank's business day (Almaty)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.ref
