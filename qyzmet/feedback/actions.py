"""Writes of the feedback app: a citizen rates a decided application, once."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qyzmet.applications.actions import access_application_by_id
from qyzmet.applications.models import Application
from qyzmet.core.errors import Conflict, ValidationFailed
from qyzmet.feedback.errors import ErrorCode
from qyzmet.feedback.models import COMMENT_MAX_LENGTH, Rating
from qyzmet.identity.models import Account

logger = logging.getLogger(__name__)

# The agency's decisions. A withdrawn application was never delivered, so there is nothing to
# rate; an open one is not finished yet.
RATEABLE_OUTCOMES = ("approved", "refused")


def rating_rateable(application: Application) -> bool:
    return application.outcome in RATEABLE_OUTCOMES


@transaction.atomic
def rating_submit(
    *, account: Account, application_id: str, grade: str, comment: str = ""
) -> Rating:
    """The applicant rates their own decided application. Someone else's application answers
    `not_found`, as one that does not exist; a second rating is refused with `already_rated`,
    also when two arrive at once (the database's unique constraint decides)."""
    application = access_application_by_id(account=account, application_id=application_id)
    if not rating_rateable(application):
        raise ValidationFailed(
            _("You can rate an application once the agency has approved or refused it."),
            code=ErrorCode.NOT_FINAL,
            details={"outcome": application.outcome},
        )
    if Rating.objects.filter(application=application).exists():
        raise Conflict(_("You have already rated this application."), code=ErrorCode.ALREADY_RATED)
    if grade not in Rating.Grade.values:
        raise ValidationFailed(
            _("Choose one of the answers."),
            code=ErrorCode.BAD_GRADE,
            details={"field": "grade", "allowed": list(Rating.Grade.values)},
        )
    comment = comment.replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationFailed(
            _("The comment is too long: at most %(max)s characters.") % {"max": COMMENT_MAX_LENGTH},
            code=ErrorCode.COMMENT_TOO_LONG,
            details={"field": "comment", "max_length": COMMENT_MAX_LENGTH},
        )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=application, account=account, grade=grade, comment=comment
            )
    except IntegrityError as exc:  # a concurrent rating of the same application won
        raise Conflict(
            _("You have already rated this application."), code=ErrorCode.ALREADY_RATED
        ) from exc
    logger.info(
        "application rated",
        extra={"application": str(application.pk), "grade": grade, "agency": application.agency},
    )
    return rating
