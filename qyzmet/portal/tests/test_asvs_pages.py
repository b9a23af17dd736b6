"""OWASP ASVS 4.0.3 requirements shown through the portal's pages (docs/security.md).

Each test's docstring names the requirement it shows.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from conftest import PHONE, CommittingClient, last_code
from qyzmet.identity.models import Account, AuthSession
from qyzmet.identity.tests.factories import PASSWORD, citizen_create

pytestmark = pytest.mark.django_db

COOKIE = "qyzmet_session"
STATIC = Path(__file__).resolve().parents[1] / "static" / "portal"


def _sign_in(web: CommittingClient, account: Account, next_url: str = "") -> list[str]:
    """Sign the browser in through the pages; the addresses it was sent to."""
    query = f"?next={next_url}" if next_url else ""
    first = web.post(f"/signin/{query}", {"iin": account.person.iin, "password": PASSWORD})
    assert first.status_code == 302, first.content.decode()[:500]
    done = web.post("/signin/code/", {"code": last_code(web, PHONE)})
    assert done.status_code == 302
    return [first["Location"], done["Location"]]


def test_v3_1_1_the_session_token_never_appears_in_an_address(web: CommittingClient) -> None:
    """V3.1.1: the session travels in its cookie only: no redirect of the sign-in and no link
    on the pages signed in carries it."""
    account = citizen_create()

    addresses = _sign_in(web, account)
    token = web.cookies[COOKIE].value
    pages = [web.get(path).content.decode() for path in ("/me/", "/me/sessions/", "/")]

    assert token and all(token not in address for address in addresses)
    for page in pages:
        assert token not in page
        assert not re.search(r"[?&](session|sessionid|token)=", page)


def test_v3_2_2_session_tokens_are_long_and_random(web: CommittingClient) -> None:
    """V3.2.2 and V3.2.4: the browser's session key is 32 characters of [a-z0-9] from the
    operating system's CSPRNG (over 160 bits), new for every sign-in."""
    account = citizen_create()
    keys = set()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            _sign_in(web, account)
            key = web.cookies[COOKIE].value
            assert re.fullmatch(r"[a-z0-9]{32,}", key)
            keys.add(key)
            web.post("/signout/")
            clock.shift(timedelta(seconds=61))  # the pause between two codes to one number
    assert len(keys) == 3


def test_v3_3_1_a_signed_out_cookie_does_not_come_back(web: CommittingClient) -> None:
    """V3.3.1: after sign-out the old cookie, sent again (the back button, a copied cookie),
    opens nothing: the session is ended on the server, not only in the browser."""
    account = citizen_create()
    _sign_in(web, account)
    old = web.cookies[COOKIE].value

    web.post("/signout/")
    replay = CommittingClient(HTTP_ACCEPT_LANGUAGE="en")
    replay.cookies[COOKIE] = old

    assert replay.get("/me/").status_code == 302
    assert AuthSession.objects.get().ended_at is not None


def test_v3_3_2_a_busy_browser_is_signed_out_after_twelve_hours(web: CommittingClient) -> None:
    """V3.3.2 (Level 2: 12 hours or 30 minutes idle): a browser used every 25 minutes is
    still signed out 12 hours after signing in."""
    account = citizen_create()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _sign_in(web, account)
        for _ in range(28):  # 28 x 25 min = 11 h 40 min, never idle for 30 minutes
            clock.shift(timedelta(minutes=25))
            assert web.get("/me/").status_code == 200
        clock.shift(timedelta(minutes=21))  # 12 h 01 min after signing in
        assert web.get("/me/").status_code == 302


def test_v4_2_2_a_form_without_its_token_changes_nothing(web: CommittingClient) -> None:
    """V4.2.2: a cross-site form (no CSRF token) posted with the citizen's cookies is refused
    with 403 and changes nothing: here, signing out or ending a session."""
    account = citizen_create()
    _sign_in(web, account)
    forged = CommittingClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    forged.cookies[COOKIE] = web.cookies[COOKIE].value
    session = AuthSession.objects.get()

    assert forged.post("/signout/").status_code == 403
    assert forged.post(f"/me/sessions/{session.id}/end").status_code == 403

    session.refresh_from_db()
    assert session.ended_at is None
    assert web.get("/me/").status_code == 200


def test_v4_3_2_no_directory_listing_and_no_metadata_files(web: CommittingClient) -> None:
    """V4.3.2: folders are not listed and repository or editor files are not served."""
    for path in (
        "/static/",
        "/static/portal/",
        "/static/portal/icons/",
        "/.git/config",
        "/.git/HEAD",
        "/.env",
        "/static/.DS_Store",
        "/static/portal/Thumbs.db",
        "/var/",
        "/pyproject.toml",
    ):
        response = web.get(path)
        assert response.status_code == 404, path
        assert "Index of" not in response.content.decode()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/me/", "http:evil.example", "/\\evil.example"],
)
def test_v5_1_5_sign_in_never_sends_the_browser_to_another_site(
    web: CommittingClient, target: str
) -> None:
    """V5.1.5: the `next` address after sign-in is followed only when it is one of ours;
    another site's is replaced by my account page."""
    account = citizen_create()

    addresses = _sign_in(web, account, next_url=target)

    assert addresses[-1] == "/me/"


def test_v5_1_5_sign_in_follows_our_own_next_address(web: CommittingClient) -> None:
    """V5.1.5: the allow list is our own host: a `next` on the portal is followed."""
    account = citizen_create()

    addresses = _sign_in(web, account, next_url="/payments/")

    assert addresses[-1] == "/payments/"


def test_v5_2_5_template_syntax_in_input_is_only_text(web: CommittingClient) -> None:
    """V5.2.5: what a reader types is shown as text: template syntax in a search is shown as
    typed, never evaluated."""
    typed = "{{ 7|add:35 }} {% now 'Y' %}"

    page = web.get("/services/", {"q": typed}).content.decode()

    assert escape(typed, quote=True) in page


def test_v5_3_3_a_script_in_a_search_is_shown_escaped(web: CommittingClient) -> None:
    """V5.3.3 (reflected XSS): what the address carries comes back HTML-escaped."""
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'

    page = web.get("/services/", {"q": attack}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_v5_3_1_names_from_the_registry_are_encoded_for_html(web: CommittingClient) -> None:
    """V5.3.1 and V5.3.3 (stored XSS): a name holding markup, quotes and an apostrophe, as the
    registry may send it, is shown encoded for HTML on my account page, letters intact."""
    account = citizen_create(
        surname="O'Hara <script>alert(1)</script>",
        given_name='Әлия "<b>"',
        surname_latin="O'HARA",
        given_name_latin="ALIYA",
    )
    _sign_in(web, account)

    page = web.get("/me/").content.decode()

    assert "<script>alert(1)</script>" not in page and "<b>" not in page
    assert "O&#x27;Hara &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Әлия &quot;&lt;b&gt;&quot;" in page


def test_v5_3_9_a_download_never_names_a_file_on_the_server(web: CommittingClient) -> None:
    """V5.3.9: results are downloaded by name from a fixed list (csv, json): any other name,
    or a path, is a 404, never a file read from the disk."""
    for path in (
        "/surveys/egov-2021/results.py",
        "/surveys/egov-2021/results.sqlite3",
        "/surveys/egov-2021/results..%2f..%2fconfig%2fsettings.py",
        "/surveys/egov-2021/results.%2e%2e%2fsettings",
        "/me/documents/..%2f..%2fetc%2fpasswd/pdf",
    ):
        response = web.get(path)
        assert response.status_code == 404, path
        assert "SECRET_KEY" not in response.content.decode()


def test_v8_2_1_personal_pages_are_never_cached(web: CommittingClient) -> None:
    """V8.2.1 and V8.1.1: pages with personal data tell browsers and proxies not to keep them
    (`no-store`, `private`)."""
    account = citizen_create()
    _sign_in(web, account)

    for path in ("/me/", "/me/sessions/", "/me/phone/", "/applications/", "/me/documents/"):
        response = web.get(path)
        assert response.status_code == 200, path
        cache = response["Cache-Control"]
        assert "no-store" in cache and "private" in cache, path


def test_v2_1_11_password_managers_and_paste_are_welcome(web: CommittingClient) -> None:
    """V2.1.11: password fields name themselves to password managers (`current-password`,
    `new-password`) and nothing blocks pasting or autofill."""
    signin = web.get("/signin/").content.decode()
    assert re.search(r'<input[^>]*name="password"[^>]*autocomplete="current-password"', signin)

    scripts = [path.read_text("utf-8") for path in STATIC.glob("*.js")]
    for text in [signin, *scripts]:
        assert "onpaste" not in text and '"paste"' not in text and "'paste'" not in text
    assert 'autocomplete="off"' not in signin
