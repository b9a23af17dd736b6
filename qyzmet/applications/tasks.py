"""Background work of the applications app, and the deadline sweep, every 15 minutes.

The sweep is one of the periodic sweeps (`QYZMET_PERIODIC_SWEEPS`, `qyzmet.core.periodic`): the
worker starts it, each run enqueues the next. It escalates each application once, so running it
again is always safe.
"""

from __future__ import annotations

from django_tasks import task

from qyzmet.applications.actions.duty import application_duty_refund
from qyzmet.applications.actions.results import (
    application_result_issue,
    application_results_sweep,
)
from qyzmet.applications.deadlines import deadlines_sweep
from qyzmet.core.periodic import periodic_next


@task()
def duty_refund_task(application_id: str) -> None:
    """Return an ended application's paid duty (enqueued by the step that ended it)."""
    application_duty_refund(application_id=application_id)


@task()
def result_document_task(application_id: str) -> None:
    """Render, sign and store an approved application's result document."""
    application_result_issue(application_id=application_id)


@task()
def deadlines_sweep_task() -> dict[str, int]:
    # The next run first: a run that fails, or whose worker dies, must not end the chain. A run
    # that overlaps the next is harmless (locked rows are skipped, escalation is conditional).
    periodic_next("deadlines")
    report = deadlines_sweep()
    return {"escalated": report.escalated, "checked": report.checked}


@task()
def result_documents_sweep_task() -> dict[str, int]:
    """Approved applications without their document (their task lost or given up) get it."""
    periodic_next("result_documents")
    return application_results_sweep()
