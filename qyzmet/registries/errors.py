"""The error codes the registries app answers with (listed in the OpenAPI document)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ARREST_REASON_REQUIRED = "arrest_reason_required"
    CATEGORIES_HELD = "categories_held"
    LICENCE_ISSUED_ELSEWHERE = "licence_issued_elsewhere"
    LICENCE_NOT_CURRENT = "licence_not_current"
    NO_MEDICAL = "no_medical"
    PERSON_DECEASED = "person_deceased"
    PLATE_NOT_RESERVED = "plate_not_reserved"
    PLATE_POOL_EMPTY = "plate_pool_empty"
    PLATE_REGION_MISMATCH = "plate_region_mismatch"
    PLATE_RETIRED = "plate_retired"
    PLATE_TAKEN = "plate_taken"
    PLATE_UNKNOWN = "plate_unknown"
    PURPOSE_REQUIRED = "purpose_required"
    REPLACE_REASON_INVALID = "replace_reason_invalid"
    SAME_OWNER = "same_owner"
    VEHICLE_ARRESTED = "vehicle_arrested"
    VEHICLE_CATEGORY_INVALID = "vehicle_category_invalid"
    VEHICLE_MAKE_REQUIRED = "vehicle_make_required"
    VEHICLE_NOT_REGISTERED = "vehicle_not_registered"
    VEHICLE_YEAR_INVALID = "vehicle_year_invalid"
    VIN_REGISTERED = "vin_registered"
