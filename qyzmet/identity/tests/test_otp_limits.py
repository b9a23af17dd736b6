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
            kind: str = OtpEvent.Kind.ISSUED, purpose: str = "sign_in") -> None:  # fmt: skip
    OtpEvent.objects.create(
        kind=kind, purpose=purpose, phone_index=phone, iin_index=iin, client_hash=client,
        created_at=at,
    )  # fmt: skip


def _wait(now: datetime, keys: dict[str, str] = KEYS, purpose: str = "sign_in") -> int | None:
    try:
        otp_send_check(now=now, keys=keys, purpose=purpose)
    except RateLimited as refused:
        return refused.retry_after
    return None


def test_no_history_passes_with_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(1):
        assert _wait(timezone.now()) is None


def test_the_pause_between_two_codes_to_one_number_for_one_purpose() -> None:
    now = timezone.now()
    _issued(now - timedelta(seconds=20), phone="p-me")
    assert _wait(now) == 40
    assert _wait(now + timedelta(seconds=41)) is None
    assert _wait(now, purpose="sign") is None  # the signing code after a sign-in is not paused


@pytest.mark.parametrize(
    ("purpose", "per_day"),
    [("sign_in", 8), ("sign", 12), ("countersign", 6), ("bind_phone", 3), ("register", 3)],
)
def test_the_daily_budget_of_each_purpose_per_account(purpose: str, per_day: int) -> None:
    now = timezone.now()
    for i in range(per_day):  # from other numbers and clients, the oldest 20 hours ago
        _issued(now - timedelta(hours=20 - i), iin="i-me", purpose=purpose, phone=f"p-{i}")
    assert _wait(now, purpose=purpose) == 4 * 3600  # until the oldest leaves the day
    assert _wait(now + timedelta(hours=4, seconds=1), purpose=purpose) is None
    other = "sign" if purpose != "sign" else "sign_in"
    assert _wait(now, purpose=other) is None  # one purpose does not spend another's


@pytest.mark.parametrize("scope", ["phone", "iin"])
def test_all_purposes_together_stop_at_twenty_a_day_per_number_and_per_account(
    scope: str,
) -> None:
    now = timezone.now()
    purposes = ["sign_in"] * 8 + ["sign"] * 12  # each purpose within its own budget
    for i, purpose in enumerate(purposes):
        _issued(now - timedelta(hours=22, minutes=-i), purpose=purpose, **{scope: KEYS[scope]})  # type: ignore[arg-type]
    assert _wait(now, purpose="countersign") == 2 * 3600
    assert _wait(now + timedelta(hours=2, seconds=1), purpose="countersign") is None


def test_the_hourly_limit_of_a_client() -> None:
    now = timezone.now()
    for minute in range(20):  # 20 codes to 20 numbers, the oldest 50 minutes ago
        _issued(now - timedelta(minutes=50 - 2 * minute), phone=f"p-{minute}", client="c-me")
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
    for i in range(20):  # … and so is the number, from elsewhere
        _issued(now - timedelta(hours=2, minutes=i), phone="p-me", client="c-far")
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
