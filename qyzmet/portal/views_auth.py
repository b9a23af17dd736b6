"""Registration and sign-in pages: password + SMS code, certificate, QR code."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.core.client import client_address
from qyzmet.core.errors import QyzmetError
from qyzmet.core.public_url import public_url
from qyzmet.identity.actions.otp import IssuedCode
from qyzmet.identity.actions.qr import qr_signin_approve, qr_signin_poll, qr_signin_start
from qyzmet.identity.actions.registration import registration_complete, registration_start
from qyzmet.identity.actions.sessions import session_end, session_start
from qyzmet.identity.actions.signin import (
    SignInStep,
    certificate_challenge_create,
    signin_certificate,
    signin_code_verify,
    signin_password,
)
from qyzmet.identity.models import Account, AuthSession
from qyzmet.identity.phones import phone_mask
from qyzmet.identity.selectors import qr_request_of, qr_signin_describe
from qyzmet.portal.middleware import SESSION_KEY

PENDING = "qyzmet_pending_code"
QR = "qyzmet_qr"
BACKEND = "django.contrib.auth.backends.ModelBackend"
# The browser's own id, set at its first sign-in and kept for long: a browser that signed in to
# an account before is not locked out of it by a stranger's wrong passwords.
DEVICE_COOKIE = "qyzmet_device"
DEVICE_SALT = "qyzmet.portal.device"
DEVICE_COOKIE_DAYS = 400


def browser_device_id(request: HttpRequest) -> str:
    """The id of this browser from its signed device cookie ('' if it has none)."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    return str(value or "")


def _remember_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give a browser that has just signed in its device cookie (kept if it has one)."""
    device_id = getattr(request, "qyzmet_device_id", "")
    if device_id and device_id != browser_device_id(request):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device_id,
            salt=DEVICE_SALT,
            max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:me")


def web_sign_in(request: HttpRequest, account: Account, method: str) -> None:
    """Sign the browser in: a new session key (no fixation) tied to a new AuthSession, recorded
    with the browser's device id (made now if it has none; `_remember_device` sets the cookie)."""
    device_id = browser_device_id(request) or secrets.token_urlsafe(32)
    request.qyzmet_device_id = device_id  # type: ignore[attr-defined]
    session = session_start(
        account=account,
        kind=AuthSession.Kind.WEB,
        method=method,
        device=request.META.get("HTTP_USER_AGENT", "")[:200],
        client=client_address(request),
        language=get_language(),
        device_id=device_id,
    )
    login(request, account, backend=BACKEND)  # rotates the session key
    request.session[SESSION_KEY] = str(session.id)


def _refusal_page(
    request: HttpRequest, template: str, context: dict[str, Any], exc: QyzmetError
) -> HttpResponse:
    """The form again with why it was refused (and the refusal's headers: Retry-After)."""
    response = render(request, template, context | _error_context(exc), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _error_context(exc: QyzmetError) -> dict[str, Any]:
    return {
        "error": exc.message,
        "error_code": exc.code,
        "error_details": exc.details,
        "field_errors": exc.field_messages(),
    }


def _remember_code(request: HttpRequest, issued: IssuedCode, purpose: str, **extra: str) -> None:
    request.session[PENDING] = {
        "id": issued.id,
        "purpose": purpose,
        "phone": phone_mask(issued.phone_e164),
        "next": extra.get("next", ""),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"next": request.GET.get("next", ""), "method": "password"}
    if request.method == "POST":
        context["iin"] = request.POST.get("iin", "")
        return _first_factor(request, AuthSession.Method.PASSWORD_SMS, lambda: signin_password(
            iin=request.POST.get("iin", ""),
            password=request.POST.get("password", ""),
            client=client_address(request),
            language=get_language(),
            device_id=browser_device_id(request),
        ), "portal/signin.html", lambda: context)  # fmt: skip
    return render(request, "portal/signin.html", context)


def _first_factor(
    request: HttpRequest,
    method: str,
    check: Callable[[], SignInStep],
    template: str,
    form: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """A sign-in's first factor: on to the SMS code (or signed in), or the `form` again with
    why it was refused."""
    try:
        step = check()
    except QyzmetError as exc:
        return _refusal_page(request, template, form(), exc)
    return _after_step(request, step, method)


def _after_step(request: HttpRequest, step: SignInStep, method: str) -> HttpResponse:
    if step.code is None:
        web_sign_in(request, step.account, method)
        return _remember_device(request, redirect(_next_url(request)))
    _remember_code(request, step.code, "sign_in", next=_next_url(request))
    return redirect("portal:signin-code")


@never_cache
@require_http_methods(["GET", "POST"])
def signin_certificate_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _first_factor(request, AuthSession.Method.CERTIFICATE, lambda: signin_certificate(
            challenge_id=request.POST.get("challenge_id", ""),
            signature_b64=request.POST.get("signature", ""),
            client=client_address(request),
            language=get_language(),
        ), "portal/signin_certificate.html", _challenge_context)  # fmt: skip
    return render(request, "portal/signin_certificate.html", _challenge_context())


def _challenge_context() -> dict[str, Any]:
    challenge = certificate_challenge_create()
    return {"method": "certificate", "challenge_id": challenge.id, "challenge": challenge.nonce}


@never_cache
@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("portal:signin")
    context: dict[str, Any] = {"pending": pending}
    if request.method == "POST":
        try:
            if pending["purpose"] == "register":
                account = registration_complete(
                    code_id=pending["id"],
                    code=request.POST.get("code", ""),
                    password=request.POST.get("password", ""),
                    client=client_address(request),
                    language=get_language(),
                )
                method: str = AuthSession.Method.REGISTRATION
            else:
                account, method = signin_code_verify(
                    code_id=pending["id"], code=request.POST.get("code", ""),
                    client=client_address(request),
                )  # fmt: skip
        except QyzmetError as exc:
            return _refusal_page(request, "portal/signin_code.html", context, exc)
        next_url = pending.get("next") or reverse("portal:me")
        request.session.pop(PENDING, None)
        web_sign_in(request, account, method)
        return _remember_device(request, redirect(next_url))
    return render(request, "portal/signin_code.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        context.update(iin=request.POST.get("iin", ""), phone=request.POST.get("phone", ""))
        try:
            issued = registration_start(
                iin=context["iin"], phone=context["phone"], client=client_address(request),
                language=get_language(),
            )  # fmt: skip
        except QyzmetError as exc:
            return _refusal_page(request, "portal/register.html", context, exc)
        _remember_code(request, issued, "register")
        return redirect("portal:signin-code")
    return render(request, "portal/register.html", context)


@never_cache
def signin_qr(request: HttpRequest) -> HttpResponse:
    started = qr_signin_start(
        user_agent=request.META.get("HTTP_USER_AGENT", ""), client=client_address(request)
    )
    request.session[QR] = {"id": str(started.qr.id), "secret": started.browser_secret}
    payload = public_url(reverse("portal:qr-open") + "#" + started.token)
    svg = segno.make(payload, error="m").svg_inline(scale=5, dark="#1b1f24", light="#ffffff")
    context = {
        "method": "qr",
        "qr_svg": svg,
        "qr_token": started.token,
        "expires_in": settings.QYZMET_QR_TTL_SECONDS,
        "demo": settings.QYZMET_DEMO,
    }
    return render(request, "portal/signin_qr.html", context)


@never_cache
@require_POST
def signin_qr_status(request: HttpRequest) -> HttpResponse:
    held = request.session.get(QR) or {}
    status, account = qr_signin_poll(
        qr_id=held.get("id", ""), browser_secret=held.get("secret", "")
    )
    if status == "approved" and account is not None:
        request.session.pop(QR, None)
        web_sign_in(request, account, AuthSession.Method.QR)
        target = reverse("portal:me")
        if request.headers.get("Accept", "").startswith("application/json"):
            return _remember_device(request, JsonResponse({"status": "approved", "next": target}))
        return _remember_device(request, redirect(target))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": status})
    return redirect("portal:signin-qr")


@never_cache
@require_http_methods(["GET", "POST"])
def qr_open(request: HttpRequest) -> HttpResponse:
    """Where a phone camera lands if it opens the QR code outside the app. A person signed in
    here is shown who asks (browser, network, time) and may approve; the code travels in the
    address's fragment, which qr-approve.js posts, so no server log holds it."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        account = request.user
        if not isinstance(account, Account) or not account.is_authenticated:
            return redirect(f"{reverse('portal:signin')}?next={reverse('portal:qr-open')}")
        token = request.POST.get("token", "")[:200]
        client = client_address(request)
        try:
            if request.POST.get("decision") == "approve":
                qr = qr_signin_approve(token=token, account=account)
                context["approved"] = qr_request_of(qr, client=client)
            else:
                context["asking"], context["token"] = (
                    qr_signin_describe(token=token, client=client),
                    token,
                )
        except QyzmetError as exc:
            context, status = _error_context(exc), exc.status
    return render(request, "portal/qr_open.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    auth_session = getattr(request, "auth_session", None)
    if auth_session is not None:
        session_end(session=auth_session, reason="signed_out")
    logout(request)
    return redirect("portal:home")
