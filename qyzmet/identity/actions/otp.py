"""One-time codes sent by SMS.

6 digits from `secrets`; only an HMAC of (code id, code) is stored; 5-minute lifetime; at most 5
wrong tries per code (a sixth is refused even when right); single use; constant-time comparison;
a new code for the same number and purpose no sooner than 60 s after the last; a daily budget
per account (IIN) for each purpose; limits of all purposes together per number, per IIN and per
client address (docs/one-time-codes.md works out the sizes and the guessing odds they keep).
Every issue, success and failure is an `OtpEvent`. The code itself exists only in memory until
the SMS is handed to the provider after commit.
"""

from __future__ import annotations

import hmac
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet.core.client import client_fingerprint
from qyzmet.core.crypto import blind_index, keyed_hash
from qyzmet.core.errors import NotFound, QyzmetError, RateLimited
from qyzmet.core.ratelimit import Count, rate_check, rate_lock
from qyzmet.identity.errors import ErrorCode
from qyzmet.identity.models import OneTimeCode, OtpEvent
from qyzmet.identity.selectors import phone_recipient
from qyzmet.notifications.actions import notify

Purpose = OneTimeCode.Purpose

CODE_DIGITS = 6


@dataclass(frozen=True)
class IssuedCode:
    id: str
    phone_e164: str
    expires_at: datetime
    resend_after: int


class CodeRefused(QyzmetError):
    status = 400
    default_message = gettext_lazy("The code is not correct.")


def _code_hash(code_id: str, code: str) -> str:
    return keyed_hash(f"{code_id}:{code}", purpose="otp")


# The texts are the notifications layer's events (sent urgently, never held or limited).
_CODE_EVENTS: dict[str, str] = {
    Purpose.REGISTER: "code.register",
    Purpose.SIGN: "code.sign",
    Purpose.COUNTERSIGN: "code.sign",
    Purpose.BIND_PHONE: "code.bind_phone",
}


def _retry_message(seconds: int) -> str:
    if seconds < 120:
        return _("Too many codes were requested. You can ask for a new one in %(n)s seconds.") % {
            "n": seconds
        }
    minutes = math.ceil(seconds / 60)
    return _("Too many codes were requested. You can ask for a new one in %(n)s minutes.") % {
        "n": minutes
    }


_FIELDS = {"phone": "phone_index", "iin": "iin_index", "client": "client_hash"}


def _counts(keys: dict[str, str], purpose: str) -> list[Count]:
    """The send budgets of one code: the pause per number and purpose, the day's budget of the
    purpose per IIN, and per hour and day for each of number, IIN and client."""
    also = (("purpose", purpose),)
    counts = [
        Count(budget="otp.resend.phone.purpose", key=keys.get("phone", ""), field="phone_index",
              also=also),
        Count(budget=f"otp.{purpose}.iin.day", key=keys.get("iin", ""), field="iin_index",
              also=also),
    ]  # fmt: skip
    for scope, field in _FIELDS.items():
        for span in ("hour", "day"):
            counts.append(
                Count(budget=f"otp.send.{scope}.{span}", key=keys.get(scope, ""), field=field)
            )
    return counts


def otp_send_check(*, now: datetime, keys: dict[str, str], purpose: str) -> None:
    """Raise RateLimited with the seconds until every send budget of a code for `purpose` to
    these keys (blind indexes of the number and IIN, the client's fingerprint) has a slot
    again; one query."""
    rate_check(
        rows=OtpEvent.objects.filter(kind=OtpEvent.Kind.ISSUED),
        counts=_counts(keys, purpose),
        now=now,
        refuse=lambda wait: RateLimited(
            _retry_message(wait), retry_after=wait, code=ErrorCode.OTP_RATE_LIMITED
        ),
    )


def otp_codes_per_account_day() -> int | None:
    """The most codes one account (IIN) can be sent in a day, all purposes together: the daily
    limit per IIN, or the purposes' budgets added up if that is smaller; None if unbounded."""
    limits: dict[str, tuple[int | None, int | None]] = settings.QYZMET_OTP_LIMITS
    per_purpose: dict[str, int | None] = settings.QYZMET_OTP_PER_PURPOSE_DAY
    purposes = [per_purpose.get(purpose) for purpose in Purpose.values]
    bounds = [limits.get("iin", (None, None))[1]]
    if all(n is not None for n in purposes):
        bounds.append(sum(n for n in purposes if n is not None))
    known = [n for n in bounds if n is not None]
    return min(known) if known else None


def otp_guess_chance(*, codes_per_day: int, tries_per_code: int, digits: int) -> Fraction:
    """A guesser's chance in a day against one account: each try hits a code drawn uniformly
    from 10^digits with chance 1/10^digits, so over codes x tries tries at most their sum,
    codes x tries / 10^digits (the union bound)."""
    return Fraction(codes_per_day * tries_per_code, 10**digits)


def otp_issue(
    *,
    purpose: str,
    phone: str,
    client: str,
    iin: str = "",
    account_id: int | None = None,
    payload: dict[str, Any] | None = None,
    language: str = "kk",
    instead: str = "",
) -> IssuedCode:
    """Create a code and send it to `phone` (E.164) after commit. With `instead` (an event
    key), that message is sent in place of the code, which then goes to no one: the answer looks
    the same and counts against the same budgets, but only the phone learns why."""
    now = timezone.now()
    keys = {
        "phone": blind_index(phone, purpose="phone"),
        "iin": blind_index(iin, purpose="iin") if iin else "",
        "client": client_fingerprint(client),
    }
    try:
        with transaction.atomic():
            rate_lock(counts=_counts(keys, purpose))
            otp_send_check(now=now, keys=keys, purpose=purpose)
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            row = OneTimeCode(
                purpose=purpose,
                phone=phone,
                phone_index=keys["phone"],
                iin_index=keys["iin"],
                account_id=account_id,
                payload=payload or {},
                created_at=now,
                expires_at=now + timedelta(seconds=settings.QYZMET_OTP_TTL_SECONDS),
            )
            row.code_hash = _code_hash(str(row.id), code)
            row.save(force_insert=True)
            OtpEvent.objects.create(
                kind=OtpEvent.Kind.ISSUED,
                purpose=purpose,
                code=row,
                phone_index=keys["phone"],
                iin_index=keys["iin"],
                client_hash=keys["client"],
                created_at=now,
            )
            notify(
                recipient=phone_recipient(phone=phone, language=language, account_id=account_id),
                event=instead or _CODE_EVENTS.get(purpose, "code.signin"),
                context={} if instead else {"code": code, "what": (payload or {}).get("what", "")},
                dedupe_key=f"otp:{row.id}",
                now=now,
                expires_at=row.expires_at,
            )
    except RateLimited:
        OtpEvent.objects.create(
            kind=OtpEvent.Kind.THROTTLED,
            purpose=purpose,
            phone_index=keys["phone"],
            iin_index=keys["iin"],
            client_hash=keys["client"],
        )
        raise
    return IssuedCode(
        id=str(row.id),
        phone_e164=phone,
        expires_at=row.expires_at,
        resend_after=settings.QYZMET_OTP_RESEND_SECONDS,
    )


def otp_verify(*, code_id: str, code: str, purpose: str, client: str) -> OneTimeCode:
    """Consume the code if right. A wrong try is committed before the refusal is raised, so an
    outer transaction cannot roll the attempt counter back: call this outside one."""
    return _otp_verify(code_id=code_id, code=code, purpose=purpose, client=client, spend=True)


def otp_check(*, code_id: str, code: str, purpose: str, client: str) -> OneTimeCode:
    """Check the code as `otp_verify` does (a wrong try committed at once: call this outside a
    transaction), but leave it unspent: the caller spends it with `otp_spend` in the
    transaction of what the code confirms, so that a crash between the two leaves the code
    usable for the retry of the same request."""
    return _otp_verify(code_id=code_id, code=code, purpose=purpose, client=client, spend=False)


def otp_spend(*, row: OneTimeCode) -> None:
    """Spend a code `otp_check` accepted, in the caller's transaction: a code spent meanwhile
    (the same code sent twice at once) is refused with `otp_used`, and the caller's transaction
    rolls back."""
    now = timezone.now()
    if not OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise CodeRefused(
            _("This code has already been used. Ask for a new one."), code=ErrorCode.OTP_USED
        )
    row.used_at = now


def _otp_verify(*, code_id: str, code: str, purpose: str, client: str, spend: bool) -> OneTimeCode:
    refusal: QyzmetError | None = None
    with transaction.atomic():
        row = _locked_code(code_id, purpose)
        now = timezone.now()
        event = OtpEvent(
            purpose=purpose,
            code=row,
            phone_index=row.phone_index,
            iin_index=row.iin_index,
            client_hash=client_fingerprint(client),
            created_at=now,
        )
        if row.used_at is not None:
            refusal = CodeRefused(
                _("This code has already been used. Ask for a new one."), code=ErrorCode.OTP_USED
            )
            event.kind = OtpEvent.Kind.WRONG
        elif row.attempts >= settings.QYZMET_OTP_MAX_ATTEMPTS:
            refusal = CodeRefused(
                _("Too many wrong tries for this code. Ask for a new one."),
                code=ErrorCode.OTP_EXHAUSTED,
            )
            event.kind = OtpEvent.Kind.EXHAUSTED
        elif now >= row.expires_at:
            refusal = CodeRefused(
                _("The code has expired. Ask for a new one."), code=ErrorCode.OTP_EXPIRED
            )
            event.kind = OtpEvent.Kind.EXPIRED
        elif not hmac.compare_digest(row.code_hash, _code_hash(str(row.id), (code or "").strip())):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = max(0, settings.QYZMET_OTP_MAX_ATTEMPTS - row.attempts)
            refusal = CodeRefused(
                _("The code is not correct. Tries left: %(n)s.") % {"n": left},
                code=ErrorCode.OTP_WRONG,
                details={"attempts_left": left},
            )
            event.kind = OtpEvent.Kind.WRONG
        else:
            if spend:
                row.used_at = now
                row.save(update_fields=["used_at"])
            event.kind = OtpEvent.Kind.VERIFIED
        event.save()
    if refusal is not None:
        raise refusal
    return row


def _locked_code(code_id: str, purpose: str) -> OneTimeCode:
    missing = NotFound(
        _("This code request was not found. Ask for a new code."), code=ErrorCode.OTP_NOT_FOUND
    )
    try:
        key = uuid.UUID(str(code_id))
    except ValueError as exc:
        raise missing from exc
    row = OneTimeCode.objects.select_for_update().filter(pk=key, purpose=purpose).first()
    if row is None:
        raise missing
    return row
