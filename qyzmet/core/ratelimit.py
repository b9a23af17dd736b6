"""The one rate limiter: named budgets, one sliding window, counted in the database.

Every limit of the platform is a budget in `BUDGETS`, the one place that says how many hits a
key may make in what window (the numbers themselves come from settings, read when used). A
*hit* is a row the app writes anyway and keeps as its record: a code sent (`OtpEvent`), a
password attempt (`PasswordAttempt`, written before the hash so that the limit is checked before
any hash is computed, and counted unless the password was right), a wrong wallet code
(`ShareCheck`), a document check (`VerificationCheck`), a message queued (`Notification`). The
limiter counts those rows, so it holds across processes and machines on SQLite and PostgreSQL
alike (a per-process cache would not), costs one query however many budgets are checked
together, and adds no table to keep in step with the records.

- `rate_waits` reads: for each budget over its limit, the seconds until a hit leaves its window.
  A `Count` without a field (`EVERYONE`) counts every hit row, a budget for all clients together;
  it costs one more query (the newest `limit`-th hit, by index).
- `rate_check` refuses with `RateLimited` (429 with Retry-After) when any budget is spent.
- `rate_lock` serialises check-then-record for the same keys across processes: call it first
  in the transaction that checks and then writes the hit, so two requests cannot both take the
  last slot (on PostgreSQL an advisory lock per key; SQLite runs write transactions one at a
  time already, as the test and production settings open them IMMEDIATE).

A spent budget clears itself as its hits age out of the window; the rows stay, as records.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from qyzmet.core.errors import RateLimited

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Budget:
    """At most `limit()` hits per key within `window()`; a limit of None switches it off."""

    limit: Callable[[], int | None]
    window: Callable[[], timedelta]
    counts: str
    keyed_by: str


def _fixed(window: timedelta) -> Callable[[], timedelta]:
    return lambda: window


def _otp_limit(scope: str, which: int) -> Callable[[], int | None]:
    def limit() -> int | None:
        limits: dict[str, tuple[int | None, int | None]] = settings.QYZMET_OTP_LIMITS
        return limits[scope][which] if scope in limits else None

    return limit


def _otp_purpose_limit(purpose: str) -> Callable[[], int | None]:
    def limit() -> int | None:
        limits: dict[str, int | None] = settings.QYZMET_OTP_PER_PURPOSE_DAY
        return limits.get(purpose)

    return limit


# The purposes of a one-time code (`OneTimeCode.Purpose`; a test keeps the two lists equal).
OTP_PURPOSES = ("sign_in", "sign", "countersign", "bind_phone", "register")

BUDGETS: dict[str, Budget] = {
    "otp.resend.phone.purpose": Budget(
        limit=lambda: 1,
        window=lambda: timedelta(seconds=settings.QYZMET_OTP_RESEND_SECONDS),
        counts="one-time codes sent",
        keyed_by="phone number and purpose",
    ),
    **{
        f"otp.{purpose}.iin.day": Budget(
            limit=_otp_purpose_limit(purpose),
            window=_fixed(DAY),
            counts="one-time codes sent",
            keyed_by="IIN and purpose",
        )
        for purpose in OTP_PURPOSES
    },
    **{
        f"otp.send.{scope}.{span}": Budget(
            limit=_otp_limit(scope, which),
            window=_fixed(window),
            counts="one-time codes sent (all purposes together)",
            keyed_by=keyed_by,
        )
        for scope, keyed_by in (("phone", "phone number"), ("iin", "IIN"), ("client", "client"))
        for which, (span, window) in enumerate((("hour", HOUR), ("day", DAY)))
    },
    # Password attempts, checked before the hash (docs/one-time-codes.md works out the sizes).
    "signin.password.iin": Budget(
        limit=lambda: settings.QYZMET_PASSWORD_LOCKOUT_FAILURES,
        window=lambda: timedelta(minutes=settings.QYZMET_PASSWORD_LOCKOUT_MINUTES),
        counts="password attempts not (yet) right, for IINs with and without an account",
        keyed_by="IIN (not checked for a device that signed in to the account before)",
    ),
    "signin.password.client": Budget(
        limit=lambda: settings.QYZMET_PASSWORD_PER_CLIENT,
        window=lambda: timedelta(minutes=settings.QYZMET_PASSWORD_LOCKOUT_MINUTES),
        counts="password attempts not (yet) right, whatever the IIN",
        keyed_by="client (not checked for a device that signed in to the account before)",
    ),
    "signin.password.device": Budget(
        limit=lambda: settings.QYZMET_PASSWORD_PER_DEVICE,
        window=lambda: timedelta(minutes=settings.QYZMET_PASSWORD_LOCKOUT_MINUTES),
        counts="password attempts not (yet) right from a device that signed in before",
        keyed_by="device",
    ),
    "signin.password.everyone": Budget(
        limit=lambda: settings.QYZMET_PASSWORD_PER_MINUTE_ALL,
        window=lambda: timedelta(minutes=1),
        counts="password attempts not (yet) right, everyone's together",
        keyed_by="nothing: all clients (not checked for a device that signed in before)",
    ),
    "wallet.check.client": Budget(
        limit=lambda: settings.QYZMET_WALLET_CHECK_FAILURES_PER_HOUR,
        window=lambda: HOUR,
        counts="unknown or expired share codes entered",
        keyed_by="client",
    ),
    "notify.recipient.channel": Budget(
        limit=lambda: settings.QYZMET_NOTIFY_LIMIT_PER_HOUR,
        window=lambda: HOUR,
        counts="non-urgent messages queued (failed ones aside)",
        keyed_by="recipient and channel",
    ),
    # --- public checks: documents and wallet share codes -----------------------------------
    "documents.verify.client": Budget(
        limit=lambda: settings.QYZMET_DOCUMENT_VERIFY_FAILURES_PER_HOUR,
        window=lambda: HOUR,
        counts="document checks by number and IIN that found nothing",
        keyed_by="client",
    ),
    "documents.verify.all": Budget(
        limit=lambda: settings.QYZMET_DOCUMENT_VERIFY_FAILURES_ALL_PER_HOUR,
        window=lambda: HOUR,
        counts="document checks by number and IIN that found nothing",
        keyed_by="everyone together",
    ),
    "documents.verify_file.client": Budget(
        limit=lambda: settings.QYZMET_DOCUMENT_VERIFY_FILES_PER_HOUR,
        window=lambda: HOUR,
        counts="document files checked (each costs a signature validation)",
        keyed_by="client",
    ),
    "wallet.check.all": Budget(
        limit=lambda: settings.QYZMET_WALLET_CHECK_FAILURES_ALL_PER_HOUR,
        window=lambda: HOUR,
        counts="unknown or expired share codes entered",
        keyed_by="everyone together",
    ),
}


@dataclass(frozen=True)
class Count:
    """Check `budget` for `key`, which the hit rows hold in their field `field`; `also` narrows
    the hits further to rows with these (field, value) pairs (a budget per key and kind)."""

    budget: str
    key: str
    field: str
    also: tuple[tuple[str, str], ...] = ()

    def matches(self) -> dict[str, str]:
        return {self.field: self.key, **dict(self.also)}


# The key of a count over every hit row (`Count(budget=..., key=EVERYONE, field="")`).
EVERYONE = "*"


def window_wait(
    *, times: Sequence[datetime], limit: int, window: timedelta, now: datetime
) -> int | None:
    """The sliding window, the one implementation: `times` are hits, newest first. None while
    fewer than `limit` fall within `window` before `now`; else the whole seconds until the
    oldest of the newest `limit` leaves it (at least 1)."""
    if limit <= 0:
        return max(1, math.ceil(window.total_seconds()))
    recent = [t for t in times if t > now - window][:limit]
    if len(recent) < limit:
        return None
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


def _budget(name: str) -> Budget:
    try:
        return BUDGETS[name]
    except KeyError as exc:
        raise KeyError(f"unknown rate budget {name!r}") from exc


def rate_waits(
    *, rows: QuerySet[Any], counts: Sequence[Count], now: datetime, at: str = "created_at"
) -> dict[str, int]:
    """For each budget of `counts` that is spent, the seconds until a slot frees, in one query.

    `rows` are the hits (already filtered to what counts), `at` their time field. Counts with
    an empty key or a switched-off budget are skipped. The query returns at most as many rows
    as the longest-window budgets' limits add up to: if it comes back full, one of those
    budgets is spent (every row is a hit of at least one of them), so a refusal is right even
    when rows of another key were cut off."""
    active = [
        (count, budget, limit, budget.window())
        for count in counts
        if count.key
        for budget in [_budget(count.budget)]
        for limit in [budget.limit()]
        if limit is not None
    ]
    waits: dict[str, int] = {}
    for count, _, limit, window in [a for a in active if not a[0].field]:
        wait = _everyone_wait(rows=rows, limit=limit, window=window, now=now, at=at)
        if wait is not None:
            waits[count.budget] = wait
    active = [a for a in active if a[0].field]
    if not active:
        return waits
    longest = max(window for *_, window in active)
    fields = list(dict.fromkeys(name for count, *_ in active for name in count.matches()))
    match = Q()
    for count, *_ in active:
        match |= Q(**count.matches())
    query = rows.filter(match, **{f"{at}__gt": now - longest}).order_by(f"-{at}")
    found = query.values_list(at, *fields)
    longest_limits = {
        tuple(count.matches().items()): limit
        for count, _, limit, window in active
        if window == longest
    }
    if set(longest_limits) == {tuple(count.matches().items()) for count, *_ in active}:
        found = found[: sum(longest_limits.values())]
    hits = list(found)
    for count, _, limit, window in active:
        columns = [(1 + fields.index(name), value) for name, value in count.matches().items()]
        times = [row[0] for row in hits if all(row[c] == value for c, value in columns)]
        wait = window_wait(times=times, limit=limit, window=window, now=now)
        if wait is not None:
            waits[count.budget] = wait
    return waits


def _everyone_wait(
    *, rows: QuerySet[Any], limit: int, window: timedelta, now: datetime, at: str
) -> int | None:
    """`window_wait` over every row, reading only the `limit`-th newest hit in the window."""
    if limit <= 0:
        return window_wait(times=[], limit=limit, window=window, now=now)
    newest = rows.filter(**{f"{at}__gt": now - window}).order_by(f"-{at}")
    oldest_counted = newest.values_list(at, flat=True)[limit - 1 : limit]
    times = list(oldest_counted)
    if not times:
        return None
    return max(1, math.ceil((times[0] + window - now).total_seconds()))


def rate_check(
    *,
    rows: QuerySet[Any],
    counts: Sequence[Count],
    now: datetime,
    refuse: Callable[[int], RateLimited],
    at: str = "created_at",
) -> None:
    """Raise `refuse(seconds)` (a `RateLimited`) if any budget of `counts` is spent, with the
    longest of their waits: the time after which every one of them has a slot again."""
    waits = rate_waits(rows=rows, counts=counts, now=now, at=at)
    if waits:
        raise refuse(max(waits.values()))


def rate_spent(*, rows: QuerySet[Any], count: Count, now: datetime, at: str = "created_at") -> bool:
    """Whether one budget is spent for one key (for limits that drop rather than refuse)."""
    return bool(rate_waits(rows=rows, counts=[count], now=now, at=at))


def rate_lock(*, counts: Sequence[Count]) -> None:
    """Hold the keys of `counts` until the surrounding transaction ends, so that checking and
    then writing the hit is one step for each key across processes. Must run inside
    `transaction.atomic()`; keys are taken in one order, so two callers never deadlock."""
    if connection.vendor != "postgresql":
        return  # SQLite: write transactions already run one at a time
    # A count over everyone is left unlocked: one lock for every request would serialise them
    # all, and such a budget is a ceiling, not an exact count.
    names = sorted({f"{count.field}:{count.key}" for count in counts if count.key and count.field})
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
