"""The password budgets' arithmetic of docs/one-time-codes.md, on the default settings."""

from datetime import timedelta

from qyzmet.core.ratelimit import BUDGETS
from qyzmet.identity.actions.attempts import attempt_counts

DAY = timedelta(days=1)


def _per_day(name: str) -> int:
    budget = BUDGETS[name]
    limit = budget.limit()
    assert limit is not None, name
    return int(limit * (DAY / budget.window()))


def test_the_documented_ceilings_a_day() -> None:
    assert _per_day("signin.password.iin") == 5 * 96 == 480
    assert _per_day("signin.password.client") == 10 * 96 == 960
    assert _per_day("signin.password.device") == 480
    assert _per_day("signin.password.everyone") == 300 * 1440 == 432_000


def test_a_known_device_is_held_to_its_own_budget_only() -> None:
    known = attempt_counts(iin_index="i", client_hash="c", known_device="d")
    unknown = attempt_counts(iin_index="i", client_hash="c", known_device="")

    assert [c.budget for c in known] == ["signin.password.device"]
    assert [c.budget for c in unknown] == [
        "signin.password.iin",
        "signin.password.client",
        "signin.password.everyone",
    ]
