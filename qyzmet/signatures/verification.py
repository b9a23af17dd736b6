"""Verifying a certificate sign-in: a CMS SignedData over the server's challenge.

pyHanko checks the CMS structure, the signature and the certificate path; we decide which
certificates are trust anchors (never one that only arrives inside the signature), supply the
revocation data (with every certificate on the path required to be covered by it), and read
the IIN from the subject. This module touches no database: `selectors.signin_signature_verify`
gathers the inputs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.general import extract_certificate_info, extract_signer_info
from pyhanko.sign.validation import async_validate_cms_signature, async_validate_detached_cms
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import StandardCMSSignatureStatus
from pyhanko_certvalidator import ValidationContext

from qyzmet.core.errors import QyzmetError
from qyzmet.signatures.errors import ErrorCode
from qyzmet.signatures.issuance import serial_hex
from qyzmet.signatures.providers.revocation import RevocationInfo
from qyzmet.signatures.subject import subject_iin

logger = logging.getLogger(__name__)

MAX_SIGNATURE_BYTES = 64 * 1024
# Sign-in needs an authentication certificate: digitalSignature, and clientAuth when the
# certificate restricts its purposes (RFC 5280 requires honouring a non-critical EKU too).
SIGNIN_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature"},
    extd_key_usage={"client_auth"},
    explicit_extd_key_usage_required=False,
)

MESSAGES: dict[ErrorCode, Promise] = {
    ErrorCode.SIGNATURE_INVALID: _(
        "The signature could not be verified. Sign the sign-in request again with your key."
    ),
    ErrorCode.CERTIFICATE_UNTRUSTED: _(
        "This certificate was not issued by a certification authority we trust, or it cannot "
        "be used to sign in."
    ),
    ErrorCode.CERTIFICATE_REVOKED: _(
        "This certificate has been revoked. Get a new one to sign in."
    ),
    ErrorCode.CERTIFICATE_EXPIRED: _("This certificate has expired or is not valid yet."),
    ErrorCode.CERTIFICATE_NO_IIN: _(
        "This certificate does not name an IIN, so it cannot be used to sign in."
    ),
}

# pyHanko's indications that mean "revoked" and "outside its validity period" (any check).
REVOKED = {AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
OUT_OF_BOUNDS = {
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
}
_CRYPTO = {
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE,
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
}

T = TypeVar("T")


class SignatureRejected(QyzmetError):
    """A sign-in signature is refused, for the reason `code` names."""

    status = 400

    def __init__(self, code: ErrorCode, message: str | Promise | None = None) -> None:
        super().__init__(message if message is not None else MESSAGES[code], code=code)


@dataclass(frozen=True)
class VerifiedSigner:
    iin: str
    serial: str  # lowercase hex, as IssuedCertificate.serial
    subject: str  # RFC 4514
    not_after: dt.datetime


def _reject(code: ErrorCode, reason: str, **log: Any) -> SignatureRejected:
    logger.info("certificate sign-in refused", extra={"code": code, "reason": reason, **log})
    return SignatureRejected(code)


def signed_data_load(signature: bytes, *, challenge: bytes) -> tuple[cms.SignedData, bool]:
    """The SignedData inside `signature` and whether it is detached. An attached signature
    must carry exactly the challenge."""
    if not signature or len(signature) > MAX_SIGNATURE_BYTES:
        raise _reject(ErrorCode.SIGNATURE_INVALID, "empty or oversized")
    try:
        content_info = cms.ContentInfo.load(signature, strict=True)
        if content_info["content_type"].native != "signed_data":
            raise ValueError("not a SignedData")
        signed_data = content_info["content"]
        encap = signed_data["encap_content_info"]
        if encap["content_type"].native != "data":
            raise ValueError("the signed content is not plain data")
        extract_signer_info(signed_data)  # exactly one signer
        content = encap["content"]
        detached = content.native is None
        if not detached and not hmac.compare_digest(bytes(content), challenge):
            raise _reject(
                ErrorCode.SIGNATURE_INVALID, "attached content differs from the challenge"
            )
    except SignatureRejected:
        raise
    except Exception as exc:  # asn1crypto raises a zoo of types on malformed input
        raise _reject(ErrorCode.SIGNATURE_INVALID, f"malformed CMS: {type(exc).__name__}") from exc
    return signed_data, detached


def signer_certificate(signed_data: cms.SignedData) -> x509.Certificate:
    """The signer's certificate as it arrived in the signature (not trusted by that)."""
    try:
        signer = extract_certificate_info(signed_data).signer_cert
        return x509.load_der_x509_certificate(signer.dump())
    except Exception as exc:  # no matching certificate, or one that does not parse
        raise _reject(ErrorCode.SIGNATURE_INVALID, "no usable signer certificate") from exc


def embedded_certificates(signed_data: cms.SignedData) -> list[x509.Certificate]:
    """Certificates carried by the signature: material for building a path, never anchors."""
    certificates = []
    for choice in signed_data["certificates"] or []:
        if choice.name != "certificate":
            continue
        try:
            certificates.append(x509.load_der_x509_certificate(choice.chosen.untag().dump()))
        except ValueError:
            continue  # an unparseable extra certificate cannot help any path
    return certificates


def certificate_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """`certificate` as pyHanko's libraries take it."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def validation_context(
    *,
    trust_roots: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate],
    revocation: RevocationInfo,
) -> ValidationContext:
    """The offline path validation every signature check uses: these anchors and
    intermediates, the revocation data fetched beforehand, nothing fetched during it."""
    return ValidationContext(
        trust_roots=[certificate_asn1(root) for root in trust_roots],
        other_certs=[certificate_asn1(certificate) for certificate in intermediates],
        crls=list(revocation.crls),
        ocsps=list(revocation.ocsp_responses),
        allow_fetching=False,
        # "hard-fail" only insists where a certificate names a CRL or OCSP location; "require"
        # insists on revocation data for every certificate on the path.
        revocation_mode="require",
    )


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutines from sync code: on a fresh event loop, or, when this thread
    already runs one (an async caller), on a fresh loop in a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cms-verify") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def cms_signin_verify(
    *,
    signed_data: cms.SignedData,
    detached: bool,
    challenge: bytes,
    signer: x509.Certificate,
    trust_roots: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate],
    revocation: RevocationInfo,
) -> VerifiedSigner:
    """Check signature, path, revocation, validity and key usage; then read the IIN."""
    serial = serial_hex(signer.serial_number)
    if not trust_roots:
        raise _reject(ErrorCode.CERTIFICATE_UNTRUSTED, "no trust root configured", serial=serial)
    context = validation_context(
        trust_roots=trust_roots, intermediates=intermediates, revocation=revocation
    )
    try:
        if detached:
            status = run_sync(
                async_validate_detached_cms(
                    challenge,
                    signed_data,
                    signer_validation_context=context,
                    key_usage_settings=SIGNIN_KEY_USAGE,
                )
            )
        else:
            status = run_sync(
                async_validate_cms_signature(
                    signed_data,
                    status_cls=StandardCMSSignatureStatus,
                    validation_context=context,
                    key_usage_settings=SIGNIN_KEY_USAGE,
                )
            )
    except ValueError as exc:  # pyHanko's structural and signature errors are ValueErrors
        raise _reject(ErrorCode.SIGNATURE_INVALID, f"{type(exc).__name__}", serial=serial) from exc

    _check_status(status, signer=signer, serial=serial)

    iin = subject_iin(signer.subject)
    if iin is None:
        raise _reject(ErrorCode.CERTIFICATE_NO_IIN, "no IIN in the subject", serial=serial)
    return VerifiedSigner(
        iin=iin,
        serial=serial,
        subject=signer.subject.rfc4514_string(),
        not_after=signer.not_valid_after_utc,
    )


def _check_status(
    status: StandardCMSSignatureStatus, *, signer: x509.Certificate, serial: str
) -> None:
    if not (status.intact and status.valid):
        raise _reject(ErrorCode.SIGNATURE_INVALID, "digest or signature mismatch", serial=serial)
    indication = status.trust_problem_indic
    if status.bottom_line and indication is None:
        return
    reason = getattr(indication, "name", "bottom line false")
    if indication in _CRYPTO:
        raise _reject(ErrorCode.SIGNATURE_INVALID, reason, serial=serial)
    if status.revoked or indication in REVOKED:
        raise _reject(ErrorCode.CERTIFICATE_REVOKED, reason, serial=serial)
    if indication in OUT_OF_BOUNDS or (
        # pyHanko reports a not-yet-valid certificate as a general chain failure
        status.validation_path is not None and not _valid_now(signer)
    ):
        raise _reject(ErrorCode.CERTIFICATE_EXPIRED, reason, serial=serial)
    raise _reject(ErrorCode.CERTIFICATE_UNTRUSTED, reason, serial=serial)


def _valid_now(certificate: x509.Certificate) -> bool:
    now = dt.datetime.now(dt.UTC)
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc
