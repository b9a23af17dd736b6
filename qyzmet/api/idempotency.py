"""`Idempotency-Key` on the API's creates (see `qyzmet.core.idempotency` for the design).

    @router.post("/shares", auth=AccessToken(), response={201: ShareOut, **ERRORS})
    @idempotent(scope="wallet.share")
    def share(request: HttpRequest, body: EntryRef) -> Status[ShareOut]: ...

Without the header the endpoint runs as it always did. With it, the first request's answer
(status and JSON body) is kept with the key, owned by the signed-in account: the same key with
the same path and body answers exactly that again and makes nothing; with another path or body
it is 409 `idempotency_reused`. A refusal keeps no key, so the request may be corrected and sent
again with the same key. The decorator also documents the header in the OpenAPI operation.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from ninja.operation import Operation, ResponseObject
from ninja.responses import NinjaJSONEncoder, Status
from ninja.utils import contribute_operation_callback
from pydantic import BaseModel

from qyzmet.api.security import current_account
from qyzmet.core import idempotency

View = TypeVar("View", bound=Callable[..., Any])


def idempotency_header(*, required: bool, description: str) -> dict[str, Any]:
    """The `Idempotency-Key` header as an OpenAPI operation's `openapi_extra`."""
    return {
        "parameters": [
            {
                "in": "header",
                "name": idempotency.HEADER,
                "required": required,
                "schema": {"type": "string", "maxLength": idempotency.MAX_LENGTH},
                "description": description,
            }
        ]
    }


OPTIONAL_HEADER = idempotency_header(
    required=False,
    description=(
        "Optional. A retry with the same key and body gets the first answer again and creates "
        "nothing; the same key with another body is 409 `idempotency_reused`"
    ),
)


def idempotent(*, scope: str) -> Callable[[View], View]:
    """Accept an optional `Idempotency-Key` on a create endpoint that needs a signed-in account
    and answers JSON; place it below the router's decorator. `scope` names the operation (a key
    reused for another one is a conflict)."""

    def decorate(view: View) -> View:
        contribute_operation_callback(view, functools.partial(_install, scope))
        return view

    return decorate


def _install(scope: str, operation: Operation) -> None:
    # Wraps the endpoint after ninja has read its signature: authentication has run and its
    # errors propagate, so a refusal rolls the key back with everything else.
    extra = operation.openapi_extra or {}
    parameters = [*extra.get("parameters", []), *OPTIONAL_HEADER["parameters"]]
    operation.openapi_extra = {**extra, "parameters": parameters}
    endpoint = operation.view_func

    @functools.wraps(endpoint)
    def with_key(request: HttpRequest, **values: Any) -> Any:
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return endpoint(request, **values)
        answer = idempotency.idempotent(
            owner=current_account(request),
            key=key,
            scope=scope,
            payload=_payload(values),
            run=lambda: _answer(operation, request, endpoint(request, **values)),
            remember=json.dumps,
            recall=json.loads,
        )
        # the kept JSON as it is: ninja validates only what an endpoint returns as data
        return JsonResponse(
            answer["body"], encoder=NinjaJSONEncoder, safe=False, status=answer["status"],
            content_type="application/json; charset=utf-8",
        )  # fmt: skip

    operation.view_func = with_key


def _payload(values: dict[str, Any]) -> dict[str, Any]:
    """What was asked: the path parameters and the body (not ninja's temporal response)."""
    return {
        name: value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        for name, value in values.items()
        if not isinstance(value, HttpResponseBase)
    }


def _answer(operation: Operation, request: HttpRequest, result: object) -> dict[str, Any]:
    """The endpoint's answer as kept: status and JSON body, rendered through the operation's
    response schema as ninja renders it (the first request answers from it too, so a retry's
    answer is the first one to the byte)."""
    if isinstance(result, Status):
        status, value = result.status_code, result.value
    else:
        status, value = next(iter(operation.response_models)), result
    schema = operation.response_models[status]
    context = {"request": request, "response_status": status}
    rendered = schema.model_validate(ResponseObject(value), context=context)
    body = rendered.model_dump(by_alias=operation.by_alias, context=context)["response"]
    return {"status": status, "body": json.loads(json.dumps(body, cls=NinjaJSONEncoder))}
