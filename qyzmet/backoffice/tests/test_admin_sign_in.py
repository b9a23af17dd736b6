"""The admin has no password form of its own: staff sign in as officers do (IIN, password and
SMS code), with the same limits, and the admin's path is configurable."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import clear_url_caches

from conftest import PHONE, CommittingClient, last_code
from qyzmet.identity.models import Account, AuthSession
from qyzmet.identity.tests.factories import PASSWORD, citizen_create

pytestmark = pytest.mark.django_db


def staff_create() -> Account:
    account = citizen_create()
    account.is_staff = account.is_superuser = True
    account.save(update_fields=["is_staff", "is_superuser"])
    return account


def test_a_password_posted_to_the_admin_login_signs_nobody_in(web: CommittingClient) -> None:
    Account.objects.create_superuser(login="admin", password="demo-admin-2026")
    staff = staff_create()
    assert staff.person is not None

    for username in ("admin", staff.login, staff.person.iin):
        posted = web.post("/admin/login/", {"username": username, "password": PASSWORD})
        assert posted.status_code == 302
        assert posted["Location"] == "/signin/?next=%2Fadmin%2F"
    posted = web.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "demo-admin-2026"}
    )

    assert posted["Location"] == "/signin/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in web.session
    assert web.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_staff_reach_the_admin_through_the_officers_sign_in_with_the_code(
    web: CommittingClient,
) -> None:
    staff = staff_create()
    assert staff.person is not None

    login = web.get("/admin/", follow=True)
    assert login.redirect_chain[-1][0] == "/signin/?next=%2Fadmin%2F"
    step = web.post("/signin/", {"iin": staff.person.iin, "password": PASSWORD, "next": "/admin/"})
    assert step["Location"] == "/signin/code/"
    assert web.get("/admin/").status_code == 302  # not before the code
    done = web.post("/signin/code/", {"code": last_code(web, PHONE)})

    assert done["Location"] == "/admin/"
    page = web.get("/admin/")
    assert page.status_code == 200
    assert "Site administration" in page.content.decode()
    assert AuthSession.objects.get(account=staff).method == "password_sms"


def test_a_signed_in_citizen_who_is_not_staff_is_refused(web: CommittingClient) -> None:
    account = citizen_create()
    assert account.person is not None
    web.post("/signin/", {"iin": account.person.iin, "password": PASSWORD})
    web.post("/signin/code/", {"code": last_code(web, PHONE)})

    assert web.get("/admin/login/?next=/admin/").status_code == 403
    assert web.get("/admin/identity/account/").status_code == 302  # to the refusal above


def test_wrong_passwords_for_staff_meet_the_sign_in_limits(
    web: CommittingClient, settings: Any
) -> None:
    settings.QYZMET_PASSWORD_LOCKOUT_FAILURES = 3
    staff = staff_create()
    assert staff.person is not None
    wrong = {"iin": staff.person.iin, "password": "not-the-password", "next": "/admin/"}

    answers = [web.post("/signin/?next=/admin/", wrong).status_code for _ in range(4)]

    assert answers[:3] == [401, 401, 401]
    assert answers[3] == 429


@pytest.fixture
def admin_elsewhere(settings: Any) -> Iterator[None]:
    urls = importlib.import_module(settings.ROOT_URLCONF)  # the project's, by name
    settings.QYZMET_ADMIN_PATH = "staff-7f3a/"
    importlib.reload(urls)
    clear_url_caches()
    yield
    settings.QYZMET_ADMIN_PATH = "admin/"
    importlib.reload(urls)
    clear_url_caches()


def test_the_admin_path_is_configurable(web: CommittingClient, admin_elsewhere: None) -> None:
    assert web.get("/admin/").status_code == 404
    moved = web.get("/staff-7f3a/")
    assert moved["Location"] == "/staff-7f3a/login/?next=/staff-7f3a/"
    assert web.get(moved["Location"])["Location"] == "/signin/?next=%2Fstaff-7f3a%2F"
