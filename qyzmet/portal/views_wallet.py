"""The wallet: my digital documents (share by a single-use code, or as an offline token), who
checked them, the verifier's page for a code, and the offline token verifier."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.core.client import client_address
from qyzmet.core.dates import date_words
from qyzmet.core.errors import QyzmetError
from qyzmet.identity.models import Account
from qyzmet.portal.pages import citizen_page
from qyzmet.portal.session import signed_in_account
from qyzmet.wallet.actions import offline_token_issue, share_create, share_redeem
from qyzmet.wallet.links import offline_verify_url, qr_svg, share_check_url
from qyzmet.wallet.providers.entries import PRESENTATION_LABELS, provider_list
from qyzmet.wallet.selectors import TOKEN_MESSAGES, entry_list, share_history, token_check

MAX_FIELD = 64
# Where the offline verifier downloads what it checks with (the API's public endpoints).
JWKS_URL = "/api/v1/wallet/jwks.json"
REVOCATIONS_URL = "/api/v1/wallet/revocations.json"


def _wallet_context(account: Account) -> dict[str, Any]:
    person = account.person
    return {
        "entries": entry_list(person=person) if person is not None else [],
        "coming": [p for p in provider_list() if not p.connected],
        "labels": {name: str(label) for name, label in PRESENTATION_LABELS.items()},
        "section": "wallet",
    }


@citizen_page("GET")
def wallet(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/wallet.html", _wallet_context(signed_in_account(request)))


def _wallet_form(view: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """A wallet form's POST by the signed-in citizen; a refusal shows the wallet again with its
    message."""

    @citizen_page("POST")
    @wraps(view)
    def posted(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except QyzmetError as error:
            context = _wallet_context(signed_in_account(request))
            context["error"] = str(error.message)
            return render(request, "portal/wallet.html", context, status=error.status)

    return posted


def _posted(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "")[:MAX_FIELD]


def _link_page(
    request: HttpRequest, template: str, url: str, context: dict[str, Any]
) -> HttpResponse:
    """A page that shows a link for the verifier and its QR code."""
    return render(request, template, {**context, "qr": qr_svg(url), "section": "wallet"})


@_wallet_form
def wallet_share(request: HttpRequest) -> HttpResponse:
    """A single-use code (and its QR code) for one entry, with a countdown."""
    issued = share_create(
        account=signed_in_account(request),
        kind=_posted(request, "kind"),
        ref=_posted(request, "ref"),
    )
    url = share_check_url(issued.code)
    seconds = int((issued.share.expires_at - issued.share.created_at).total_seconds())
    return _link_page(request, "portal/wallet_share.html", url, {
        "issued": issued, "share": issued.share, "check_url": url, "seconds": seconds,
    })  # fmt: skip


@_wallet_form
def wallet_token(request: HttpRequest) -> HttpResponse:
    """An offline token proving one fact, as a QR code the verifier scans."""
    issued = offline_token_issue(
        account=signed_in_account(request),
        kind=_posted(request, "kind"),
        ref=_posted(request, "ref"),
        presentation=_posted(request, "presentation"),
    )
    url = offline_verify_url(issued.token)
    label = str(PRESENTATION_LABELS[issued.presentation])
    return _link_page(request, "portal/wallet_token.html", url, {
        "issued": issued, "label": label, "verify_url": url,
    })  # fmt: skip


@citizen_page("GET")
def wallet_history(request: HttpRequest) -> HttpResponse:
    account = signed_in_account(request)
    return render(
        request,
        "portal/wallet_history.html",
        {
            "shares": share_history(person_id=account.person_id),
            "now": timezone.now(),
            "section": "wallet",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def wallet_check(request: HttpRequest) -> HttpResponse:
    """The verifier's page: a code from the holder (typed, or from the QR code's address) shows
    the document once, as the registry has it now."""
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("code", "")[:40].strip()
    context: dict[str, Any] = {"code": code, "redemption": None, "error": "", "error_code": ""}
    status, headers = 200, dict[str, str]()
    if request.method == "POST":
        if not code:
            context["error"], status = _("Enter the code the holder gave you."), 422
        else:
            try:
                context["redemption"] = share_redeem(
                    code=code,
                    client=client_address(request),
                    account=signed_in_account(request) if request.user.is_authenticated else None,
                    channel="system",
                )
                context["code"] = ""
            except QyzmetError as exc:
                context["error"], context["error_code"] = str(exc.message), exc.code
                status, headers = exc.status, exc.headers  # a limit's Retry-After
    context["field_errors"] = {"code": context["error"]} if context["error"] else {}
    response = render(request, "portal/wallet_check.html", context, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def offline_verify(request: HttpRequest) -> HttpResponse:
    """The offline verifier: the page downloads the public keys and the revocation list once
    and checks tokens in the browser, with no network. Without JavaScript the form asks the
    server instead."""
    check = None
    if request.method == "POST":
        token = request.POST.get("token", "")[:4000].strip()
        check = token_check(token=token)
    return render(
        request,
        "portal/offline_verify.html",
        {
            "check": check,
            "messages_json": {code: str(message) for code, message in TOKEN_MESSAGES.items()},
            "labels_json": {name: str(label) for name, label in PRESENTATION_LABELS.items()},
            "words_json": {
                "yes": _("yes"),
                "no": _("no"),
                "expires": _("Expires"),
                "keys_updated": _("Keys and revocation list updated:"),
                "list_stale": _(
                    "The revocation list on this device is out of date: connect to the "
                    "internet and open this page again to update it."
                ),
                "keys_missing": _("This device has no keys yet. Open this page once while online."),
                "dates": date_words(),  # dates written as every page writes them
            },
            "jwks_url": JWKS_URL,
            "revocations_url": REVOCATIONS_URL,
        },
    )
