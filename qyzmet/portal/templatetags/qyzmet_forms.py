"""What every form's fields share: the ARIA attributes that tie a field to its hint and error
message, a field's error looked up by its id, and a stored ISO date shown as the page shows
dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from qyzmet.core.dates import date_show

register = template.Library()


@register.simple_tag
def field_aria(field_id: str, *, hint: Any = False, error: Any = "", more: str = "") -> SafeString:
    """` aria-describedby="<id>-hint <id>-error …"` naming the hint and the error message the
    field has, and ` aria-invalid="true"` when it has an error (GOV.UK's field pattern)."""
    described = [f"{field_id}-hint"] if hint else []
    if error:
        described.append(f"{field_id}-error")
    described += more.split()
    attributes = format_html(' aria-describedby="{}"', " ".join(described)) if described else ""
    if error:
        attributes = format_html('{} aria-invalid="true"', attributes)
    return SafeString(attributes)


@register.filter
def error_for(errors: Mapping[str, Any] | None, key: str) -> str:
    """The error message of field `key` (by its name or id), or ""."""
    if not errors:
        return ""
    return str(errors.get(str(key), ""))


@register.filter
def unlisted(error: Any, field_errors: Mapping[str, Any] | None) -> bool:
    """Whether the refusal says something the summary's links to the fields do not."""
    text = str(error or "")
    return bool(text) and text not in {str(m) for m in (field_errors or {}).values()}


# How a catalogue field type is typed in: the input's type and the phone keyboard it asks for.
INPUTS: dict[str, dict[str, Any]] = {
    "select": {"type": "select"},
    "textarea": {"type": "textarea"},
    "boolean": {"type": "checkbox"},
    "date": {"type": "date"},
    "phone": {"type": "tel", "autocomplete": "tel"},
    "number": {"inputmode": "decimal"},
    "iin": {"inputmode": "numeric", "maxlength": 12},
    "plate": {"autocapitalize": "characters"},
    # a VIN is copied off a document with its spaces and hyphens: they are taken out on saving
    "vin": {"autocapitalize": "characters", "nospellcheck": True, "maxlength": 40},
}


@register.filter
def as_input(field: Any) -> dict[str, Any]:
    """How a service form's field (`applications.overview.FieldRow`) is rendered by
    `portal/_field.html`: its input's attributes, its hint (a date field's shows the one date
    format of the page), whether it is optional, the officer's mark."""
    shown: dict[str, Any] = {"type": "text", **INPUTS.get(field.type, {})}
    hint = field.help
    if field.type == "date" and not hint:
        hint = _("For example, %(day)s") % {"day": date_show(date(1990, 3, 28))}
    shown.update(
        hint=hint,
        optional=not field.required,
        note=_("correct this") if field.marked else "",
        checked=field.type == "boolean" and field.value in (True, "true", "on", "1"),
    )
    return shown


@register.filter
def shown_date(value: date | str | None) -> str:
    """A date (or an ISO date as a form keeps it) in the page's one date format; anything else
    (what a person typed that is not a date) as it is."""
    return date_show(value)
