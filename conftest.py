"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def client_kk() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="kk")


@pytest.fixture
def api_client() -> Client:
    """A client that talks to the API as the phone app does (JSON, English unless told)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
