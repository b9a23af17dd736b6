"""The banner `make run` prints before it serves: the addresses, the demo accounts, and what to
try first, each with its address built on the portal's public URL."""

from __future__ import annotations

import textwrap

from django.urls import reverse

from qyzmet.core.public_url import public_url
from qyzmet.demo.accounts import Kind
from qyzmet.demo.selectors import DemoGuide, DemoPerson

LICENCE_REPLACEMENT = "driving-licence-replacement"  # the service that replaces a licence
WIDTH = 100


def _who(person: DemoPerson) -> str:
    """ "citizen 2 (Сейтқали Айгерім, 940717401513)" """
    return f"{person.account.role} ({person.name}, {person.account.login})"


def _item(text: str, path: str) -> list[str]:
    """One thing to try: its sentence wrapped for a terminal, then its address on a line."""
    return [*textwrap.wrap(text, WIDTH, initial_indent="    ", subsequent_indent="      "),
            f"      {public_url(path)}"]  # fmt: skip


def banner_lines(guide: DemoGuide) -> list[str]:
    lines = [
        "  Qyzmet (demo mode):",
        f"    portal         {public_url(reverse('portal:home'))}",
        f"    API docs       {public_url('/api/v1/docs')} (OpenAPI: /api/v1/openapi.json)",
        f"    health         {public_url(reverse('portal:healthz'))}",
        f"    demo outbox    {public_url(reverse('portal:dev-outbox'))} (every SMS code sent)",
        "",
        *textwrap.wrap(
            f"Demo accounts: sign in at {public_url(reverse('portal:signin'))} with the IIN and "
            "the password; the SMS code arrives in the demo outbox.",
            WIDTH,
            initial_indent="  ",
            subsequent_indent="  ",
        ),
    ]
    for person in guide.people:
        account = person.account
        where = person.name or public_url(account.where)
        lines.append(
            f"    {account.role:14} {account.login:13} {account.password:18} "
            f"{account.phone:13} {where}".rstrip()
        )
    lines += ["", "  Try:"]
    if guide.sale is not None:
        sale = guide.sale
        seller = f" from {sale.seller}" if sale.seller else ""
        price = f" for {sale.price}" if sale.price else ""
        path = reverse("portal:application", kwargs={"application_id": sale.application_id})
        lines += _item(
            f"A car sale waits for its buyer, {_who(sale.buyer)}: {sale.vehicle}{seller}{price}. "
            "Sign in as the buyer and confirm it at",
            path,
        )
    if guide.licence is not None:
        licence = guide.licence
        lines += _item(
            f"A licence to replace online: {_who(licence.holder)} holds driving licence "
            f"{licence.number}, expired on {licence.expired_on.isoformat()}, and a medical "
            "certificate. Apply at",
            reverse("portal:service", kwargs={"code": LICENCE_REPLACEMENT}),
        )
    officer = next((p for p in guide.people if p.account.kind == Kind.OFFICER), None)
    if officer is not None:
        lines += _item(
            f"The office: the {_who(officer)} works every agency's queue; one with work waiting:",
            guide.queue_path,
        )
    if guide.unregistered_iin:
        lines += _item(
            f"Registration: IIN {guide.unregistered_iin} is in the population registry with no "
            "account yet; register it with any phone number at",
            reverse("portal:register"),
        )
    lines += _item(
        "Certificates: a .p12 file for any demo citizen, to sign in or sign with it, at",
        reverse("portal:dev-certificate"),
    )
    return lines
