"""The generator of past applications for benchmarks: what it writes follows the definitions."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from qyzmet.applications.actions import definition_of
from qyzmet.applications.forms import form_require_valid
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.demo.generate_applications import NUMBER_PREFIX, SHARES, applications_generate
from qyzmet.demo.generate_registries import registries_generate
from qyzmet.identity.models import Account

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("applications_generate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def registry() -> None:
    registries_generate(people=300, vehicles=60, licences=40, seed=7)


def test_without_people_the_command_says_what_to_load_first() -> None:
    with pytest.raises(CommandError, match="No living adult is in the population registry"):
        _run("--count", "5", "--seed", "1")

    assert not Application.objects.exists()


def test_it_writes_decided_applications_as_their_definitions_allow(registry: None) -> None:
    out = _run("--count", "400", "--seed", "3")

    assert out.startswith("applications 400, events ")
    assert "rows/s" in out
    applications = list(
        Application.objects.select_related("service", "person", "counterparty").all()
    )
    assert len(applications) == 400
    by_service = Counter(a.service.code for a in applications)
    assert set(by_service) == set(SHARES)
    assert by_service.most_common(1)[0][0] == "vehicle-re-registration"
    events: dict[str, list[ApplicationEvent]] = {}
    for event in ApplicationEvent.objects.order_by("created_at", "id"):
        events.setdefault(str(event.application_id), []).append(event)
    now = timezone.now()
    outcomes: Counter[str] = Counter()
    for application in applications:
        definition = definition_of(application)
        state = definition.workflow.states[application.state]
        assert state.final and application.outcome == state.outcome
        outcomes[application.outcome] += 1
        assert application.number is not None
        assert application.number.startswith(NUMBER_PREFIX)
        history = events[str(application.pk)]
        assert [e.transition for e in history].count("submit") == 1
        assert history[0].transition == "submit" and history[0].from_state == "draft"
        moves = [e for e in history if e.from_state != e.to_state]
        assert moves[-1].to_state == application.state
        assert all(a.to_state == b.from_state for a, b in pairwise(moves))
        assert application.decided_at == moves[-1].created_at
        assert now - timedelta(days=366) < application.submitted_at <= application.decided_at
        assert application.decided_at < now
        grounds = {g.code for g in definition.refusal_grounds}
        if application.outcome == "refused":
            assert moves[-1].grounds in grounds
        answers = form_require_valid(definition, json.loads(application.form_data))
        if definition.counterparty is not None:
            assert application.counterparty is not None
            assert application.counterparty_id != application.person_id
            assert answers[definition.counterparty.field] == application.counterparty.iin
    assert set(outcomes) == {"approved", "refused", "withdrawn"}
    assert outcomes.most_common(1)[0][0] == "approved"


def test_the_accounts_it_makes_cannot_sign_in(registry: None) -> None:
    applications_generate(count=50, seed=1)

    accounts = Account.objects.filter(
        pk__in=Application.objects.values("applicant_id")
    ).select_related("person")
    assert accounts.exists()
    for account in accounts:
        assert not account.has_usable_password()
        assert account.person is not None and account.login.startswith("iin:")


def test_running_twice_adds_more_without_collisions(registry: None) -> None:
    first = applications_generate(count=120, seed=5)
    second = applications_generate(count=80, seed=5)

    assert (first.applications, second.applications) == (120, 80)
    numbers = list(Application.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 200
    people = Account.objects.filter(person__isnull=False)
    assert people.count() == people.values("person_id").distinct().count()
    assert ApplicationEvent.objects.count() == first.events + second.events
