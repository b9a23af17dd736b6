"""The names of the channels, as stored on outbox rows."""

from __future__ import annotations

from enum import StrEnum


class ChannelName(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    PUSH = "push"
    INBOX = "inbox"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: dict[ChannelName, str] = {
    ChannelName.SMS: "SMS",
    ChannelName.EMAIL: "E-mail",
    ChannelName.PUSH: "Push",
    ChannelName.INBOX: "Inbox",
}

# Every channel, in the order an event's messages are written.
ALL_CHANNELS: tuple[ChannelName, ...] = (
    ChannelName.SMS,
    ChannelName.PUSH,
    ChannelName.EMAIL,
    ChannelName.INBOX,
)
