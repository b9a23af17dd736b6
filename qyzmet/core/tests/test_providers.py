"""The provider registry every plugin kind uses: register by name, get by name, list, check."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured

from qyzmet.core.providers import ProviderRegistry


@dataclass
class Greeter:
    word: str

    def check_config(self) -> list[str]:
        return [] if self.word else ["no word"]


def _registry(*, shared: bool = False) -> ProviderRegistry[Greeter]:
    registry = ProviderRegistry[Greeter]("greeter", shared=shared)

    @registry.register("hello")
    def hello() -> Greeter:
        return Greeter("hello")

    registry.add(name="silent", factory=lambda: Greeter(""))
    return registry


def test_a_registered_provider_is_built_by_name() -> None:
    registry = _registry()
    assert registry.get("hello") == Greeter("hello")
    assert registry.get("hello") is not registry.get("hello")  # a fresh one each time


def test_a_shared_registry_hands_out_one_instance() -> None:
    registry = _registry(shared=True)
    assert registry.get("hello") is registry.get("hello")
    assert registry.all() == [Greeter("hello"), Greeter("")]


def test_an_unknown_name_is_a_configuration_error_naming_the_kind() -> None:
    with pytest.raises(ImproperlyConfigured, match="Unknown greeter 'hallo'"):
        _registry().get("hallo")


def test_find_answers_none_for_an_unknown_name() -> None:
    registry = _registry()
    assert registry.find("hallo") is None
    assert registry.find("hello") == Greeter("hello")


def test_names_are_sorted_and_all_keeps_registration_order() -> None:
    registry = _registry()
    registry.add(name="aloha", factory=lambda: Greeter("aloha"))
    assert registry.names() == ["aloha", "hello", "silent"]
    assert [g.word for g in registry.all()] == ["hello", "", "aloha"]
    assert "aloha" in registry
    del registry["aloha"]
    assert "aloha" not in registry


def test_check_config_asks_the_provider() -> None:
    registry = _registry()
    assert registry.check_config("hello") == []
    assert registry.check_config("silent") == ["no word"]


def test_a_provider_without_check_config_has_no_problems() -> None:
    registry = ProviderRegistry[object]("thing")
    registry.add(name="plain", factory=object)
    assert registry.check_config("plain") == []
