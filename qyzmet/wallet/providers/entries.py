"""Where wallet entries come from: one provider per kind of document, found by kind in a registry.

A provider draws its entries live from its registry every time they are listed or shown, so a
verifier always sees the status of now. Adding a kind (a driving licence, a vehicle
registration certificate) is one class with `@register`: its `kind`, its `label`, `entries()`
and, if it can prove something on its own, `presentation()`. A kind whose registry is not
connected yet (`connected = False`) lists nothing and is shown as "coming".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qyzmet.core.calendar import local_today
from qyzmet.core.providers import ProviderRegistry
from qyzmet.documents.models import Document
from qyzmet.documents.selectors import document_check_of, document_list_for_holder
from qyzmet.identity.models import Person
from qyzmet.identity.selectors import ADULT_AGE, age_on
from qyzmet.registries.models import DrivingLicence, VehicleRegistration
from qyzmet.registries.selectors import licence_latest, vehicles_of
from qyzmet.registries.validation import CATEGORIES
from qyzmet.wallet.tokens import revocation_id

# Presentations: what a token can prove on its own, without the rest of the document.
AGE_OVER_18 = "age_over_18"
DOCUMENT_VALID = "document_valid"
DRIVING_CATEGORY = "driving_category"  # claims {"category": "B", "valid": true}; see docs

PRESENTATION_LABELS: dict[str, Promise | str] = {
    AGE_OVER_18: _("Age 18 or over"),
    DOCUMENT_VALID: _("The document is valid"),
    DRIVING_CATEGORY: _("Driving category valid"),
    # a licence offers one proof per category it holds: "driving_category:B"
    **{
        f"{DRIVING_CATEGORY}:{category}": format_lazy(
            "{} {}", _("Driving category valid:"), category
        )
        for category in CATEGORIES
    },
}


@dataclass(frozen=True)
class EntryField:
    name: str  # stable, for the API and the data-access log
    label: str
    value: str


FieldRow = tuple[str, str | Promise, str]  # name, label (translated when shown), value


def entry_fields(rows: Iterable[FieldRow]) -> tuple[EntryField, ...]:
    """An entry's fields from (name, label, value) rows, labels in the active language."""
    return tuple(
        EntryField(name=name, label=str(label), value=value) for name, label, value in rows
    )


@dataclass(frozen=True)
class WalletEntry:
    kind: str
    ref: str  # the provider's own reference (a document id, "self" for the ID card)
    title: str
    number: str  # as displayed; empty when the registry gives none
    status: str  # "valid", "revoked", "superseded", "not_valid"
    status_label: str
    issuer: str
    issued_on: dt.date | None
    valid_until: dt.date | None
    fields: tuple[EntryField, ...]
    presentations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Presentation:
    name: str
    claims: dict[str, Any]
    rid: str = ""  # the revocation id the verifier looks up; empty if nothing to revoke


class WalletProvider:
    kind: ClassVar[str]
    label: ClassVar[Promise]
    connected: ClassVar[bool] = True

    def entries(self, person: Person) -> list[WalletEntry]:
        return []

    def entry(self, person: Person, ref: str) -> WalletEntry | None:
        return next((e for e in self.entries(person) if e.ref == ref), None)

    def presentation(self, person: Person, entry: WalletEntry, name: str) -> Presentation | None:
        return None

    def revoked_ids(self) -> list[str]:
        """The revocation ids (`Presentation.rid`) of what this kind's tokens vouch for and is
        no longer valid, for the signed revocation list offline verifiers download."""
        return []


_REGISTRY = ProviderRegistry[WalletProvider]("wallet entry", shared=True)


def register(cls: type[WalletProvider]) -> type[WalletProvider]:
    _REGISTRY.add(name=cls.kind, factory=cls)
    return cls


def provider_get(kind: str) -> WalletProvider | None:
    return _REGISTRY.find(kind)


def provider_list() -> list[WalletProvider]:
    return _REGISTRY.all()


@register
class IdCardProvider(WalletProvider):
    """The identity card as the population registry knows the person. (The registry holds no
    card numbers yet: the entry shows the record the card is issued from.)"""

    kind = "id_card"
    label = _("Identity card")

    def entries(self, person: Person) -> list[WalletEntry]:
        living = person.status == Person.Status.LIVING
        values: list[FieldRow] = [
            ("surname", _("Surname"), person.surname),
            ("given_name", _("Given name"), person.given_name),
            ("patronymic", _("Patronymic"), person.patronymic),
            ("iin", _("IIN"), person.iin),
            ("birth_date", _("Date of birth"), date_format(person.birth_date, "DATE_FORMAT")),
            ("sex", _("Sex"), str(person.get_sex_display())),
            ("citizenship", _("Citizenship"), person.citizenship),
        ]
        return [
            WalletEntry(
                kind=self.kind,
                ref="self",
                title=str(self.label),
                number="",
                status="valid" if living else "not_valid",
                status_label=str(
                    pgettext_lazy("document status", "valid")
                    if living
                    else pgettext_lazy("document status", "not valid")
                ),
                issuer=str(_("Population registry")),
                issued_on=None,
                valid_until=None,
                fields=entry_fields(row for row in values if row[2]),
                presentations=(AGE_OVER_18,),
            )
        ]

    def presentation(self, person: Person, entry: WalletEntry, name: str) -> Presentation | None:
        if name != AGE_OVER_18:
            return None
        return Presentation(
            name=name, claims={AGE_OVER_18: age_on(person.birth_date, local_today()) >= ADULT_AGE}
        )


@register
class ResultDocumentProvider(WalletProvider):
    """The signed result documents of the person's services (qyzmet/documents)."""

    kind = "result_document"
    label = _("Result document")

    def _entry(self, document: Document) -> WalletEntry:
        check = document_check_of(document)
        issued_on = timezone.localtime(check.issued_at).date()
        rows: list[FieldRow] = [
            ("number", _("Number"), check.number),
            ("title", _("Document"), check.title),
            ("holder", _("Holder"), check.holder_masked),
            ("issuer", _("Issued by"), check.issuer),
            ("issued_on", _("Date of issue"), date_format(issued_on, "DATE_FORMAT")),
        ]
        if check.valid_until:
            rows.append(("valid_until", _("Valid until"), _date(check.valid_until)))
        return WalletEntry(
            kind=self.kind,
            ref=str(document.pk),
            title=check.title,  # in the reader's language
            number=check.number,
            status=document.status,
            status_label=check.status_label,
            issuer=check.issuer,
            issued_on=issued_on,
            valid_until=check.valid_until,
            fields=entry_fields(rows),
            presentations=(DOCUMENT_VALID,),
        )

    def entries(self, person: Person) -> list[WalletEntry]:
        return [self._entry(d) for d in document_list_for_holder(person_id=person.pk)]

    def presentation(self, person: Person, entry: WalletEntry, name: str) -> Presentation | None:
        if name != DOCUMENT_VALID:
            return None
        today = local_today()
        valid = entry.status == "valid" and (
            entry.valid_until is None or entry.valid_until >= today
        )
        return Presentation(
            name=name,
            claims={
                "valid": valid,
                "document": {
                    "number": entry.number,
                    "title": entry.title,
                    "issuer": entry.issuer,
                    "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
                },
            },
            rid=document_revocation_id(number=entry.number),
        )

    def revoked_ids(self) -> list[str]:
        numbers = Document.objects.exclude(status=Document.Status.VALID).values_list(
            "number", flat=True
        )
        return [document_revocation_id(number=number) for number in numbers]


def document_revocation_id(*, number: str) -> str:
    return revocation_id(kind="document", ref=number.replace(" ", ""))


def _date(value: dt.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


@register
class DrivingLicenceProvider(WalletProvider):
    """The driving licence from the licence registry (qyzmet/registries): the newest licence,
    whatever its status, so an expired one shows as expired. `presentation(DRIVING_CATEGORY)`
    proves one category, e.g. `{"category": "B", "valid": true}`, with the licence's revocation
    id."""

    kind = "driving_licence"
    label = _("Driving licence")

    def entries(self, person: Person) -> list[WalletEntry]:
        licence = licence_latest(person=person)
        if licence is None:
            return []
        today = local_today()
        valid = licence.status == DrivingLicence.Status.VALID and licence.expires >= today
        categories = [str(c["category"]) for c in licence.categories]
        return [
            WalletEntry(
                kind=self.kind,
                ref=licence.number,
                title=str(self.label),
                number=licence.number,
                status="valid" if valid else "not_valid",
                status_label=str(
                    pgettext_lazy("document status", "valid")
                    if valid
                    else licence.get_status_display()
                    if licence.status != DrivingLicence.Status.VALID
                    else pgettext_lazy("licence status", "expired")
                ),
                issuer=str(_("Driving licence registry")),
                issued_on=licence.issued,
                valid_until=licence.expires,
                fields=entry_fields(
                    [
                        ("number", _("Number"), licence.number),
                        ("holder", _("Holder"), person.full_name),
                        ("categories", _("Categories"), ", ".join(categories)),
                        ("issued_on", _("Date of issue"), _date(licence.issued)),
                        ("valid_until", _("Valid until"), _date(licence.expires)),
                    ]
                ),
                presentations=tuple(f"{DRIVING_CATEGORY}:{c}" for c in categories),
            )
        ]

    def presentation(self, person: Person, entry: WalletEntry, name: str) -> Presentation | None:
        kind, _sep, category = name.partition(":")
        if kind != DRIVING_CATEGORY or name not in entry.presentations:
            return None
        return Presentation(
            name=DRIVING_CATEGORY,
            # flat, as the offline verifier and docs/wallet.md read it
            claims={"category": category, "valid": entry.status == "valid"},
            rid=revocation_id(kind="licence", ref=entry.number),
        )

    def revoked_ids(self) -> list[str]:
        # replaced, revoked or expired: a token of the old licence must not pass offline
        numbers = DrivingLicence.objects.exclude(status=DrivingLicence.Status.VALID).values_list(
            "number", flat=True
        )
        return [revocation_id(kind="licence", ref=number) for number in numbers]


@register
class VehicleRegistrationProvider(WalletProvider):
    """The registration certificates of the vehicles the person owns now (qyzmet/registries):
    a sold vehicle leaves the seller's wallet and appears in the buyer's."""

    kind = "vehicle_registration"
    label = _("Vehicle registration certificate")

    def entries(self, person: Person) -> list[WalletEntry]:
        entries = []
        for registration in vehicles_of(person=person):
            vehicle = registration.vehicle
            valid = vehicle.status == "registered" and not vehicle.arrested
            fields = entry_fields(
                [
                    ("certificate", _("Number"), registration.certificate_number),
                    ("plate", _("Plate"), registration.plate.number),
                    ("vehicle", _("Vehicle"), f"{vehicle.make} {vehicle.model}, {vehicle.year}"),
                    ("vin", _("VIN"), vehicle.vin),
                    ("colour", _("Colour"), vehicle.colour),
                    ("owner", _("Owner"), person.full_name),
                    ("registered_on", _("Registered on"), _date(registration.started_on)),
                ]
            )
            entries.append(
                WalletEntry(
                    kind=self.kind,
                    ref=registration.certificate_number,
                    title=f"{self.label} · {registration.plate.number}",
                    number=registration.certificate_number,
                    status="valid" if valid else "not_valid",
                    status_label=str(
                        pgettext_lazy("document status", "valid")
                        if valid
                        else _("under arrest")
                        if vehicle.arrested
                        else pgettext_lazy("document status", "not valid")
                    ),
                    issuer=str(_("Vehicle registry")),
                    issued_on=registration.started_on,
                    valid_until=None,
                    fields=fields,
                    presentations=(DOCUMENT_VALID,),
                )
            )
        return entries

    def presentation(self, person: Person, entry: WalletEntry, name: str) -> Presentation | None:
        if name != DOCUMENT_VALID:
            return None
        return Presentation(
            name=name,
            claims={
                "valid": entry.status == "valid",
                "document": {
                    "number": entry.number,
                    "title": entry.title,
                    "issuer": entry.issuer,
                    "valid_until": None,
                },
            },
            rid=revocation_id(kind="vehicle_registration", ref=entry.number),
        )

    def revoked_ids(self) -> list[str]:
        # the certificate of a registration that ended (a sale, a deregistration)
        numbers = VehicleRegistration.objects.filter(ended_on__isnull=False).values_list(
            "certificate_number", flat=True
        )
        return [revocation_id(kind="vehicle_registration", ref=number) for number in numbers]
