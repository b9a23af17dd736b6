"""Writes of the applications app: drafts, signed submission, workflow transitions.

Every state change is one transaction that writes the application, a history row and, after
commit, tells the citizen. Two officers deciding at once: the state and a version number are
compared in the UPDATE itself, so the second gets a conflict and changes nothing.

A package by stage: `common` (definitions, access, the checked update), `drafts`, `submission`,
`workflow` (steps, automatic ones, registry changes and refusals), `duty` (the state duty; its
payment hook registers on import), `results` (the signed document), `telling` (notifications).
"""

from qyzmet.applications.actions.common import (
    DRAFT,
    access_application_by_id,
    access_application_for_officer,
    definition_of,
    officer_role,
    party_of,
    snapshot_for,
)
from qyzmet.applications.actions.drafts import application_draft_save, application_start
from qyzmet.applications.actions.duty import application_duty_refund
from qyzmet.applications.actions.results import application_result_issue
from qyzmet.applications.actions.submission import (
    application_offer,
    application_sign_sms_start,
    application_submit,
    signing_content,
)
from qyzmet.applications.actions.workflow import application_claim, application_transition

__all__ = [
    "DRAFT",
    "access_application_by_id",
    "access_application_for_officer",
    "application_claim",
    "application_draft_save",
    "application_duty_refund",
    "application_offer",
    "application_result_issue",
    "application_sign_sms_start",
    "application_start",
    "application_submit",
    "application_transition",
    "definition_of",
    "officer_role",
    "party_of",
    "signing_content",
    "snapshot_for",
]
