"""One typed registry for plugins: payment gateways, SMS providers, operators, revocation
sources, wallet entries.

An app creates one `ProviderRegistry[Interface]("what it holds")` next to its interface; each
implementation registers under a name with `@registry.register("name")`; configuration names
the one (or ones) in use and `get` builds it, or fails loudly on a name nobody registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class ProviderRegistry(Generic[T]):
    """Named factories of `T`. With `shared=True` each factory is called once, at registration,
    and `get` hands out that one instance (for stateless plugins looked up per request)."""

    def __init__(self, what: str, *, shared: bool = False) -> None:
        self.what = what
        self.shared = shared
        self._factories: dict[str, Callable[[], T]] = {}
        self._instances: dict[str, T] = {}

    def register(self, name: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
        def decorator(factory: Callable[[], T]) -> Callable[[], T]:
            self.add(name=name, factory=factory)
            return factory

        return decorator

    def add(self, *, name: str, factory: Callable[[], T]) -> None:
        self._factories[name] = factory
        if self.shared:
            self._instances[name] = factory()

    def get(self, name: str) -> T:
        """The provider registered as `name`; ImproperlyConfigured for a name nobody
        registered (a typo in the configuration must stop the start, not a request)."""
        if name in self._instances:
            return self._instances[name]
        try:
            factory = self._factories[name]
        except KeyError as exc:
            raise ImproperlyConfigured(f"Unknown {self.what} {name!r}") from exc
        return factory()

    def find(self, name: str) -> T | None:
        """Like `get`, but None for an unknown name (names that come from data, not config)."""
        return self.get(name) if name in self._factories else None

    def names(self) -> list[str]:
        return sorted(self._factories)

    def all(self) -> list[T]:
        """Every provider, in registration order."""
        return [self.get(name) for name in self._factories]

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def __delitem__(self, name: str) -> None:
        del self._factories[name]
        self._instances.pop(name, None)

    def check_config(self, name: str) -> list[str]:
        """The configuration problems of provider `name` (empty when ready, or when the plugin
        has no `check_config`)."""
        check = getattr(self.get(name), "check_config", None)
        if check is None:
            return []
        problems: list[str] = list(check())
        return problems
