"""Reads of the identity app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.crypto import blind_index, keyed_hash
from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.core.iin import IinError, iin_check
from qyzmet.identity.devices import network_label
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import Account, AuthSession, Person, PhoneBinding, QrSignIn
from qyzmet.notifications.recipients import Recipient

PERSON_FIELDS = (
    "iin",
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "birth_date",
    "sex",
    "citizenship",
    "region",
    "settlement",
    "street",
    "status",
    "death_date",
)


def iin_validated(iin: str) -> str:
    """The IIN, checked; a ValidationFailed naming the reason otherwise."""
    try:
        return iin_check(iin).iin
    except IinError as exc:
        raise ValidationFailed(exc.message, code=exc.code, details={"field": "iin"}) from exc


def person_get_by_iin(*, iin: str) -> Person | None:
    return Person.objects.filter(iin_index=blind_index(iin, purpose="iin")).first()


def account_get_by_iin(*, iin: str) -> Account | None:
    return Account.objects.select_related("person").filter(login=account_login_for_iin(iin)).first()


def account_login_for_iin(iin: str) -> str:
    return "iin:" + blind_index(iin, purpose="iin")


# A device's own id: random, made by the device (the app) or by us (the browser's device cookie);
# anything shorter or of other characters is no device id at all.
DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{22,128}$")


def device_hash(device_id: str) -> str:
    """The keyed hash a device id is kept as ('' for no or a malformed id)."""
    if not device_id or not DEVICE_ID.match(device_id):
        return ""
    return keyed_hash(device_id, purpose="device")


def device_known(*, account: Account, device: str) -> bool:
    """Whether the device with hash `device` has signed in to `account` before (a session of it,
    ended or not, was started from that device)."""
    return bool(device) and AuthSession.objects.filter(account=account, device_hash=device).exists()


def phone_binding_active(*, person: Person) -> PhoneBinding | None:
    return PhoneBinding.objects.filter(person=person, active=True).first()


def notification_ref(*, account_id: int) -> str:
    """How the notifications layer names an account (its inbox, preferences, limits)."""
    return f"account:{account_id}"


def notification_recipient(*, account: Account, person: Person | None = None) -> Recipient:
    """The account as a message recipient: its language and the active number of `person`
    (by default the account's own person), if any."""
    person = person if person is not None else account.person
    binding = phone_binding_active(person=person) if person is not None else None
    return Recipient(
        ref=notification_ref(account_id=account.pk),
        language=account.language or "kk",
        phone=binding.phone if binding else "",
    )


def phone_recipient(*, phone: str, language: str, account_id: int | None = None) -> Recipient:
    """A number as a recipient: for codes, which go to the number they were asked for (maybe
    not bound to anyone yet)."""
    ref = (
        notification_ref(account_id=account_id)
        if account_id is not None
        else "phone:" + blind_index(phone, purpose="phone")[:48]
    )
    return Recipient(ref=ref, language=language, phone=phone)


def phone_taken_by_another(*, person: Person, phone: str) -> bool:
    """Whether `phone` (E.164) is the active number of someone other than `person`: one person
    per number in the mobile citizens database."""
    return (
        PhoneBinding.objects.filter(phone_index=blind_index(phone, purpose="phone"), active=True)
        .exclude(person=person)
        .exists()
    )


def phone_binding_history(*, person: Person) -> list[PhoneBinding]:
    return list(PhoneBinding.objects.filter(person=person).order_by("-bound_at", "-id"))


ADULT_AGE = 18  # full legal capacity (the Civil Code): the figures and surveys count adults


def age_on(birth_date: date, day: date | None = None) -> int:
    day = day or timezone.localdate()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --- QR sign-in: what the approving phone is shown -------------------------------------------


def qr_expired() -> NotFound:
    return NotFound(
        _("This QR code has expired or was already used. Show a new one."),
        code=ErrorCode.QR_EXPIRED,
    )


@dataclass(frozen=True)
class QrRequest:
    """Who asks to be signed in, as the approving phone is shown it."""

    browser: str  # "Chrome · Windows"; '' when unknown
    network: str  # "203.0.113.0/24"; '' when unknown
    same_network: bool  # the phone's own network
    requested_at: datetime
    expires_at: datetime

    @property
    def browser_shown(self) -> str:
        return self.browser or _("an unknown browser")

    @property
    def network_shown(self) -> str:
        """In the reader's language: "this network" when it is the phone's own."""
        if self.same_network:
            return _("this network (the same as this phone's)")
        return self.network or _("an unknown network")


def qr_request_of(qr: QrSignIn, *, client: str) -> QrRequest:
    """What `qr` tells about who asked, `client` being the approving phone's address."""
    return QrRequest(
        browser=qr.browser,
        network=qr.network,
        same_network=bool(qr.network) and qr.network == network_label(client),
        requested_at=qr.created_at,
        expires_at=qr.expires_at,
    )


def qr_pending(*, token: str) -> QrSignIn:
    """The QR sign-in `token` opens while it waits for approval; `qr_expired` otherwise."""
    qr = QrSignIn.objects.filter(token_hash=keyed_hash(token or "", purpose="qr-token")).first()
    if qr is None or qr.approved_at or qr.consumed_at or timezone.now() >= qr.expires_at:
        raise qr_expired()
    return qr


def qr_signin_describe(*, token: str, client: str) -> QrRequest:
    """Who asks to be signed in by the QR code `token`, for the phone at `client` to see before
    approving; `qr_expired` when the code no longer waits."""
    return qr_request_of(qr_pending(token=token), client=client)
