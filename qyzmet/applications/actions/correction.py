"""Sending back a corrected application: signed again, as the first submission was, over its
new content (a code sent by `signing.application_sign_sms_start`, or a certificate's CMS over
`signing_content`); the step's history row names the fields changed since the last signature
(with the old and new values of those the service does not mark sensitive)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qyzmet.applications.access import access_application_by_id
from qyzmet.applications.actions.definitions import answers_of, definition_of, resigning_step
from qyzmet.applications.actions.signing import (
    signature_check,
    signing_content,
    signing_method_of,
    signing_method_require,
)
from qyzmet.applications.actions.step import application_transition
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.models import Application
from qyzmet.applications.refusals import refusals_check
from qyzmet.applications.words import Role
from qyzmet.core.errors import Conflict
from qyzmet.identity.models import Account


def application_resubmit(
    *,
    account: Account,
    application_id: str,
    client: str,
    code_id: str = "",
    code: str = "",
    signature_b64: str = "",
    expected_version: int | None = None,
) -> Application:
    """The applicant signs their corrected application and sends it back."""
    application = access_application_by_id(account=account, application_id=application_id)
    step = resigning_step(application) if application.applicant_id == account.pk else None
    if step is None:
        raise Conflict(
            _("This step is not possible for the application in its current state."),
            code=ErrorCode.TRANSITION_NOT_ALLOWED,
        )
    definition = definition_of(application)
    signing_method_require(definition, signing_method_of(code_id))
    refusals_check(  # nothing is signed that would be refused
        definition=definition, person=application.person, answers=answers_of(application),
        counterparty=application.counterparty,
    )  # fmt: skip
    signature = signature_check(
        application=application, content=signing_content(application), client=client,
        code_id=code_id, code=code, signature_b64=signature_b64,
    )  # fmt: skip
    return application_transition(
        actor=account, application_id=application_id, name=step.name, role=Role.CITIZEN,
        expected_version=expected_version, signature=signature,
    )  # fmt: skip
