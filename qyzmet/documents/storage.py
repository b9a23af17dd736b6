"""Result PDFs at rest: they hold the holder's name and IIN, so the file in storage is an
AES-256-GCM ciphertext under the platform keyring (as every personal-data column is), bound to
the document's number, so that a file copied under another document's name does not open."""

from __future__ import annotations

import base64

from qyzmet.core.crypto import decrypt, encrypt


def _context(number: str) -> str:
    return f"documents.pdf:{number}"


def pdf_seal(pdf: bytes, *, number: str) -> bytes:
    return encrypt(base64.b64encode(pdf).decode("ascii"), context=_context(number)).encode("ascii")


def pdf_open(sealed: bytes, *, number: str) -> bytes:
    """Raises `qyzmet.core.crypto.DecryptionError` for a file that is not this document's."""
    return base64.b64decode(decrypt(sealed.decode("ascii"), context=_context(number)))
