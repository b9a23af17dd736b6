"""The OCSP responder (RFC 6960) for the certificates our CAs issued.

Each answer is signed by the CA that issued the certificate asked about (no delegated responder
certificate), so a relying party needs nothing beyond the chain it already has. A request for a
CA we do not run gets "unauthorized"; a serial the CA never issued gets "unknown".
"""

from __future__ import annotations

import datetime as dt
import logging

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.utils import timezone

from qyzmet.signatures import issuance
from qyzmet.signatures.authorities import REASON_FLAGS, ca_signer
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 8 * 1024
RESPONSE_LIFETIME = dt.timedelta(hours=1)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )


def _hashes(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of `certificate` as an issuer, under `algorithm`."""
    name = hashes.Hash(algorithm)
    name.update(certificate.subject.public_bytes())
    key_bits = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # The key hash covers the BIT STRING's contents of subjectPublicKey, not the whole SPKI.
    spki_key = _subject_public_key_bits(key_bits)
    key = hashes.Hash(algorithm)
    key.update(spki_key)
    return name.finalize(), key.finalize()


def _subject_public_key_bits(spki_der: bytes) -> bytes:
    # The BIT STRING's contents after its "unused bits" octet (always 0 for a key).
    return bytes(asn1_keys.PublicKeyInfo.load(spki_der)["public_key"].contents[1:])


def _issuer_for(request: ocsp.OCSPRequest) -> tuple[CertificateAuthority, x509.Certificate] | None:
    for ca in CertificateAuthority.objects.order_by("pk"):
        certificate = issuance.certificate_load(ca.certificate_pem)
        name_hash, key_hash = _hashes(certificate, request.hash_algorithm)
        if name_hash == request.issuer_name_hash and key_hash == request.issuer_key_hash:
            return ca, certificate
    return None


def ocsp_respond(*, request: bytes) -> bytes:
    """A DER OCSPResponse to the DER OCSPRequest `request` (one certificate per request)."""
    if not request or len(request) > MAX_REQUEST_BYTES:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    try:
        parsed = ocsp.load_der_ocsp_request(request)
        algorithm = parsed.hash_algorithm
    except (ValueError, NotImplementedError):  # several requests, or an unknown hash
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    found = _issuer_for(parsed)
    if found is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    ca, ca_certificate = found
    serial = issuance.serial_hex(parsed.serial_number)
    issued = IssuedCertificate.objects.filter(ca=ca, serial=serial).first()
    now = timezone.now()
    revoked_at: dt.datetime | None = None
    reason: x509.ReasonFlags | None = None
    if issued is not None:
        status = ocsp.OCSPCertStatus.GOOD
        if issued.revoked_at is not None:
            status = ocsp.OCSPCertStatus.REVOKED
            revoked_at = issued.revoked_at
            reason = REASON_FLAGS.get(issued.revocation_reason)
    elif _is_child_ca(ca, serial):
        status = ocsp.OCSPCertStatus.GOOD  # revoking a CA certificate is not supported yet
    else:
        status = ocsp.OCSPCertStatus.UNKNOWN
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=parsed.issuer_name_hash,
            issuer_key_hash=parsed.issuer_key_hash,
            serial_number=parsed.serial_number,
            algorithm=algorithm,
            cert_status=status,
            this_update=now,
            next_update=now + RESPONSE_LIFETIME,
            revocation_time=revoked_at,
            revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, ca_certificate)
    )
    for extension in parsed.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    _certificate, key = ca_signer(ca)
    response = builder.sign(key, hashes.SHA256())
    logger.info("ocsp answered", extra={"serial": serial, "status": status.name, "ca": ca.name})
    return response.public_bytes(serialization.Encoding.DER)


def _is_child_ca(ca: CertificateAuthority, serial: str) -> bool:
    for child in ca.children.all():
        if issuance.serial_hex(issuance.certificate_load(child.certificate_pem).serial_number) == (
            serial
        ):
            return True
    return False
