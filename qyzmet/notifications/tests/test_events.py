"""The event registry: each app declares and registers its own events; notifications knows none.

These read the source: every `notify(event=…)` anywhere names a registered event, and no module
of the notifications app names another app's event or holds its texts."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from qyzmet.notifications.channels.names import ChannelName
from qyzmet.notifications.events import (
    Event,
    EventConflict,
    UnknownEvent,
    event_get,
    event_keys,
    event_register,
)

QYZMET = Path(settings.BASE_DIR) / "qyzmet"
NOTIFICATIONS = QYZMET / "notifications"
EVENT_KEY = re.compile(r"^[a-z]+\.[a-z_]+$")


def _modules(root: Path, *, tests: bool) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts or (not tests and "tests" in path.parts):
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _notify_events(tree: ast.Module) -> Iterator[ast.expr]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "notify":
            yield from (k.value for k in node.keywords if k.arg == "event")


def _namespaces() -> set[str]:
    return {key.split(".")[0] for key in event_keys()}


def test_each_app_registers_the_events_it_declares_and_only_those() -> None:
    declared: dict[str, str] = {}
    for config in apps.get_app_configs():
        try:
            messages = importlib.import_module(f"{config.name}.messages")
        except ModuleNotFoundError:
            continue
        for event in messages.EVENTS:
            assert event.key not in declared, f"{event.key} declared by two apps"
            declared[event.key] = config.label
            assert event_get(event.key) is event
    assert sorted(declared) == event_keys()
    assert "notifications" not in declared.values()
    assert {"identity", "applications", "payments"} <= set(declared.values())


def test_every_event_a_notify_call_names_is_registered() -> None:
    named: dict[str, str] = {}
    calls = 0
    for path, tree in _modules(QYZMET, tests=True):
        for expression in _notify_events(tree):
            calls += 1
            for text in _strings(expression):
                named[text] = str(path.relative_to(QYZMET))
    assert calls >= 10  # the walk found the calls (applications, payments, identity, tests)
    unknown = {key: where for key, where in named.items() if key not in event_keys()}
    assert unknown == {}


def test_every_event_key_written_in_the_product_code_is_registered() -> None:
    # `notify(event=event)` passes a key chosen elsewhere ("payment.succeeded" by the payment's
    # state, "code.register" by the code's purpose): every such key must be registered too.
    namespaces = _namespaces()
    unknown = [
        (str(path.relative_to(QYZMET)), text)
        for path, tree in _modules(QYZMET, tests=False)
        for text in _strings(tree)
        if EVENT_KEY.match(text) and text.split(".")[0] in namespaces and text not in event_keys()
    ]
    assert unknown == []


def test_the_notifications_app_names_no_other_apps_event_nor_its_texts() -> None:
    namespaces = _namespaces()
    texts: set[str] = set()
    for key in event_keys():
        event = event_get(key)
        texts |= {event.text, event.subject, event.plural, event.link} - {""}
    found = [
        (str(path.relative_to(QYZMET)), text)
        for path, tree in _modules(NOTIFICATIONS, tests=False)
        for text in _strings(tree)
        if text in texts or (EVENT_KEY.match(text) and text.split(".")[0] in namespaces)
    ]
    assert found == []


def test_registering_is_idempotent_and_a_second_event_under_one_key_is_refused() -> None:
    known = event_get("code.signin")
    event_register(known)
    assert event_get("code.signin") is known
    other = Event("code.signin", "Another text", "Another subject", channels=(ChannelName.SMS,))
    with pytest.raises(EventConflict):
        event_register(other)
    assert event_get("code.signin") is known


def test_an_unregistered_event_is_unknown() -> None:
    with pytest.raises(UnknownEvent):
        event_get("nothing.here")
