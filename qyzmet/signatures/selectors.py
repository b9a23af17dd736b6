"""Reads of the PKI, and verifying a certificate sign-in (the entry point other apps use)."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from qyzmet.signatures.actions import DEMO_ROOT_NAME, ca_slug
from qyzmet.signatures.authorities import certificate_authority_list
from qyzmet.signatures.issuance import certificate_load
from qyzmet.signatures.models import CertificateAuthority
from qyzmet.signatures.pades import PdfVerdict as PdfVerdict
from qyzmet.signatures.pades import pdf_signer_certificate, pdf_verify
from qyzmet.signatures.providers.revocation import RevocationInfo, configured_source
from qyzmet.signatures.verification import SignatureRejected as SignatureRejected
from qyzmet.signatures.verification import VerifiedSigner as VerifiedSigner
from qyzmet.signatures.verification import (
    cms_signin_verify,
    embedded_certificates,
    signed_data_load,
    signer_certificate,
)


def trust_root_list() -> list[x509.Certificate]:
    """The certificates we trust as anchors (for sign-in and for documents): the demo root in
    demo mode, and every certificate in the PEM files (or `*.pem`/`*.crt` files of the
    directories) that `QYZMET_PKI_TRUST_ROOTS` lists (`QYZMET_TRUST_ROOT_FILES`, its older
    name, is read too)."""
    roots: list[x509.Certificate] = []
    if settings.QYZMET_DEMO:
        demo_root = CertificateAuthority.objects.filter(
            name=DEMO_ROOT_NAME, kind=CertificateAuthority.Kind.ROOT
        ).first()
        if demo_root is not None:
            roots.append(certificate_load(demo_root.certificate_pem))
    configured = [
        *getattr(settings, "QYZMET_PKI_TRUST_ROOTS", []),
        *getattr(settings, "QYZMET_TRUST_ROOT_FILES", []),
    ]
    for entry in configured:
        for path in _pem_files(Path(entry)):
            try:
                roots.extend(x509.load_pem_x509_certificates(path.read_bytes()))
            except (OSError, ValueError) as exc:
                raise ImproperlyConfigured(
                    f"QYZMET_PKI_TRUST_ROOTS: {path} is not a readable PEM certificate file"
                ) from exc
    return roots


def _pem_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in {".pem", ".crt"} and p.is_file())
    return [path]


def certificate_authority_by_slug(*, slug: str) -> CertificateAuthority | None:
    for ca in CertificateAuthority.objects.order_by("pk"):
        if ca_slug(ca) == slug:
            return ca
    return None


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


def pdf_signature_verify(*, pdf: bytes) -> PdfVerdict:
    """Whether `pdf` carries one intact PAdES signature, over the whole file, by a certificate
    that chains to our trust roots and is not revoked (checked against the configured
    revocation source now). See `pades.pdf_verify` for the verdict codes."""
    roots = trust_root_list()
    ours = [certificate for _ca, certificate in certificate_authority_list()]
    revocation = RevocationInfo()
    signer = pdf_signer_certificate(pdf)
    if roots and signer is not None:
        revocation = configured_source().revocation_info(certificates=[signer, *ours, *roots])
    return pdf_verify(pdf=pdf, trust_roots=roots, intermediates=ours, revocation=revocation)
