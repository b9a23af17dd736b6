"""The error codes the wallet app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    PRESENTATION_UNSUPPORTED = "presentation_unsupported"
    SHARE_EXPIRED = "share_expired"
    SHARE_NOT_FOUND = "share_not_found"
    SHARE_RATE_LIMITED = "share_rate_limited"
    SHARE_REFUSED = "share_refused"
    SHARE_USED = "share_used"
    TOKEN_LIFETIME = "token_lifetime"  # noqa: S105 - an error code, not a token
    WALLET_ENTRY_NOT_FOUND = "wallet_entry_not_found"
