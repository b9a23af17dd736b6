"""Result documents: the signed PDFs services issue, and their status for verification.

The PDF lives in Django's default storage; the row keeps its SHA-256, so a copy handed to a
verifier is matched to exactly the file we issued. The holder is found through the person's
blind-indexed IIN; nothing here holds personal data in clear.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qyzmet.core.models import UuidRecord
from qyzmet.identity.models import Person


class Document(UuidRecord):
    class Status(models.TextChoices):
        VALID = "valid", pgettext_lazy("document status", "valid")
        REVOKED = "revoked", pgettext_lazy("document status", "revoked")
        SUPERSEDED = "superseded", pgettext_lazy("document status", "superseded")

    number = models.CharField(max_length=20, unique=True)  # 16 digits, see numbering.py
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    service_code = models.CharField(max_length=80)
    agency_code = models.CharField(max_length=80)
    application_id = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=2)  # of the PDF
    title = models.CharField(max_length=300)  # as the PDF has it, in `language`
    # {"kk": …, "ru": …, "en": …}: the title every page and the API show, in the reader's
    # language (the service definition's names of its document)
    titles = models.JSONField(default=dict, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALID)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    pdf = models.FileField(upload_to="documents/%Y/%m/", max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    signer_serial = models.CharField(max_length=40)  # the agency certificate, lowercase hex

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")
        indexes = [models.Index(fields=["holder", "issued_at"], name="documents_holder_idx")]
        constraints = [
            # An application's result is one valid document: a retried or re-run issuing
            # task, or the sweep of approvals without theirs, cannot make a second (a
            # replacement supersedes the first in the same transaction).
            models.UniqueConstraint(
                fields=["application_id"],
                condition=models.Q(status="valid") & ~models.Q(application_id=""),
                name="one_document_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"Document {self.number}"

    def title_in(self, language: str) -> str:
        """The title in `language` (kk, ru, en; "ru-RU" counts as ru), else as issued."""
        base = (language or "").lower().replace("_", "-").split("-", 1)[0]
        titles = self.titles if isinstance(self.titles, dict) else {}
        return str(titles.get(base) or self.title)

    @property
    def display_title(self) -> str:
        """The title in the language of the request being answered."""
        return self.title_in(get_language() or "kk")


class VerificationCheck(models.Model):
    """Every public check of a document, by number and IIN or by its file: the record the
    limits on checking count (`documents.verify.*` in `qyzmet.core.ratelimit.BUDGETS`). Neither
    the number nor the IIN asked about is kept, and the client only as a keyed hash."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("by number and IIN")
        FILE = "file", _("by file")

    class Outcome(models.TextChoices):
        FOUND = "found", _("found")
        NOT_FOUND = "not_found", _("not found")
        CHECKED = "checked", _("file checked")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    client_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client_hash", "kind", "created_at"], name="documents_check_idx"),
            models.Index(fields=["outcome", "created_at"], name="documents_check_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"VerificationCheck {self.kind} {self.outcome}"
