"""One idempotency-key design: the first request's result comes back to a retry with the same
key and payload, another payload or scope is a conflict, keys belong to their owner, a failing
operation keeps no key, and copies sent at the same moment run the operation once."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from conftest import at_once
from qyzmet.core import idempotency
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.core.idempotency import idempotency_owner, idempotent, request_hash
from qyzmet.core.models import IdempotencyKey
from qyzmet.core.periodic import periodic_pending
from qyzmet.core.tasks import idempotency_keys_sweep_task
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create

_phones = itertools.count(1)


def _account() -> Account:
    return citizen_create(phone=f"+7707{next(_phones):07d}")


def _counting() -> tuple[list[str], Callable[[], str]]:
    made: list[str] = []

    def run() -> str:
        made.append(f"made-{len(made) + 1}")
        return made[-1]

    return made, run


def _once(
    owner: Account, run: Callable[[], str], *, key: str = "k", scope: str = "s", payload: object = 1
) -> str:
    return idempotent(
        owner=owner, key=key, scope=scope, payload=payload,
        run=run, remember=lambda result: result, recall=lambda kept: f"recalled {kept}",
    )  # fmt: skip


def test_the_digest_is_of_scope_and_payload_in_any_key_order() -> None:
    one = request_hash(scope="s", payload={"a": 1, "b": [1, 2]})

    assert one == request_hash(scope="s", payload={"b": [1, 2], "a": 1})
    assert one != request_hash(scope="t", payload={"a": 1, "b": [1, 2]})
    assert one != request_hash(scope="s", payload={"a": 1, "b": [2, 1]})
    assert len(one) == 64


@pytest.mark.parametrize("key", ["", "x" * 101])
def test_a_missing_or_too_long_key_is_refused(key: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        idempotency.idempotency_key_check(key=key)

    assert refused.value.code == "idempotency_key"
    assert refused.value.status == 422


def test_a_key_of_100_characters_is_taken_as_sent() -> None:
    assert idempotency.idempotency_key_check(key="x" * 100) == "x" * 100


@pytest.mark.django_db
def test_the_same_key_and_payload_gets_the_first_result_and_runs_nothing() -> None:
    owner = _account()
    made, run = _counting()

    first = _once(owner, run)
    again = _once(owner, run)

    assert (first, again, made) == ("made-1", "recalled made-1", ["made-1"])
    kept = IdempotencyKey.objects.get()
    assert (kept.owner, kept.key, kept.scope, kept.result) == (
        f"identity.account:{owner.pk}", "k", "s", "made-1",
    )  # fmt: skip


@pytest.mark.django_db
def test_the_same_key_with_another_payload_or_scope_is_a_conflict() -> None:
    owner = _account()
    made, run = _counting()
    _once(owner, run, scope="applications.submit", payload={"application": "a"})

    for scope, payload in [
        ("applications.submit", {"application": "b"}),
        ("payments.create", {"application": "a"}),
    ]:
        with pytest.raises(Conflict) as refused:
            _once(owner, run, scope=scope, payload=payload)
        assert (refused.value.code, refused.value.status) == ("idempotency_reused", 409)
    assert made == ["made-1"]


@pytest.mark.django_db
def test_another_owners_identical_key_is_another_key() -> None:
    mine, theirs = _account(), _account()
    _made, run = _counting()

    results = [_once(mine, run), _once(theirs, run)]

    assert results == ["made-1", "made-2"]
    assert IdempotencyKey.objects.count() == 2
    assert idempotency_owner(mine) != idempotency_owner(theirs)


@pytest.mark.django_db
def test_a_failing_operation_keeps_no_key_and_may_be_tried_again() -> None:
    owner = _account()
    _made, run = _counting()

    def failing() -> str:
        run()  # whatever it wrote is rolled back with the key
        IdempotencyKey.objects.create(owner="other", key="written-inside", scope="s")
        raise Conflict(code="refused")

    with pytest.raises(Conflict):
        _once(owner, failing)
    assert IdempotencyKey.objects.count() == 0

    assert _once(owner, run) == "made-2"
    assert IdempotencyKey.objects.get().result == "made-2"


@pytest.mark.django_db
def test_losing_the_race_answers_what_the_winner_made(monkeypatch: pytest.MonkeyPatch) -> None:
    # The winner commits between our look-up and our claim: the unique constraint refuses our
    # claim, and we answer the winner's result without running anything.
    owner = _account()
    made, run = _counting()
    look_up = idempotency.idempotency_recorded
    calls: list[str | None] = []

    def winner_commits_after_our_look_up(**kwargs: object) -> str | None:
        found = look_up(**kwargs)  # type: ignore[arg-type]
        if not calls:
            IdempotencyKey.objects.create(
                owner=idempotency_owner(owner), key="k", scope="s",
                request_hash=request_hash(scope="s", payload=1), result="the winner's",
            )  # fmt: skip
        calls.append(found)
        return found

    monkeypatch.setattr(idempotency, "idempotency_recorded", winner_commits_after_our_look_up)

    assert _once(owner, run) == "recalled the winner's"
    assert made == []
    assert calls == [None, "the winner's"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
def test_copies_at_the_same_moment_run_the_operation_once() -> None:
    owner = _account()
    made: list[int] = []
    lock = threading.Lock()

    def slow(index: int) -> str:
        with lock:
            made.append(index)
        time.sleep(0.2)  # the others arrive while the first holds the key
        return f"made by {index}"

    results = at_once(
        4,
        lambda index: idempotent(
            owner=owner,
            key="k",
            scope="s",
            payload=1,
            run=lambda: slow(index),
            remember=lambda result: result,
            recall=lambda kept: kept,
        ),
    )

    assert len(made) == 1, results
    assert results == [f"made by {made[0]}"] * 4
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_keys_older_than_a_day_are_forgotten_by_their_sweep() -> None:
    # given a key used 25 hours ago and one used an hour ago
    owner = _account()
    _made, run = _counting()
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=25), tick=False):
        _once(owner, run, key="old")
    with time_machine.travel(now - timedelta(hours=1), tick=False):
        _once(owner, run, key="new")

    # when the hourly sweep runs
    with time_machine.travel(now, tick=False):
        forgotten = idempotency_keys_sweep_task.call()

    # then only the recent key (and its kept answer) is left, and the next sweep is waiting
    assert forgotten == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert periodic_pending(name="idempotency_keys")
