"""One error class and one error shape for the whole platform.

Every refusal carries a stable machine code (for the phone app) and a message translated into the
caller's language (for people). Interfaces render it as `{"code", "message", "details"}`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import InterfaceError, OperationalError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    """The codes core's own errors answer with; each app lists its own in `<app>/errors.py`."""

    ERROR = "error"
    VALIDATION_ERROR = "validation_error"
    NOT_AUTHENTICATED = "not_authenticated"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    MCI_NOT_DEFINED = "mci_not_defined"
    MCI_MISSING = "mci_missing"
    OVERLOADED = "overloaded"
    # HTTP-level refusals answered before a view runs (`qyzmet.api.middleware`)
    BAD_REQUEST = "bad_request"
    FORBIDDEN = "forbidden"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    REQUEST_TOO_LARGE = "request_too_large"
    URL_TOO_LONG = "url_too_long"
    SERVER_ERROR = "server_error"
    # idempotency keys (`qyzmet.core.idempotency`)
    IDEMPOTENCY_KEY = "idempotency_key"
    IDEMPOTENCY_REUSED = "idempotency_reused"
    # an IIN that cannot belong to a person (`qyzmet.core.iin`)
    IIN_FORMAT = "iin_format"
    IIN_CENTURY = "iin_century"
    IIN_DATE = "iin_date"
    IIN_CHECKSUM = "iin_checksum"
    IIN_NEVER_ISSUED = "iin_never_issued"
    IIN_MISMATCH = "iin_mismatch"


class QyzmetError(Exception):
    code: str = ErrorCode.ERROR
    status: int = 400
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | list[Any] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details if details is not None else {}
        self.headers = headers or {}
        super().__init__(f"{self.code}: {self.message}")

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}

    def field_messages(self) -> dict[str, str]:
        """The message for each field the refusal names, whichever of the two shapes its
        details have: `{"field": name}` (the error's own message is the field's) or
        `{"fields": [{"field": name, "message": text}, ...]}`. A form shows each beside its
        field and links to it from the error summary."""
        if not isinstance(self.details, dict):
            return {}
        named = self.details.get("field")
        found = {str(named): str(self.message)} if isinstance(named, str) and named else {}
        for item in self.details.get("fields") or []:
            if isinstance(item, dict) and item.get("field"):
                found.setdefault(str(item["field"]), str(item.get("message") or self.message))
        return found


class ValidationFailed(QyzmetError):
    code: str = ErrorCode.VALIDATION_ERROR
    status = 422
    default_message = _("Some fields are not filled in correctly.")


class NotAuthenticated(QyzmetError):
    code: str = ErrorCode.NOT_AUTHENTICATED
    status = 401
    default_message = _("Please sign in to continue.")


class NotFound(QyzmetError):
    """Also what every access choke point raises on a refusal, so that "exists but not yours"
    cannot be told apart from "does not exist"."""

    code: str = ErrorCode.NOT_FOUND
    status = 404
    default_message = _("Nothing was found at this address.")


class Conflict(QyzmetError):
    code: str = ErrorCode.CONFLICT
    status = 409
    default_message = _("This was changed by someone else in the meantime. Reload and try again.")


class RateLimited(QyzmetError):
    code: str = ErrorCode.RATE_LIMITED
    status = 429
    default_message = _("Too many attempts. Please try again later.")

    def __init__(self, message: str | Promise | None = None, *, retry_after: int, **kwargs: Any):
        self.retry_after = max(1, int(retry_after))
        details = kwargs.pop("details", None) or {}
        details["retry_after"] = self.retry_after
        headers = {"Retry-After": str(self.retry_after)}
        super().__init__(message, details=details, headers=headers, **kwargs)


class ServiceUnavailable(QyzmetError):
    code: str = ErrorCode.UNAVAILABLE
    status = 503
    default_message = _("The service is temporarily unavailable. Please try again shortly.")


# How long a caller is asked to wait when the database does not answer.
DATABASE_RETRY_AFTER = 5


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database cannot be reached or used just now (down, restarting,
    out of connections, locked): a 503 to retry, not a 500 to investigate."""
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable() -> ServiceUnavailable:
    """The refusal for a request the database could not serve."""
    return ServiceUnavailable(
        details={"retry_after": DATABASE_RETRY_AFTER},
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )
