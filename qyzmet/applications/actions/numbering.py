"""The number an application gets on submission (or on a proactive offer): the day's next
serial, unique by construction.

The day's counter is a row raised with `UPDATE … SET last = last + 1` in the caller's
transaction: a second submission of the day waits on that row lock until the first commits
(SQLite's writers wait on the database lock), so no two read the same serial. The first
submission of a day creates the row; two doing so at once meet at its primary key, and the loser
raises the row the winner made. A number taken already (a counter restored from an older
backup) is skipped, so the unique column is never what refuses a submission.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from qyzmet.applications.models import Application, ApplicationNumberDay
from qyzmet.applications.numbers import number_format


def _serial_next(day: date) -> int:
    counter = ApplicationNumberDay.objects.filter(day=day)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ApplicationNumberDay.objects.create(day=day, last=1)
        except IntegrityError:  # another transaction made the day's row first
            counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()


def number_allocate(*, on: date) -> str:
    """The next free number of the day `on`, in the caller's transaction (required: the counter's
    lock must last until the application holding the number is written)."""
    if not connection.in_atomic_block:
        raise RuntimeError("a number is allocated inside the transaction that stores it")
    while True:
        number = number_format(on, _serial_next(on))
        if not Application.objects.filter(number=number).exists():
            return number
