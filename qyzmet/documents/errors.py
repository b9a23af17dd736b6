"""The error codes the documents app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    DOCUMENT_NOT_FOUND = "document_not_found"
    DOCUMENT_NOT_VALID = "document_not_valid"
    DOCUMENT_NUMBER_TAKEN = "document_number_taken"
    DOCUMENT_ALREADY_ISSUED = "document_already_issued"
    SERVICE_ISSUES_NO_DOCUMENT = "service_issues_no_document"
    VERIFY_RATE_LIMITED = "verify_rate_limited"
