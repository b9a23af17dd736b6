"""Reads of the PKI, and verifying a certificate sign-in (the entry point other apps use)."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from qyzmet.core.crypto import blind_index
from qyzmet.signatures.actions import DEMO_ROOT_NAME, normalize_serial
from qyzmet.signatures.issuance import certificate_load
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate
from qyzmet.signatures.providers.revocation import RevocationInfo, configured_source
from qyzmet.signatures.verification import SignatureRejected as SignatureRejected
from qyzmet.signatures.verification import VerifiedSigner as VerifiedSigner
from qyzmet.signatures.verification import (
    cms_signin_verify,
    embedded_certificates,
    signed_data_load,
    signer_certificate,
)


def certificate_authority_list() -> list[tuple[CertificateAuthority, x509.Certificate]]:
    return [
        (ca, certificate_load(ca.certificate_pem))
        for ca in CertificateAuthority.objects.order_by("pk")
    ]


def trust_root_list() -> list[x509.Certificate]:
    """The certificates sign-in trusts as anchors: the demo root in demo mode, and every
    certificate in the PEM files that `QYZMET_TRUST_ROOT_FILES` lists."""
    roots: list[x509.Certificate] = []
    if settings.QYZMET_DEMO:
        demo_root = CertificateAuthority.objects.filter(
            name=DEMO_ROOT_NAME, kind=CertificateAuthority.Kind.ROOT
        ).first()
        if demo_root is not None:
            roots.append(certificate_load(demo_root.certificate_pem))
    for path in getattr(settings, "QYZMET_TRUST_ROOT_FILES", []):
        try:
            roots.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"QYZMET_TRUST_ROOT_FILES: {path} is not a readable PEM certificate file"
            ) from exc
    return roots


def issued_certificate_get(*, serial: str) -> IssuedCertificate | None:
    return IssuedCertificate.objects.filter(serial=normalize_serial(serial)).first()


def issued_certificate_list_for_iin(*, iin: str) -> list[IssuedCertificate]:
    return list(
        IssuedCertificate.objects.filter(
            subject_iin_index=blind_index(iin, purpose="iin")
        ).order_by("-created_at", "-pk")
    )


def signin_signature_verify(*, signature: bytes, challenge: bytes) -> VerifiedSigner:
    """Who signed `challenge`: the holder of a valid, unrevoked certificate that chains to a
    configured trust root and names an IIN. Raises `SignatureRejected` otherwise.

    `signature` is a DER CMS SignedData, detached (over `challenge`) or carrying exactly it.
    """
    signed_data, detached = signed_data_load(signature, challenge=challenge)
    signer = signer_certificate(signed_data)
    roots = trust_root_list()
    ours = [certificate for _ca, certificate in certificate_authority_list()]
    revocation = RevocationInfo()
    if roots:  # with no anchor the answer is "untrusted" whatever the revocation status
        candidates = [signer, *embedded_certificates(signed_data), *ours, *roots]
        revocation = configured_source().revocation_info(certificates=candidates)
    return cms_signin_verify(
        signed_data=signed_data,
        detached=detached,
        challenge=challenge,
        signer=signer,
        trust_roots=roots,
        intermediates=ours,
        revocation=revocation,
    )
