"""Who may do what with a survey, and the choke points that find a survey for someone.

The rule for survey staff (interviewers, and whoever reads results before a survey closes) is
deliberately simple: an active staff account (`is_staff`) that works for at least one agency
(an `OfficerMembership` of any agency, any role). Refusals are the same `NotFound` as an unknown
survey code, so a draft's existence is not given away.
"""

from __future__ import annotations

import re
from typing import Any

from qyzmet.applications.models import OfficerMembership
from qyzmet.core.errors import NotFound
from qyzmet.surveys.models import Survey

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def survey_staff_is(account: Any) -> bool:
    """True for an interviewer: an active staff account with an agency membership."""
    if account is None or not getattr(account, "is_authenticated", False):
        return False
    if not (account.is_active and account.is_staff):
        return False
    return OfficerMembership.objects.filter(account_id=account.pk).exists()


def _survey_by_code(code: str) -> Survey | None:
    if not CODE.match(code):  # a code is a slug; anything else is not worth a query
        return None
    return Survey.objects.filter(code=code).first()


def access_survey_by_code(*, code: str, account: Any = None) -> Survey:
    """A survey the public may see (open or closed); survey staff also see drafts."""
    survey = _survey_by_code(code)
    if survey is None:
        raise NotFound()
    if survey.status == Survey.Status.DRAFT and not survey_staff_is(account):
        raise NotFound()
    return survey


def access_survey_results(*, code: str, account: Any = None) -> Survey:
    """Results are public once a survey is closed; before that only survey staff see them
    (partial results published while answers still come in would sway the answers)."""
    survey = _survey_by_code(code)
    if survey is None:
        raise NotFound()
    if survey.status != Survey.Status.CLOSED and not survey_staff_is(account):
        raise NotFound()
    return survey


def access_survey_for_staff(*, code: str, account: Any) -> Survey:
    """Interviewer entry, quota progress, imports: survey staff only."""
    survey = _survey_by_code(code)
    if survey is None or not survey_staff_is(account):
        raise NotFound()
    return survey
