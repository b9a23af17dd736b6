"""The pieces of portal/_field.html: the ARIA attributes that tie a field to its hint and error."""

from __future__ import annotations

from django.template import Context, Template


def _aria(**given: object) -> str:
    template = Template(
        "{% load qyzmet_forms %}{% field_aria 'iin' hint=hint error=error more=more %}"
    )
    return template.render(Context({"hint": False, "error": "", "more": ""} | given))


def test_a_field_without_hint_or_error_names_nothing() -> None:
    assert _aria() == ""


def test_a_hint_is_named() -> None:
    assert _aria(hint="12 digits") == ' aria-describedby="iin-hint"'


def test_an_error_is_named_after_the_hint_and_makes_the_field_invalid() -> None:
    assert _aria(hint="12 digits", error="Wrong", more="iin-free") == (
        ' aria-describedby="iin-hint iin-error iin-free" aria-invalid="true"'
    )


def test_ids_are_escaped() -> None:
    template = Template('{% load qyzmet_forms %}{% field_aria fid error="x" %}')
    assert template.render(Context({"fid": 'a"b'})) == (
        ' aria-describedby="a&quot;b-error" aria-invalid="true"'
    )
