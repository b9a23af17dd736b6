"""The error codes the applications app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    # drafts
    NOT_ONLINE = "not_online"
    NOT_ELIGIBLE = "not_eligible"
    NOT_EDITABLE = "not_editable"
    NOT_REOPENED = "not_reopened"
    # signing and submission
    ALREADY_SUBMITTED = "already_submitted"
    SIGNING_METHOD_NOT_ALLOWED = "signing_method_not_allowed"
    NO_PHONE = "no_phone"
    CONTENT_CHANGED = "content_changed"
    SIGNATURE_INVALID = "signature_invalid"
    CERTIFICATE_MISMATCH = "certificate_mismatch"
    NOT_PROACTIVE = "not_proactive"
    NO_ACCOUNT = "no_account"
    WOULD_BE_REFUSED = "would_be_refused"
    # the second party the form names
    COUNTERPARTY_UNKNOWN = "counterparty_unknown"
    COUNTERPARTY_IS_APPLICANT = "counterparty_is_applicant"
    COUNTERPARTY_DECEASED = "counterparty_deceased"
    # steps
    DECIDED_ELSEWHERE = "decided_elsewhere"
    AWAITING_PAYMENT = "awaiting_payment"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    SIGNATURE_REQUIRED = "signature_required"
    CLAIMED = "claimed"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    RETRY = "retry"
    # registry changes
    VEHICLE_UNKNOWN = "vehicle_unknown"
    NOT_VEHICLE_OWNER = "not_vehicle_owner"
    NO_LICENCE = "no_licence"
    VIN_REGISTERED = "vin_registered"
    PLATE_TAKEN = "plate_taken"
