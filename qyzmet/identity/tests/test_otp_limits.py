"""The send limits of one-time codes, checked on crafted histories (one query per check)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from qyzmet.core.errors import RateLimited
from qyzmet.identity.actions.otp import otp_send_check
from qyzmet.identity.models import OtpEvent

pytestmark = pytest.mark.django_db

KEYS = {"phone": "p-me", "iin": "i-me", "client": "c-me"}


def _issued(at: datetime, *, phone: str = "p-other", iin: str = "", client: str = "c-other",
            kind: str = OtpEvent.Kind.ISSUED) -> None:  # fmt: skip
    OtpEvent.objects.create(
        kind=kind, purpose="sign_in", phone_index=phone, iin_index=iin, client_hash=client,
        created_at=at,
    )  # fmt: skip


def _wait(now: datetime, keys: dict[str, str] = KEYS) -> int | None:
    try:
        otp_send_check(now=now, keys=keys)
    except RateLimited as refused:
        return refused.retry_after
    return None


def test_no_history_passes_with_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(1):
        assert _wait(timezone.now()) is None


def test_the_pause_between_two_codes_to_one_number() -> None:
    now = timezone.now()
    _issued(now - timedelta(seconds=20), phone="p-me")
    assert _wait(now) == 40
    assert _wait(now + timedelta(seconds=41)) is None


@pytest.mark.parametrize(
    ("scope", "per_hour"), [("phone", 5), ("iin", 5), ("client", 20)]
)  # fmt: skip
def test_the_hourly_limit_of_each_scope(scope: str, per_hour: int) -> None:
    now = timezone.now()
    for minute in range(per_hour):  # one every 5 minutes, the oldest 50 minutes ago
        _issued(now - timedelta(minutes=50 - 5 * minute), **{scope: KEYS[scope]})  # type: ignore[arg-type]
    assert _wait(now) == 10 * 60  # until the oldest leaves the hour
    assert _wait(now + timedelta(minutes=10, seconds=1)) is None


def test_the_daily_limit_of_a_client_behind_which_many_numbers_ask() -> None:
    now = timezone.now()
    for i in range(60):  # 60 a day from one client, each to another number, 20 minutes apart
        _issued(now - timedelta(minutes=20 * (60 - i)), phone=f"p-{i}", client="c-me")
    wait = _wait(now)
    assert wait is not None
    oldest = now - timedelta(minutes=1200)
    assert wait == int((oldest + timedelta(days=1) - now).total_seconds())


def test_a_crowded_scope_cannot_hide_another_scope_s_limit() -> None:
    now = timezone.now()
    for i in range(60):  # the client is at its daily limit …
        _issued(now - timedelta(minutes=10 + i), phone=f"p-{i}", client="c-me")
    for i in range(10):  # … and so is the number, from elsewhere
        _issued(now - timedelta(hours=2 + i), phone="p-me", client="c-far")
    assert _wait(now) is not None
    assert _wait(now, {**KEYS, "client": "c-new"}) is not None  # the number alone still refuses


def test_throttled_attempts_and_old_codes_do_not_count() -> None:
    now = timezone.now()
    for i in range(10):
        _issued(now - timedelta(minutes=2 + i), phone="p-me", kind=OtpEvent.Kind.THROTTLED)
        _issued(now - timedelta(days=1, minutes=1 + i), phone="p-me")
    assert _wait(now) is None


def test_an_empty_iin_never_matches_codes_sent_without_one() -> None:
    now = timezone.now()
    for i in range(10):
        _issued(now - timedelta(minutes=2 + i), iin="")
    assert _wait(now, {**KEYS, "iin": ""}) is None
