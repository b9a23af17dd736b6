"""Idempotency keys: a request retried with the same `Idempotency-Key` gets the first answer.

One design for every create (a submission, a payment, a share, a rating…). The caller names
who owns the key (the signed-in account), the operation (its scope) and what was asked (the
payload). The first request claims the key, runs the operation and records a reference to what
it made, all in one transaction; so an operation that fails leaves no key behind and may be
tried again. Then:

- same owner, same key, same scope and payload → the recorded result, nothing runs again;
- same owner and key with another scope or payload → 409 `idempotency_reused`;
- two requests with one key at the same moment → the key is claimed before the operation runs,
  so the unique constraint makes the second wait for the first (PostgreSQL) and then answer
  what the first made; the operation never runs twice.

Keys belong to their owner: another account's key of the same text is another key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.core.errors import Conflict, ErrorCode, ValidationFailed
from qyzmet.core.models import IdempotencyKey

T = TypeVar("T")
HEADER = "Idempotency-Key"
MAX_LENGTH = 100


def idempotency_owner(owner: models.Model) -> str:
    """Who a key belongs to, as stored: the model and primary key, e.g. "identity.account:42"."""
    return f"{owner._meta.label_lower}:{owner.pk}"


def request_hash(*, scope: str, payload: object) -> str:
    """What was asked, as a stable digest: the scope and the payload in canonical JSON."""
    canonical = json.dumps(
        {"scope": scope, "payload": payload}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_key_check(*, key: str) -> str:
    """The key as sent, or a translated refusal when it is missing or too long."""
    if not key or len(key) > MAX_LENGTH:
        raise ValidationFailed(
            _("Send an Idempotency-Key header (up to 100 characters)."),
            code=ErrorCode.IDEMPOTENCY_KEY,
        )
    return key


def idempotency_recorded(
    *, owner: models.Model, key: str, scope: str, payload: object
) -> str | None:
    """What the first request with this key recorded, or None when the key is new. A key used
    for another scope or payload is a conflict."""
    earlier = IdempotencyKey.objects.filter(owner=idempotency_owner(owner), key=key).first()
    if earlier is None:
        return None
    if earlier.request_hash != request_hash(scope=scope, payload=payload):
        raise Conflict(
            _("This Idempotency-Key was used for another request."),
            code=ErrorCode.IDEMPOTENCY_REUSED,
        )
    return earlier.result


def idempotent(
    *,
    owner: models.Model,
    key: str,
    scope: str,
    payload: object,
    run: Callable[[], T],
    remember: Callable[[T], str],
    recall: Callable[[str], T],
) -> T:
    """`run()` once per (owner, key): `remember(result)` gives what is kept (a reference, or a
    whole answer), `recall(kept)` gives the result back to a retry."""
    key = idempotency_key_check(key=key)
    found = idempotency_recorded(owner=owner, key=key, scope=scope, payload=payload)
    if found is not None:
        return recall(found)
    try:
        with transaction.atomic():
            # claimed before the operation runs: a copy sent at the same moment waits here
            claim = IdempotencyKey.objects.create(
                owner=idempotency_owner(owner),
                key=key,
                scope=scope,
                request_hash=request_hash(scope=scope, payload=payload),
            )
            result = run()
            claim.result = remember(result)
            claim.save(update_fields=["result"])
            return result
    except IntegrityError:
        # the same key, sent at the same moment from elsewhere: the other request won
        found = idempotency_recorded(owner=owner, key=key, scope=scope, payload=payload)
        if found is None:
            raise
        return recall(found)


def idempotency_keys_forget(*, now: datetime | None = None) -> int:
    """Delete the keys older than `QYZMET_IDEMPOTENCY_KEEP_HOURS` (a client retries within
    minutes; a kept answer may hold personal data, so it is not kept for ever). Answers how many
    went. A retry after that finds the operation's own guard: a submitted application answers
    `already_submitted`, a paid invoice cannot be paid again."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.QYZMET_IDEMPOTENCY_KEEP_HOURS)
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
