"""Surveys: questionnaires in three languages, their quotas, and the responses with their answers.

A response carries the respondent's region, sex and age band (what quotas count and weighting
rakes on); an answer is one row per chosen option (several for a multiple choice, one with the
text for an open question), so that counting is a plain GROUP BY over `(question, option)`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import EncryptedTextField
from qyzmet.core.models import Record

LANGUAGES = ("kk", "ru", "en")
# Age bands of the sample design, as (code, lowest age, highest age or None).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("18-29", 18, 29),
    ("30-44", 30, 44),
    ("45-59", 45, 59),
    ("60+", 60, None),
)
AGE_BAND_CODES = tuple(code for code, _low, _high in AGE_BANDS)
TEXT_MAX = 2000  # characters of an open answer


def text_in(texts: Any, language: str) -> str:
    """`{"kk": …, "ru": …, "en": …}` in `language`, else Russian, else English, else Kazakh."""
    if not isinstance(texts, dict):
        return str(texts or "")
    base = (language or "").lower().replace("_", "-").split("-", 1)[0]
    for candidate in (base, "ru", "en", "kk"):
        text = texts.get(candidate)
        if text:
            return str(text)
    return ""


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    code = models.SlugField(max_length=60, unique=True)
    title = models.JSONField()  # {"kk": ..., "ru": ..., "en": ...}
    intro = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    sample_size = models.PositiveIntegerField(null=True, blank=True)  # the design's target
    # The registry's adults by region, sex and age band on the closing day, taken at closing: a
    # closed survey's weights never change (and its public report never scans the registry).
    population_margins = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.code

    def title_in(self, language: str) -> str:
        return text_in(self.title, language)

    def intro_in(self, language: str) -> str:
        return text_in(self.intro, language)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale")
        TEXT = "text", _("open text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    text = models.JSONField()  # {"kk": ..., "ru": ..., "en": ...}
    # [{"code": "yes", "label": {"kk", "ru", "en"}, "value": 5 or null (scale only)}]
    options = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ("order", "id")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="one_question_code_per_survey")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.code}"

    def text_in(self, language: str) -> str:
        return text_in(self.text, language)

    def option_codes(self) -> list[str]:
        return [str(option["code"]) for option in self.options]


class Quota(models.Model):
    """How many respondents the sample design wants in one category of one dimension."""

    class Dimension(models.TextChoices):
        REGION = "region", _("region")
        SEX = "sex", _("sex")
        AGE_BAND = "age_band", _("age band")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    value = models.CharField(max_length=8)
    target = models.PositiveIntegerField()

    class Meta:
        ordering = ("dimension", "value")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dimension", "value"], name="one_quota_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}: {self.target}"


class Response(Record):
    class Channel(models.TextChoices):
        WEB = "web", _("portal")
        APP = "app", _("phone app")
        INTERVIEWER = "interviewer", _("interviewer")
        IMPORT = "import", _("imported file")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    region = models.CharField(max_length=2)  # as Person.region: 01 Astana … 20 Ulytau
    sex = models.CharField(max_length=1)  # as Person.sex: M or F
    age_band = models.CharField(max_length=8)  # AGE_BAND_CODES
    # Set when a signed-in citizen answered (web or app): one response per person per survey.
    person = models.ForeignKey(
        "identity.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_interviews",
    )
    # The respondent's id in an imported file: importing the same file twice adds nothing.
    external_id = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"],
                condition=Q(person__isnull=False),
                name="one_response_per_person",
            ),
            models.UniqueConstraint(
                fields=["survey", "external_id"],
                condition=~Q(external_id=""),
                name="one_response_per_external_id",
            ),
        ]
        indexes = [models.Index(fields=["survey", "created_at"])]


class Answer(Record):
    """One chosen option (single, multiple, scale) or the text of an open answer."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.CharField(max_length=40, blank=True)
    # Free text may name people or places: kept encrypted like the registry's personal data.
    text = EncryptedTextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["question", "option"])]
