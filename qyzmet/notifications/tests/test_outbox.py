"""The outbox: rows written with the change, delivered once, held, limited, retried, expired."""

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qyzmet.core.calendar import ALMATY
from qyzmet.notifications.actions import notify
from qyzmet.notifications.delivery import notifications_claim
from qyzmet.notifications.failover import provider_demo_failing_set
from qyzmet.notifications.models import Notification, NotificationPreference, SinkMessage
from qyzmet.notifications.recipients import Recipient
from qyzmet.notifications.tasks import notifications_deliver
from qyzmet.notifications.testing import deliver_due

pytestmark = pytest.mark.django_db

PHONE = "+77011234567"
ALICE = Recipient(ref="account:1", language="en", phone=PHONE)
STATUS = {"number": "Q1", "state": {"en": "in review", "kk": "қаралуда"}, "application_id": "a1"}
DAY = datetime(2026, 3, 10, 12, 0, tzinfo=ALMATY)
NIGHT = datetime(2026, 3, 10, 23, 0, tzinfo=ALMATY)


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.QYZMET_NOTIFY_QUIET_HOURS = "22:00-08:00"
    settings.QYZMET_SMS_PROVIDERS = ["sink", "sink-reserve"]
    settings.QYZMET_DEMO_SINK_DELAY_MS = 0


def _status(key: str = "k1", recipient: Recipient = ALICE, **kw: Any) -> list[Notification]:
    return notify(
        recipient=recipient,
        event="application.status_changed",
        context=STATUS,
        dedupe_key=key,
        **kw,
    )


def _code(key: str = "otp1", recipient: Recipient = ALICE) -> list[Notification]:
    return notify(
        recipient=recipient, event="code.signin", context={"code": "123456"}, dedupe_key=key
    )


def _sink(phone: str = PHONE) -> list[SinkMessage]:
    return list(SinkMessage.objects.filter(channel="sms").order_by("pk"))


def _tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__startswith="qyzmet.notifications"))


def _run_after(task: DBTaskResult) -> datetime | None:
    """None for "at once" (the backend stores a far-future sentinel)."""
    return None if task.run_after.year == 9999 else task.run_after


@time_machine.travel(DAY, tick=False)
def test_a_status_change_writes_an_sms_and_an_inbox_item_and_a_task_in_one_transaction() -> None:
    rows = _status()

    by_channel = {row.channel: row for row in rows}
    assert set(by_channel) == {"sms", "inbox"}  # no e-mail address, no push subscription
    assert by_channel["inbox"].status == "delivered"
    assert by_channel["inbox"].subject == "Application Q1: in review"
    assert by_channel["sms"].status == "created"
    assert by_channel["sms"].text == "Qyzmet: application Q1 — in review."
    [task] = _tasks()
    assert task.args_kwargs["args"] == [[str(by_channel["sms"].pk)]]
    assert task.queue_name == "notifications"
    assert _sink() == []  # the worker sends it, not the caller


def test_a_rolled_back_change_leaves_neither_message_nor_task() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _status()
        raise RuntimeError

    assert Notification.objects.count() == 0
    assert _tasks() == []


@time_machine.travel(DAY, tick=False)
def test_the_same_dedupe_key_never_makes_a_second_message() -> None:
    first = _status("same")
    second = _status("same")

    assert {r.pk for r in first} == {r.pk for r in second}
    assert Notification.objects.count() == 2
    assert len(_tasks()) == 1
    deliver_due()
    assert [m.text for m in _sink()] == ["Qyzmet: application Q1 — in review."]


@time_machine.travel(DAY, tick=False)
def test_delivery_marks_the_sink_result_delivered_and_a_second_run_sends_nothing() -> None:
    _status()

    assert deliver_due() == 1
    assert deliver_due() == 0

    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.provider, sms.attempts) == ("delivered", "sink", 1)
    assert sms.provider_message_id == f"sink-{_sink()[0].pk}"
    assert sms.sent_at == sms.delivered_at == timezone.now()
    assert len(_sink()) == 1


@time_machine.travel(DAY, tick=False)
def test_a_resend_after_a_crash_carries_the_same_key_and_the_sink_keeps_one_message() -> None:
    _status()
    [row] = notifications_claim()
    from qyzmet.notifications.failover import sms_send

    sms_send(to=row.address, text=row.text, client_message_id=str(row.pk))  # then "killed"

    with time_machine.travel(DAY + timedelta(seconds=61), tick=False):
        assert deliver_due() == 1  # the lease ran out: due again

    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("delivered", 2)
    assert len(_sink()) == 1
    assert _sink()[0].client_message_id == str(sms.pk)


@time_machine.travel(DAY, tick=False)
def test_a_row_claimed_by_another_sender_is_not_claimed_again_until_its_lease_ends() -> None:
    _status()
    assert len(notifications_claim()) == 1
    assert notifications_claim() == []
    with time_machine.travel(DAY + timedelta(seconds=59), tick=False):
        assert notifications_claim() == []
    with time_machine.travel(DAY + timedelta(seconds=61), tick=False):
        assert len(notifications_claim()) == 1


@time_machine.travel(NIGHT, tick=False)
def test_a_code_goes_at_once_after_commit_even_at_night() -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        [row] = _code()

    row.refresh_from_db()
    assert (row.status, row.urgent, row.not_before) == ("delivered", True, None)
    assert [m.text for m in _sink()] == [
        "Qyzmet sign-in code: 123456. Do not tell it to anyone, not even staff."
    ]
    # The worker's fallback task exists, and finds nothing left to do.
    [task] = _tasks()
    assert task.run_after == NIGHT + timedelta(seconds=10)
    assert notifications_deliver(ids=[str(row.pk)], due_by=NIGHT + timedelta(minutes=1)) == 0


@time_machine.travel(NIGHT, tick=False)
def test_a_code_whose_immediate_send_failed_is_sent_by_the_worker_fallback() -> None:
    provider_demo_failing_set(name="sink", failing=True)
    provider_demo_failing_set(name="sink-reserve", failing=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        [row] = _code()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("created", 1)
    assert row.next_attempt_at == NIGHT + timedelta(seconds=30)  # urgent: no quiet hours

    provider_demo_failing_set(name="sink", failing=False)
    with time_machine.travel(NIGHT + timedelta(seconds=30), tick=False):
        assert notifications_deliver() == 1
    row.refresh_from_db()
    assert (row.status, row.provider) == ("delivered", "sink")


@time_machine.travel(NIGHT, tick=False)
def test_at_night_sms_waits_for_morning_but_the_inbox_and_email_do_not() -> None:
    NotificationPreference.objects.create(recipient_ref=ALICE.ref, email="a@example.kz")
    rows = {r.channel: r for r in _status()}

    morning = datetime(2026, 3, 11, 8, 0, tzinfo=ALMATY)
    assert rows["sms"].not_before == rows["sms"].next_attempt_at == morning
    assert rows["inbox"].status == "delivered"
    assert rows["email"].not_before is None
    assert deliver_due(past_quiet_hours=False) == 1  # the e-mail only
    assert Notification.objects.get(channel="sms").status == "created"
    assert {_run_after(t) for t in _tasks()} == {None, morning}
    with time_machine.travel(morning, tick=False):
        assert deliver_due(past_quiet_hours=False) == 1
    assert Notification.objects.get(channel="sms").status == "delivered"


@time_machine.travel(DAY, tick=False)
def test_opted_out_channels_fail_with_the_reason_but_codes_still_come() -> None:
    NotificationPreference.objects.create(
        recipient_ref=ALICE.ref, email="a@example.kz", sms=False, email_enabled=False
    )
    rows = {r.channel: r for r in _status()}
    assert (rows["sms"].status, rows["sms"].reason) == ("failed", "opted_out")
    assert (rows["email"].status, rows["email"].reason) == ("failed", "opted_out")
    assert rows["inbox"].status == "delivered"

    with TestCase.captureOnCommitCallbacks(execute=True):
        [code] = _code()
    code.refresh_from_db()
    assert code.status == "delivered"


@time_machine.travel(DAY, tick=False)
def test_no_number_is_no_route_and_no_email_address_is_no_row() -> None:
    rows = {r.channel: r for r in _status(recipient=Recipient(ref="account:2", language="kk"))}
    assert set(rows) == {"sms", "inbox"}
    assert (rows["sms"].status, rows["sms"].reason) == ("failed", "no_route")
    assert rows["inbox"].language == "kk"
    assert _tasks() == []


@time_machine.travel(DAY, tick=False)
def test_non_urgent_messages_are_limited_per_recipient_and_hour(settings: Any) -> None:
    settings.QYZMET_NOTIFY_LIMIT_PER_HOUR = 3
    for n in range(4):
        _status(f"s{n}")
    with TestCase.captureOnCommitCallbacks(execute=True):
        _code()

    sms = list(Notification.objects.filter(channel="sms", urgent=False).order_by("dedupe_key"))
    assert [r.reason for r in sms] == ["", "", "", "recipient_limit"]
    assert Notification.objects.filter(channel="inbox").count() == 4  # the inbox is not limited
    assert Notification.objects.get(urgent=True).status == "delivered"
    with time_machine.travel(DAY + timedelta(hours=1, seconds=1), tick=False):
        assert _status("later")[0].reason == ""  # the window has moved on


@time_machine.travel(DAY, tick=False)
def test_a_failing_send_is_retried_with_backoff_then_fails(settings: Any) -> None:
    settings.QYZMET_NOTIFY_MAX_ATTEMPTS = 3
    provider_demo_failing_set(name="sink", failing=True)
    provider_demo_failing_set(name="sink-reserve", failing=True)
    _status()

    assert notifications_deliver() == 1
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.attempts, sms.next_attempt_at) == (
        "created",
        1,
        DAY + timedelta(seconds=30),
    )
    retry = [t for t in _tasks() if _run_after(t) is not None]
    assert [t.run_after for t in retry] == [DAY + timedelta(seconds=30)]
    with time_machine.travel(DAY + timedelta(seconds=30), tick=False):
        notifications_deliver()
    sms.refresh_from_db()
    assert (sms.attempts, sms.next_attempt_at) == (2, DAY + timedelta(seconds=90))
    with time_machine.travel(DAY + timedelta(seconds=90), tick=False):
        notifications_deliver()
    sms.refresh_from_db()
    assert (sms.status, sms.reason, sms.attempts) == ("failed", "provider_refused", 3)
    assert _sink() == []


@time_machine.travel(DAY, tick=False)
def test_a_code_not_sent_within_its_lifetime_expires() -> None:
    provider_demo_failing_set(name="sink", failing=True)
    provider_demo_failing_set(name="sink-reserve", failing=True)
    [row] = _code()
    assert row.expires_at == DAY + timedelta(minutes=5)

    provider_demo_failing_set(name="sink", failing=False)
    with time_machine.travel(DAY + timedelta(minutes=5), tick=False):
        assert notifications_deliver() == 1
    row.refresh_from_db()
    assert (row.status, row.reason) == ("failed", "expired")
    assert _sink() == []


@time_machine.travel(DAY, tick=False)
def test_a_retry_past_the_lifetime_fails_as_expired_at_once(settings: Any) -> None:
    settings.QYZMET_NOTIFY_RETRY_BASE_SECONDS = 600
    provider_demo_failing_set(name="sink", failing=True)
    provider_demo_failing_set(name="sink-reserve", failing=True)
    [row] = _code()
    with time_machine.travel(DAY + timedelta(seconds=10), tick=False):
        notifications_deliver()
    row.refresh_from_db()
    assert (row.status, row.reason) == ("failed", "expired")


@time_machine.travel(DAY, tick=False)
def test_email_goes_through_the_mail_backend_once(settings: Any) -> None:
    settings.EMAIL_BACKEND = "qyzmet.notifications.providers.email.SinkEmailBackend"
    NotificationPreference.objects.create(recipient_ref=ALICE.ref, email="a@example.kz")
    rows = {r.channel: r for r in _status()}
    deliver_due()
    email = Notification.objects.get(pk=rows["email"].pk)
    assert (email.status, email.provider) == ("sent", "email")
    [stored] = SinkMessage.objects.filter(channel="email")
    assert (stored.recipient, stored.subject) == ("a@example.kz", "Application Q1: in review")
    assert stored.client_message_id == str(email.pk)

    from qyzmet.notifications.actions import email_send

    email_send(to="a@example.kz", subject="again", text="again", message_id=str(email.pk))
    assert SinkMessage.objects.filter(channel="email").count() == 1


@time_machine.travel(DAY, tick=False)
def test_a_late_sender_does_not_overwrite_the_outcome_of_the_one_that_took_over() -> None:
    _status()
    [stale] = notifications_claim()
    with time_machine.travel(DAY + timedelta(seconds=61), tick=False):
        assert notifications_deliver() == 1
    from qyzmet.notifications.delivery import notification_finish

    assert notification_finish(stale, status="failed", reason="provider_refused") is False
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.reason) == ("delivered", "")


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_delivery_task(settings: Any) -> None:
    from django.core.management import call_command

    settings.QYZMET_NOTIFY_QUIET_HOURS = "off"
    with transaction.atomic():
        _status()

    call_command("worker", "--batch")

    assert Notification.objects.get(channel="sms").status == "delivered"
    assert len(_sink()) == 1
    assert DBTaskResult.objects.get(task_path__endswith="deliver_task").status == "SUCCESSFUL"


@time_machine.travel(DAY, tick=False)
def test_a_burst_enqueues_a_few_tasks_and_each_task_sends_whatever_is_due(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qyzmet.notifications import tasks

    monkeypatch.setattr(tasks, "BATCH", 3)
    for n in range(10):
        _status(f"burst{n}")
    waiting = _tasks()
    assert len(waiting) == tasks.DELIVERY_TASKS_AHEAD  # not one per message

    first = waiting[0].task.call(*waiting[0].args_kwargs["args"])

    # Its own row, then batches of 3 until a short one: all ten, none left for the others.
    assert first == 10
    assert Notification.objects.filter(channel="sms", status="delivered").count() == 10
    assert len(_sink()) == 10
    assert waiting[1].task.call(*waiting[1].args_kwargs["args"]) == 0


@time_machine.travel(DAY, tick=False)
def test_a_task_that_runs_out_of_time_hands_over_to_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qyzmet.notifications import tasks

    monkeypatch.setattr(tasks, "BATCH", 2)
    monkeypatch.setattr(tasks, "DRAIN_SECONDS", 0.0)
    for n in range(6):
        _status(f"slow{n}")
    DBTaskResult.objects.all().delete()

    assert tasks.deliver_task.call([]) == 2  # one batch, then out of time
    [fresh] = _tasks()
    assert fresh.args_kwargs["args"] == [[]]
    assert Notification.objects.filter(channel="sms", status="created").count() == 4
