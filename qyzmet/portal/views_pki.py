"""Public PKI endpoints: CRL download and the OCSP responder (RFC 5280, RFC 6960), what relying
parties outside the platform (banks, other states' systems) use to check our certificates."""

from __future__ import annotations

import base64
import binascii

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from qyzmet.signatures.actions import crl_build
from qyzmet.signatures.ocsp import MAX_REQUEST_BYTES, ocsp_respond
from qyzmet.signatures.selectors import certificate_authority_by_slug

OCSP_REQUEST_TYPE = "application/ocsp-request"
OCSP_RESPONSE_TYPE = "application/ocsp-response"


def _ocsp_response(request_der: bytes) -> HttpResponse:
    response = HttpResponse(ocsp_respond(request=request_der), content_type=OCSP_RESPONSE_TYPE)
    response["Cache-Control"] = "no-cache"
    return response


@csrf_exempt  # a protocol endpoint for machines: no session, no cookie, nothing to forge
@require_http_methods(["POST"])
def ocsp(request: HttpRequest) -> HttpResponse:
    if request.content_type != OCSP_REQUEST_TYPE:
        return HttpResponse(status=415)
    return _ocsp_response(request.body[: MAX_REQUEST_BYTES + 1])


@require_GET
def ocsp_get(request: HttpRequest, encoded: str) -> HttpResponse:
    """RFC 6960 A.1: GET {url}/{base64 of the DER request}, URL-encoded."""
    try:
        request_der = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        request_der = b""
    return _ocsp_response(request_der)


@require_GET
def crl(request: HttpRequest, slug: str) -> HttpResponse:
    ca = certificate_authority_by_slug(slug=slug)
    if ca is None:
        raise Http404
    response = HttpResponse(crl_build(ca=ca), content_type="application/pkix-crl")
    response["Content-Disposition"] = f'attachment; filename="{slug}.crl"'
    response["Cache-Control"] = "public, max-age=300"
    return response
