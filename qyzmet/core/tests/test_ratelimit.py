"""The rate limiter: the sliding window (pure, many cases) and the budgets counted on rows.

Any model with a key field and a time field can hold hits; these tests use the worker
heartbeat table (key: `hostname`, time: `last_seen`) so that they need no app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from pytest_django import DjangoAssertNumQueries

from conftest import at_once
from qyzmet.core.errors import RateLimited
from qyzmet.core.models import WorkerHeartbeat
from qyzmet.core.ratelimit import (
    BUDGETS,
    EVERYONE,
    Budget,
    Count,
    rate_check,
    rate_lock,
    rate_spent,
    rate_waits,
    window_wait,
)

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


# --- The window ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("times", "limit", "expected"),
    [
        ([], 1, None),
        ([], 3, None),
        (_ago(10), 1, 50 * 60),  # one hit 10 minutes ago fills a limit of one for 50 minutes
        (_ago(10), 2, None),
        (_ago(5, 10), 2, 50 * 60),  # the older of the two decides
        (_ago(5, 10, 20), 2, 50 * 60),  # only the newest `limit` hits matter
        (_ago(5, 10, 61), 3, None),  # a hit older than the window does not count
        (_ago(5, 10, 60), 3, None),  # exactly one window ago: already out
        (_ago(59.999), 1, 1),  # a fraction of a second left: rounded up to one
        (_ago(59.5), 1, 30),
        (_ago(0), 1, 3600),  # just now
    ],
)
def test_window_wait(times: list[datetime], limit: int, expected: int | None) -> None:
    assert window_wait(times=times, limit=limit, window=HOUR, now=NOW) == expected


def test_a_limit_of_zero_always_refuses_for_a_whole_window() -> None:
    assert window_wait(times=[], limit=0, window=HOUR, now=NOW) == 3600


@pytest.mark.parametrize("seconds", [1, 59, 60, 61, 899, 900])
def test_the_wait_frees_a_slot_exactly_then(seconds: int) -> None:
    window = timedelta(seconds=900)
    times = [NOW - window + timedelta(seconds=seconds)]
    wait = window_wait(times=times, limit=1, window=window, now=NOW)
    assert wait == seconds
    later = NOW + timedelta(seconds=wait)
    assert window_wait(times=times, limit=1, window=window, now=later) is None
    assert window_wait(times=times, limit=1, window=window, now=later - MINUTE / 60) == 1


# --- Budgets over rows --------------------------------------------------------------------------


@pytest.fixture
def budgets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(
        BUDGETS, "t.hour", Budget(lambda: 3, lambda: HOUR, counts="tests", keyed_by="host")
    )
    monkeypatch.setitem(
        BUDGETS, "t.minute", Budget(lambda: 1, lambda: MINUTE, counts="tests", keyed_by="host")
    )
    monkeypatch.setitem(
        BUDGETS, "t.off", Budget(lambda: None, lambda: HOUR, counts="tests", keyed_by="host")
    )
    yield


def _hit(host: str, at: datetime, worker: str = "") -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker or f"{host}-{at.isoformat()}-{WorkerHeartbeat.objects.count()}",
        hostname=host,
        pid=1,
        started_at=at,
        last_seen=at,
    )


def _waits(*counts: Count, now: datetime = NOW) -> dict[str, int]:
    return rate_waits(rows=WorkerHeartbeat.objects.all(), counts=counts, now=now, at="last_seen")


def _c(budget: str, key: str) -> Count:
    return Count(budget=budget, key=key, field="hostname")


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_several_budgets_and_keys_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for minutes in (50, 40, 30):
        _hit("a", NOW - timedelta(minutes=minutes))
    _hit("b", NOW - timedelta(seconds=20))

    with django_assert_num_queries(1):
        waits = _waits(
            _c("t.hour", "a"), _c("t.minute", "a"), _c("t.hour", "b"), _c("t.minute", "b")
        )

    assert waits == {"t.hour": 10 * 60, "t.minute": 40}


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_other_keys_never_count() -> None:
    for minutes in (5, 6, 7, 8):
        _hit("a", NOW - timedelta(minutes=minutes))
    assert _waits(_c("t.hour", "b")) == {}
    assert _waits(_c("t.hour", "a")) == {"t.hour": 53 * 60}


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_an_empty_key_or_a_switched_off_budget_is_not_checked(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for minutes in (1, 2, 3, 4):
        _hit("", NOW - timedelta(minutes=minutes))
    with django_assert_num_queries(0):
        assert _waits(_c("t.hour", ""), _c("t.off", "a")) == {}


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_a_crowded_key_cannot_hide_another_key_s_spent_budget() -> None:
    for i in range(40):  # "busy" fills the query's slice many times over …
        _hit("busy", NOW - timedelta(seconds=30 + i))
    for minutes in (50, 51, 52):  # … while "quiet" spent its budget earlier
        _hit("quiet", NOW - timedelta(minutes=minutes))
    assert "t.hour" in _waits(_c("t.hour", "quiet"), _c("t.hour", "busy"))
    assert _waits(_c("t.hour", "quiet"), _c("t.hour", "fresh")) == {"t.hour": 8 * 60}


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_a_count_narrowed_by_another_field_counts_only_its_own_hits(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _hit("a", NOW - timedelta(seconds=20), worker="w1")

    def narrowed(worker: str) -> Count:
        return Count(budget="t.minute", key="a", field="hostname", also=(("worker_id", worker),))

    with django_assert_num_queries(1):
        assert _waits(narrowed("w1"), _c("t.hour", "a")) == {"t.minute": 40}
    assert _waits(narrowed("w2")) == {}  # the same key, another kind: a budget of its own
    assert _waits(_c("t.minute", "a")) == {"t.minute": 40}


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_the_rows_given_are_the_hits() -> None:
    for minutes in (1, 2, 3):
        _hit("a", NOW - timedelta(minutes=minutes))
    only_old = WorkerHeartbeat.objects.filter(last_seen__lt=NOW - timedelta(seconds=90))
    waits = rate_waits(rows=only_old, counts=[_c("t.hour", "a")], now=NOW, at="last_seen")
    assert waits == {}


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_check_raises_the_longest_wait_with_retry_after_and_spent_answers_yes() -> None:
    for minutes in (0.5, 20, 30):
        _hit("a", NOW - timedelta(minutes=minutes))

    with pytest.raises(RateLimited) as refused:
        rate_check(
            rows=WorkerHeartbeat.objects.all(),
            counts=[_c("t.minute", "a"), _c("t.hour", "a")],
            now=NOW,
            refuse=lambda wait: RateLimited(f"wait {wait}", retry_after=wait, code="t_limited"),
            at="last_seen",
        )

    assert refused.value.retry_after == 30 * 60  # the hour's, longer than the minute's 30 s
    assert refused.value.headers == {"Retry-After": "1800"}
    assert (refused.value.code, str(refused.value.message)) == ("t_limited", "wait 1800")
    rows = WorkerHeartbeat.objects.all()
    assert rate_spent(rows=rows, count=_c("t.hour", "a"), now=NOW, at="last_seen") is True
    later = NOW + timedelta(minutes=31)
    assert rate_spent(rows=rows, count=_c("t.hour", "a"), now=later, at="last_seen") is False


def test_every_budget_has_a_window_and_reads_its_limit_from_the_settings(settings: Any) -> None:
    for name, budget in BUDGETS.items():
        assert budget.window() > timedelta(0), name
        assert budget.limit() is None or budget.limit() >= 1, name  # type: ignore[operator]
    settings.QYZMET_PASSWORD_LOCKOUT_FAILURES = 7
    settings.QYZMET_OTP_LIMITS = {"phone": (2, 3)}
    assert BUDGETS["signin.password.iin"].limit() == 7
    assert BUDGETS["otp.send.phone.day"].limit() == 3
    assert BUDGETS["otp.send.client.hour"].limit() is None  # a scope left out is not limited


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
@pytest.mark.usefixtures("budgets")
def test_concurrent_check_then_record_never_passes_the_limit() -> None:
    def take(n: int) -> str:
        with transaction.atomic():
            counts = [_c("t.hour", "shared")]
            rate_lock(counts=counts)
            try:
                rate_check(
                    rows=WorkerHeartbeat.objects.all(),
                    counts=counts,
                    now=NOW,
                    refuse=lambda wait: RateLimited(retry_after=wait),
                    at="last_seen",
                )
            except RateLimited:
                return "refused"
            _hit("shared", NOW - timedelta(seconds=n), worker=f"w{n}")
        return "counted"

    outcomes = at_once(8, take)

    assert sorted(outcomes) == ["counted"] * 3 + ["refused"] * 5, outcomes
    assert WorkerHeartbeat.objects.filter(hostname="shared").count() == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("budgets")
def test_a_count_over_everyone_counts_every_row_whatever_its_key(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for n, minutes in enumerate((50, 40, 30)):
        _hit(f"host-{n}", NOW - timedelta(minutes=minutes))
    everyone = Count(budget="t.hour", key=EVERYONE, field="")

    with django_assert_num_queries(2):  # the keyed counts' query, and everyone's
        waits = _waits(everyone, _c("t.hour", "host-0"))

    assert waits == {"t.hour": 10 * 60}  # the oldest of the newest three leaves in 10 minutes
    assert _waits(everyone, now=NOW + timedelta(minutes=11)) == {}
