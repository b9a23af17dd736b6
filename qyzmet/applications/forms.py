"""Checking a citizen's answers against a service's form definition (pure)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qyzmet.catalogue.schema import FormField, ServiceDefinition
from qyzmet.core.dates import date_parse, date_show
from qyzmet.core.errors import QyzmetError, ValidationFailed
from qyzmet.core.iin import IinError, iin_check
from qyzmet.core.text import text_storable
from qyzmet.identity.phones import phone_parse
from qyzmet.registries.validation import RuleError, plate_parse, vin_check


def visible_fields(definition: ServiceDefinition, answers: dict[str, Any]) -> list[FormField]:
    return [f for f in definition.form if f.show_if is None or f.show_if.matches(answers)]


def _check(field: FormField, raw: Any) -> tuple[Any, str | None]:
    """(clean value, error message or None)."""
    if field.type == "boolean":
        if isinstance(raw, bool):
            return raw, None
        return raw, _("Choose yes or no.")
    if isinstance(raw, list | dict | bool):  # never stored as its Python spelling
        return "", _("Enter a single value.")
    text = "" if raw is None else str(raw).strip()
    if not text_storable(text):
        return "", _("This text holds a character that cannot be stored. Retype it.")
    if field.type == "number":
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text, _("Enter a number.")
        if not number.is_finite():
            return text, _("Enter a number.")
        if field.minimum is not None and number < field.minimum:
            return text, _("The value must be at least %(n)s.") % {"n": field.minimum}
        if field.maximum is not None and number > field.maximum:
            return text, _("The value must be at most %(n)s.") % {"n": field.maximum}
        return str(number), None
    if field.type == "date":
        try:
            return date_parse(text, get_language() or "kk").isoformat(), None
        except ValueError:
            return text, _("Enter a real date, for example %(day)s.") % {
                "day": date_show(date(1990, 3, 28))
            }
    if field.type == "select":
        if text not in {option.value for option in field.options}:
            return text, _("Choose one of the options.")
        return text, None
    if field.type == "phone":
        try:
            return phone_parse(text).e164, None
        except QyzmetError as exc:
            return text, str(exc.message)
    if field.type == "iin":
        try:
            return iin_check(text).iin, None
        except IinError as exc:
            return text, str(exc.message)
    if field.type == "plate":
        try:  # the registry's own rule, so that one plate has one spelling
            return str(plate_parse(text)), None
        except RuleError:
            return text, _("Enter a plate like 123 ABC 02.")
    if field.type == "vin":
        try:  # as copied off a document: spaces and hyphens are taken out
            return vin_check(text).vin, None
        except RuleError as exc:
            return text, str(exc.message)
    if field.min_length is not None and len(text) < field.min_length:
        return text, _("Enter at least %(n)s characters.") % {"n": field.min_length}
    if field.max_length is not None and len(text) > field.max_length:
        return text, _("Enter at most %(n)s characters.") % {"n": field.max_length}
    if field.pattern and not re.fullmatch(field.pattern, text):
        return text, _("This value has the wrong format.")
    return text, None


def form_clean(
    definition: ServiceDefinition, answers: dict[str, Any], *, complete: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The visible answers cleaned, and the errors by field. Hidden fields are dropped; with
    `complete`, a missing required field is an error (drafts may be incomplete)."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in visible_fields(definition, answers):
        raw = answers.get(field.key)
        if raw is None or raw == "":
            if complete and field.required:
                errors[field.key] = _("This field is required.")
            continue
        value, error = _check(field, raw)
        clean[field.key] = value
        if error:
            errors[field.key] = error
    return clean, errors


def form_require_valid(definition: ServiceDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    clean, errors = form_clean(definition, answers, complete=True)
    if errors:
        raise ValidationFailed(
            details={"fields": [{"field": k, "message": v} for k, v in errors.items()]}
        )
    return clean
