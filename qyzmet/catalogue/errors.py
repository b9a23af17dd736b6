"""The error codes the catalogue app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    CATALOGUE_INVALID = "catalogue_invalid"
