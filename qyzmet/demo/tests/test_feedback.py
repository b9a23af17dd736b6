"""The demo ratings: each decided application of a demo citizen rated once, the analyst
allowed the figures."""

from __future__ import annotations

import pytest

from qyzmet.demo.feedback import feedback_demo_load
from qyzmet.feedback.models import Rating
from qyzmet.feedback.tests.fixtures import application_make, other_citizen
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db


def test_demo_ratings_rate_each_decided_application_once() -> None:
    citizen = citizen_create()
    approved, refused = application_make(citizen), application_make(citizen, outcome="refused")
    application_make(citizen, outcome="withdrawn")
    application_make(citizen, outcome="")
    analyst = other_citizen()
    someone_real = other_citizen()
    theirs = application_make(someone_real)

    assert feedback_demo_load(citizens=[citizen], analyst=analyst) == 2
    assert feedback_demo_load(citizens=[citizen], analyst=analyst) == 0

    ratings = dict(Rating.objects.values_list("application_id", "grade"))
    assert sorted(ratings) == sorted([approved.pk, refused.pk])
    assert sorted(ratings.values()) == ["excellent", "good"]
    assert theirs.pk not in ratings  # only the demo citizens' applications
    assert analyst.has_perm("feedback.view_internal_figures")
