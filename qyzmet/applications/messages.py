"""The messages the applications app sends: an application's changes and its deadlines, with
links into the portal. Registered with the notifications outbox in `ApplicationsConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from qyzmet.notifications.events import Event

APPLICATION_LINK = "/applications/%(application_id)s/"
OFFICE_LINK = "/office/"

EVENTS: tuple[Event, ...] = (
    Event(
        "application.status_changed",
        gettext_noop("Qyzmet: application %(number)s — %(state)s."),
        gettext_noop("Application %(number)s: %(state)s"),
        link=APPLICATION_LINK,
    ),
    Event(
        "application.confirmation_asked",
        gettext_noop(
            "Qyzmet: you are asked to confirm and sign application %(number)s "
            "(%(what)s). Open it in Qyzmet."
        ),
        gettext_noop("Application %(number)s waits for your confirmation"),
        link=APPLICATION_LINK,
    ),
    Event(
        "application.deadline_passed",
        gettext_noop(
            "Qyzmet: the deadline for application %(number)s has passed; "
            "the agency's supervisor has been told."
        ),
        gettext_noop("Application %(number)s: the deadline has passed"),
        link=APPLICATION_LINK,
    ),
    Event(
        "deadline.escalated",
        gettext_noop(
            "Qyzmet: application %(number)s of %(agency)s has passed its deadline; "
            "it is in your escalated queue."
        ),
        gettext_noop("Applications past their deadline"),
        plural=gettext_noop(
            "Qyzmet: %(count)s applications of %(agency)s have passed their deadlines, "
            "the oldest %(number)s; they are in your escalated queue."
        ),
        link=OFFICE_LINK,
    ),
)
