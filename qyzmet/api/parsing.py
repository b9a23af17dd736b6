"""The API's request parser: a body is a JSON object in UTF-8, sent as `application/json`.

django-ninja's default parser takes any content type, Python's `json` accepts `NaN`, `Infinity`
and numbers that overflow to infinity (which then make stored drafts invalid JSON for strict
parsers), and keeps lone surrogates (`"\\ud800"`), which no UTF-8 encoder accepts. Here each is
refused before an endpoint runs, in the one error shape:

- another content type: 415 `unsupported_media_type` (a file upload must be multipart);
- not UTF-8, not JSON, `NaN`/`Infinity` or a number too large: 400 `invalid_json`;
- a JSON document that is not an object (`[null, null]`, `"x"`): 422 `body_not_object` — an
  input schema would otherwise read such a body as "every field left out";
- text with a lone surrogate or NUL: 422 `unstorable_text`, naming the field;
- in a query string or form, a value with NUL: the same 422.

ninja wraps what `parse_body` raises in a 400 `HttpError`; `qyzmet.api.errors` answers the
`QyzmetError` it was raised from.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from ninja.parser import Parser

from qyzmet.api.errors import ErrorCode
from qyzmet.core.errors import QyzmetError
from qyzmet.core.text import unstorable_paths

JSON_TYPES = ("application/json",)
MULTIPART = "multipart/form-data"


class UnsupportedMediaType(QyzmetError):
    code: str = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    status = 415
    default_message = _("Send the request body as JSON (Content-Type: application/json).")


class InvalidJson(QyzmetError):
    code: str = ErrorCode.INVALID_JSON
    status = 400
    default_message = _("The request body is not valid JSON.")


def is_json_type(content_type: str) -> bool:
    kind = content_type.strip().lower()
    return kind in JSON_TYPES or (kind.startswith("application/") and kind.endswith("+json"))


def _no_constant(name: str) -> NoReturn:
    raise InvalidJson(
        _("Numbers in the request must be finite: NaN and Infinity are not JSON."),
        details={"value": name},
    )


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        _no_constant(text[:20])
    return number


def json_object_parse(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object, or the refusal that says what is wrong with it."""
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidJson() from None
    if not isinstance(data, dict):
        raise QyzmetError(
            _("The request body must be a JSON object."),
            code=ErrorCode.BODY_NOT_OBJECT,
            status=422,
        )
    unstorable_refuse(data)
    return data


def unstorable_refuse(data: Any) -> None:
    bad = next(unstorable_paths(data), None)
    if bad is not None:
        raise QyzmetError(
            _("This text holds a character that cannot be stored. Retype it and send it again."),
            code=ErrorCode.UNSTORABLE_TEXT,
            status=422,
            details={"field": bad},
        )


class StrictParser(Parser):
    """The parser of `/api/v1/` (see the module's docstring)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if not is_json_type(request.content_type or ""):
            raise UnsupportedMediaType(details={"accepted": list(JSON_TYPES)})
        return json_object_parse(request.body)

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        if data is request.FILES and not (request.content_type or "").startswith(MULTIPART):
            raise UnsupportedMediaType(
                _("Send the file as multipart/form-data."), details={"accepted": [MULTIPART]}
            )
        result = super().parse_querydict(data, list_fields, request)
        unstorable_refuse({k: v for k, v in result.items() if isinstance(v, str | list)})
        return result
