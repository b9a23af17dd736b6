"""Writes of result documents: issuing (render, sign, store) and revoking; the public checks,
which record each attempt so that guessing is limited."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from qyzmet.catalogue.schema import ServiceDefinition
from qyzmet.catalogue.selectors import catalogue_get, service_get
from qyzmet.core.calendar import local_today
from qyzmet.core.client import client_fingerprint
from qyzmet.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from qyzmet.core.locking import row_change_locked
from qyzmet.core.ratelimit import Count, rate_check, rate_lock
from qyzmet.documents import rendering
from qyzmet.documents.errors import ErrorCode
from qyzmet.documents.models import Document, VerificationCheck
from qyzmet.documents.numbering import number_display, number_make
from qyzmet.documents.particulars import particulars_rows
from qyzmet.documents.selectors import DocumentCheck, PdfCheck, document_check, document_pdf_check
from qyzmet.documents.storage import pdf_seal
from qyzmet.identity.models import Account, Person
from qyzmet.signatures.actions import agency_pdf_sign

logger = logging.getLogger(__name__)

LANGUAGES = ("kk", "ru", "en")
MAX_REASON = 300


def _language_of(holder: Person) -> str:
    account = Account.objects.filter(person=holder).only("language").first()
    language = account.language if account is not None else "kk"
    return language if language in LANGUAGES else "kk"


def document_issue(
    *,
    holder: Person,
    service_code: str,
    application_id: str = "",
    answers: Mapping[str, Any] | None = None,
    language: str | None = None,
    supersedes: Document | None = None,
    definition: ServiceDefinition | None = None,
    registry: Mapping[str, Any] | None = None,
) -> Document:
    """Issue the result document of `service_code` to `holder`: render the PDF (in the holder's
    language unless told), sign it with the agency's PAdES signature, store it, and record it.
    A document it `supersedes` (the same holder's) turns "superseded" in the same transaction.

    Rendering and signing happen before the transaction; a file whose row does not commit is
    left unreferenced in storage (harmless, and found by its absent row).

    `definition` is the version the application was submitted under (its template, title and
    form labels); without it, the catalogue's current one.

    `registry` is what the application's registry change wrote (a certificate or licence number,
    a VIN): the document then carries the registry's record, read now, after the change, in
    place of the answers, which were given before the registry chose a plate or a number.
    """
    definition = definition or service_get(code=service_code)
    if definition.result.document is None:
        raise ValidationFailed(
            _("This service issues no document."), code=ErrorCode.SERVICE_ISSUES_NO_DOCUMENT
        )
    if supersedes is not None and supersedes.holder_id != holder.pk:
        raise ValidationFailed(_("A document can only replace the same holder's document."))
    language = language if language in LANGUAGES else _language_of(holder)
    agency = catalogue_get().agencies[definition.agency]
    today = local_today()
    valid_days = definition.result.document.valid_days
    valid_until = today + dt.timedelta(days=valid_days) if valid_days else None
    number = number_make(year=today.year)
    particulars = particulars_rows(written=registry or {}, language=language)
    facts = rendering.DocumentFacts(
        number=number_display(number),
        title=definition.result.document.title.get(language),
        service_name=definition.name.get(language),
        agency_name=agency.name.get(language),
        holder_name=holder.full_name,
        holder_iin=holder.iin,
        issued_on=today,
        valid_until=valid_until,
        answers=[] if particulars else rendering.answer_rows(definition, answers or {}, language),
        verify_url=rendering.verify_url(number),
        particulars=particulars,
    )
    unsigned = rendering.pdf_render(
        template=rendering.template_for(definition), facts=facts, language=language
    )
    with override(language):
        reason = _("Result of the public service “%(service)s”") % {"service": facts.service_name}
    signed, certificate = agency_pdf_sign(
        agency_code=definition.agency,
        agency_name=agency.name.get("ru"),
        pdf=unsigned,
        reason=reason,
        location="KZ",
    )
    document = Document(
        number=number,
        holder=holder,
        service_code=service_code,
        agency_code=definition.agency,
        application_id=application_id[:64],
        language=language,
        title=facts.title[:300],
        titles={lang: definition.result.document.title.get(lang)[:300] for lang in LANGUAGES},
        issued_at=timezone.now(),
        valid_until=valid_until,
        sha256=hashlib.sha256(signed).hexdigest(),
        signer_serial=certificate.serial,
    )
    document.pdf.save(f"{number}.pdf.enc", ContentFile(pdf_seal(signed, number=number)), save=False)
    try:
        with transaction.atomic():
            if supersedes is not None:  # first: an application has one valid document
                _supersede(supersedes)
            document.save(force_insert=True)
            if supersedes is not None:
                Document.objects.filter(pk=supersedes.pk).update(superseded_by=document)
    except IntegrityError as exc:
        issued = Document.objects.filter(
            application_id=document.application_id, status=Document.Status.VALID
        )
        if application_id and issued.exists():
            # another run issued this application's document first: one per application
            raise Conflict(
                _("This application's document has already been issued."),
                code=ErrorCode.DOCUMENT_ALREADY_ISSUED,
            ) from exc
        # a number collision: 10^13 per year makes it a freak event
        raise Conflict(_("Please try again."), code=ErrorCode.DOCUMENT_NUMBER_TAKEN) from exc
    logger.info(
        "document issued",
        extra={"number": number, "service": service_code, "signer": certificate.serial},
    )
    return document


def _supersede(old: Document) -> None:
    """Mark `old` superseded (the caller then names the document that replaced it)."""
    row_change_locked(
        row=old,
        status_in=(Document.Status.VALID,),
        refusal=Conflict(
            _("Only a valid document can be replaced."), code=ErrorCode.DOCUMENT_NOT_VALID
        ),
        values={"status": Document.Status.SUPERSEDED, "status_changed_at": timezone.now()},
    )


def document_revoke(*, number: str, reason: str) -> Document:
    """Revoke a document for good (an officer's decision, a court order, an error found).
    Verification by number and by file says "revoked" from the next request on. Revoking a
    revoked document changes nothing."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            details={"fields": [{"field": "reason", "message": _("Give the reason.")}]}
        )
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(number=number).first()
        if document is None:
            raise NotFound()
        if document.status == Document.Status.REVOKED:
            return document
        document.status = Document.Status.REVOKED
        document.revocation_reason = reason[:MAX_REASON]
        document.status_changed_at = timezone.now()
        document.save(update_fields=["status", "revocation_reason", "status_changed_at"])
    logger.info("document revoked", extra={"number": number})
    return document


# --- public checks -----------------------------------------------------------------------


def _too_many_checks(wait: int) -> RateLimited:
    return RateLimited(
        _("Too many checks from your address. Try again in %(n)s min.") % {"n": -(-wait // 60)},
        retry_after=wait,
        code=ErrorCode.VERIFY_RATE_LIMITED,
    )


def _check_counts(kind: str, client_hash: str) -> list[Count]:
    if kind == VerificationCheck.Kind.FILE:
        return [Count(budget="documents.verify_file.client", key=client_hash, field="client_hash")]
    missed = VerificationCheck.Outcome.NOT_FOUND
    return [
        Count(budget="documents.verify.client", key=client_hash, field="client_hash",
              also=(("outcome", missed),)),
        Count(budget="documents.verify.all", key=missed, field="outcome"),
    ]  # fmt: skip


def _check_limit(kind: str, client_hash: str) -> None:
    """Before any lookup or signature validation: refuse a client (or, for guesses, everyone)
    whose budget is spent. Holds the keys, so the check and its record are one step."""
    counts = _check_counts(kind, client_hash)
    rate_lock(counts=counts)
    rate_check(
        rows=VerificationCheck.objects.filter(kind=kind),
        counts=counts,
        now=timezone.now(),
        refuse=_too_many_checks,
    )


def document_verify(*, number: str, iin: str, client: str) -> DocumentCheck:
    """The public check by number and the holder's IIN (`document_check`), limited: checks that
    find nothing count against the client's address and against everyone's hourly budget.
    Each check is recorded (without the number or IIN asked about) and committed before a
    refusal is raised: call this outside a transaction."""
    client_hash = client_fingerprint(client)
    kind = VerificationCheck.Kind.NUMBER
    with transaction.atomic():
        _check_limit(kind, client_hash)
        try:
            check = document_check(number=number, iin=iin)
        except NotFound as exc:
            refusal: NotFound | None = exc
            outcome = VerificationCheck.Outcome.NOT_FOUND
        else:
            refusal, outcome = None, VerificationCheck.Outcome.FOUND
        VerificationCheck.objects.create(kind=kind, outcome=outcome, client_hash=client_hash)
    if refusal is not None:
        raise refusal
    return check


def document_file_verify(*, pdf: bytes, client: str) -> PdfCheck:
    """The public check of a document's file (`document_pdf_check`), limited per client
    address: each one validates a signature and its certificates."""
    client_hash = client_fingerprint(client)
    kind = VerificationCheck.Kind.FILE
    with transaction.atomic():
        _check_limit(kind, client_hash)
        VerificationCheck.objects.create(
            kind=kind, outcome=VerificationCheck.Outcome.CHECKED, client_hash=client_hash
        )
    return document_pdf_check(pdf=pdf)
