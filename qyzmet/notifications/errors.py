"""The error codes the notifications app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    PUSH_SUBSCRIPTION_INVALID = "push_subscription_invalid"
    RECEIPT_REJECTED = "receipt_rejected"
