"""Addresses and QR codes for what the holder shows: a share code and an offline token."""

from __future__ import annotations

from urllib.parse import quote

import segno

from qyzmet.core.public_url import public_url


def share_check_url(code: str) -> str:
    """The verifier's page with the code filled in (it is redeemed only when they confirm)."""
    return public_url(f"/wallet/check?code={quote(code)}")


def offline_verify_url(token: str) -> str:
    """The offline verifier with the token in the fragment, which browsers never send to a
    server: the check happens on the verifier's device."""
    return public_url(f"/verify/offline#{token}")


def qr_svg(content: str, *, scale: int = 4) -> str:
    """An inline SVG QR code (error correction L for long tokens, M otherwise)."""
    error = "l" if len(content) > 300 else "m"
    qr = segno.make(content, error=error, micro=False)
    # No fixed size: a viewBox, so the page's CSS scales the drawing, not just its frame.
    svg: str = qr.svg_inline(scale=scale, dark="#1b1f24", light="#ffffff", omitsize=True)
    return svg
