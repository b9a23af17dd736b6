"""Fixtures shared by every app's tests."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.test import Client, TestCase


class CommittingClient(Client):
    """A test client whose requests end like real ones: the on-commit callbacks they registered
    (SMS sending, tasks) run when the request finishes, even inside the test's transaction."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)

    def post_json(self, path: str, data: Any, **extra: Any) -> Any:
        return self.post(path, json.dumps(data), content_type="application/json", **extra)


@pytest.fixture
def client_kk() -> Client:
    return CommittingClient(HTTP_ACCEPT_LANGUAGE="kk")


@pytest.fixture
def web() -> CommittingClient:
    """A browser, in English."""
    return CommittingClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_client() -> CommittingClient:
    """A client that talks to the API as the phone app does (JSON, English unless told)."""
    return CommittingClient(HTTP_ACCEPT_LANGUAGE="en")


def last_code(client: Client, phone: str) -> str:
    """The newest one-time code the demo sink holds for `phone`, read as a phone app would."""
    response = client.get("/dev/outbox.json", {"to": phone, "limit": "1"})
    messages = response.json()["messages"]
    assert messages, f"no message to {phone}"
    match = re.search(r"\b(\d{6})\b", messages[0]["text"])
    assert match, messages[0]["text"]
    return match.group(1)


PASSWORD = "Qyzmet-test-2026!"  # noqa: S105 - test accounts only
PHONE = "+77011234567"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def sign_in(api: CommittingClient, iin: str, phone: str = PHONE) -> dict[str, Any]:
    """IIN + password, then the SMS code from the demo outbox: the phone app's sign-in."""
    step = api.post_json("/api/v1/auth/signin/password", {"iin": iin, "password": PASSWORD})
    assert step.status_code == 200, step.json()
    code_id = step.json()["code"]["code_id"]
    done = api.post_json(
        "/api/v1/auth/signin/verify",
        {"code_id": code_id, "code": last_code(api, phone), "device": "Pixel 8"},
    )
    assert done.status_code == 200, done.json()
    result: dict[str, Any] = done.json()
    return result


def at_once(count: int, job: Callable[[int], Any]) -> list[Any]:
    """Run `job(0)` … `job(count - 1)` in threads released together (real concurrent
    transactions on PostgreSQL); each result, or the exception raised, in finishing order."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            result = job(index)
        except Exception as exc:  # collected, asserted by the test
            result = exc
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
