"""The portal as an installable app, through the test client: the manifest in each language,
the one service worker served from the root (push kept), and the offline page."""

from __future__ import annotations

import json
import re
import struct

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation

from conftest import PASSWORD, PHONE, CommittingClient, last_code
from qyzmet.identity.tests.factories import citizen_create

pytestmark = pytest.mark.django_db

NAME = "Qyzmet — public services online"


def _png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as handle:
        head = handle.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_manifest_is_written_in_the_language_asked(language: str) -> None:
    response = CommittingClient().get(f"/manifest.webmanifest?lang={language}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    with translation.override(language):
        assert manifest["name"] == translation.gettext(NAME)
    assert manifest["lang"] == language and manifest["short_name"] == "Qyzmet"
    where = (manifest["start_url"], manifest["scope"], manifest["display"])
    assert where == ("/", "/", "standalone")
    assert manifest["theme_color"] == "#00607a" and manifest["background_color"]
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        width, height = _png_size(str(path))
        assert icon["sizes"] == f"{width}x{height}" and icon["type"] == "image/png"
        sizes.add(width)
    assert {192, 512} <= sizes
    assert {"any", "maskable"} == {icon["purpose"] for icon in manifest["icons"]}


def test_the_manifest_is_translated_for_real() -> None:
    names = {
        language: json.loads(
            CommittingClient().get(f"/manifest.webmanifest?lang={language}").content
        )["name"]
        for language in ("kk", "ru", "en")
    }
    assert len(set(names.values())) == 3 and names["en"] == NAME


def test_without_a_language_the_manifest_follows_the_request() -> None:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="ru")
    response = web.get("/manifest.webmanifest?lang=xx")
    assert json.loads(response.content)["lang"] == "ru"
    assert "Accept-Language" in response["Vary"]


def test_every_page_links_the_manifest_in_its_language_and_the_worker_script() -> None:
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    page = web.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=en">' in page
    assert re.search(r'<script src="/static/portal/app\.js" defer></script>', page)
    assert '<meta name="theme-color" content="#00607a">' in page


def _worker_config(body: str) -> dict[str, object]:
    match = re.match(r"const QYZMET = (\{.*\});\nconst QYZMET_VERSION = \"([0-9a-f]{12})\";", body)
    assert match, body[:200]
    config: dict[str, object] = json.loads(match.group(1))
    return config


def test_the_one_service_worker_is_served_for_the_whole_site() -> None:
    response = CommittingClient().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "showNotification" in body and "notificationclick" in body  # push stays
    config = _worker_config(body)
    assert config["kept"] == ["/wallet/", "/verify/offline"]  # and no other page
    assert config["offline"] == "/offline/"
    shell = config["shell"]
    assert isinstance(shell, list) and "/offline/" in shell
    assert "/static/portal/site.css" in shell and "/static/portal/icons/icon-512.png" in shell
    assert set(config["forget"]) >= {"/signout/", "/signin/"}  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_offline_page_is_translated(language: str) -> None:
    page = CommittingClient(HTTP_ACCEPT_LANGUAGE=language).get("/offline/")
    assert page.status_code == 200 and page["Content-Language"] == language
    with translation.override(language):
        heading = translation.gettext("No connection")
        assert f"<h1>{heading}</h1>" in page.content.decode()
    assert language == "en" or heading != "No connection"


def test_the_offline_page_kept_on_the_device_names_nobody() -> None:
    account = citizen_create(phone=PHONE)
    web = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})
    assert "Sign out" in web.get("/me/").content.decode()
    page = web.get("/offline/").content.decode()
    assert "Sign out" not in page and "My account" not in page
    assert 'href="/wallet/"' in page and 'href="/verify/offline"' in page
