"""The inbox keeps what happened (the event and its parameters, encrypted) and is rendered in the
reader's language when read; what is delivered once (SMS, e-mail, push) and codes keep nothing."""

import json

import pytest
from django.db import connection

from qyzmet.notifications.actions import notify
from qyzmet.notifications.events import Rendered, event_context_dump, event_render_again
from qyzmet.notifications.models import Notification
from qyzmet.notifications.recipients import Recipient
from qyzmet.notifications.selectors import inbox_list

pytestmark = pytest.mark.django_db

ALICE = Recipient(ref="account:1", language="kk", phone="+77011234567")
STATE = {"kk": "Қаралуда", "ru": "На рассмотрении", "en": "Under review"}
WRITTEN = Rendered(subject="as written", text="as written.", link="/x/")


def _raw_context(row: Notification) -> str:
    key = row.pk.hex if connection.vendor == "sqlite" else row.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT context FROM notifications_notification WHERE id = %s", [key])
        value: str = cursor.fetchone()[0]
    return value


def test_the_inbox_row_keeps_the_parameters_encrypted_and_the_sms_keeps_none() -> None:
    context = {"number": "Q1", "state": STATE, "application_id": "a1"}

    rows = notify(
        recipient=ALICE, event="application.status_changed", context=context, dedupe_key="k1"
    )

    by_channel = {row.channel: Notification.objects.get(pk=row.pk) for row in rows}
    assert json.loads(by_channel["inbox"].context) == context
    assert "Q1" not in _raw_context(by_channel["inbox"])  # ciphertext in the database
    assert by_channel["sms"].context == ""


def test_a_code_keeps_no_parameters_anywhere() -> None:
    rows = notify(recipient=ALICE, event="code.signin", context={"code": "123456"}, dedupe_key="o")

    assert [row.channel for row in rows] == ["sms"]
    assert Notification.objects.get().context == ""
    assert event_context_dump("code.signin", {"code": "123456"}) == ""


def test_the_inbox_list_renders_each_message_in_the_language_asked() -> None:
    context = {"number": "Q1", "state": STATE, "application_id": "a1"}
    notify(recipient=ALICE, event="application.status_changed", context=context, dedupe_key="k")

    [kk] = inbox_list(recipient_ref=ALICE.ref, language="kk")
    [ru] = inbox_list(recipient_ref=ALICE.ref, language="ru")
    [en] = inbox_list(recipient_ref=ALICE.ref, language="en")

    assert (kk.subject, ru.subject, en.subject) == (
        "Q1 өтінімі: Қаралуда",
        "Заявка Q1: На рассмотрении",
        "Application Q1: Under review",
    )
    assert en.link == "/applications/a1/" and en.read is False


@pytest.mark.parametrize(
    ("event", "context"),
    [
        ("application.status_changed", ""),  # a row older than the kept parameters
        ("application.status_changed", "{not json"),
        ("application.status_changed", "[1, 2]"),
        ("application.status_changed", '{"number": "Q1"}'),  # a parameter missing
        ("gone.event", '{"number": "Q1"}'),  # an event no longer registered
    ],
)
def test_a_message_that_cannot_be_rendered_again_shows_its_text_as_written(
    event: str, context: str
) -> None:
    assert event_render_again(event, language="ru", context=context, fallback=WRITTEN) == WRITTEN


def test_parameters_that_are_not_plain_data_are_not_kept() -> None:
    assert event_context_dump("application.status_changed", {"number": object()}) == ""
