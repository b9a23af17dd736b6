"""The background work a step leaves behind, enqueued by name: the result document of an
approval and the refund of a duty.

The tasks that do this work call the actions, so the actions cannot import the tasks without an
import circle. `ApplicationsConfig.ready()` hands each task over once (`followup_register`);
a step then enqueues it through `followup_enqueue`, in the step's own transaction, so the work
is never lost and never runs for a step that rolled back.
"""

from __future__ import annotations

from enum import StrEnum

from django_tasks.base import Task


class FollowUp(StrEnum):
    RESULT_DOCUMENT = "result_document"  # render, sign and store an approval's document
    DUTY_REFUND = "duty_refund"  # return a paid duty through the gateway


_TASKS: dict[FollowUp, Task[[str], None]] = {}


def followup_register(kind: FollowUp, task: Task[[str], None]) -> None:
    """Name the task that does `kind` (called once, by the app's `ready()`)."""
    _TASKS[kind] = task


def followup_enqueue(kind: FollowUp, *, application_id: str) -> None:
    """Enqueue `kind` for the application, in the caller's transaction."""
    task = _TASKS.get(kind)
    if task is None:
        raise RuntimeError(f"no task is registered for {kind}: the app's ready() registers it")
    task.enqueue(application_id)
