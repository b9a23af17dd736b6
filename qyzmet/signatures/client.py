"""Signing a challenge on the citizen's side, for tests and command-line sign-in.

The browser does the same with node-forge (portal/static/portal/certsign.js); NCALayer does it
for certificates on tokens and ID cards.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12


class SigningKeyError(ValueError):
    """The PKCS#12 bundle does not open with this password, or holds no usable key."""


def cms_sign(*, content: bytes, p12: bytes, password: str, detached: bool = True) -> bytes:
    """A DER CMS SignedData over `content` (SHA-256, with signed attributes), carrying the
    signer's certificate and the chain from the bundle."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(p12, password.encode("utf-8"))
    except ValueError as exc:
        raise SigningKeyError("the PKCS#12 bundle does not open with this password") from exc
    if certificate is None or not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningKeyError("the PKCS#12 bundle holds no RSA or EC key with its certificate")
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(certificate, key, hashes.SHA256())
    )
    for extra in chain:
        builder = builder.add_certificate(extra)
    # Binary: sign the bytes as they are (no S/MIME line-ending conversion).
    options = [pkcs7.PKCS7Options.Binary]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    return builder.sign(serialization.Encoding.DER, options)
