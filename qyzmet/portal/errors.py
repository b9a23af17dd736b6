"""The error codes the portal's own JSON endpoints answer with."""

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
