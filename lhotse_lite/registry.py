"""A small name -> object registry shared by extractors, storage backends and manifest types.

Registering a name twice is an error (nothing is silently overwritten), and looking up an unknown
name lists the registered ones and the closest match.

Example:
    >>> from lhotse_lite.registry import Registry
    >>> colours = Registry("colour")
    >>> colours.register("red", 0xFF0000)
    >>> colours.get("red") == 0xFF0000
    True
    >>> colours.get("rad")
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.UnknownNameError: unknown colour 'rad'; did you mean 'red'? Available: red
"""

from __future__ import annotations

import difflib
from typing import Callable, Dict, Generic, Iterator, List, TypeVar

from lhotse_lite.errors import DuplicateRegistrationError, UnknownNameError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to objects; a name can be registered once.

    Args:
        kind: What the registry holds, used in error messages (e.g. ``"feature extractor"``).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: Dict[str, T] = {}

    def register(self, name: str, item: T) -> None:
        """Registers ``item`` under ``name``.

        Raises:
            DuplicateRegistrationError: ``name`` is already registered.
        """
        if name in self._items:
            raise DuplicateRegistrationError(
                f"{self.kind} {name!r} is already registered (by {self._items[name]!r}); "
                f"choose another name"
            )
        self._items[name] = item

    def decorator(self, name: str) -> Callable[[T], T]:
        """Returns a class/function decorator that registers its target under ``name``."""

        def wrap(item: T) -> T:
            self.register(name, item)
            return item

        return wrap

    def get(self, name: str) -> T:
        """Returns the object registered under ``name``.

        Raises:
            UnknownNameError: ``name`` is not registered; the message lists what is.
        """
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(self._unknown_message(name)) from None

    def names(self) -> List[str]:
        """The registered names, sorted."""
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def _unknown_message(self, name: str) -> str:
        available = ", ".join(self.names()) or "(none)"
        close = difflib.get_close_matches(str(name), self.names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown {self.kind} {name!r}{hint} Available: {available}"
