"""Rating an application: only the applicant, only after a decision, only once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from conftest import at_once
from qyzmet.core.errors import QyzmetError
from qyzmet.feedback.actions import rating_submit
from qyzmet.feedback.models import Rating
from qyzmet.feedback.selectors import rating_panel, rating_state_for_citizen
from qyzmet.feedback.tests.fixtures import SUBMITTED, application_make, other_citizen
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


def _refused(call: Callable[[], Any]) -> QyzmetError:
    with translation.override("en"), pytest.raises(QyzmetError) as caught:
        call()
    return caught.value


def test_the_applicant_rates_an_approved_application_with_a_comment() -> None:
    citizen = citizen_create()
    application = application_make(citizen)

    rating = rating_submit(
        account=citizen,
        application_id=str(application.pk),
        grade="good",
        comment="  Тез әрі ыңғайлы.\r\nРақмет!  ",
    )

    assert (rating.application_id, rating.account_id, rating.grade) == (
        application.pk,
        citizen.pk,
        "good",
    )
    stored = Rating.objects.get()
    assert stored.comment == "Тез әрі ыңғайлы.\nРақмет!"
    state = rating_state_for_citizen(account=citizen, application_id=str(application.pk))
    assert (state.rating, state.can_rate) == (stored, False)


def test_a_refused_application_can_be_rated_and_its_comment_is_ciphertext_at_rest() -> None:
    citizen = citizen_create()
    application = application_make(citizen, outcome="refused")
    rating_submit(
        account=citizen, application_id=str(application.pk), grade="bad", comment="Ұзақ күттім"
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM feedback_rating")
        (raw,) = cursor.fetchone()
    assert raw.startswith("v1$")
    assert "Ұзақ" not in raw


@pytest.mark.parametrize(
    ("outcome", "submitted_at"), [("", SUBMITTED), ("withdrawn", SUBMITTED), ("", None)]
)
def test_open_withdrawn_and_draft_applications_cannot_be_rated(
    outcome: str, submitted_at: Any
) -> None:
    citizen = citizen_create()
    application = application_make(citizen, outcome=outcome, submitted_at=submitted_at)

    error = _refused(
        lambda: rating_submit(account=citizen, application_id=str(application.pk), grade="good")
    )

    assert (error.code, error.status) == ("not_final", 422)
    assert str(error.message) == (
        "You can rate an application once the agency has approved or refused it."
    )
    assert not Rating.objects.exists()
    assert rating_panel(application=application).can_rate is False


def test_a_second_rating_is_refused_and_the_first_kept() -> None:
    citizen = citizen_create()
    application = application_make(citizen)
    rating_submit(account=citizen, application_id=str(application.pk), grade="excellent")

    error = _refused(
        lambda: rating_submit(account=citizen, application_id=str(application.pk), grade="bad")
    )

    assert (error.code, error.status) == ("already_rated", 409)
    assert str(error.message) == "You have already rated this application."
    assert list(Rating.objects.values_list("grade", flat=True)) == ["excellent"]


@pytest.mark.parametrize("grade", ["", "great", "EXCELLENT", "5"])
def test_an_unknown_grade_is_refused(grade: str) -> None:
    citizen = citizen_create()
    application = application_make(citizen)

    error = _refused(
        lambda: rating_submit(account=citizen, application_id=str(application.pk), grade=grade)
    )

    assert (error.code, error.status, error.details["field"]) == ("bad_grade", 422, "grade")
    assert str(error.message) == "Choose one of the answers."
    assert not Rating.objects.exists()


def test_a_comment_of_1000_characters_is_kept_and_1001_refused() -> None:
    citizen = citizen_create()
    first, second = application_make(citizen), application_make(citizen)

    error = _refused(
        lambda: rating_submit(
            account=citizen, application_id=str(first.pk), grade="good", comment="ә" * 1001
        )
    )
    rating_submit(account=citizen, application_id=str(second.pk), grade="good", comment="ә" * 1000)

    assert (error.code, error.status) == ("comment_too_long", 422)
    assert error.details == {"field": "comment", "max_length": 1000}
    assert str(error.message) == "The comment is too long: at most 1000 characters."
    assert list(Rating.objects.values_list("application_id", flat=True)) == [second.pk]


@pytest.mark.parametrize(
    "application_id", ["", "not-a-uuid", "6f1c1d2e-0000-4000-8000-000000000000"]
)
def test_someone_elses_or_no_application_is_not_found(application_id: str) -> None:
    owner, other = citizen_create(), other_citizen()
    application = application_make(owner)

    for account, key in ((other, str(application.pk)), (owner, application_id)):
        error = _refused(
            lambda account=account, key=key: rating_submit(
                account=account, application_id=key, grade="good"
            )
        )
        assert (error.code, error.status) == ("not_found", 404)
    assert not Rating.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
def test_ratings_at_the_same_moment_make_one() -> None:
    citizen = citizen_create()
    application = application_make(citizen)

    results = at_once(
        4,
        lambda i: rating_submit(
            account=citizen, application_id=str(application.pk), grade=("good", "bad")[i % 2]
        ),
    )

    ratings = [r for r in results if isinstance(r, Rating)]
    assert len(ratings) == 1
    refusals = [getattr(r, "code", repr(r)) for r in results if not isinstance(r, Rating)]
    assert refusals == ["already_rated"] * 3
    assert Rating.objects.count() == 1
