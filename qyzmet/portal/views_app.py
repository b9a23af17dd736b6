"""The portal as an installable app: the web app manifest in the reader's language, the service
worker served from the site root (push, and the pages kept for use without network), and the
page it shows when a navigation finds no network."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#00607a"  # site.css --brand: the header's colour
BACKGROUND_COLOUR = "#ffffff"
ICON_SIZES = (192, 512)
# Pages kept on the device after one visit, readable without network: the wallet (the holder's
# own documents) and the offline verifier. No other personal page is ever kept.
KEPT_PAGES = ("portal:wallet", "portal:verify-offline")
# A navigation to these forgets the kept pages: signing out, or a sign-in (perhaps another
# person's, or after the session ran out).
FORGET_PAGES = ("portal:signout", "portal:signin", "portal:register")


def manifest_data(language: str) -> dict[str, Any]:
    """The web app manifest, its words in `language`."""
    with translation.override(language):
        icons: list[dict[str, str]] = []
        for size in ICON_SIZES:
            src = static(f"portal/icons/icon-{size}.png")
            for purpose in ("any", "maskable"):
                icons.append(
                    {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
                )
        return {
            "id": "/",
            "lang": language,
            "dir": "ltr",
            "name": _("Qyzmet — public services online"),
            "short_name": "Qyzmet",
            "description": _(
                "State services online: apply, sign, pay, follow the deadline and receive "
                "signed e-documents."
            ),
            "start_url": reverse("portal:home"),
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": icons,
        }


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """`?lang=` (one of the portal's languages) names the language, as the page linking it is
    written in; without it, the request's language."""
    known = {code for code, _name in settings.LANGUAGES}
    language = request.GET.get("lang", "")
    if language not in known:
        language = translation.get_language() or settings.LANGUAGE_CODE
    body = json.dumps(manifest_data(language), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def service_worker_config() -> dict[str, Any]:
    """What the worker needs from the server: the shell to keep, and which pages it may keep."""
    shell = [reverse("portal:offline")] + [
        static(name)
        for name in (
            "portal/site.css",
            "portal/favicon.svg",
            "portal/app.js",
            *(f"portal/icons/icon-{size}.png" for size in ICON_SIZES),
        )
    ]
    return {
        "offline": reverse("portal:offline"),
        "shell": shell,
        "static": settings.STATIC_URL,
        "kept": [reverse(name) for name in KEPT_PAGES],
        "forget": [reverse(name) for name in FORGET_PAGES],
        "icon": static("portal/icons/icon-192.png"),
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The one service worker (push, and the pages kept for use without network), served from
    the site root so that its scope is the whole site. Its version changes with its code and
    with the static files' addresses, so a new deployment replaces it and its caches."""
    path = finders.find("portal/sw.js")
    if not path:
        raise Http404
    with open(str(path), encoding="utf-8") as handle:
        code = handle.read()
    config = json.dumps(service_worker_config(), sort_keys=True)
    version = hashlib.sha256((config + code).encode()).hexdigest()[:12]
    head = f'const QYZMET = {config};\nconst QYZMET_VERSION = "{version}";\n'
    response = HttpResponse(head + code, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """The page the worker shows when a page cannot be loaded: kept on the device in the
    reader's language. It names nobody: the header is the anonymous one and no flash message
    is taken from the session."""
    response = render(request, "portal/offline.html", {"messages": (), "inbox_unread": 0})
    response["Cache-Control"] = "no-cache"
    return response
