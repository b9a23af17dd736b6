"""Ratings: after a decision (approved or refused) the applicant may rate the service once.

The comment is free text a citizen may fill with personal data, so it is kept encrypted like
every other personal datum (`EncryptedTextField`); only its grade is ever aggregated.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import EncryptedTextField
from qyzmet.core.models import Record

COMMENT_MAX_LENGTH = 1000


class Rating(Record):
    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        SATISFACTORY = "satisfactory", _("Satisfactory")
        BAD = "bad", _("Bad")
        HARD_TO_SAY = "hard_to_say", _("Hard to say")

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(max_length=16, choices=Grade.choices)
    comment = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["application"], name="one_rating_per_application"),
            models.CheckConstraint(
                condition=models.Q(
                    grade__in=["excellent", "good", "satisfactory", "bad", "hard_to_say"]
                ),
                name="rating_grade_known",
            ),
        ]
        permissions = [
            ("view_internal_figures", "Can see the internal operating figures (ministry)"),
        ]
