"""Writes of the PKI: the demo certificate authorities, issuing and revoking certificates (the
CRLs of our CAs are signed in `authorities`)."""

from __future__ import annotations

import datetime as dt
import logging

from cryptography import x509
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from qyzmet.core.crypto import blind_index
from qyzmet.core.errors import NotFound, ValidationFailed
from qyzmet.core.public_url import public_base, public_url
from qyzmet.signatures import issuance
from qyzmet.signatures.authorities import ca_signer as ca_signer
from qyzmet.signatures.authorities import crl_build as crl_build
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate
from qyzmet.signatures.pades import pdf_sign
from qyzmet.signatures.subject import agency_subject, citizen_subject, iin_is_valid

logger = logging.getLogger(__name__)

DEMO_ROOT_NAME = "Qyzmet Demo National Root CA"
DEMO_INTERMEDIATE_NAME = "Qyzmet Demo National CA"
ROOT_VALID_DAYS = 20 * 365
INTERMEDIATE_VALID_DAYS = 10 * 365
MAX_CITIZEN_VALID_DAYS = 3 * 365
COMMON_NAME_MAX = 64  # ub-common-name, RFC 5280
AGENCY_VALID_DAYS = 2 * 365
# An agency certificate is replaced this long before it expires, so that a document signed
# today is not signed by a certificate that runs out tomorrow.
AGENCY_RENEW_BEFORE = dt.timedelta(days=30)
AGENCY_HOLDER_PREFIX = "agency:"


def demo_p12_password(iin: str) -> str:
    """The password of every demo PKCS#12 bundle: "demo-" and the last four digits of the IIN.

    Demo bundles protect nothing real; a fixed rule lets testers open them without being told.
    """
    return f"demo-{iin[-4:]}"


def demo_ca_ensure() -> tuple[CertificateAuthority, CertificateAuthority]:
    """The demo national root CA and the intermediate CA below it, created on first use."""
    root = _ca_ensure(name=DEMO_ROOT_NAME, parent=None)
    intermediate = _ca_ensure(name=DEMO_INTERMEDIATE_NAME, parent=root)
    return root, intermediate


def _ca_ensure(*, name: str, parent: CertificateAuthority | None) -> CertificateAuthority:
    existing = CertificateAuthority.objects.filter(name=name).first()
    if existing is not None:
        return existing
    # Key generation is slow: done before the transaction, and a concurrent creator wins.
    key = issuance.rsa_key_generate(bits=issuance.CA_KEY_BITS)
    now = timezone.now()
    if parent is None:
        certificate = issuance.ca_certificate_build(
            subject=issuance.ca_name(name),
            key=key,
            issuer=None,
            path_length=None,
            now=now,
            valid_days=ROOT_VALID_DAYS,
        )
    else:
        certificate = issuance.ca_certificate_build(
            subject=issuance.ca_name(name),
            key=key,
            issuer=ca_signer(parent),
            path_length=0,
            now=now,
            valid_days=INTERMEDIATE_VALID_DAYS,
        )
    ca = CertificateAuthority(
        name=name,
        kind=CertificateAuthority.Kind.ROOT
        if parent is None
        else CertificateAuthority.Kind.INTERMEDIATE,
        parent=parent,
        certificate_pem=issuance.certificate_pem(certificate),
        private_key_pem=issuance.private_key_pem(key),
        created_at=now,
    )
    try:
        with transaction.atomic():
            ca.save()
    except IntegrityError:
        return CertificateAuthority.objects.get(name=name)
    logger.info("certificate authority created", extra={"ca": name, "kind": ca.kind})
    return ca


def citizen_certificate_issue(
    *, iin: str, surname: str, given_name: str, valid_days: int = 365
) -> tuple[IssuedCertificate, bytes]:
    """Issue a citizen's signing and sign-in certificate from the demo intermediate CA.

    Returns the stored certificate and a PKCS#12 bundle (key, certificate, intermediate and
    root) sealed with `demo_p12_password(iin)`. The private key exists only in that bundle.
    """
    surname, given_name = surname.strip(), given_name.strip()
    errors: dict[str, str] = {}
    if not iin_is_valid(iin):
        errors["iin"] = str(_("Enter a valid 12-digit IIN."))
    if not surname or not given_name:
        errors["name"] = str(_("Enter the surname and the given name."))
    elif len(surname) + 1 + len(given_name) > COMMON_NAME_MAX:
        errors["name"] = str(_("The name is too long for a certificate."))
    if not 1 <= valid_days <= MAX_CITIZEN_VALID_DAYS:
        errors["valid_days"] = str(_("The validity period is out of range."))
    if errors:
        raise ValidationFailed(details=errors)

    root, intermediate = demo_ca_ensure()
    issuer_cert, issuer_key = ca_signer(intermediate)
    key = issuance.rsa_key_generate(bits=issuance.CITIZEN_KEY_BITS)
    now = timezone.now()
    certificate = issuance.end_entity_certificate_build(
        subject=citizen_subject(iin=iin, surname=surname, given_name=given_name),
        public_key=key.public_key(),
        issuer_cert=issuer_cert,
        issuer_key=issuer_key,
        not_before=now - issuance.CLOCK_SKEW,
        not_after=now + dt.timedelta(days=valid_days),
        locations=revocation_locations(intermediate),
    )
    with transaction.atomic():
        issued = IssuedCertificate.objects.create(
            serial=issuance.serial_hex(certificate.serial_number),
            ca=intermediate,
            kind=IssuedCertificate.Kind.CITIZEN,
            subject_iin_index=blind_index(iin, purpose="iin"),
            certificate_pem=issuance.certificate_pem(certificate),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            created_at=now,
        )
    bundle = issuance.p12_build(
        key=key,
        certificate=certificate,
        chain=[issuer_cert, issuance.certificate_load(root.certificate_pem)],
        password=demo_p12_password(iin),
        friendly_name=b"qyzmet-demo-citizen",
    )
    logger.info("certificate issued", extra={"serial": issued.serial, "ca": intermediate.name})
    return issued, bundle


def normalize_serial(serial: str) -> str:
    """Lowercase hex without separators or leading zeros, as `IssuedCertificate.serial` holds."""
    text = serial.strip().lower().replace(":", "").replace(" ", "")
    text = text.removeprefix("0x")
    try:
        return issuance.serial_hex(int(text, 16))
    except ValueError:
        return ""


def certificate_revoke(*, serial: str, reason: str) -> IssuedCertificate:
    """Revoke a certificate for good. Revoking it again changes nothing."""
    if reason not in IssuedCertificate.RevocationReason.values:
        raise ValidationFailed(details={"reason": str(_("Choose a revocation reason."))})
    with transaction.atomic():
        certificate = (
            IssuedCertificate.objects.select_for_update()
            .filter(serial=normalize_serial(serial))
            .first()
        )
        if certificate is None:
            raise NotFound()
        if certificate.revoked_at is not None:
            return certificate
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason
        certificate.save(update_fields=["revoked_at", "revocation_reason"])
    logger.info("certificate revoked", extra={"serial": certificate.serial, "reason": reason})
    return certificate


def ca_slug(ca: CertificateAuthority) -> str:
    """The name a CA's CRL is published under: `/pki/crl/<slug>.crl`."""
    return slugify(ca.name)


def revocation_locations(ca: CertificateAuthority) -> issuance.RevocationLocations | None:
    """The public CRL and OCSP addresses for certificates `ca` issues; None when
    `QYZMET_PUBLIC_URL` is not set (the certificates then name no location)."""
    if not public_base():
        return None
    return issuance.RevocationLocations(
        crl_url=public_url(f"/pki/crl/{ca_slug(ca)}.crl"), ocsp_url=public_url("/pki/ocsp")
    )


def agency_certificate_ensure(*, agency_code: str, name: str) -> IssuedCertificate:
    """The agency's current document-signing certificate, issued from the demo intermediate CA
    when it has none that is unrevoked and valid for `AGENCY_RENEW_BEFORE` more.

    The agency's private key is kept as AES-GCM ciphertext with the certificate: the platform
    signs result documents on the agency's behalf (a hardware module would hold it in
    production, behind the same action).
    """
    if not agency_code or len(agency_code) > 80:
        raise ValidationFailed(details={"agency": str(_("Unknown agency."))})
    holder = AGENCY_HOLDER_PREFIX + agency_code
    current = _agency_current(holder)
    if current is not None:
        return current
    _root, intermediate = demo_ca_ensure()
    key = issuance.rsa_key_generate(bits=issuance.AGENCY_KEY_BITS)
    with transaction.atomic():
        # One issuer at a time per CA: a concurrent caller waits here and then finds ours.
        CertificateAuthority.objects.select_for_update().get(pk=intermediate.pk)
        current = _agency_current(holder)
        if current is not None:
            return current
        issuer_cert, issuer_key = ca_signer(intermediate)
        now = timezone.now()
        certificate = issuance.end_entity_certificate_build(
            subject=agency_subject(code=agency_code, name=name),
            public_key=key.public_key(),
            issuer_cert=issuer_cert,
            issuer_key=issuer_key,
            not_before=now - issuance.CLOCK_SKEW,
            not_after=now + dt.timedelta(days=AGENCY_VALID_DAYS),
            extended_key_usage=None,
            locations=revocation_locations(intermediate),
        )
        issued = IssuedCertificate.objects.create(
            serial=issuance.serial_hex(certificate.serial_number),
            ca=intermediate,
            kind=IssuedCertificate.Kind.AGENCY,
            subject_iin_index="",
            holder_key=holder,
            certificate_pem=issuance.certificate_pem(certificate),
            private_key_pem=issuance.private_key_pem(key),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            created_at=now,
        )
    logger.info("agency certificate issued", extra={"serial": issued.serial, "agency": agency_code})
    return issued


def _agency_current(holder: str) -> IssuedCertificate | None:
    now = timezone.now()
    return (
        IssuedCertificate.objects.filter(
            holder_key=holder,
            revoked_at__isnull=True,
            not_before__lte=now,
            not_after__gt=now + AGENCY_RENEW_BEFORE,
        )
        .select_related("ca")
        .order_by("-created_at", "-pk")
        .first()
    )


def agency_pdf_sign(
    *, agency_code: str, agency_name: str, pdf: bytes, reason: str, location: str
) -> tuple[bytes, IssuedCertificate]:
    """`pdf` with the agency's PAdES signature (B-B, SHA-256, covering the whole file), and the
    certificate it was signed with."""
    certificate = agency_certificate_ensure(agency_code=agency_code, name=agency_name)
    chain: list[x509.Certificate] = []
    ca: CertificateAuthority | None = certificate.ca
    while ca is not None:
        chain.append(issuance.certificate_load(ca.certificate_pem))
        ca = ca.parent
    signed = pdf_sign(
        pdf=pdf,
        certificate=issuance.certificate_load(certificate.certificate_pem),
        key=issuance.private_key_load(certificate.private_key_pem),
        chain=chain,
        reason=reason,
        location=location,
    )
    return signed, certificate
