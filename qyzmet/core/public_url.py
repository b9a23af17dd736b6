"""The portal's public address, and every absolute link built on it.

A printed QR code, a verify link, a wallet share link, a certificate's CRL and OCSP addresses
and the sign-in QR code outlive the request that made them (a document is issued by a task,
with no request at all), so none is built from the request's host: all come from the one
configured `QYZMET_PUBLIC_URL`.
"""

from __future__ import annotations

from django.conf import settings


def public_base() -> str:
    """`QYZMET_PUBLIC_URL` without its trailing slash; empty when it is not configured."""
    return str(getattr(settings, "QYZMET_PUBLIC_URL", "") or "").rstrip("/")


def public_url(path: str) -> str:
    """The absolute public address of `path` (which starts with "/", query or fragment
    included); the bare path when no public address is configured."""
    if not path.startswith("/"):
        raise ValueError(f"a public path starts with '/': {path!r}")
    return public_base() + path
