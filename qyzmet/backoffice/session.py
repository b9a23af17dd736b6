"""Who is signed in to the back office, for the views behind `login_required` or
`staff_member_required`."""

from __future__ import annotations

from django.http import HttpRequest

from qyzmet.identity.models import Account


def signed_in_account(request: HttpRequest, /) -> Account:
    account = request.user
    assert isinstance(account, Account)  # noqa: S101 - the sign-in check ran first
    return account
