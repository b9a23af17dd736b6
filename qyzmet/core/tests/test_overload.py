"""The overload guard: requests beyond the in-flight limit are refused at once, never queued."""

import json
import threading
from collections.abc import Callable

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from qyzmet.core.overload import OverloadGuardMiddleware

RUSSIAN = "Сервис временно недоступен. Попробуйте чуть позже."


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("done")


def _guard(
    limit: int = 2, view: Callable[[HttpRequest], HttpResponse] = _ok
) -> OverloadGuardMiddleware:
    with override_settings(QYZMET_MAX_INFLIGHT=limit):
        return OverloadGuardMiddleware(view)


def _fill(guard: OverloadGuardMiddleware) -> None:
    for _ in range(guard.limit):
        assert guard.slots.acquire(blocking=False)


def _drain(guard: OverloadGuardMiddleware) -> None:
    for _ in range(guard.limit):
        guard.slots.release()


def test_requests_within_the_limit_pass_and_give_their_slot_back() -> None:
    guard = _guard(limit=1)

    first = guard(RequestFactory().get("/api/v1/services"))
    second = guard(RequestFactory().get("/api/v1/services"))

    assert first.status_code == second.status_code == 200
    assert guard.refused == 0


def test_a_full_process_refuses_api_calls_at_once_in_the_one_error_shape() -> None:
    guard = _guard(limit=2)
    _fill(guard)

    response = guard(RequestFactory().get("/api/v1/applications", HTTP_ACCEPT_LANGUAGE="ru"))

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"code": "overloaded", "message": RUSSIAN, "details": {}}
    assert guard.refused == 1


def test_pages_get_a_small_html_page_in_the_callers_language() -> None:
    guard = _guard(limit=1)
    _fill(guard)

    response = guard(RequestFactory().get("/services/", HTTP_ACCEPT_LANGUAGE="ru"))

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert RUSSIAN in page
    assert '<html lang="ru">' in page


def test_the_language_cookie_is_honoured() -> None:
    guard = _guard(limit=1)
    _fill(guard)
    request = RequestFactory().get("/api/v1/applications", HTTP_ACCEPT_LANGUAGE="en")
    request.COOKIES["qyzmet_language"] = "kk"

    body = json.loads(guard(request).content)

    assert body["message"] == "Қызмет уақытша қолжетімсіз. Сәлден соң қайталап көріңіз."


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_the_health_check_is_never_refused(path: str) -> None:
    guard = _guard(limit=1)
    _fill(guard)

    response = guard(RequestFactory().get(path))

    assert response.status_code == 200
    assert guard.refused == 0


def test_exempt_paths_come_from_settings() -> None:
    with override_settings(QYZMET_MAX_INFLIGHT=1, QYZMET_OVERLOAD_EXEMPT_PATHS=["/ready"]):
        guard = OverloadGuardMiddleware(_ok)
    _fill(guard)

    assert guard(RequestFactory().get("/ready")).status_code == 200
    assert guard(RequestFactory().get("/healthz")).status_code == 503


def test_the_limit_defaults_to_64_without_a_setting() -> None:
    with override_settings():
        from django.conf import settings

        if hasattr(settings, "QYZMET_MAX_INFLIGHT"):
            del settings.QYZMET_MAX_INFLIGHT
        guard = OverloadGuardMiddleware(_ok)

    assert guard.limit == 64


def test_a_slot_is_released_when_the_view_raises() -> None:
    def broken(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("boom")

    guard = _guard(limit=1, view=broken)

    for _ in range(3):
        with pytest.raises(RuntimeError):
            guard(RequestFactory().get("/api/v1/services"))

    _fill(guard)  # every slot is free again
    _drain(guard)
    assert guard.refused == 0


def test_slots_freed_after_a_flood_admit_requests_again() -> None:
    guard = _guard(limit=1)
    _fill(guard)
    assert guard(RequestFactory().get("/")).status_code == 503

    _drain(guard)

    assert guard(RequestFactory().get("/")).status_code == 200


def test_concurrent_requests_beyond_the_limit_are_refused_without_waiting() -> None:
    entered = threading.Semaphore(0)
    release = threading.Event()

    def slow(request: HttpRequest) -> HttpResponse:
        entered.release()
        assert release.wait(timeout=10)
        return HttpResponse("slow")

    guard = _guard(limit=3, view=slow)
    statuses: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: statuses.append(guard(RequestFactory().get("/")).status_code)
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for _ in range(3):
        assert entered.acquire(timeout=10)

    refused = guard(RequestFactory().get("/api/v1/services"))  # answered while three are running
    release.set()
    for thread in threads:
        thread.join(timeout=10)

    assert refused.status_code == 503
    assert sorted(statuses) == [200, 200, 200]
    assert guard.refused == 1


LANES = [{"name": "signin", "paths": r"^/api/v1/auth/signin/", "slots": 2, "per_client": 1}]


def _laned(view: Callable[[HttpRequest], HttpResponse] = _ok) -> OverloadGuardMiddleware:
    with override_settings(QYZMET_MAX_INFLIGHT=1, QYZMET_OVERLOAD_LANES=LANES):
        return OverloadGuardMiddleware(view)


def _post(address: str = "198.51.100.1") -> HttpRequest:
    return RequestFactory().post("/api/v1/auth/signin/password", REMOTE_ADDR=address)


def test_a_lane_s_posts_never_take_the_other_requests_slots() -> None:
    guard = _laned()
    lane = guard.lanes[0]
    for _ in range(2):
        assert lane.slots.acquire(blocking=False)  # the lane is full

    refused = guard(_post())
    read = guard(RequestFactory().get("/api/v1/services"))
    lane_page = guard(RequestFactory().get("/api/v1/auth/signin/certificate/challenge"))

    assert refused.status_code == 503
    assert json.loads(refused.content)["code"] == "overloaded"
    assert read.status_code == 200  # the one general slot was free all along
    assert lane_page.status_code == 200  # a GET is not the lane's
    assert guard.slots.acquire(blocking=False)  # and nothing of the lane's was taken from it


def test_a_client_with_a_post_in_flight_in_the_lane_gets_429_at_once() -> None:
    seen: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        if not seen:
            seen.append(guard(_post()).status_code)  # the same client, while the first runs
            seen.append(guard(_post("198.51.100.2")).status_code)  # another client
        return HttpResponse("done")

    guard = _laned(view)

    first = guard(_post())

    assert first.status_code == 200
    assert seen == [429, 200]
    assert guard.lanes[0].in_flight == {}  # every place given back


def test_the_lane_s_429_has_retry_after_and_the_error_shape() -> None:
    guard = _laned()
    assert guard.lanes[0].enter("198.51.100.1")

    response = guard(_post())

    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert json.loads(response.content)["code"] == "rate_limited"
