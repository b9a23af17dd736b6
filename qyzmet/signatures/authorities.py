"""Our own certificate authorities: the list of them with their certificates, the signer of each,
and the fresh CRL each signs. Below `actions`, `selectors` and the revocation sources, which all
read them."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from django.utils import timezone

from qyzmet.signatures import issuance
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate

CRL_LIFETIME = dt.timedelta(hours=24)

REASON_FLAGS: dict[str, x509.ReasonFlags | None] = {
    IssuedCertificate.RevocationReason.UNSPECIFIED: None,
    IssuedCertificate.RevocationReason.KEY_COMPROMISE: x509.ReasonFlags.key_compromise,
    IssuedCertificate.RevocationReason.AFFILIATION_CHANGED: x509.ReasonFlags.affiliation_changed,
    IssuedCertificate.RevocationReason.SUPERSEDED: x509.ReasonFlags.superseded,
    IssuedCertificate.RevocationReason.CESSATION_OF_OPERATION: (
        x509.ReasonFlags.cessation_of_operation
    ),
    IssuedCertificate.RevocationReason.PRIVILEGE_WITHDRAWN: x509.ReasonFlags.privilege_withdrawn,
}


def certificate_authority_list() -> list[tuple[CertificateAuthority, x509.Certificate]]:
    return [
        (ca, issuance.certificate_load(ca.certificate_pem))
        for ca in CertificateAuthority.objects.order_by("pk")
    ]


def ca_signer(
    ca: CertificateAuthority,
) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    return issuance.certificate_load(ca.certificate_pem), issuance.private_key_load(
        ca.private_key_pem
    )


def crl_build(*, ca: CertificateAuthority) -> bytes:
    """A fresh DER CRL signed by `ca`, listing every certificate it issued that is revoked.

    (Revoked CA certificates are not tracked yet, so a root's CRL is empty.)
    """
    issuer_cert, issuer_key = ca_signer(ca)
    revoked = IssuedCertificate.objects.filter(ca=ca, revoked_at__isnull=False).values_list(
        "serial", "revoked_at", "revocation_reason"
    )
    return issuance.crl_sign(
        issuer_cert=issuer_cert,
        issuer_key=issuer_key,
        revocations=[
            issuance.Revocation(
                serial_number=int(serial, 16),
                revoked_at=revoked_at,
                reason=REASON_FLAGS.get(reason),
            )
            for serial, revoked_at, reason in revoked
            if revoked_at is not None
        ],
        now=timezone.now(),
        lifetime=CRL_LIFETIME,
    )
