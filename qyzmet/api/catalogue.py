"""/api/v1/services: the service catalogue (passports), in the caller's language."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from qyzmet.api.schemas import ErrorOut
from qyzmet.catalogue.schema import I18n, ServiceDefinition
from qyzmet.catalogue.selectors import (
    catalogue_get,
    service_fee_today,
    service_get,
    service_search,
)
from qyzmet.core.mci import format_tenge

router = Router(tags=["catalogue"])


class NamedOut(Schema):
    code: str
    name: str


class TaxonomyOut(Schema):
    categories: list[NamedOut]
    life_situations: list[NamedOut]
    agencies: list[NamedOut]


class FeeOut(Schema):
    mci: Decimal
    tiyn: int
    text: str
    on: str
    provisional: bool = Field(
        False,
        description="The MCI of this year is not in the data yet: the amount uses the last known "
        "one and will change; nothing is charged (mci_missing) until the value is added",
    )


class ServiceOut(Schema):
    code: str
    version: int
    name: str
    description: str
    agency: NamedOut
    categories: list[str]
    life_situations: list[str]
    channels: list[str]
    fee: FeeOut
    term_working_days: int


class FieldOut(Schema):
    key: str
    type: str
    label: str
    help: str | None
    required: bool
    options: list[NamedOut]
    show_if: dict[str, object] | None


class PassportOut(ServiceOut):
    recipients: str
    term_receipt_day_counted: bool
    term_extension: str | None
    prefill: list[NamedOut]
    documents_required: list[str]
    form: list[FieldOut]
    signing: list[str]
    payment: str
    result_document: str | None
    result_registry_change: str | None
    refusal_grounds: list[NamedOut]


class FilterIn(Schema):
    q: str = ""
    category: str = ""
    life_situation: str = ""
    agency: str = ""


def _t(text: I18n | None) -> str | None:
    return text.get(get_language()) if text is not None else None


def _summary(definition: ServiceDefinition) -> dict[str, object]:
    language = get_language()
    agency = catalogue_get().agencies[definition.agency]
    fee = service_fee_today(definition=definition)
    return {
        "code": definition.code,
        "version": definition.version,
        "name": definition.name.get(language),
        "description": definition.description.get(language),
        "agency": {"code": definition.agency, "name": agency.name.get(language)},
        "categories": definition.categories,
        "life_situations": definition.life_situations,
        "channels": definition.channels,
        "fee": {
            "mci": fee.mci,
            "tiyn": fee.tiyn,
            "text": format_tenge(fee.tiyn, language),
            "on": fee.on.isoformat(),
            "provisional": fee.provisional,
        },
        "term_working_days": definition.term.working_days,
    }


@router.get("", response=list[ServiceOut], summary="Find services")
def services(request: HttpRequest, filters: Query[FilterIn]) -> list[dict[str, object]]:
    found = service_search(
        query=filters.q,
        category=filters.category,
        life_situation=filters.life_situation,
        agency=filters.agency,
    )
    return [_summary(definition) for definition in found]


@router.get("/taxonomy", response=TaxonomyOut, summary="Categories, life situations, agencies")
def taxonomy(request: HttpRequest) -> dict[str, object]:
    language = get_language()
    catalogue = catalogue_get()
    return {
        "categories": [
            {"code": c, "name": t.get(language)} for c, t in catalogue.categories.items()
        ],
        "life_situations": [
            {"code": c, "name": t.get(language)} for c, t in catalogue.life_situations.items()
        ],
        "agencies": [
            {"code": c, "name": a.name.get(language)} for c, a in catalogue.agencies.items()
        ],
    }


@router.get("/{code}", response={200: PassportOut, 404: ErrorOut}, summary="A service passport")
def passport(request: HttpRequest, code: str) -> dict[str, object]:
    definition = service_get(code=code)
    language = get_language()
    result = definition.result
    return {
        **_summary(definition),
        "recipients": definition.recipients.get(language),
        "term_receipt_day_counted": definition.term.receipt_day_counted,
        "term_extension": _t(definition.term.extension.when) if definition.term.extension else None,
        "prefill": [{"code": p.key, "name": p.label.get(language)} for p in definition.prefill],
        "documents_required": [d.get(language) for d in definition.documents_required],
        "form": [
            {
                "key": f.key,
                "type": f.type,
                "label": f.label.get(language),
                "help": _t(f.help),
                "required": f.required,
                "options": [{"code": o.value, "name": o.label.get(language)} for o in f.options],
                "show_if": f.show_if.model_dump(mode="json") if f.show_if else None,
            }
            for f in definition.form
        ],
        "signing": definition.signing,
        "payment": definition.payment,
        "result_document": _t(result.document.title) if result.document else None,
        "result_registry_change": (
            f"{result.registry_change.registry}.{result.registry_change.action}"
            if result.registry_change
            else None
        ),
        "refusal_grounds": [
            {"code": g.code, "name": g.text.get(language)} for g in definition.refusal_grounds
        ],
    }
