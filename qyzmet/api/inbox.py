"""/api/v1/inbox: my messages (read/unread); /api/v1/notifications: my channels, push
subscriptions, and the providers' delivery receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema, Status

from qyzmet.api.pagination import PageIn
from qyzmet.api.schemas import ErrorOut, Text
from qyzmet.api.security import AccessToken, current_account
from qyzmet.identity.selectors import notification_ref
from qyzmet.notifications.actions import (
    inbox_item_mark_read,
    inbox_mark_all_read,
    preferences_update,
    push_subscription_add,
    push_subscription_remove,
    receipts_apply,
)
from qyzmet.notifications.models import NotificationPreference
from qyzmet.notifications.providers.push import vapid_keys
from qyzmet.notifications.selectors import (
    InboxItem,
    inbox_item_of,
    inbox_list,
    inbox_unread_count,
    preferences_get,
)

router = Router(tags=["inbox"], auth=AccessToken())
notifications = Router(tags=["notifications"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# Built from an `InboxItem`: the message in the request's language (Accept-Language).
class InboxItemOut(Schema):
    id: Text
    event: str
    title: str = Field(validation_alias="subject")
    text: str
    link: str
    created_at: datetime
    read: bool


class InboxOut(Schema):
    unread: int
    items: list[InboxItemOut]


class CountOut(Schema):
    changed: int


class PreferencesIn(Schema):
    email: str = Field("", max_length=254)
    sms: bool = True
    email_enabled: bool = True
    push: bool = True


# Built from the recipient's preferences, with the server's push key.
class PreferencesOut(PreferencesIn):
    push_public_key: str = Field("", description="VAPID key for PushManager.subscribe")

    @staticmethod
    def resolve_push_public_key(preferences: NotificationPreference) -> str:
        return vapid_keys()[1]


class PushKeysIn(Schema):
    p256dh: str = Field(..., max_length=200)
    auth: str = Field(..., max_length=100)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(..., max_length=2000)
    keys: PushKeysIn


class PushUnsubscribeIn(Schema):
    endpoint: str = Field(..., max_length=2000)


def _ref(request: HttpRequest) -> str:
    return notification_ref(account_id=current_account(request).pk)


@router.get("", response={200: InboxOut, **ERRORS}, summary="My messages, newest first")
def inbox(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    ref = _ref(request)
    items = inbox_list(
        recipient_ref=ref, language=get_language(), limit=page.limit, offset=page.offset
    )
    return {"unread": inbox_unread_count(recipient_ref=ref), "items": items}


@router.post("/read-all", response={200: CountOut, **ERRORS}, summary="Mark all as read")
def read_all(request: HttpRequest) -> CountOut:
    return CountOut(changed=inbox_mark_all_read(recipient_ref=_ref(request)))


@router.post("/{item_id}/read", response={200: InboxItemOut, **ERRORS},
             summary="Mark one message read (or unread with ?read=false)")  # fmt: skip
def read_one(request: HttpRequest, item_id: str, read: bool = True) -> InboxItem:
    item = inbox_item_mark_read(recipient_ref=_ref(request), item_id=item_id, read=read)
    return inbox_item_of(item, language=get_language())


def _preferences_out(ref: str) -> PreferencesOut:
    return PreferencesOut.model_validate(preferences_get(recipient_ref=ref))


@notifications.get("/preferences", auth=AccessToken(), response={200: PreferencesOut, **ERRORS},
                   summary="My channels")  # fmt: skip
def preferences(request: HttpRequest) -> PreferencesOut:
    return _preferences_out(_ref(request))


@notifications.put("/preferences", auth=AccessToken(), response={200: PreferencesOut, **ERRORS},
                   summary="Set my e-mail address and switch channels on or off")  # fmt: skip
def preferences_set(request: HttpRequest, body: PreferencesIn) -> PreferencesOut:
    ref = _ref(request)
    preferences_update(recipient_ref=ref, **body.dict())
    return _preferences_out(ref)


@notifications.post("/push-subscriptions", auth=AccessToken(),
                    response={201: CountOut, **ERRORS},
                    summary="Add this browser for push")  # fmt: skip
def push_subscribe(request: HttpRequest, body: PushSubscriptionIn) -> Status[CountOut]:
    push_subscription_add(
        recipient_ref=_ref(request),
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
    )
    return Status(201, CountOut(changed=1))


@notifications.post("/push-subscriptions/remove", auth=AccessToken(),
                    response={200: CountOut, **ERRORS},
                    summary="Remove a push subscription")  # fmt: skip
def push_unsubscribe(request: HttpRequest, body: PushUnsubscribeIn) -> CountOut:
    removed = push_subscription_remove(recipient_ref=_ref(request), endpoint=body.endpoint)
    return CountOut(changed=removed)


@notifications.post("/receipts/{provider}", response={200: CountOut, **ERRORS}, auth=None,
                    summary="A provider's delivery receipt (signed by the provider)")  # fmt: skip
def receipt(request: HttpRequest, provider: str) -> CountOut:
    headers = {key: str(value) for key, value in request.headers.items()}
    return CountOut(changed=receipts_apply(provider=provider, body=request.body, headers=headers))
