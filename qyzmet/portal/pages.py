"""What the portal's pages share: who may open one, and the domain's "not found" as a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qyzmet.core.errors import NotFound

P = ParamSpec("P")
T = TypeVar("T")
View = Callable[..., HttpResponse]


def citizen_page(*methods: str) -> Callable[[View], View]:
    """A page of the signed-in person: never cached, answering only the HTTP `methods`."""

    def declare(view: View) -> View:
        page: View = never_cache(login_required(require_http_methods(list(methods))(view)))
        return page

    return declare


def or_404(find: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """What `find` answers; a `NotFound` (unknown, or not the caller's) becomes a 404 page."""
    try:
        return find(*args, **kwargs)
    except NotFound as exc:
        raise Http404 from exc
