"""Reading what a page shows: the domain's "not found" is the page's 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.http import Http404

from qyzmet.core.errors import NotFound

P = ParamSpec("P")
T = TypeVar("T")


def or_404(find: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """What `find` answers; a `NotFound` (unknown, or not the caller's) becomes a 404 page."""
    try:
        return find(*args, **kwargs)
    except NotFound as exc:
        raise Http404 from exc
