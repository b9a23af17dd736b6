"""Writes of the applications app: drafts, signed submission, workflow steps, the duty.

Every state change is one transaction that writes the application, a history row and the
messages and tasks that follow it (outbox rows and task rows, in the same transaction). Two
officers deciding at once: the state and a version number are compared in the UPDATE itself, so
the second gets a conflict and changes nothing.

A package by concept, each module using only those listed before it:
`definitions` (the definition an application was submitted under, its answers, registry values,
terms), `history` (every `ApplicationEvent`), `conflicts` (an officer's own or their family's
application: refused and recorded), `locking` (the checked update), `numbering` (the day's
next number), `telling`
(messages), `duty` (invoice, credit, settlement, refund), `step` (a move, the automatic steps,
a registry's refusal, citizens' and officers' steps), `signing`, `submission`, `drafts`,
`counterparty` (the second party's confirmation), `correction` (a corrected application, signed
again), `opening` (an officer opening one: a
recorded data access), `results` (the signed document) and `paid`
(the paid hook: a credited duty lets the automatic steps run). The access choke points are in
`qyzmet.applications.access`.
"""

from qyzmet.applications.access import (
    access_application_by_id,
    access_application_for_officer,
    citizen_parties,
    officer_role,
    party_of,
)
from qyzmet.applications.actions.conflicts import ConflictOfInterest
from qyzmet.applications.actions.correction import application_resubmit
from qyzmet.applications.actions.counterparty import (
    application_countersign,
    application_countersign_sms_start,
)
from qyzmet.applications.actions.definitions import definition_of, snapshot_for
from qyzmet.applications.actions.drafts import application_draft_save, application_start
from qyzmet.applications.actions.duty import application_duty_refund
from qyzmet.applications.actions.opening import application_open_for_officer
from qyzmet.applications.actions.results import application_result_issue
from qyzmet.applications.actions.signing import (
    application_sign_sms_start,
    sign_code_issue,
    signing_content,
)
from qyzmet.applications.actions.step import application_claim, application_transition
from qyzmet.applications.actions.submission import application_offer, application_submit
from qyzmet.applications.words import DRAFT

__all__ = [
    "DRAFT",
    "ConflictOfInterest",
    "access_application_by_id",
    "access_application_for_officer",
    "application_claim",
    "application_countersign",
    "application_countersign_sms_start",
    "application_draft_save",
    "application_duty_refund",
    "application_offer",
    "application_open_for_officer",
    "application_resubmit",
    "application_result_issue",
    "application_sign_sms_start",
    "application_start",
    "application_submit",
    "application_transition",
    "citizen_parties",
    "definition_of",
    "officer_role",
    "party_of",
    "sign_code_issue",
    "signing_content",
    "snapshot_for",
]
