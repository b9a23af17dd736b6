"""Making a result document's PDF: an HTML template (per service, or the default one) rendered
by WeasyPrint with the vendored DejaVu Sans (it covers Kazakh and Russian Cyrillic), and a QR
code (segno) that leads to the public verification page.

No database here: `actions.document_issue` gathers the facts and signs the result.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, select_template
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

from qyzmet.catalogue.schema import FormField, ServiceDefinition
from qyzmet.core.public_url import public_url

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
DEFAULT_TEMPLATE = "documents/default.html"
# The public verification page; the portal serves it at exactly this path (a printed QR code
# outlives any refactoring of the URL configuration).
VERIFY_PATH = "/verify/"


@dataclass(frozen=True)
class DocumentFacts:
    number: str  # as displayed: four groups of four digits
    title: str
    service_name: str
    agency_name: str
    holder_name: str
    holder_iin: str
    issued_on: dt.date
    valid_until: dt.date | None
    answers: Sequence[tuple[str, str]]
    verify_url: str
    # the registry's record the document attests (its certificate or licence number, plate,
    # vehicle, categories, dates), as (label, value)
    particulars: Sequence[tuple[str, str]] = ()


def verify_url(number: str) -> str:
    """The public verification page for `number`, absolute when `QYZMET_PUBLIC_URL` is set.
    The IIN is not in it: the verifier types it from the paper, so the address (in logs,
    history, photos of the QR) names no one."""
    return public_url(f"{VERIFY_PATH}?{urlencode({'number': number})}")


def qr_svg_data_uri(content: str) -> str:
    qr = segno.make(content, error="m", micro=False)
    svg = qr.svg_inline(scale=4, border=2, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def font_face_css() -> str:
    regular = (FONTS_DIR / "DejaVuSans.ttf").as_uri()
    bold = (FONTS_DIR / "DejaVuSans-Bold.ttf").as_uri()
    return (
        '@font-face { font-family: "Qyzmet Document"; font-weight: 400; '
        f'src: url("{regular}"); }}\n'
        '@font-face { font-family: "Qyzmet Document"; font-weight: 700; '
        f'src: url("{bold}"); }}\n'
    )


def template_for(definition: ServiceDefinition) -> str:
    """`documents/<template>.html` named by the service's result, else
    `documents/<service code>.html`, else the default."""
    names = []
    if definition.result.document is not None:
        names.append(f"documents/{definition.result.document.template}.html")
    names.append(f"documents/{definition.code}.html")
    try:
        return select_template(names).origin.template_name or DEFAULT_TEMPLATE
    except TemplateDoesNotExist:
        return DEFAULT_TEMPLATE


def answer_rows(
    definition: ServiceDefinition, answers: Mapping[str, Any], language: str
) -> list[tuple[str, str]]:
    """The application's answers as (question, answer) in `language`, in form order; prefilled
    registry facts after them. Unknown keys and empty answers are left out."""
    rows: list[tuple[str, str]] = []
    with override(language):
        for field in definition.form:
            if field.key in answers and answers[field.key] not in (None, ""):
                rows.append(
                    (field.label.get(language), _answer_text(field, answers[field.key], language))
                )
        for prefill in definition.prefill:
            value = answers.get(prefill.key)
            if value not in (None, ""):
                rows.append((prefill.label.get(language), _plain(value)))
    return rows


def _answer_text(field: FormField, value: Any, language: str) -> str:
    if field.type == "select":
        for option in field.options:
            if option.value == str(value):
                return option.label.get(language)
    if field.type == "boolean":
        return _("Yes") if value in (True, "true", "1", 1) else _("No")
    if field.type == "date":
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return str(formats.date_format(day, "DATE_FORMAT"))
    if field.type == "number":
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            return str(value)
        if number.is_finite():
            return str(formats.number_format(number, force_grouping=True))
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal | int | float):
        return str(value)
    return str(value)


def html_render(*, template: str, facts: DocumentFacts, language: str) -> str:
    """The document's HTML, in `language`: what WeasyPrint lays out."""
    with override(language):
        return get_template(template).render(
            {
                "facts": facts,
                "language": language,
                "font_css": font_face_css(),
                "qr": qr_svg_data_uri(facts.verify_url),
            }
        )


def pdf_render(*, template: str, facts: DocumentFacts, language: str) -> bytes:
    """The unsigned PDF of a document, in `language`."""
    from weasyprint import HTML  # heavy import (Pango): only when a document is rendered

    html = html_render(template=template, facts=facts, language=language)
    pdf: bytes = HTML(string=html, base_url=str(FONTS_DIR)).write_pdf()
    return pdf
