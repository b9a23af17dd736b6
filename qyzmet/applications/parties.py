"""The second party of a two-party service (the buyer of a car): confirming by signing the same
content the applicant signed, paying the duty when it is theirs, and the lapse of an application
the second party left unanswered.

The counterparty reaches the application through the same choke point as the applicant
(`access_application_by_id`), once it is submitted; their steps are the definition's transitions of
role `counterparty`. A signed step writes their `Signature` and the move in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet.applications.actions.common import (
    _answers,
    _term_due,
    _update_checked,
    _with_snapshot,
    access_application_by_id,
    definition_of,
    party_of,
)
from qyzmet.applications.actions.duty import _duty_invoice
from qyzmet.applications.actions.submission import (
    _signature,
    _signing_allowed,
    sign_code_issue,
    signing_content,
)
from qyzmet.applications.actions.workflow import _move, _run_automatic_steps
from qyzmet.applications.engine import transitions_for
from qyzmet.applications.models import Application, Signature
from qyzmet.catalogue.schema import ServiceDefinition, Transition
from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core.calendar import local_today
from qyzmet.core.errors import Conflict, NotFound
from qyzmet.identity.actions.otp import IssuedCode
from qyzmet.identity.models import Account

logger = logging.getLogger(__name__)


def _as_counterparty(account: Account, application_id: str) -> Application:
    application = access_application_by_id(account=account, application_id=application_id)
    if party_of(application, account) != "counterparty":
        raise NotFound()
    return application


def _signed_step(definition: ServiceDefinition, application: Application) -> Transition:
    step = next(
        (
            t
            for t in transitions_for(definition, application.state, "counterparty")
            if "signature" in t.requires
        ),
        None,
    )
    if step is None:
        raise Conflict(
            _("This step is not possible for the application in its current state."),
            code="transition_not_allowed",
        )
    return step


def application_countersign_sms_start(
    *, account: Account, application_id: str, client: str, language: str
) -> IssuedCode:
    """Send the second party a code to sign the application's content."""
    application = _as_counterparty(account, application_id)
    definition = definition_of(application)
    _signed_step(definition, application)
    person = application.counterparty
    assert person is not None  # noqa: S101 - a counterparty's application names them
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
    application = _as_counterparty(account, application_id)
    if Signature.objects.filter(
        application=application, party=Signature.Party.COUNTERPARTY
    ).exists():
        return application
    definition = definition_of(application)
    step = _signed_step(definition, application)
    method = "sms" if code_id else "certificate"
    _signing_allowed(definition, method)
    content = signing_content(application)
    digest = hashlib.sha256(content).hexdigest()
    signature = _signature(
        application, content, digest, client, code_id, code, signature_b64,
        signer=application.counterparty,
    )  # fmt: skip
    with transaction.atomic():
        _move(
            application, definition, step, actor=account, role="counterparty",
            changes={"signature": signature.method},
        )  # fmt: skip
        signature.application = application
        signature.party = Signature.Party.COUNTERPARTY
        signature.save()
        party = definition.counterparty
        values: dict[str, object] = {"updated_at": timezone.now()}
        if party is not None and party.pays and application.fee_tiyn:
            # the legal term starts when the duty is credited (`_duty_paid`)
            values["payment"] = Application.Payment.AWAITING
            _duty_invoice(application, definition, _answers(application))
        else:
            values["due_date"] = _term_due(definition)
        _update_checked(
            application,
            values,
            Conflict(_("The application changed meanwhile. Reload it."), code="retry"),
        )
        _run_automatic_steps(application, definition)
    return application


def lapse_sweep(*, today: date | None = None) -> int:
    """Take the `on_deadline` transition (a lapse) of every application whose state's deadline
    has passed; answers how many lapsed. Each in its own transaction; one another process moved
    meanwhile is left to it."""
    today = today or local_today()
    # Only states that lapse somewhere in the catalogue (an older version of a service keeps the
    # names of its states): the many overdue hearings and reviews escalate, they never lapse.
    lapsing = {
        name
        for service in catalogue_get().services.values()
        for name, state in service.workflow.states.items()
        if state.on_deadline is not None
    }
    candidates = _with_snapshot(
        Application.objects.filter(outcome="", state_due_date__lt=today, state__in=lapsing)
    ).order_by("state_due_date", "pk")
    lapsed = 0
    for application in candidates.iterator(chunk_size=500):
        definition = definition_of(application)
        state = definition.workflow.states.get(application.state)
        if state is None or state.on_deadline is None:
            continue
        transition = next(
            t
            for t in definition.workflow.transitions_from(application.state)
            if t.name == state.on_deadline
        )
        try:
            with transaction.atomic():
                _move(application, definition, transition, actor=None, role="system")
        except Conflict:
            continue
        lapsed += 1
    if lapsed:
        logger.info("applications lapsed", extra={"lapsed": lapsed})
    return lapsed
