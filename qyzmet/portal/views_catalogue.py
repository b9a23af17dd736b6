"""The service catalogue: find a service, read its passport."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from qyzmet.catalogue.selectors import (
    catalogue_get,
    service_fee_today,
    service_get,
    service_search,
)
from qyzmet.core.mci import format_tenge
from qyzmet.portal.pages import or_404


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    language = get_language()
    catalogue_ = catalogue_get()
    filters = {
        "query": request.GET.get("q", "").strip()[:200],
        "category": request.GET.get("category", ""),
        "life_situation": request.GET.get("life_situation", ""),
        "agency": request.GET.get("agency", ""),
    }
    found = service_search(**filters)
    rows = []
    for definition in found:
        fee = service_fee_today(definition=definition)
        rows.append(
            {
                "code": definition.code,
                "name": definition.name.get(language),
                "description": definition.description.get(language),
                "agency": catalogue_.agencies[definition.agency].name.get(language),
                "fee": format_tenge(fee.tiyn, language) if fee.tiyn else "",
                "fee_provisional": fee.provisional,
                "term": definition.term.working_days,
            }
        )
    context = {
        "services": rows,
        "filters": filters,
        "categories": [(c, t.get(language)) for c, t in catalogue_.categories.items()],
        "life_situations": [(c, t.get(language)) for c, t in catalogue_.life_situations.items()],
        "agencies": [(c, a.name.get(language)) for c, a in catalogue_.agencies.items()],
    }
    return render(request, "portal/catalogue.html", context)


@require_GET
def passport(request: HttpRequest, code: str) -> HttpResponse:
    definition = or_404(service_get, code=code)
    language = get_language()
    catalogue_ = catalogue_get()
    fee = service_fee_today(definition=definition)
    context = {
        "service": definition,
        "lang": language,
        "name": definition.name.get(language),
        "description": definition.description.get(language),
        "recipients": definition.recipients.get(language),
        "agency": catalogue_.agencies[definition.agency].name.get(language),
        "fee_text": format_tenge(fee.tiyn, language) if fee.tiyn else "",
        "fee": fee,
        "term": definition.term,
        "extension": definition.term.extension.when.get(language)
        if definition.term.extension
        else "",
        "prefill": [p.label.get(language) for p in definition.prefill],
        "documents": [d.get(language) for d in definition.documents_required],
        "fields": [f.label.get(language) for f in definition.form],
        "result_document": definition.result.document.title.get(language)
        if definition.result.document
        else "",
        "registry_change": bool(definition.result.registry_change),
        "grounds": [g.text.get(language) for g in definition.refusal_grounds],
        "categories": [catalogue_.categories[c].get(language) for c in definition.categories],
    }
    return render(request, "portal/passport.html", context)
