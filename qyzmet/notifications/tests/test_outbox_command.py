"""The `outbox` command: the demo sink's messages, the outbox's statuses, and the sweep."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from qyzmet.notifications.actions import sms_send
from qyzmet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _outbox(*args: str) -> str:
    out = io.StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_an_empty_sink_and_an_empty_outbox_say_so() -> None:
    assert _outbox() == "The outbox is empty.\n"
    assert _outbox("--status") == "The outbox is empty.\n"
    assert _outbox("--json") == "[]\n"


def test_the_sink_lists_each_message_with_its_text() -> None:
    sms_send(to="+77011234567", text="from the sink")

    lines = _outbox().splitlines()

    assert len(lines) == 2
    assert "sms" in lines[0]
    assert lines[1] == "    from the sink"


def test_the_status_lists_each_row_with_its_reason_and_attempts() -> None:
    Notification.objects.create(
        recipient_ref="p:1",
        channel="sms",
        event="code.signin",
        text="secret",
        dedupe_key="k1",
        status=Notification.Status.FAILED,
        reason=Notification.Reason.NO_ROUTE,
        attempts=2,
    )

    [line] = _outbox("--status").splitlines()

    assert "code.signin" in line
    assert "failed (no_route)  -  x2" in line
    assert "secret" not in line


def test_schedule_enqueues_one_sweep() -> None:
    assert _outbox("--schedule") + _outbox("--schedule") == (
        "Outbox sweep scheduled.\nAn outbox sweep is already scheduled.\n"
    )
