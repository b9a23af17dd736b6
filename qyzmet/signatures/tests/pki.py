"""Test-only PKI helpers: certificates our verifier must refuse, built with `cryptography`."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from qyzmet.signatures import issuance
from qyzmet.signatures.models import CertificateAuthority
from qyzmet.signatures.subject import citizen_subject

IIN = "791028302728"
OTHER_IIN = "900101300017"
PASSWORD = "test-password"


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: list[x509.Certificate]

    def sign(self, content: bytes) -> bytes:
        """A detached CMS signature straight from the key (no PKCS#12 round trip)."""
        builder = pkcs7.PKCS7SignatureBuilder().set_data(content)
        builder = builder.add_signer(self.certificate, self.key, hashes.SHA256())
        for extra in self.chain:
            builder = builder.add_certificate(extra)
        options = [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.DetachedSignature]
        return builder.sign(serialization.Encoding.DER, options)

    def p12(self, password: str = PASSWORD) -> bytes:
        return issuance.p12_build(
            key=self.key,
            certificate=self.certificate,
            chain=self.chain,
            password=password,
            friendly_name=b"test",
        )


@dataclass(frozen=True)
class Authority:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey


@functools.cache
def test_key(role: str) -> rsa.RSAPrivateKey:
    """One key per role for the whole run: key generation dominates these tests' time."""
    return issuance.rsa_key_generate(bits=2048)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def authority_build(common_name: str, *, parent: Authority | None = None) -> Authority:
    key = test_key("intermediate" if parent else "root")
    certificate = issuance.ca_certificate_build(
        subject=issuance.ca_name(common_name),
        key=key,
        issuer=None if parent is None else (parent.certificate, parent.key),
        path_length=None if parent is None else 0,
        now=now(),
        valid_days=365,
    )
    return Authority(certificate=certificate, key=key)


def authority_of(ca: CertificateAuthority) -> Authority:
    key = issuance.private_key_load(ca.private_key_pem)
    assert isinstance(key, rsa.RSAPrivateKey)
    return Authority(certificate=issuance.certificate_load(ca.certificate_pem), key=key)


def signer_issue(
    issuer: Authority,
    *,
    subject: x509.Name | None = None,
    chain: list[x509.Certificate] | None = None,
    extended_key_usage: list[x509.ObjectIdentifier] | None = None,
) -> Signer:
    key = test_key("signer")
    certificate = issuance.end_entity_certificate_build(
        subject=subject or citizen_subject(iin=IIN, surname="Ivanov", given_name="Ivan"),
        public_key=key.public_key(),
        issuer_cert=issuer.certificate,
        issuer_key=issuer.key,
        not_before=now() - dt.timedelta(minutes=5),
        not_after=now() + dt.timedelta(days=30),
    )
    if extended_key_usage is not None:
        certificate = _with_eku(certificate, issuer, extended_key_usage)
    return Signer(key=key, certificate=certificate, chain=chain or [])


def _with_eku(
    certificate: x509.Certificate, issuer: Authority, purposes: list[x509.ObjectIdentifier]
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(certificate.subject)
        .issuer_name(certificate.issuer)
        .public_key(certificate.public_key())
        .serial_number(certificate.serial_number)
        .not_valid_before(certificate.not_valid_before_utc)
        .not_valid_after(certificate.not_valid_after_utc)
    )
    for extension in certificate.extensions:
        if isinstance(extension.value, x509.ExtendedKeyUsage):
            continue
        builder = builder.add_extension(extension.value, critical=extension.critical)
    builder = builder.add_extension(x509.ExtendedKeyUsage(purposes), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())


def self_signed_citizen() -> Signer:
    """A self-made certificate that names a valid IIN: what forgery tools hand to verifiers
    that skip the chain check."""
    key = test_key("self-signed")
    subject = citizen_subject(iin=IIN, surname="Ivanov", given_name="Ivan")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now() - dt.timedelta(minutes=5))
        .not_valid_after(now() + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Signer(key=key, certificate=certificate, chain=[])


def name_without_iin() -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "IVANOV IVAN"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def name_with_serial(value: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "IVANOV IVAN"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, value),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )
