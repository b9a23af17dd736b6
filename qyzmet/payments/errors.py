"""The error codes the payments app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    # access
    NO_PERSON = "no_person"
    INVOICE_NOT_FOUND = "invoice_not_found"
    PAYMENT_NOT_FOUND = "payment_not_found"
    PERSON_NOT_FOUND = "person_not_found"
    # invoices
    INVOICE_KIND = "invoice_kind"
    INVOICE_AMOUNT = "invoice_amount"
    AMOUNT = "amount"
    PURPOSE_REF = "purpose_ref"
    INVOICE_REF = "invoice_ref"
    INVOICE_NOT_UNPAID = "invoice_not_unpaid"
    # payments
    INVOICES = "invoices"
    INVOICE_PAID = "invoice_paid"
    INVOICE_CANCELLED = "invoice_cancelled"
    INVOICE_HELD = "invoice_held"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAYMENT_STATE = "payment_state"
    # refunds
    INVOICE_NOT_PAID = "invoice_not_paid"
    INVOICE_NOT_REFUNDABLE = "invoice_not_refundable"
    # receipts
    RECEIPT_CODE_MALFORMED = "receipt_code_malformed"
    RECEIPT_NOT_FOUND = "receipt_not_found"
    # gateways and their notifications
    GATEWAY_UNKNOWN = "gateway_unknown"
    GATEWAY_ERROR = "gateway_error"
    GATEWAY_UNKNOWN_REF = "gateway_unknown_ref"
    GATEWAY_REFUND_REFUSED = "gateway_refund_refused"
    WEBHOOK_REJECTED = "webhook_rejected"
    WEBHOOK_NOT_CONFIGURED = "webhook_not_configured"
    WEBHOOK_SIGNATURE = "webhook_signature"
    WEBHOOK_TOO_OLD = "webhook_too_old"
    WEBHOOK_MALFORMED = "webhook_malformed"
    # the sandbox bank's card page
    CARD_NUMBER = "card_number"
    CARD_NOT_TEST = "card_not_test"
    SANDBOX_USED = "sandbox_used"
    # utility bills
    UTILITY_ACCOUNT_NOT_FOUND = "utility_account_not_found"
    UTILITY_ACCOUNT_TAKEN = "utility_account_taken"
    PROVIDER_NOT_FOUND = "provider_not_found"
    IMPORT_COLUMNS = "import_columns"
