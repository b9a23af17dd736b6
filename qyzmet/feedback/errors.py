"""The error codes the feedback app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_RATED = "already_rated"
    BAD_GRADE = "bad_grade"
    COMMENT_TOO_LONG = "comment_too_long"
    NOT_FINAL = "not_final"
