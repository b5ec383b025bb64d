"""Name -> object registries, so case files resolve schemes by name.

Schemes are registered as data (Dedalus style): each registry maps a name to a small class carrying its
coefficients, formal order and docstring. An unknown name is an :class:`InputError` that lists the allowed
names, and the tests iterate ``registry.names()`` so that no registered scheme escapes its order test.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Iterator, TypeVar

from .errors import InputError

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered mapping ``name -> entry`` with helpful errors."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str | None = None) -> Callable[[T], T]:
        """Class decorator: ``@SPACE.register()`` uses ``cls.name``."""

        def decorate(entry: T) -> T:
            key = name or getattr(entry, "name")
            if key in self._entries:
                raise RuntimeError(f"{self.kind} scheme {key!r} registered twice")
            self._entries[key] = entry
            return entry

        return decorate

    def add(self, entry: T) -> T:
        """Register ``entry`` under its ``name``: the one declaration style of every registry."""
        return self.register()(entry)

    def get(self, name: str, key: str = "method") -> T:
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise InputError(key, name, ", ".join(self._entries)) from None

    def names(self) -> list[str]:
        return list(self._entries)

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return name in self._entries


@dataclass(frozen=True)
class NamedScheme:
    """A registry entry that is only a name, a formal order and a description (with its source)."""

    name: str
    order: float
    description: str
