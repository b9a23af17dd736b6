"""Building X.509 certificates, CRLs and PKCS#12 bundles with `cryptography` (no database).

The profile follows what relying parties check: CAs carry critical BasicConstraints and
KeyUsage (keyCertSign, cRLSign); end-entity certificates carry critical KeyUsage
(digitalSignature, nonRepudiation) and the clientAuth purpose that certificate sign-in requires.
Every certificate has a subject key identifier and (below the root) an authority key identifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificateIssuerPublicKeyTypes,
    PrivateKeyTypes,
)
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

CA_KEY_BITS = 3072
CITIZEN_KEY_BITS = 2048
# Earlier than "now" so that a certificate is valid at once on a machine whose clock lags a bit.
CLOCK_SKEW = dt.timedelta(minutes=5)
# PKCS#12 parameters every tool we care about opens: OpenSSL 3, browsers' node-forge, Windows.
P12_KDF_ROUNDS = 20_000
CITIZEN_PURPOSES = (ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION)
AGENCY_KEY_BITS = 3072


@dataclass(frozen=True)
class RevocationLocations:
    """Where relying parties find a certificate's revocation status (absolute URLs)."""

    crl_url: str
    ocsp_url: str


@dataclass(frozen=True)
class Revocation:
    serial_number: int
    revoked_at: dt.datetime
    reason: x509.ReasonFlags | None  # None for "unspecified" (RFC 5280: omit the extension)


def rsa_key_generate(*, bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_key_pem(key: PrivateKeyTypes) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def private_key_load(pem: str) -> CertificateIssuerPrivateKeyTypes:
    # The PEM comes out of an authenticated (AES-GCM) column, so it is the key we generated:
    # the costly RSA consistency check (a quarter of a second for 3072 bits) proves nothing.
    key = serialization.load_pem_private_key(
        pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError("a CA key must be an RSA or EC key")
    return key


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certificate_load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def serial_hex(serial_number: int) -> str:
    return format(serial_number, "x")


def ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Qyzmet (demo)"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def _ski(public_key: CertificateIssuerPublicKeyTypes) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(public_key)


def _aki(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def ca_certificate_build(
    *,
    subject: x509.Name,
    key: CertificateIssuerPrivateKeyTypes,
    issuer: tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes] | None,
    path_length: int | None,
    now: dt.datetime,
    valid_days: int,
) -> x509.Certificate:
    """A root CA certificate when `issuer` is None, otherwise one signed by `issuer`."""
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(_ski(public_key), critical=False)
    )
    if issuer is None:
        return builder.issuer_name(subject).sign(key, hashes.SHA256())
    issuer_cert, issuer_key = issuer
    builder = builder.issuer_name(issuer_cert.subject).add_extension(
        _aki(issuer_cert), critical=False
    )
    return builder.sign(issuer_key, hashes.SHA256())


def end_entity_certificate_build(
    *,
    subject: x509.Name,
    public_key: CertificateIssuerPublicKeyTypes,
    issuer_cert: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extended_key_usage: Sequence[x509.ObjectIdentifier] | None = CITIZEN_PURPOSES,
    locations: RevocationLocations | None = None,
) -> x509.Certificate:
    """A signing certificate (digitalSignature, nonRepudiation). Citizens' also carry the
    clientAuth purpose that sign-in requires; an agency's document-signing certificate carries
    no extended key usage (`extended_key_usage=None`). `locations` adds the CRL distribution
    point and the OCSP responder address that relying parties outside the platform fetch."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(_ski(public_key), critical=False)
        .add_extension(_aki(issuer_cert), critical=False)
    )
    if extended_key_usage:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(list(extended_key_usage)), critical=False
        )
    if locations is not None:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(locations.crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        ).add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(locations.ocsp_url),
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def crl_sign(
    *,
    issuer_cert: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    revocations: Iterable[Revocation],
    now: dt.datetime,
    lifetime: dt.timedelta,
) -> bytes:
    """A DER CRL. Its number is the issue time in microseconds: it only ever grows."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now)
        .next_update(now + lifetime)
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1_000_000)), critical=False)
        .add_extension(_aki(issuer_cert), critical=False)
    )
    for revocation in revocations:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(revocation.serial_number)
            .revocation_date(revocation.revoked_at)
        )
        if revocation.reason is not None:
            entry = entry.add_extension(x509.CRLReason(revocation.reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    crl = builder.sign(issuer_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


def p12_build(
    *,
    key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    password: str,
    friendly_name: bytes,
) -> bytes:
    """A PKCS#12 bundle: PBES2 (PBKDF2-SHA256, AES-256-CBC) for key and certificates, and an
    HMAC-SHA256 integrity MAC."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(P12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name, key, certificate, list(chain), encryption
    )
