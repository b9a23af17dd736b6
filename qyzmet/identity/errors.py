"""The error codes the identity app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ACCOUNT_EXISTS = "account_exists"
    CERTIFICATE_MISMATCH = "certificate_mismatch"
    CHALLENGE_EXPIRED = "challenge_expired"
    IIN_NOT_IN_REGISTRY = "iin_not_in_registry"
    NO_ACCOUNT = "no_account"
    NO_PHONE = "no_phone"
    NOT_A_CITIZEN = "not_a_citizen"
    OTP_EXHAUSTED = "otp_exhausted"
    OTP_EXPIRED = "otp_expired"
    OTP_NOT_FOUND = "otp_not_found"
    OTP_RATE_LIMITED = "otp_rate_limited"
    OTP_USED = "otp_used"
    OTP_WRONG = "otp_wrong"
    PASSWORD_WEAK = "password_weak"  # noqa: S105 - an error code, not a password
    PASSWORD_WRONG = "password_wrong"  # noqa: S105 - an error code, not a password
    PHONE_INVALID = "phone_invalid"
    PHONE_NOT_MOBILE = "phone_not_mobile"
    PHONE_TAKEN = "phone_taken"
    POPULATION_IMPORT_REJECTED = "population_import_rejected"
    PURPOSE_REQUIRED = "purpose_required"
    QR_EXPIRED = "qr_expired"
    REFRESH_INVALID = "refresh_invalid"
    SIGNATURE_INVALID = "signature_invalid"
    SIGNIN_FAILED = "signin_failed"
    SIGNIN_LOCKED = "signin_locked"
    SIM_CHANGED = "sim_changed"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - an error code, not a token
    TOO_YOUNG = "too_young"
