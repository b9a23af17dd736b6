"""Deadlines: escalating overdue applications once, the sweep's periodic chain, and the public
dashboard of decisions on time (page and API)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.applications.actions import snapshot_for
from qyzmet.applications.deadlines import (
    AgencyStats,
    SweepReport,
    agency_deadline_stats,
    deadlines_sweep,
    escalated_queue,
)
from qyzmet.applications.models import Application, ApplicationEvent, OfficerMembership
from qyzmet.applications.tasks import deadlines_sweep_task
from qyzmet.catalogue.selectors import catalogue_get, service_get
from qyzmet.core.calendar import ALMATY
from qyzmet.core.periodic import periodic_schedule
from qyzmet.identity.models import Account
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.notifications.selectors import sink_message_list
from qyzmet.notifications.testing import deliver_due

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = "criminal-record-certificate"
AGENCY = "gp-legal-statistics"
OTHER_AGENCY = "mvd-migration"
SUPERVISOR_PHONE = "+77470009988"
OFFICER_PHONE = "+77470001122"
URLS = "qyzmet.applications.tests.urls_deadlines"
MONDAY = datetime(2026, 2, 2, 10, 0, tzinfo=ALMATY)
Capture = Callable[..., Any]

_numbers = itertools.count(1)


def _sweeps_done() -> int:
    return DBTaskResult.objects.filter(status="SUCCESSFUL", task_path__contains="deadlines").count()


def _texts(phone: str) -> list[str]:
    deliver_due()  # what the worker would have sent by now
    return [message["text"] for message in sink_message_list(recipient=phone)]


def _staff(role: str, *, agency: str = AGENCY, phone: str = SUPERVISOR_PHONE) -> Account:
    account = citizen_create(phone=phone, birth_date=date(1980, 8, 8), sex="M")
    OfficerMembership.objects.create(account=account, agency=agency, role=role)
    return account


def _application(
    account: Account,
    *,
    due: date,
    state: str = "in_review",
    state_due: date | None = None,
    outcome: str = "",
    decided_at: datetime | None = None,
    agency: str = AGENCY,
) -> Application:
    """An application as the workflow leaves it, written directly (the journey itself is
    tested through the API below and in the API's tests)."""
    assert account.person is not None
    return Application.objects.create(
        service=snapshot_for(service_get(code=CRIMINAL_RECORD)),
        agency=agency,
        applicant=account,
        person=account.person,
        state=state,
        number=f"Q260202-{next(_numbers):08d}",
        submitted_at=MONDAY,
        due_date=due,
        state_due_date=state_due,
        outcome=outcome,
        decided_at=decided_at,
    )


def _submitted_on_monday(api: CommittingClient) -> dict[str, Any]:
    """A citizen applies through the API on Monday 2 February 2026, 10:00 in Almaty."""
    with time_machine.travel(MONDAY, tick=False):
        account = citizen_create()
        auth = bearer(sign_in(api, account.person.iin)["access_token"])  # type: ignore[union-attr]
        draft = api.post_json("/api/v1/applications", {"service": CRIMINAL_RECORD}, **auth).json()
        api.patch(
            f"/api/v1/applications/{draft['id']}",
            data='{"answers": {"purpose": "employment"}}',
            content_type="application/json",
            **auth,
        )
        with time_machine.travel(MONDAY + timedelta(minutes=2), tick=False):
            code = api.post(f"/api/v1/applications/{draft['id']}/sign/sms", **auth).json()
            done: dict[str, Any] = api.post_json(
                f"/api/v1/applications/{draft['id']}/submit",
                {"code_id": code["code_id"], "code": last_code(api, PHONE)},
                HTTP_IDEMPOTENCY_KEY="deadlines",
                **auth,
            ).json()
    return done


# --- Escalation ---------------------------------------------------------------------------------


def test_an_overdue_application_is_escalated_once_and_the_citizen_and_supervisor_are_told(
    api_client: CommittingClient, django_capture_on_commit_callbacks: Capture
) -> None:
    application = _submitted_on_monday(api_client)
    supervisor = _staff("supervisor")
    assert application["state"] == "in_review"
    assert application["due_date"] == "2026-02-09"  # 3, 4, 5, 6 and 9 February
    citizen_before = len(_texts(PHONE))

    with time_machine.travel(datetime(2026, 2, 9, 23, 0, tzinfo=ALMATY), tick=False):
        on_the_due_day = deadlines_sweep()
    with (
        time_machine.travel(datetime(2026, 2, 10, 9, 0, tzinfo=ALMATY), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = deadlines_sweep()
        deliver_due()  # the worker, within the messages' lifetime
    with (
        time_machine.travel(datetime(2026, 2, 10, 9, 15, tzinfo=ALMATY), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        second = deadlines_sweep()

    assert on_the_due_day == SweepReport(escalated=0, checked=1)
    assert first == SweepReport(escalated=1, checked=1)
    assert second == SweepReport(escalated=0, checked=1)
    stored = Application.objects.get()
    assert stored.escalated_at == datetime(2026, 2, 10, 9, 0, tzinfo=ALMATY)
    assert stored.state == "in_review" and stored.outcome == ""
    event = ApplicationEvent.objects.get(transition="escalate")
    assert (event.from_state, event.to_state) == ("in_review", "in_review")
    assert (event.actor, event.actor_role) == (None, "system")
    assert event.changes == {"breached": {"due_date": "2026-02-09"}}
    assert "2026-02-09" in event.comment
    number = application["number"]
    citizen_texts = _texts(PHONE)
    assert len(citizen_texts) == citizen_before + 1
    assert citizen_texts[0] == (
        f"Qyzmet: the deadline for application {number} has passed; "
        "the agency's supervisor has been told."
    )
    assert _texts(SUPERVISOR_PHONE) == [
        f"Qyzmet: application {number} of Legal statistics committee has passed its deadline; "
        "it is in your escalated queue."
    ]
    assert [a.number for a in escalated_queue(account=supervisor, agency=AGENCY)] == [number]


def test_an_application_within_its_term_is_not_escalated() -> None:
    citizen = citizen_create()
    _application(citizen, due=date(2026, 2, 10), state_due=date(2026, 2, 10))

    report = deadlines_sweep(today=date(2026, 2, 10))

    assert report == SweepReport(escalated=0, checked=1)
    assert Application.objects.get().escalated_at is None
    assert not ApplicationEvent.objects.exists()


def test_a_decided_or_draft_application_is_never_escalated() -> None:
    citizen = citizen_create()
    decided_at = datetime(2026, 2, 20, 12, tzinfo=ALMATY)
    for outcome in ("approved", "refused", "withdrawn"):
        _application(
            citizen, due=date(2026, 2, 9), state=outcome, outcome=outcome, decided_at=decided_at
        )
    _application(citizen, due=date(2026, 2, 9), state="draft")

    report = deadlines_sweep(today=date(2026, 3, 1))

    assert report == SweepReport(escalated=0, checked=0)
    assert not Application.objects.filter(escalated_at__isnull=False).exists()


@override_settings(LANGUAGE_CODE="en")
def test_a_passed_step_deadline_escalates_and_is_named_in_the_history() -> None:
    citizen = citizen_create()
    _application(citizen, due=date(2026, 2, 20), state="hearing", state_due=date(2026, 2, 11))

    report = deadlines_sweep(today=date(2026, 2, 12))

    assert report == SweepReport(escalated=1, checked=1)
    event = ApplicationEvent.objects.get()
    assert event.changes == {"breached": {"state_due_date": "2026-02-11"}}
    assert event.comment == (
        "The deadline of the step “Preliminary refusal: hearing” was 2026-02-11. "
        "Escalated to the agency's supervisor."
    )


def test_many_overdue_applications_are_escalated_in_chunks_with_one_message_per_supervisor(
    django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qyzmet.applications.deadlines.CHUNK", 2)
    citizen = citizen_create()
    _staff("supervisor")
    for day in (5, 3, 4, 6, 2):
        _application(citizen, due=date(2026, 2, day))
    before = len(_texts(PHONE))

    with django_capture_on_commit_callbacks(execute=True):
        report = deadlines_sweep(today=date(2026, 2, 10))

    assert report == SweepReport(escalated=5, checked=5)
    assert ApplicationEvent.objects.filter(transition="escalate").count() == 5
    assert len(_texts(PHONE)) == before + 5  # one per application
    oldest = Application.objects.get(due_date=date(2026, 2, 2)).number
    assert _texts(SUPERVISOR_PHONE) == [
        f"Qyzmet: 5 applications of Legal statistics committee have passed their deadlines, "
        f"the oldest {oldest}; they are in your escalated queue."
    ]


def test_the_escalated_queue_is_for_the_agencys_supervisors_only() -> None:
    citizen = citizen_create()
    later = _application(citizen, due=date(2026, 2, 6))
    earlier = _application(citizen, due=date(2026, 2, 3))
    _application(citizen, due=date(2026, 2, 27))  # not overdue
    deadlines_sweep(today=date(2026, 2, 10))
    supervisor = _staff("supervisor")
    officer = _staff("officer", phone=OFFICER_PHONE)
    elsewhere = _staff("supervisor", agency=OTHER_AGENCY, phone="+77470005566")

    assert escalated_queue(account=supervisor, agency=AGENCY) == [earlier, later]
    assert escalated_queue(account=officer, agency=AGENCY) == []
    assert escalated_queue(account=elsewhere, agency=AGENCY) == []
    assert escalated_queue(account=citizen, agency=AGENCY) == []


def test_the_command_sweeps_once_and_reports() -> None:
    _application(citizen_create(), due=date(2020, 1, 6))
    out = io.StringIO()

    call_command("deadlines_sweep", stdout=out)

    assert out.getvalue() == "Escalated 1 of 1 open applications.\n"


# --- The periodic chain -------------------------------------------------------------------------


def _waiting() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path="qyzmet.applications.tasks.deadlines_sweep_task", status="READY"
        )
    )


@time_machine.travel(datetime(2026, 2, 10, 9, 0, tzinfo=ALMATY), tick=False)
def test_the_task_sweeps_and_schedules_the_next_run_without_duplicates() -> None:
    _application(citizen_create(), due=date(2026, 2, 9))

    first = deadlines_sweep_task.call()
    again = deadlines_sweep_task.call()  # a retry, or a second worker

    assert first == {"escalated": 1, "checked": 1}
    assert again == {"escalated": 0, "checked": 1}
    waiting = _waiting()
    assert len(waiting) == 1
    assert waiting[0].run_after == timezone.now() + timedelta(minutes=15)
    assert periodic_schedule(name="deadlines") is False


def test_a_failing_run_still_keeps_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("qyzmet.applications.tasks.deadlines_sweep", broken)

    with pytest.raises(RuntimeError):
        deadlines_sweep_task.call()

    assert len(_waiting()) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_chain_every_15_minutes() -> None:
    start = datetime(2026, 2, 10, 9, 0, tzinfo=ALMATY)
    with time_machine.travel(start, tick=False):
        _application(citizen_create(), due=date(2026, 2, 9))
        out = io.StringIO()
        call_command("deadlines_sweep", "--schedule", stdout=out)
        call_command("deadlines_sweep", "--schedule", stdout=out)
        assert out.getvalue() == (
            "Deadline sweep scheduled.\nA deadline sweep is already scheduled.\n"
        )

        call_command("worker", "--batch")

        assert Application.objects.get().escalated_at == start
        done = DBTaskResult.objects.get(status="SUCCESSFUL", task_path__contains="deadlines")
        assert done.return_value == {"escalated": 1, "checked": 1}
        assert [w.run_after for w in _waiting()] == [start + timedelta(minutes=15)]
        call_command("worker", "--batch")  # not due yet: nothing runs
        assert _sweeps_done() == 1

    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        call_command("worker", "--batch")

        assert _sweeps_done() == 2
        assert [w.run_after for w in _waiting()] == [start + timedelta(minutes=31)]


# --- Statistics ---------------------------------------------------------------------------------


def _stats_fixture() -> None:
    """For the Legal statistics committee, due 9 February 2026:
    on time: approved at 23:59 in Almaty on the 9th (18:59 UTC);
    late: approved at 01:00 in Almaty on the 10th (still the 9th in UTC), refused on the 12th;
    not counted: withdrawn, a draft; open: one overdue, one not yet due."""
    citizen = citizen_create()
    due = date(2026, 2, 9)
    _application(
        citizen,
        due=due,
        state="issued",
        outcome="approved",
        decided_at=datetime(2026, 2, 9, 23, 59, tzinfo=ALMATY),
    )
    _application(
        citizen,
        due=due,
        state="issued",
        outcome="approved",
        decided_at=datetime(2026, 2, 10, 1, 0, tzinfo=ALMATY),
    )
    _application(
        citizen,
        due=due,
        state="refused",
        outcome="refused",
        decided_at=datetime(2026, 2, 12, 10, tzinfo=ALMATY),
    )
    _application(
        citizen,
        due=due,
        state="withdrawn",
        outcome="withdrawn",
        decided_at=datetime(2026, 2, 20, 10, tzinfo=ALMATY),
    )
    _application(citizen, due=due, state="draft")
    _application(citizen, due=due)  # open, overdue
    _application(citizen, due=date(2026, 2, 27))  # open, within its term


def test_stats_count_decisions_on_time_in_kazakhstan_and_late_exactly() -> None:
    _stats_fixture()

    stats = {row.agency: row for row in agency_deadline_stats(today=date(2026, 2, 20))}

    agencies = catalogue_get().agencies
    assert list(stats) == list(agencies)
    assert stats[AGENCY] == AgencyStats(
        agency=AGENCY,
        name=agencies[AGENCY].name,
        decided=3,
        decided_on_time=1,
        on_time_share=1 / 3,
        open=2,
        overdue_now=1,
    )
    assert stats[OTHER_AGENCY] == AgencyStats(
        agency=OTHER_AGENCY,
        name=agencies[OTHER_AGENCY].name,
        decided=0,
        decided_on_time=0,
        on_time_share=None,
        open=0,
        overdue_now=0,
    )


# --- The public dashboard -----------------------------------------------------------------------

NAMES = {
    "kk": "Қазақстан Республикасы Бас прокуратурасының Құқықтық статистика",
    "ru": "Комитет по правовой статистике и специальным учетам",
    "en": "Committee on Legal Statistics and Special Records",
}


@override_settings(ROOT_URLCONF=URLS)
@time_machine.travel(datetime(2026, 2, 20, 12, 0, tzinfo=ALMATY), tick=False)
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_api_answers_in_the_callers_language_without_sign_in(language: str) -> None:
    _stats_fixture()

    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/deadlines")

    assert response.status_code == 200
    body = response.json()
    assert body["today"] == "2026-02-20"
    assert [a["code"] for a in body["agencies"]] == list(catalogue_get().agencies)
    row = next(a for a in body["agencies"] if a["code"] == AGENCY)
    assert NAMES[language] in row["name"]
    assert row == {
        "code": AGENCY,
        "name": row["name"],
        "decided": 3,
        "decided_on_time": 1,
        "on_time_share": pytest.approx(1 / 3),
        "open": 2,
        "overdue_now": 1,
    }
    other = next(a for a in body["agencies"] if a["code"] == OTHER_AGENCY)
    assert other["on_time_share"] is None


@override_settings(ROOT_URLCONF=URLS)
@time_machine.travel(datetime(2026, 2, 20, 12, 0, tzinfo=ALMATY), tick=False)
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_page_lists_every_agency_in_the_browsers_language(language: str) -> None:
    _stats_fixture()

    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/deadlines/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert "<caption" in body and body.count('scope="col"') == 5
    assert NAMES[language] in body
    assert body.count('<th scope="row">') == len(catalogue_get().agencies) + 1  # and the total
    # The committee: 3 decided, 33 % on time (1), 2 open, 1 overdue; the bar is 33 wide.
    assert "<td>3</td>" in body and '<rect width="33"' in body
    assert "style=" not in body.split("<main", 1)[1]  # the CSP allows no inline styles


@override_settings(ROOT_URLCONF=URLS, LANGUAGE_CODE="en")
def test_the_page_is_public_and_shows_dashes_before_any_decision() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/deadlines/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "no decisions yet" in body
    assert "<rect" not in body
    assert Client().post("/deadlines/").status_code == 405


def test_sweep_dates_are_kazakhstans_not_the_servers() -> None:
    """At 23:30 UTC on 9 February it is already the 10th in Almaty: the term of the 9th has
    passed."""
    _application(citizen_create(), due=date(2026, 2, 9))

    with time_machine.travel(datetime(2026, 2, 9, 23, 30, tzinfo=UTC), tick=False):
        report = deadlines_sweep()

    assert report.escalated == 1
