"""The error codes the surveys app answers with (listed in the OpenAPI document), and the codes
that say how a survey's results were weighted."""

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    AGE_BAND = "age_band"
    ANSWER_REQUIRED = "answer_required"
    ANSWER_WRONG_TYPE = "answer_wrong_type"
    COLUMNS = "columns"
    CSV_EMPTY = "csv_empty"
    CSV_ENCODING = "csv_encoding"
    CSV_HEADER = "csv_header"
    CSV_INVALID = "csv_invalid"
    OPTION_REPEATED = "option_repeated"
    OPTION_UNKNOWN = "option_unknown"
    QUESTION_UNKNOWN = "question_unknown"
    REGION = "region"
    RESPONDENT_DUPLICATE = "respondent_duplicate"
    RESPONDENT_ID = "respondent_id"
    SEX = "sex"
    SINGLE_CHOICE_ONLY = "single_choice_only"
    SURVEY_ADULTS_ONLY = "survey_adults_only"
    SURVEY_ALREADY_ANSWERED = "survey_already_answered"
    SURVEY_ANSWERS_INVALID = "survey_answers_invalid"
    SURVEY_CITIZENS_ONLY = "survey_citizens_only"
    SURVEY_DEFINITION_INVALID = "survey_definition_invalid"
    SURVEY_EXISTS = "survey_exists"
    SURVEY_NOT_OPEN = "survey_not_open"
    SURVEY_STATE = "survey_state"
    TEXT_TOO_LONG = "text_too_long"


class WeightingCode(StrEnum):
    """How the results were weighted (a raking failure carries the raking error's own code)."""

    RAKED = "raked"
    NO_RESPONDENTS = "no_respondents"
    NOT_REQUESTED = "not_requested"


# What each weighting code says; a raking failure's code is `stats.RakingError.code`.
WEIGHTING_MESSAGES: dict[str, Promise] = {
    WeightingCode.RAKED: _(
        "Weighted by raking to the adults of the population registry by region, sex and age band."
    ),
    WeightingCode.NO_RESPONDENTS: _("No answers yet."),
    "raking_sample_cell_empty": _(
        "Weighting is not possible: the population has adults in a region, sex or age band "
        "with no respondents."
    ),
    "raking_population_cell_empty": _(
        "Weighting is not possible: some respondents are in a region, sex or age band with no "
        "adults in the population registry."
    ),
    "raking_empty_margin": _(
        "Weighting is not possible: the population registry has no adults to weight to."
    ),
    "raking_not_converged": _(
        "Weighting is not possible: raking did not converge, the margins cannot all be met."
    ),
}
