"""Demo ratings: every decided application of the demo citizens gets its applicant's rating,
through the same action the pages call, so that the first `make run` shows ratings on /figures/.
Only the demo citizens' applications: what anyone else does on the portal is real activity,
and a restart must never rate it for them."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import Permission

from qyzmet.applications.models import Application
from qyzmet.feedback.actions import RATEABLE_OUTCOMES, rating_submit
from qyzmet.feedback.models import Rating
from qyzmet.identity.models import Account

# (grade, comment) given in turn, in the order the applications were decided.
DEMO_RATINGS: tuple[tuple[str, str], ...] = (
    ("excellent", "Анықтама бір күнде дайын болды, бәрі түсінікті."),
    ("good", "Удобно, но SMS с кодом пришло не сразу."),
    ("satisfactory", ""),
    ("hard_to_say", ""),
    ("bad", "The deadline was missed by two days."),
)


def feedback_demo_load(*, citizens: Sequence[Account], analyst: Account | None = None) -> int:
    """Idempotent: rates the decided (approved or refused) applications of the demo `citizens`
    not rated yet, and lets `analyst` (the demo officer, say) see the ministry's figures.
    Returns how many ratings it added."""
    if analyst is not None:
        analyst.user_permissions.add(
            Permission.objects.get(
                codename="view_internal_figures", content_type__app_label="feedback"
            )
        )
    theirs = Application.objects.filter(applicant__in=list(citizens))
    rated = Rating.objects.filter(application__in=theirs).values("application_id")
    waiting = (
        theirs.filter(outcome__in=RATEABLE_OUTCOMES)
        .exclude(pk__in=rated)
        .select_related("applicant")
        .order_by("decided_at", "pk")
    )
    done = Rating.objects.filter(application__in=theirs).count()
    added = 0
    for application in waiting:
        grade, comment = DEMO_RATINGS[(done + added) % len(DEMO_RATINGS)]
        rating_submit(
            account=application.applicant,
            application_id=str(application.pk),
            grade=grade,
            comment=comment,
        )
        added += 1
    return added
