"""The second party of a two-party service (the buyer of a car): confirming by signing the same
content the applicant signed, and then paying the duty when it is theirs.

The counterparty reaches the application through the same choke point as the applicant
(`access_application_by_id`), once it is submitted; their steps are the definition's transitions
of role `counterparty`. A signed step writes their `Signature` and the move in one transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.applications.access import access_application_for_counterparty
from qyzmet.applications.actions.definitions import answers_of, definition_of, term_due
from qyzmet.applications.actions.duty import duty_invoice
from qyzmet.applications.actions.locking import application_update_checked
from qyzmet.applications.actions.signing import (
    sign_code_issue,
    signature_check,
    signature_save,
    signing_content,
    signing_method_of,
    signing_method_require,
)
from qyzmet.applications.actions.step import step_move, steps_automatic_run
from qyzmet.applications.engine import transitions_for
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.models import Application, Signature
from qyzmet.applications.refusals import refusals_check
from qyzmet.applications.words import Role
from qyzmet.catalogue.schema import ServiceDefinition, Transition
from qyzmet.core.errors import Conflict
from qyzmet.identity.actions.otp import IssuedCode
from qyzmet.identity.models import Account


def _signed_step(definition: ServiceDefinition, application: Application) -> Transition:
    step = next(
        (
            t
            for t in transitions_for(definition, application.state, Role.COUNTERPARTY)
            if "signature" in t.requires
        ),
        None,
    )
    if step is None:
        raise Conflict(
            _("This step is not possible for the application in its current state."),
            code=ErrorCode.TRANSITION_NOT_ALLOWED,
        )
    return step


def _refusals_check(definition: ServiceDefinition, application: Application) -> None:
    """The second party signs (and then pays) nothing that would be refused: a car arrested
    since the seller signed, a buyer who owns it already…"""
    refusals_check(
        definition=definition,
        person=application.person,
        answers=answers_of(application),
        counterparty=application.counterparty,
    )


def application_countersign_sms_start(
    *, account: Account, application_id: str, client: str, language: str
) -> IssuedCode:
    """Send the second party a code to sign the application's content."""
    application = access_application_for_counterparty(
        account=account, application_id=application_id
    )
    definition = definition_of(application)
    _signed_step(definition, application)
    person = application.counterparty
    assert person is not None  # noqa: S101 - a counterparty's application names them
    _refusals_check(definition, application)
    return sign_code_issue(
        application=application, signer=person, account=account, client=client, language=language
    )


def application_countersign(
    *,
    account: Account,
    application_id: str,
    client: str,
    code_id: str = "",
    code: str = "",
    signature_b64: str = "",
) -> Application:
    """The second party confirms by signing. A retry after success answers the application as
    it is; when the duty is theirs, the application then waits for their payment."""
    application = access_application_for_counterparty(
        account=account, application_id=application_id
    )
    if Signature.objects.filter(
        application=application, party=Signature.Party.COUNTERPARTY
    ).exists():
        return application
    definition = definition_of(application)
    step = _signed_step(definition, application)
    signing_method_require(definition, signing_method_of(code_id))
    _refusals_check(definition, application)
    signature = signature_check(
        application=application, content=signing_content(application), client=client,
        code_id=code_id, code=code, signature_b64=signature_b64, signer=application.counterparty,
    )  # fmt: skip
    with transaction.atomic():
        step_move(
            application, definition, step, actor=account, role=Role.COUNTERPARTY,
            changes={"signature": signature.method},
        )  # fmt: skip
        signature.application = application
        signature.party = Signature.Party.COUNTERPARTY
        signature_save(signature)
        party = definition.counterparty
        values: dict[str, object] = {"updated_at": timezone.now()}
        if party is not None and party.pays and application.fee_tiyn:
            # the legal term starts when the duty is credited (`duty_credit`)
            values["payment"] = Application.Payment.AWAITING
            duty_invoice(application, definition, answers_of(application))
        else:
            values["due_date"] = term_due(definition)
        application_update_checked(
            application=application,
            values=values,
            conflict=Conflict(
                _("The application changed meanwhile. Reload it."), code=ErrorCode.RETRY
            ),
        )
        steps_automatic_run(application, definition)
    return application
