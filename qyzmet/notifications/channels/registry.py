"""Every channel, by name."""

from __future__ import annotations

from qyzmet.notifications.channels.base import Channel
from qyzmet.notifications.channels.email import EmailChannel
from qyzmet.notifications.channels.inbox import InboxChannel
from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.channels.push import PushChannel
from qyzmet.notifications.channels.sms import SmsChannel

CHANNELS: dict[ChannelName, Channel] = {
    channel.name: channel
    for channel in (SmsChannel(), EmailChannel(), PushChannel(), InboxChannel())
}


def channel_find(name: str) -> Channel | None:
    """The channel called `name`, None for a name no channel has."""
    try:
        return CHANNELS[ChannelName(name)]
    except ValueError:
        return None


def channel_get(name: str) -> Channel:
    channel = channel_find(name)
    if channel is None:
        raise ValueError(f"unknown channel {name!r}")
    return channel
