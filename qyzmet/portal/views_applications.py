"""The citizen's applications: apply, fill in (saved as you go), sign, submit, track.

The page shows `applications.overview.application_overview`; each button on it posts to its own
small view under the application's URL, which calls one action and redirects back to the page
(or shows it again with the refusal)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from qyzmet.applications.actions import (
    access_application_by_id,
    application_countersign,
    application_countersign_sms_start,
    application_draft_save,
    application_resubmit,
    application_sign_sms_start,
    application_start,
    application_submit,
    application_transition,
    definition_of,
    signing_content,
)
from qyzmet.applications.errors import ErrorCode
from qyzmet.applications.models import Application
from qyzmet.applications.overview import (
    ApplicationOverview,
    application_answers_summary,
    application_overview,
    application_overview_list,
)
from qyzmet.applications.words import Role
from qyzmet.core.client import client_address
from qyzmet.core.errors import NotFound, QyzmetError, ValidationFailed
from qyzmet.feedback.selectors import rating_panel
from qyzmet.identity.phones import phone_mask
from qyzmet.portal.pages import citizen_page, or_404
from qyzmet.portal.session import signed_in_account

SIGNING = "qyzmet_signing"
COUNTERSIGNING = "qyzmet_countersigning"
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
# Steps that leave the answers as they are, even on an editable application.
STEPS_WITHOUT_SAVING = ("withdraw", "decline")


def _mine(request: HttpRequest, application_id: str) -> Application:
    account = signed_in_account(request)
    return or_404(access_application_by_id, account=account, application_id=application_id)


def _overview(request: HttpRequest, application: Application) -> ApplicationOverview:
    return application_overview(
        account=signed_in_account(request), application=application, language=get_language(),
        with_form=True,
    )  # fmt: skip


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
    rows = application_overview_list(account=signed_in_account(request), language=get_language())
    return render(request, "portal/applications.html", {"rows": rows})


@citizen_page("GET")
def application_page(request: HttpRequest, application_id: str) -> HttpResponse:
    application = _mine(request, application_id)
    certificate_step = request.GET.get(SIGN_PARAMETER) == CERTIFICATE
    return _render(request, application, certificate_step=certificate_step)


def _render(
    request: HttpRequest,
    application: Application,
    *,
    errors: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
    certificate_step: bool = False,
) -> HttpResponse:
    overview = _overview(request, application)
    key = str(application.pk)
    context = {
        "overview": overview,
        "form": overview.form,
        # the applicant rates a decided application once (the second party does not)
        "rating_panel": rating_panel(application=application)
        if overview.role == Role.CITIZEN
        else None,
        "countersign": _countersign(request, application, overview),
        "certificate": _certificate_step(application, overview) if certificate_step else None,
        "signing": request.session.get(SIGNING, {}).get(key),
        "idempotency_key": uuid.uuid4().hex,
        "errors": errors or {},
        "error": error,
    }
    context["summary_links"], context["error_notes"] = _summary(overview, errors or {})
    return render(request, "portal/application.html", context, status=status)


def _summary(
    overview: ApplicationOverview, errors: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The error summary's links ({field id: message}, in the form's order) to the fields the
    page shows, and what the refusal says of fields it does not show."""
    shown = [f.key for f in overview.form.fields] if overview.form else []
    links = {f"f-{key}": errors[key] for key in shown if key in errors}
    if "certificate" in errors:
        links["p12"] = errors["certificate"]
    notes = [m for k, m in errors.items() if k not in shown and k != "certificate" and m]
    return links, notes


def _signed(content: bytes) -> dict[str, str]:
    """What the browser signs with a certificate, and the digest the post sends back."""
    return {
        "content": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def _countersign(
    request: HttpRequest, application: Application, overview: ApplicationOverview
) -> dict[str, Any] | None:
    """What the second party's confirmation shows: the step, a held SMS code, and the exact
    content a certificate signs (the same bytes the applicant signed)."""
    step = overview.countersign_step
    if step is None or overview.blocked:
        return None
    return {
        "label": step.label,
        "held": request.session.get(COUNTERSIGNING, {}).get(str(application.pk)),
        "by_sms": overview.sign_by_sms,
        "certificate": (
            _signed(signing_content(application)) if overview.sign_by_certificate else None
        ),
    }


def _certificate_step(
    application: Application, overview: ApplicationOverview
) -> dict[str, Any] | None:
    """What the certificate step signs: the saved draft's canonical content, or None when the
    draft cannot be signed (not a draft, not complete, or the service takes no certificates)."""
    signable = overview.is_draft or overview.can_resubmit  # a correction is signed again
    if not signable or not overview.sign_by_certificate or overview.blocked:
        return None
    try:
        content = signing_content(application)
    except QyzmetError:
        return None
    summary = application_answers_summary(application=application, language=get_language())
    return _signed(content) | {"summary": summary}


def _to_page(application: Application) -> HttpResponse:
    return redirect("portal:application", application_id=application.pk)


def _field_errors(exc: QyzmetError) -> dict[str, str]:
    if not isinstance(exc.details, dict):
        return {}
    return {i.get("field", ""): i.get("message", "") for i in exc.details.get("fields", [])}


def _refused(request: HttpRequest, application: Application, exc: QyzmetError) -> HttpResponse:
    """The page again, with the refusal and the fields it names."""
    application.refresh_from_db()
    return _render(request, application, errors=_field_errors(exc), error=str(exc.message),
                   status=exc.status)  # fmt: skip


def _posted_answers(request: HttpRequest, application: Application) -> dict[str, Any]:
    """The form's answers in the post (an unticked checkbox is not posted: it is False)."""
    return {
        f.key: (request.POST.get(f.key) == "on") if f.type == "boolean" else
        request.POST.get(f.key, "")
        for f in definition_of(application).form
        if f.key in request.POST or f.type == "boolean"
    }  # fmt: skip


def _saved(request: HttpRequest, application: Application) -> HttpResponse | None:
    """Save the posted answers; the page with the field errors (422) when some are wrong."""
    saved, errors = application_draft_save(
        account=signed_in_account(request), application_id=str(application.pk),
        answers=_posted_answers(request, application),
    )  # fmt: skip
    if not errors:
        return None
    return _render(request, saved, errors=errors, status=422,
                   error=_("Some fields are not filled in correctly."))  # fmt: skip


Action = Callable[[HttpRequest, Application], HttpResponse]


def _action(view: Action) -> Callable[[HttpRequest, str], HttpResponse]:
    """A button of the application page: signed in, POST only, the application reachable (404
    otherwise), and a refusal shown on the page."""

    @login_required
    @require_POST
    def wrapped(request: HttpRequest, application_id: str) -> HttpResponse:
        application = _mine(request, application_id)
        try:
            return view(request, application)
        except QyzmetError as exc:
            return _refused(request, application, exc)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_required
@require_POST
def application_save(request: HttpRequest, application_id: str) -> HttpResponse:
    """Save the draft (kept even when some answers are wrong). The page's script saves it so as
    the citizen types, asking for JSON: it is told only whether the answers were kept (the
    field errors wait for the citizen's own save or signing)."""
    application = _mine(request, application_id)
    if request.headers.get("Accept", "").startswith("application/json"):
        return _saved_quietly(request, application)
    try:
        if refused := _saved(request, application):
            return refused
    except QyzmetError as exc:
        return _refused(request, application, exc)
    messages.success(request, _("Saved."))
    return _to_page(application)


def _saved_quietly(request: HttpRequest, application: Application) -> JsonResponse:
    try:
        _, errors = application_draft_save(
            account=signed_in_account(request), application_id=str(application.pk),
            answers=_posted_answers(request, application),
        )  # fmt: skip
    except QyzmetError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"saved": True, "errors": errors})


@_action
def application_sign_sms(request: HttpRequest, application: Application) -> HttpResponse:
    """Save the answers and send a code to sign them by SMS."""
    if refused := _saved(request, application):
        return refused
    key = str(application.pk)
    issued = application_sign_sms_start(
        account=signed_in_account(request), application_id=key, client=client_address(request),
        language=get_language(),
    )  # fmt: skip
    signing = request.session.get(SIGNING, {})
    signing[key] = {"code_id": issued.id, "phone": phone_mask(issued.phone_e164)}
    request.session[SIGNING] = signing
    return _to_page(application)


@_action
def application_sign_certificate(request: HttpRequest, application: Application) -> HttpResponse:
    """Save the answers and go to the certificate step, if they are complete."""
    if refused := _saved(request, application):
        return refused
    application.refresh_from_db()
    signing_content(application)  # complete? (raises with the field errors)
    url = reverse("portal:application", kwargs={"application_id": application.pk})
    return redirect(f"{url}?{SIGN_PARAMETER}={CERTIFICATE}")


@_action
def application_submit_sms(request: HttpRequest, application: Application) -> HttpResponse:
    """Sign with the code sent by SMS and submit."""
    key = str(application.pk)
    held = request.session.get(SIGNING, {}).get(key, {})
    application_submit(
        account=signed_in_account(request), application_id=key,
        idempotency_key=request.POST.get("idempotency_key", ""), client=client_address(request),
        code_id=held.get("code_id", ""), code=request.POST.get("code", ""),
    )  # fmt: skip
    request.session.get(SIGNING, {}).pop(key, None)
    request.session.modified = True
    messages.success(request, _("Your application is submitted."))
    return _to_page(application)


@login_required
@require_POST
def application_submit_certificate(request: HttpRequest, application_id: str) -> HttpResponse:
    """The certificate step's post: a detached CMS the browser made over the content it was
    shown. The draft is not touched, so a refusal loses nothing."""
    application = _mine(request, application_id)
    try:
        # a corrected application is signed again; a submitted one answers a retry as before
        again = application.state != "draft" and _overview(request, application).can_resubmit
        if application.state == "draft" or again:
            _require_same_content(request, application)
        if again:
            _resubmitted(request, application)
        else:
            application_submit(
                account=signed_in_account(request), application_id=str(application.pk),
                idempotency_key=request.POST.get("idempotency_key", ""),
                client=client_address(request), signature_b64=request.POST.get("signature", ""),
            )  # fmt: skip
    except QyzmetError as exc:
        if _field_errors(exc):  # the saved draft is incomplete: back to the form
            return _refused(request, application, exc)
        message = str(CERTIFICATE_ERRORS.get(exc.code, exc.message))
        application.refresh_from_db()
        return _render(request, application, errors={"certificate": message}, error=message,
                       status=exc.status, certificate_step=True)  # fmt: skip
    messages.success(request, _("Your application is submitted."))
    return _to_page(application)


def _require_same_content(request: HttpRequest, application: Application) -> None:
    signed = request.POST.get("content_sha256", "")
    if signed != hashlib.sha256(signing_content(application)).hexdigest():
        raise ValidationFailed(
            CERTIFICATE_ERRORS["content_changed"], code=ErrorCode.CONTENT_CHANGED
        )


@login_required
@require_POST
def application_step(request: HttpRequest, application_id: str, name: str) -> HttpResponse:
    """Take a step: resubmit after correction, withdraw, accept or decline an offer, … The
    applicant's answers on the page are saved first, unless the step leaves them."""
    application = _mine(request, application_id)
    overview = application_overview(
        account=signed_in_account(request), application=application, language=get_language()
    )
    saves = overview.role == Role.CITIZEN and (
        name == "resubmit" or (name not in STEPS_WITHOUT_SAVING and overview.editable)
    )
    try:
        if saves and (refused := _saved(request, application)):
            return refused
        if name == "resubmit" and str(application.pk) in request.session.get(SIGNING, {}):
            _resubmitted(request, application)  # signed with the code sent
        else:
            application_transition(
                actor=signed_in_account(request), application_id=str(application.pk), name=name,
                role=Role.CITIZEN,
            )  # fmt: skip
    except QyzmetError as exc:
        if overview.role == Role.COUNTERPARTY:
            return _countersign_refused(request, application, exc)
        return _refused(request, application, exc)
    return _to_page(application)


def _resubmitted(request: HttpRequest, application: Application) -> None:
    """Send the corrected application back, signed with the code held or the posted CMS."""
    key = str(application.pk)
    application_resubmit(
        account=signed_in_account(request), application_id=key, client=client_address(request),
        code_id=request.session.get(SIGNING, {}).get(key, {}).get("code_id", ""),
        code=request.POST.get("code", ""), signature_b64=request.POST.get("signature", ""),
    )  # fmt: skip
    request.session.get(SIGNING, {}).pop(key, None)
    request.session.modified = True


def _countersign_refused(
    request: HttpRequest, application: Application, exc: QyzmetError, *, certificate: bool = False
) -> HttpResponse:
    """The second party's page again, in the certificate's words where it was one."""
    application.refresh_from_db()
    message = str(CERTIFICATE_ERRORS.get(exc.code, exc.message))
    errors = {"certificate": message} if certificate else {}
    return _render(request, application, errors=errors, error=message, status=exc.status)


@login_required
@require_POST
def application_countersign_sms(request: HttpRequest, application_id: str) -> HttpResponse:
    """As the second party: send me a code to confirm by signing."""
    application = _mine(request, application_id)
    key = str(application.pk)
    try:
        issued = application_countersign_sms_start(
            account=signed_in_account(request), application_id=key, client=client_address(request),
            language=get_language(),
        )  # fmt: skip
    except QyzmetError as exc:
        return _countersign_refused(request, application, exc)
    held = request.session.get(COUNTERSIGNING, {})
    held[key] = {"code_id": issued.id, "phone": phone_mask(issued.phone_e164)}
    request.session[COUNTERSIGNING] = held
    return _to_page(application)


@login_required
@require_POST
def application_countersign_code(request: HttpRequest, application_id: str) -> HttpResponse:
    """As the second party: confirm with the code sent by SMS."""
    application = _mine(request, application_id)
    key = str(application.pk)
    held = request.session.get(COUNTERSIGNING, {})
    try:
        application_countersign(
            account=signed_in_account(request), application_id=key, client=client_address(request),
            code_id=held.get(key, {}).get("code_id", ""), code=request.POST.get("code", ""),
        )  # fmt: skip
    except QyzmetError as exc:
        return _countersign_refused(request, application, exc)
    return _countersigned(request, application)


@login_required
@require_POST
def application_countersign_certificate(request: HttpRequest, application_id: str) -> HttpResponse:
    """As the second party: confirm with a certificate signature over the applicant's content."""
    application = _mine(request, application_id)
    try:
        _require_same_content(request, application)
        application_countersign(
            account=signed_in_account(request), application_id=str(application.pk),
            client=client_address(request), signature_b64=request.POST.get("signature", ""),
        )  # fmt: skip
    except QyzmetError as exc:
        return _countersign_refused(request, application, exc, certificate=True)
    return _countersigned(request, application)


def _countersigned(request: HttpRequest, application: Application) -> HttpResponse:
    request.session.get(COUNTERSIGNING, {}).pop(str(application.pk), None)
    request.session.modified = True
    messages.success(request, _("Confirmed and signed."))
    return _to_page(application)
