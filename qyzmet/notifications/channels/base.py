"""The one interface every channel implements: who it can reach, how one row is sent, and the
rules it keeps (held for quiet hours, counted by the per-hour limit, delivered when written)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import ClassVar

from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.models import Notification, NotificationPreference
from qyzmet.notifications.recipients import Recipient

Reason = Notification.Reason


@dataclass(frozen=True)
class Route:
    """One copy of a message on a channel: where it goes, and why it fails at once if it does."""

    address: str = ""
    dedupe_suffix: str = ""  # tells copies on one channel apart (a push per browser)
    refusal: Reason | None = None  # written failed, with this reason, and never sent


@dataclass(frozen=True)
class Sent:
    """A provider took the message: `delivered` when it knows at once (the demo sink)."""

    provider: str
    message_id: str
    delivered: bool = False


class Refused(Exception):
    """Final: no retry will help."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason = reason


class Channel(ABC):
    name: ClassVar[ChannelName]
    held_at_night: ClassVar[bool] = False  # waits out the quiet hours (urgent messages do not)
    limited: ClassVar[bool] = False  # counts towards the recipient's messages per hour
    delivered_on_write: ClassVar[bool] = False  # delivered by writing the row: nothing to send
    # Read later, in the reader's language: the row keeps the event's parameters to render then
    read_later: ClassVar[bool] = False
    # With no address: no copy at all (None), or one copy written failed for this reason.
    unreachable: ClassVar[Reason | None] = None

    def routes(
        self, *, recipient: Recipient, prefs: NotificationPreference | None, urgent: bool
    ) -> list[Route]:
        """Each copy to write on this channel, refused when the recipient opted out; [] when
        the recipient never set the channel up (no e-mail address, no push subscription)."""
        addresses = self.addresses(recipient=recipient, prefs=prefs)
        if not addresses:
            return [] if self.unreachable is None else [Route(refusal=self.unreachable)]
        refusal = self.refusal(prefs=prefs, urgent=urgent)
        return [replace(route, refusal=refusal) for route in addresses]

    @abstractmethod
    def addresses(
        self, *, recipient: Recipient, prefs: NotificationPreference | None
    ) -> list[Route]:
        """Where the recipient can be reached on this channel, one route per copy."""

    @abstractmethod
    def send(self, row: Notification) -> Sent:
        """Hand one claimed row to the provider, the row id as its idempotency key. Raises
        `Refused` when no retry will help; any other error is retried."""

    def wanted(self, prefs: NotificationPreference) -> bool:
        """Whether the recipient's preferences leave this channel on."""
        return True

    def refusal(self, *, prefs: NotificationPreference | None, urgent: bool) -> Reason | None:
        """Opted out, unless the message is urgent (a code the recipient just asked for)."""
        if urgent or prefs is None or self.wanted(prefs):
            return None
        return Reason.OPTED_OUT
