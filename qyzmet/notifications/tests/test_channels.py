"""The channels behind their one interface: each name has its class, and each keeps its rules."""

from __future__ import annotations

import pytest

from qyzmet.core.errors import ValidationFailed
from qyzmet.notifications.actions import push_subscription_add
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.channels.registry import CHANNELS, channel_find, channel_get
from qyzmet.notifications.errors import ErrorCode
from qyzmet.notifications.models import NotificationPreference
from qyzmet.notifications.recipients import Recipient


def test_every_channel_name_has_its_channel() -> None:
    assert list(CHANNELS) == list(ChannelName)
    assert all(channel.name == name for name, channel in CHANNELS.items())
    assert channel_get("sms") is CHANNELS[ChannelName.SMS]
    assert channel_find("fax") is None
    with pytest.raises(ValueError, match="fax"):
        channel_get("fax")


def test_sms_and_push_wait_out_the_night_and_only_the_inbox_is_unlimited() -> None:
    held = {name for name, channel in CHANNELS.items() if channel.held_at_night}
    limited = {name for name, channel in CHANNELS.items() if channel.limited}
    written = {name for name, channel in CHANNELS.items() if channel.delivered_on_write}
    assert held == {ChannelName.SMS, ChannelName.PUSH}
    assert limited == {ChannelName.SMS, ChannelName.PUSH, ChannelName.EMAIL}
    assert written == {ChannelName.INBOX}


@pytest.mark.django_db
def test_an_opt_out_refuses_the_copy_unless_the_message_is_urgent() -> None:
    recipient = Recipient(ref="account:1", phone="+77010000001", email="a@example.kz")
    prefs = NotificationPreference(recipient_ref=recipient.ref, sms=False, email_enabled=False)
    sms, email = channel_get("sms"), channel_get("email")

    [copy] = sms.routes(recipient=recipient, prefs=prefs, urgent=False)
    assert (copy.address, copy.refusal) == ("+77010000001", "opted_out")
    [copy] = sms.routes(recipient=recipient, prefs=prefs, urgent=True)
    assert (copy.address, copy.refusal) == ("+77010000001", None)
    [copy] = email.routes(recipient=recipient, prefs=prefs, urgent=False)
    assert (copy.address, copy.refusal) == ("a@example.kz", "opted_out")
    [copy] = sms.routes(recipient=Recipient(ref="account:2"), prefs=None, urgent=True)
    assert (copy.address, copy.refusal) == ("", "no_route")
    assert email.routes(recipient=Recipient(ref="account:2"), prefs=None, urgent=False) == []


@pytest.mark.django_db
def test_a_push_subscription_that_is_not_https_is_refused_with_its_code() -> None:
    with pytest.raises(ValidationFailed) as refused:
        push_subscription_add(
            recipient_ref="account:1", endpoint="http://push.example/x", p256dh="k", auth="a"
        )
    assert refused.value.code == ErrorCode.PUSH_SUBSCRIPTION_INVALID == "push_subscription_invalid"
