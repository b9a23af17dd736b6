"""Template context for every page."""

from __future__ import annotations

from django.http import HttpRequest

from qyzmet.identity.selectors import notification_ref
from qyzmet.notifications.selectors import inbox_unread_count


def inbox_unread(request: HttpRequest) -> dict[str, int]:
    """The unread count for the header's inbox badge (one indexed count, signed-in only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": inbox_unread_count(recipient_ref=notification_ref(account_id=user.pk))}
