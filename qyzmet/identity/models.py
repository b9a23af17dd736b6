"""The population registry, accounts, one-time codes, the mobile citizens database and sessions.

Personal data (IIN, names, address, phone) is stored only as ciphertext (`EncryptedTextField`);
lookups go through blind-index columns (`*_index`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import EncryptedTextField
from qyzmet.core.models import Record, UuidRecord


class Person(Record):
    """A person in the population registry, keyed by IIN."""

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Status(models.TextChoices):
        LIVING = "living", _("living")
        DECEASED = "deceased", _("deceased")

    iin_index = models.CharField(max_length=64, unique=True)
    iin = EncryptedTextField()
    surname = EncryptedTextField()
    given_name = EncryptedTextField()
    patronymic = EncryptedTextField(blank=True, default="")
    surname_latin = EncryptedTextField(blank=True, default="")
    given_name_latin = EncryptedTextField(blank=True, default="")
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    citizenship = models.CharField(max_length=3, default="KAZ")  # ISO 3166-1 alpha-3
    region = models.CharField(max_length=2)  # 01 Astana … 20 Ulytau (domain-kz.md)
    settlement = EncryptedTextField(blank=True, default="")
    street = EncryptedTextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVING)
    death_date = models.DateField(null=True, blank=True)
    father = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mother = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the registered marriage: either side may name the other (`identity.kinship`)
    spouse = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # blind index column -> (encrypted source field, purpose); used by rotate_keys --reindex
    BLIND_INDEXES: ClassVar[dict[str, tuple[str, str]]] = {"iin_index": ("iin", "iin")}

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)


class AccountManager(BaseUserManager["Account"]):
    def create_user(self, login: str, password: str | None = None, **extra: Any) -> Account:
        account = self.model(login=login, **extra)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, login: str, password: str | None = None, **extra: Any) -> Account:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(login, password, **extra)


class Account(AbstractBaseUser, PermissionsMixin):
    """A sign-in account. A citizen's login is the blind index of their IIN, never the IIN."""

    login = models.CharField(max_length=80, unique=True)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    language = models.CharField(max_length=2, default="kk")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = AccountManager()

    USERNAME_FIELD = "login"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return f"Account #{self.pk}" if self.person_id else self.login


class PhoneBinding(Record):
    """The mobile citizens database: a subscriber number bound to one person, with history."""

    class Method(models.TextChoices):
        REGISTRATION = "registration", _("at registration")
        PASSWORD = "password", _("code and password")
        CERTIFICATE = "certificate", _("code and certificate")
        IMPORT = "import", _("imported")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="phone_bindings")
    phone = EncryptedTextField()
    phone_index = models.CharField(max_length=64, db_index=True)
    operator = models.CharField(max_length=64, blank=True)  # hint only: numbers are portable
    method = models.CharField(max_length=16, choices=Method.choices)
    active = models.BooleanField(default=True)
    bound_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, blank=True)

    BLIND_INDEXES: ClassVar[dict[str, tuple[str, str]]] = {"phone_index": ("phone", "phone")}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"],
                condition=Q(active=True),
                name="one_active_binding_per_number",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(active=True), name="one_active_number_per_person"
            ),
        ]


class OneTimeCode(UuidRecord):
    """A one-time code sent by SMS. Only a keyed hash of the code is kept."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("sign-in")
        REGISTER = "register", _("registration")
        BIND_PHONE = "bind_phone", _("phone binding")
        SIGN = "sign", _("signing an application")
        COUNTERSIGN = "countersign", _("countersigning an application")

    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    phone = EncryptedTextField()
    phone_index = models.CharField(max_length=64, db_index=True)
    iin_index = models.CharField(max_length=64, blank=True, db_index=True)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)


class OtpEvent(models.Model):
    """Every issue, success and failure of a one-time code (the throttles count these)."""

    class Kind(models.TextChoices):
        ISSUED = "issued"
        VERIFIED = "verified"
        WRONG = "wrong"
        EXPIRED = "expired"
        EXHAUSTED = "exhausted"
        THROTTLED = "throttled"
        BLOCKED_SIM = "blocked_sim"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    purpose = models.CharField(max_length=16)
    code = models.ForeignKey(OneTimeCode, null=True, blank=True, on_delete=models.SET_NULL)
    phone_index = models.CharField(max_length=64, blank=True)
    iin_index = models.CharField(max_length=64, blank=True)
    client_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "phone_index", "created_at"]),
            models.Index(fields=["kind", "iin_index", "created_at"]),
            models.Index(fields=["kind", "client_hash", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.purpose}"


class PasswordAttempt(Record):
    """A password sign-in attempt for an IIN, written before the password is hashed (whether or
    not the IIN has an account), so that concurrent attempts see each other and the limits of
    `core.ratelimit` count it before any hash is computed; its outcome is set after the check.
    "checking" and "wrong" count as failures (a process that died mid-check leaves "checking");
    "right" and "busy" (the hashing slots were full, no hash was computed) do not."""

    class Outcome(models.TextChoices):
        CHECKING = "checking"
        WRONG = "wrong"
        RIGHT = "right"
        BUSY = "busy"

    iin_index = models.CharField(max_length=64)
    client_hash = models.CharField(max_length=64, blank=True)
    # A device that signed in to this account before (its keyed hash), or "".
    device_hash = models.CharField(max_length=64, blank=True, default="")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.WRONG)
    created_at = models.DateTimeField(default=timezone.now)

    FAILED: ClassVar[tuple[str, str]] = (Outcome.CHECKING, Outcome.WRONG)

    class Meta:
        indexes = [
            models.Index(fields=["iin_index", "created_at"]),
            models.Index(fields=["client_hash", "created_at"]),
            models.Index(fields=["device_hash", "created_at"]),
            models.Index(fields=["created_at"], name="identity_pa_created_idx"),
        ]


class AuthSession(UuidRecord):
    """A signed-in session: a browser (web) or a phone app (API tokens). Listed on "my sessions",
    each can be ended from any other."""

    class Kind(models.TextChoices):
        WEB = "web", _("browser")
        APP = "app", _("phone app")

    class Method(models.TextChoices):
        PASSWORD_SMS = "password_sms", _("password and SMS code")
        CERTIFICATE = "certificate", _("certificate")
        QR = "qr", _("QR code")
        REGISTRATION = "registration", _("registration")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="auth_sessions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    method = models.CharField(max_length=16, choices=Method.choices)
    device = models.CharField(max_length=200, blank=True)
    # The keyed hash of the device's own id (the browser's device cookie, the app's device
    # header): a device that signed in to this account before is not locked out by strangers.
    device_hash = models.CharField(max_length=64, blank=True, default="")
    client_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()  # absolute timeout
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "ended_at"]),
            models.Index(fields=["account", "device_hash"]),
        ]


class RefreshToken(Record):
    """A phone app's refresh token: kept as a keyed hash, single use, rotated on every refresh.
    Presenting a used one ends the whole session (it was stolen or replayed)."""

    session = models.ForeignKey(
        AuthSession, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)


class SignInChallenge(UuidRecord):
    """A random challenge a citizen signs with their certificate (single use, short-lived)."""

    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class QrSignIn(UuidRecord):
    """A QR code shown on a web sign-in page; the signed-in phone app approves it."""

    token_hash = models.CharField(max_length=64, unique=True)  # what the QR carries, hashed
    browser_hash = models.CharField(max_length=64)  # secret kept by the browser that asked
    # What the approving phone is shown about who asks (identity/devices.py): the browser's
    # label and the network (never the full address) it asked from.
    browser = models.CharField(max_length=80, blank=True)
    network = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    approved_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE)
    approved_at = models.DateTimeField(null=True, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)


class DemoSimChange(Record):
    """What the demo operator provider reports: a number's last SIM change or port."""

    phone_index = models.CharField(max_length=64, unique=True)
    changed_at = models.DateTimeField()
