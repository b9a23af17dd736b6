"""The citizen's applications: apply, fill in (saved as you go), sign, submit, track."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from qyzmet.applications.actions import (
    access_application_by_id,
    application_countersign,
    application_countersign_sms_start,
    application_draft_save,
    application_sign_sms_start,
    application_start,
    application_submit,
    application_transition,
    definition_of,
    party_of,
    signing_content,
)
from qyzmet.applications.engine import transitions_for
from qyzmet.applications.forms import visible_fields
from qyzmet.applications.models import Application, ApplicationEvent
from qyzmet.applications.registries import UNKNOWN, registry_value
from qyzmet.applications.selectors import (
    application_history,
    application_list_for_citizen,
    working_days_left,
)
from qyzmet.core.calendar import working_calendar
from qyzmet.core.client import client_address
from qyzmet.core.errors import NotFound, QyzmetError, ValidationFailed
from qyzmet.core.mci import format_tenge
from qyzmet.documents.rendering import answer_rows
from qyzmet.feedback.selectors import rating_panel
from qyzmet.identity.phones import phone_mask
from qyzmet.portal.session import signed_in_account
from qyzmet.registries.selectors import plates_free_list

SIGNING = "qyzmet_signing"
# The certificate step is a view of the saved draft (?sign=certificate), not session state: what
# the browser signs is always rendered from the draft as it is in the database at that moment.
SIGN_PARAMETER = "sign"
CERTIFICATE = "certificate"
# Shown under the certificate file field: the page's own words for what went wrong (the
# verifier's messages speak of sign-in).
CERTIFICATE_ERRORS: dict[str, Promise] = {
    "certificate_mismatch": gettext_lazy(
        "This certificate belongs to another person. Sign with your own certificate."
    ),
    "certificate_revoked": gettext_lazy(
        "This certificate has been revoked. Get a new one to sign the application."
    ),
    "certificate_expired": gettext_lazy("This certificate has expired or is not valid yet."),
    "certificate_untrusted": gettext_lazy(
        "This certificate was not issued by a certification authority we trust, or it cannot "
        "be used to sign."
    ),
    "certificate_no_iin": gettext_lazy(
        "This certificate does not name an IIN, so it cannot be used to sign."
    ),
    "signature_invalid": gettext_lazy(
        "The signature does not match this application. Check the answers and sign again."
    ),
    "content_changed": gettext_lazy(
        "The application changed after this page was opened. Check the answers and sign again."
    ),
}
COUNTERSIGNING = "qyzmet_countersigning"
# What a registry change wrote, named for the history line.
WRITTEN: dict[str, Promise] = {
    "certificate_number": gettext_lazy("registration certificate"),
    "plate": gettext_lazy("plate"),
    "licence_number": gettext_lazy("driving licence"),
}
SIGNED_WITH: dict[str, Promise] = {
    "sms": gettext_lazy("signed by SMS code"),
    "certificate": gettext_lazy("signed with a certificate"),
}


def _mine(request: HttpRequest, application_id: str) -> Application:
    try:
        return access_application_by_id(
            account=signed_in_account(request), application_id=application_id
        )
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_POST
def apply(request: HttpRequest, code: str) -> HttpResponse:
    try:
        application = application_start(account=signed_in_account(request), service_code=code)
    except NotFound as exc:
        raise Http404 from exc
    except QyzmetError as exc:
        problems = exc.details.get("problems", []) if isinstance(exc.details, dict) else []
        messages.error(request, " ".join([str(exc.message), *problems]))
        return redirect("portal:service", code=code)
    return redirect("portal:application", application_id=application.pk)


@never_cache
@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    language = get_language()
    calendar = working_calendar()
    rows = []
    account = signed_in_account(request)
    for application in application_list_for_citizen(account=account):
        definition = definition_of(application)
        state = definition.workflow.states.get(application.state)
        party = definition.counterparty if party_of(application, account) != "citizen" else None
        rows.append(
            {
                "application": application,
                "service": definition.name.get(language),
                "as_party": party.label.get(language) if party else "",
                "state": state.label.get(language) if state else _("Draft"),
                "days_left": working_days_left(application, calendar=calendar),
            }
        )
    return render(request, "portal/applications.html", {"rows": rows})


def _editable(application: Application) -> bool:
    definition = definition_of(application)
    state = definition.workflow.states.get(application.state)
    return application.state == "draft" or bool(
        state and state.citizen_action and not application.outcome
    )


def _history_line(event: ApplicationEvent, grounds: dict[str, str]) -> str:
    """What a step wrote or why it refused, for the history (the comment is shown apart)."""
    changes = event.changes or {}
    written = changes.get("registry") or {}
    parts = [f"{WRITTEN[key]} {written[key]}" for key in WRITTEN if written.get(key)]
    if changes.get("document"):
        parts.append(_("document %(number)s") % {"number": changes["document"]})
    if event.grounds:
        parts.append(grounds.get(event.grounds, event.grounds))
    return "; ".join(str(part) for part in parts)


def _summary(definition: Any, answers: dict[str, Any], language: str) -> list[tuple[str, str]]:
    """The answers as the result document lists them, of the fields the form shows now."""
    shown = {f.key for f in visible_fields(definition, answers)}
    return answer_rows(definition, {k: v for k, v in answers.items() if k in shown}, language)


def _countersign_context(
    request: HttpRequest, application: Application, definition: Any, signed_steps: list[Any]
) -> dict[str, Any] | None:
    """What the second party's confirmation shows: the step, a held SMS code, and the exact
    content a certificate signs (the same bytes the applicant signed)."""
    if not signed_steps:
        return None
    certificate = None
    if CERTIFICATE in definition.signing:
        content = signing_content(application)
        certificate = {
            "content": base64.b64encode(content).decode(),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
    return {
        "label": signed_steps[0].label.get(get_language()),
        "held": request.session.get(COUNTERSIGNING, {}).get(str(application.pk)),
        "by_sms": "sms" in definition.signing,
        "certificate": certificate,
    }


def _payment_text(application: Application, definition: Any, language: str) -> str:
    party = definition.counterparty
    if (
        application.payment == Application.Payment.NOT_REQUIRED
        and application.fee_tiyn
        and party is not None
        and party.pays
        and not application.outcome
    ):
        return _("%(party)s pays it when confirming") % {"party": party.label.get(language)}
    return str(application.get_payment_display())


def _detail_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    language = get_language()
    definition = definition_of(application)
    answers = json.loads(application.form_data or "{}")
    state = definition.workflow.states.get(application.state)
    role = party_of(application, signed_in_account(request))
    change = definition.result.registry_change
    chosen_plate_key = (
        change.fields.get("plate")
        if change is not None and (change.registry, change.action) == ("vehicle", "register_first")
        else None
    )
    free_plates = (
        [p.number for p in plates_free_list(region=application.person.region)]
        if chosen_plate_key and application.state == "draft"
        else []
    )
    editable = role == "citizen" and (
        application.state == "draft"
        or bool(state and state.citizen_action and not application.outcome)
    )
    fields = [
        {
            "field": f,
            "label": f.label.get(language),
            "help": f.help.get(language) if f.help else "",
            "value": answers.get(f.key, ""),
            "options": [(o.value, o.label.get(language)) for o in f.options],
            "marked": f.key in application.correction_fields,
            "free_plates": free_plates if f.key == chosen_plate_key else [],
        }
        for f in visible_fields(definition, answers)
    ]
    prefill = []
    for item in definition.prefill:
        value = registry_value(person=application.person, source=item.source)
        prefill.append((item.label.get(language), "—" if value is UNKNOWN else value))
    steps = transitions_for(definition, application.state, role) if state else []
    signed_steps = [t for t in steps if "signature" in t.requires]
    grounds = {g.code: g.text.get(language) for g in definition.refusal_grounds}
    return {
        # the applicant rates a decided application once (the second party does not)
        "rating_panel": rating_panel(application=application) if role == "citizen" else None,
        "party_label": (
            definition.counterparty.label.get(language)
            if role == "counterparty" and definition.counterparty
            else ""
        ),
        "summary": [] if editable else _summary(definition, answers, language),
        "countersign": _countersign_context(request, application, definition, signed_steps),
        "application": application,
        "service": definition,
        "service_name": definition.name.get(language),
        "state_label": state.label.get(language) if state else _("Draft"),
        "waiting_for_you": bool(signed_steps)
        if role == "counterparty"
        else bool(state and state.citizen_action),
        "fields": fields,
        "prefill": prefill,
        "editable": editable,
        "fee_text": format_tenge(application.fee_tiyn, language) if application.fee_tiyn else "",
        "payment_text": _payment_text(application, definition, language),
        "days_left": working_days_left(application),
        "history": [
            (
                e,
                definition.workflow.states[e.to_state].label.get(language)
                if e.to_state in definition.workflow.states
                else e.to_state,
                SIGNED_WITH.get(str((e.changes or {}).get("signature", "")), ""),
                _history_line(e, grounds),
            )
            for e in application_history(application=application)
        ],
        "steps": [
            (t.name, t.label.get(language))
            for t in steps
            if t.name != "resubmit" and "signature" not in t.requires
        ],
        "can_resubmit": any(t.name == "resubmit" for t in steps),
        "signing": request.session.get(SIGNING, {}).get(str(application.pk)),
        "sign_by_sms": "sms" in definition.signing,
        "sign_by_certificate": CERTIFICATE in definition.signing,
        "idempotency_key": uuid.uuid4().hex,
    }


def _certificate_step(application: Application) -> dict[str, Any] | None:
    """What the certificate step signs: the saved draft's canonical content, or None when the
    draft cannot be signed (not a draft, not complete, or the service takes no certificates)."""
    definition = definition_of(application)
    if application.state != "draft" or CERTIFICATE not in definition.signing:
        return None
    try:
        content = signing_content(application)
    except QyzmetError:
        return None
    answers = json.loads(application.form_data or "{}")
    return {
        "content": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest(),
        "summary": _summary(definition, answers, get_language()),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application_page(request: HttpRequest, application_id: str) -> HttpResponse:
    application = _mine(request, application_id)
    status = 200
    errors: dict[str, str] = {}
    error = ""
    certificate_step = request.GET.get(SIGN_PARAMETER) == CERTIFICATE
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "submit_certificate":
            return _submit_with_certificate(request, application)
        if party_of(application, signed_in_account(request)) == "counterparty":
            return _as_counterparty(request, application, action)
        definition = definition_of(application)
        answers = {
            f.key: (request.POST.get(f.key) == "on") if f.type == "boolean" else
            request.POST.get(f.key, "")
            for f in definition.form
            if f.key in request.POST or f.type == "boolean"
        }  # fmt: skip
        try:
            if action in ("save", "sign", "sign_certificate", "resubmit") or (
                action not in ("submit", "withdraw", "decline") and _editable(application)
            ):
                application, errors = application_draft_save(
                    account=signed_in_account(request),
                    application_id=application_id,
                    answers=answers,
                )
            if errors:
                error = _("Some fields are not filled in correctly.")
                status = 422
            elif action == "sign":
                issued = application_sign_sms_start(
                    account=signed_in_account(request), application_id=application_id,
                    client=client_address(request), language=get_language(),
                )  # fmt: skip
                signing = request.session.get(SIGNING, {})
                signing[str(application.pk)] = {
                    "code_id": issued.id,
                    "phone": phone_mask(issued.phone_e164),
                }
                request.session[SIGNING] = signing
                return redirect("portal:application", application_id=application_id)
            elif action == "sign_certificate":
                signing_content(application)  # complete? (raises with the field errors)
                return _to_certificate_step(application)
            elif action == "submit":
                held = request.session.get(SIGNING, {}).get(str(application.pk), {})
                application_submit(
                    account=signed_in_account(request), application_id=application_id,
                    idempotency_key=request.POST.get("idempotency_key", ""),
                    client=client_address(request), code_id=held.get("code_id", ""),
                    code=request.POST.get("code", ""),
                )  # fmt: skip
                request.session.get(SIGNING, {}).pop(str(application.pk), None)
                request.session.modified = True
                messages.success(request, _("Your application is submitted."))
                return redirect("portal:application", application_id=application_id)
            elif action == "save":
                messages.success(request, _("Saved."))
                return redirect("portal:application", application_id=application_id)
            else:
                application_transition(
                    actor=signed_in_account(request), application_id=application_id, name=action,
                    role="citizen",
                )  # fmt: skip
                return redirect("portal:application", application_id=application_id)
        except QyzmetError as exc:
            error, status = str(exc.message), exc.status
            if isinstance(exc.details, dict):
                for item in exc.details.get("fields", []):
                    errors[item.get("field", "")] = item.get("message", "")
        application.refresh_from_db()
        certificate_step = False
    return _render(request, application, errors=errors, error=error, status=status,
                   certificate_step=certificate_step)  # fmt: skip


def _as_counterparty(request: HttpRequest, application: Application, action: str) -> HttpResponse:
    """The second party's post: ask for a code, confirm with it, or a plain step (decline)."""
    key = str(application.pk)
    held = request.session.get(COUNTERSIGNING, {})
    try:
        if action == "countersign_code":
            issued = application_countersign_sms_start(
                account=signed_in_account(request), application_id=key,
                client=client_address(request),
                language=get_language(),
            )  # fmt: skip
            held[key] = {"code_id": issued.id, "phone": phone_mask(issued.phone_e164)}
            request.session[COUNTERSIGNING] = held
        elif action in ("countersign", "countersign_certificate"):
            if action == "countersign_certificate":
                signed = request.POST.get("content_sha256", "")
                if signed != hashlib.sha256(signing_content(application)).hexdigest():
                    raise ValidationFailed(
                        CERTIFICATE_ERRORS["content_changed"], code="content_changed"
                    )
                application_countersign(
                    account=signed_in_account(request), application_id=key,
                    client=client_address(request),
                    signature_b64=request.POST.get("signature", ""),
                )  # fmt: skip
            else:
                application_countersign(
                    account=signed_in_account(request), application_id=key,
                    client=client_address(request),
                    code_id=held.get(key, {}).get("code_id", ""),
                    code=request.POST.get("code", ""),
                )  # fmt: skip
            held.pop(key, None)
            request.session.modified = True
            messages.success(request, _("Confirmed and signed."))
        else:
            application_transition(
                actor=signed_in_account(request), application_id=key, name=action, role="citizen"
            )
    except QyzmetError as exc:
        application.refresh_from_db()
        message = CERTIFICATE_ERRORS.get(exc.code, exc.message)
        errors = {"certificate": str(message)} if action == "countersign_certificate" else {}
        return _render(request, application, errors=errors, error=str(message),
                       status=exc.status, certificate_step=False)  # fmt: skip
    return redirect("portal:application", application_id=key)


def _to_certificate_step(application: Application) -> HttpResponse:
    url = reverse("portal:application", kwargs={"application_id": application.pk})
    return redirect(f"{url}?{SIGN_PARAMETER}={CERTIFICATE}")


def _render(
    request: HttpRequest,
    application: Application,
    *,
    errors: dict[str, str],
    error: str,
    status: int,
    certificate_step: bool,
) -> HttpResponse:
    context = _detail_context(request, application) | {"errors": errors, "error": error}
    context["certificate"] = _certificate_step(application) if certificate_step else None
    return render(request, "portal/application.html", context, status=status)


def _submit_with_certificate(request: HttpRequest, application: Application) -> HttpResponse:
    """The certificate step's post: a detached CMS the browser made over the content it was
    shown. The draft is not touched, so a refusal loses nothing."""
    try:
        if application.state == "draft":
            signed = request.POST.get("content_sha256", "")
            if signed != hashlib.sha256(signing_content(application)).hexdigest():
                raise ValidationFailed(
                    CERTIFICATE_ERRORS["content_changed"], code="content_changed"
                )
        application_submit(
            account=signed_in_account(request), application_id=str(application.pk),
            idempotency_key=request.POST.get("idempotency_key", ""),
            client=client_address(request), signature_b64=request.POST.get("signature", ""),
        )  # fmt: skip
    except QyzmetError as exc:
        field_errors = {}
        if isinstance(exc.details, dict):
            for item in exc.details.get("fields", []):
                field_errors[item.get("field", "")] = item.get("message", "")
        if field_errors:  # the saved draft is incomplete: back to the form
            return _render(request, application, errors=field_errors, error=str(exc.message),
                           status=exc.status, certificate_step=False)  # fmt: skip
        known = CERTIFICATE_ERRORS.get(exc.code)
        message = str(known) if known is not None else str(exc.message)
        application.refresh_from_db()
        return _render(request, application, errors={"certificate": message}, error=message,
                       status=exc.status, certificate_step=True)  # fmt: skip
    messages.success(request, _("Your application is submitted."))
    return redirect("portal:application", application_id=application.pk)
