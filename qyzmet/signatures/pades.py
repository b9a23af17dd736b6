"""PAdES signatures on PDF files with pyHanko: signing with a key we hold, and checking a PDF
against given trust roots and revocation data (no database; `selectors.pdf_signature_verify`
gathers the inputs).

A PDF passes only when pyHanko's bottom line holds: the signed bytes are intact, the signature
is valid, the signer's certificate chains to one of our anchors with revocation data for every
certificate on the path, and the signature covers the whole file (nothing was appended after
signing, not even an "allowed" incremental update: our documents are never edited).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from qyzmet.signatures.issuance import serial_hex
from qyzmet.signatures.providers.revocation import RevocationInfo
from qyzmet.signatures.verification import (
    OUT_OF_BOUNDS,
    REVOKED,
    certificate_asn1,
    run_sync,
    validation_context,
)

logger = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024
SIGNATURE_FIELD = "QyzmetSignature"
# DER bytes kept for the CMS: an RSA-3072 signature, three certificates and the signed
# attributes take about 6 KB.
SIGNATURE_RESERVED = 16 * 1024


@dataclass(frozen=True)
class PdfVerdict:
    """What a PDF's signature says. `code` is "valid" or the first reason it is not:
    "not_pdf", "not_signed", "tampered", "modified_after_signing", "untrusted",
    "certificate_revoked", "certificate_expired"."""

    code: str
    signer: x509.Certificate | None = None
    signed_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.code == "valid"

    @property
    def signer_serial(self) -> str:
        return serial_hex(self.signer.serial_number) if self.signer is not None else ""


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses and re-validates the key for every signature (a third of
    a second for RSA-3072); ours comes loaded from authenticated storage, so sign with it."""

    def __init__(self, *, key: CertificateIssuerPrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            mechanism = ""
        if isinstance(self._key, rsa.RSAPrivateKey) and mechanism == "rsassa_pkcs1v15":
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        result: bytes = super().sign_raw(data, digest_algorithm)
        return result


def pdf_sign(
    *,
    pdf: bytes,
    certificate: x509.Certificate,
    key: CertificateIssuerPrivateKeyTypes,
    chain: Sequence[x509.Certificate],
    reason: str,
    location: str,
) -> bytes:
    """`pdf` with a PAdES baseline (B-B) signature by `key`, carrying `certificate` and
    `chain` so that a verifier can build the path."""
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = _LoadedKeySigner(
        key=key,
        signing_cert=certificate_asn1(certificate),
        signing_key=signing_key,
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [certificate_asn1(c) for c in chain]
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    # Reserving room up front spares pyHanko a dry-run signature to measure it.
    output = signers.sign_pdf(writer, metadata, signer=signer, bytes_reserved=SIGNATURE_RESERVED)
    return bytes(output.getvalue())


def pdf_signer_certificate(pdf: bytes) -> x509.Certificate | None:
    """The certificate of the PDF's only signature as it arrived (not trusted by that), so
    the caller can gather revocation data; None when there is no single readable one."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        if len(signatures) != 1:
            return None
        return x509.load_der_x509_certificate(signatures[0].signer_cert.dump())
    except Exception:  # pyHanko and asn1crypto raise many types on malformed input
        return None


def pdf_verify(
    *,
    pdf: bytes,
    trust_roots: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate],
    revocation: RevocationInfo,
) -> PdfVerdict:
    """Check the PDF's one signature: intact, valid, trusted with revocation, whole file."""
    if not pdf.startswith(b"%PDF-") or len(pdf) > MAX_PDF_BYTES:
        return PdfVerdict("not_pdf")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a damaged file: not a PDF we can read
        logger.info("pdf unreadable", extra={"reason": type(exc).__name__})
        return PdfVerdict("not_pdf")
    if not signatures:
        return PdfVerdict("not_signed")
    if len(signatures) > 1:
        return PdfVerdict("modified_after_signing")
    embedded = signatures[0]
    try:
        signer: x509.Certificate | None = x509.load_der_x509_certificate(
            embedded.signer_cert.dump()
        )
    except Exception:
        return PdfVerdict("tampered")
    if not trust_roots:
        return PdfVerdict("untrusted", signer=signer)
    context = validation_context(
        trust_roots=trust_roots, intermediates=intermediates, revocation=revocation
    )
    try:
        status = run_sync(async_validate_pdf_signature(embedded, context))
    except ValueError as exc:  # pyHanko signature errors are ValueErrors
        logger.info("pdf signature refused", extra={"reason": type(exc).__name__})
        return PdfVerdict("tampered", signer=signer)
    return _verdict(status, signer=signer)


def _verdict(status: PdfSignatureStatus, *, signer: x509.Certificate | None) -> PdfVerdict:
    signed_at = status.signer_reported_dt
    if not (status.intact and status.valid):
        return PdfVerdict("tampered", signer=signer, signed_at=signed_at)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return PdfVerdict("modified_after_signing", signer=signer, signed_at=signed_at)
    indication = status.trust_problem_indic
    if status.bottom_line and status.trusted and indication is None:
        return PdfVerdict("valid", signer=signer, signed_at=signed_at)
    if status.revoked or indication in REVOKED:
        code = "certificate_revoked"
    elif indication in OUT_OF_BOUNDS:
        code = "certificate_expired"
    else:
        code = "untrusted"
    logger.info(
        "pdf signature not trusted",
        extra={"code": code, "indication": getattr(indication, "name", None)},
    )
    return PdfVerdict(code, signer=signer, signed_at=signed_at)
