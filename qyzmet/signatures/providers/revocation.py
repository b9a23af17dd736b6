"""Where revocation data comes from, behind one interface.

Certificate sign-in refuses a certificate unless every certificate on its path (below the trust
anchor) is covered by fresh revocation data: a CRL or an OCSP response. A source hands that data
over as DER bytes; the verifier checks signatures, freshness and coverage itself, so a source
cannot make a certificate trusted, only prove it is not revoked.

- `demo` (also right for certificates this platform issues itself) signs fresh CRLs from the
  database for our own CAs.
- A production source for the national CA would fetch the CRLs named in the certificates' CRL
  distribution points (and delta CRLs), or ask the OCSP responder named in their
  authorityInfoAccess, cache them until their nextUpdate, and raise `RevocationUnavailable`
  when neither can be had. It registers with `@register("name")` and is chosen by
  `QYZMET_REVOCATION_SOURCE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from qyzmet.core.providers import ProviderRegistry
from qyzmet.signatures.authorities import certificate_authority_list, crl_build


@dataclass(frozen=True)
class RevocationInfo:
    crls: tuple[bytes, ...] = ()  # DER CertificateList
    ocsp_responses: tuple[bytes, ...] = ()  # DER OCSPResponse


class RevocationUnavailable(Exception):
    """The source cannot get revocation data now; the certificate is refused (hard fail)."""


class RevocationSource(Protocol):
    name: str

    def revocation_info(self, *, certificates: Sequence[x509.Certificate]) -> RevocationInfo:
        """Revocation data for `certificates`: the signer's first, then every other certificate
        that may sit on its path (from the signature and from our own CAs). Data that does not
        cover a certificate is simply not used for it."""
        ...

    def check_config(self) -> list[str]:
        """Configuration problems, empty when ready."""
        ...


_REGISTRY = ProviderRegistry[RevocationSource]("revocation source")
register = _REGISTRY.register


def get_source(name: str) -> RevocationSource:
    return _REGISTRY.get(name)


def configured_source() -> RevocationSource:
    default = "demo" if settings.QYZMET_DEMO else ""
    name: str = getattr(settings, "QYZMET_REVOCATION_SOURCE", "") or default
    if not name:
        raise ImproperlyConfigured(
            "QYZMET_REVOCATION_SOURCE names no revocation source: certificate sign-in "
            "cannot check revocation"
        )
    return get_source(name)


@register("demo")
class DatabaseRevocationSource:
    """Fresh CRLs, signed on request, for the CAs in our database that issued any of the
    given certificates. A revocation takes effect on the next sign-in."""

    name = "demo"

    def revocation_info(self, *, certificates: Sequence[x509.Certificate]) -> RevocationInfo:
        issuers = {certificate.issuer for certificate in certificates}
        crls = tuple(
            crl_build(ca=ca)
            for ca, ca_certificate in certificate_authority_list()
            if ca_certificate.subject in issuers
        )
        return RevocationInfo(crls=crls)

    def check_config(self) -> list[str]:
        return []
