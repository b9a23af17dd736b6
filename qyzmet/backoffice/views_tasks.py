"""Background tasks that gave up (tried as often as the retry policy allows), for staff: each
can be run again or dismissed once its failure is handled (`qyzmet.core.retries`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qyzmet.backoffice.session import signed_in_account
from qyzmet.core.actions import task_failed_dismiss, task_failed_run_again
from qyzmet.core.selectors import tasks_failed_list, tasks_health


@never_cache
@staff_member_required
@permission_required("django_tasks_database.view_dbtaskresult", raise_exception=True)
@require_GET
def failed_tasks(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "id": str(row.id),
            "task": row.task_path,
            "attempts": len(row.worker_ids),
            "enqueued_at": row.enqueued_at,
            "finished_at": row.finished_at,
            "error": row.exception_class_path,
            "traceback": row.traceback,
        }
        for row in tasks_failed_list()
    ]
    context = {"rows": rows, "health": tasks_health()}
    return render(request, "backoffice/failed_tasks.html", context)


@staff_member_required
@permission_required("django_tasks_database.change_dbtaskresult", raise_exception=True)
@require_POST
def failed_task_act(request: HttpRequest, task_id: str) -> HttpResponse:
    by = str(signed_in_account(request).pk)
    if request.POST.get("action") == "dismiss":
        done = task_failed_dismiss(task_id=task_id, by=by)
        message = _("The task was dismissed.")
    else:
        done = task_failed_run_again(task_id=task_id, by=by)
        message = _("The task is queued to run again.")
    if done:
        messages.success(request, message)
    else:
        messages.warning(request, _("This task is no longer waiting for a decision."))
    return redirect("backoffice:failed-tasks")
