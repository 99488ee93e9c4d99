"""The one name -> object registry of lhotse_lite: feature extractors, storage back ends, manifest types.

Contract:

* **Built-in entries are lazy.** A registry is created with a table of built-in names -> ``"module:attr"``
  strings; a module is imported only when one of its names is looked up (:meth:`Registry.get`), so
  creating or listing a registry imports nothing and no registry needs its entries' modules (no import
  cycle). :meth:`Registry.names` lists built-in and registered names alike.
* **A name is registered once.** :meth:`Registry.register` (or :meth:`Registry.register_lazy`) with a name
  that is taken raises :class:`~lhotse_lite.errors.DuplicateRegistrationError`; nothing is silently
  overwritten. The one exception is the object a built-in entry names registering itself when its module
  is imported (e.g. by a ``@register_extractor`` decorator): that is the entry resolved, not a duplicate.
* **An unknown name is explained.** :meth:`Registry.get` raises
  :class:`~lhotse_lite.errors.UnknownNameError` with the closest registered name and the list of available
  ones.
* **The name is the file format.** Extractor and storage names are written into the manifests they
  produce (``feature_type``, ``storage_type``), so a file is enough to find its reader or extractor again.

The registries: ``lhotse_lite.features.extractor.EXTRACTORS``, ``lhotse_lite.features.storage.base.READERS``
and ``WRITERS``, ``lhotse_lite.manifest.detect.MANIFEST_TYPES`` (``RecordingSet``, ``SupervisionSet``,
``FeatureSet``) and ``lhotse_lite.audio.transforms.TRANSFORMS``.

Example:
    >>> from lhotse_lite.registry import Registry
    >>> colours = Registry("colour", {"ordered": "collections:OrderedDict"})
    >>> colours.register("red", 0xFF0000)
    >>> colours.names()
    ['ordered', 'red']
    >>> colours.get("ordered").__name__, colours.get("red") == 0xFF0000
    ('OrderedDict', True)
    >>> colours.get("rad")
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.UnknownNameError: unknown colour 'rad'; did you mean 'red'? Available: ordered, red
"""

from __future__ import annotations

import difflib
import importlib
from typing import Callable, Dict, Generic, Iterator, List, Mapping, Optional, TypeVar, cast

from lhotse_lite.errors import ConfigError, DuplicateRegistrationError, UnknownNameError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to objects, built-in ones imported on first use; a name can be registered once.

    Args:
        kind: What the registry holds, used in error messages (e.g. ``"feature extractor"``).
        builtins: Built-in names -> ``"module:attr"`` (an attribute path after the colon may be dotted).
    """

    def __init__(self, kind: str, builtins: Optional[Mapping[str, str]] = None) -> None:
        self.kind = kind
        self._items: Dict[str, T] = {}
        self._lazy: Dict[str, str] = {}
        for name, target in (builtins or {}).items():
            self.register_lazy(name, target)

    def register(self, name: str, item: T) -> None:
        """Registers ``item`` under ``name``.

        Raises:
            DuplicateRegistrationError: ``name`` is already registered (unless ``item`` is the very object
                of the lazy entry ``name``, registering itself when its module is imported).
        """
        target = self._lazy.get(name)
        if target is not None and target == _target_of(item):
            del self._lazy[name]
        elif name in self._items or target is not None:
            raise DuplicateRegistrationError(
                f"{self.kind} {name!r} is already registered (by {self._items.get(name, target)!r}); "
                f"choose another name"
            )
        self._items[name] = item

    def register_lazy(self, name: str, target: str) -> None:
        """Registers the object at ``target`` (``"module:attr"``) under ``name``, imported on first lookup.

        Raises:
            DuplicateRegistrationError: ``name`` is already registered.
            ConfigError: ``target`` is not of the form ``"module:attr"`` (a ``ValueError``).
        """
        module, _, attr = target.partition(":")
        if not module or not attr:
            raise ConfigError(f"{self.kind} {name!r}: expected a 'module:attr' target, got {target!r}")
        if name in self._items or name in self._lazy:
            raise DuplicateRegistrationError(
                f"{self.kind} {name!r} is already registered (by {self._items.get(name, self._lazy.get(name))!r}); "
                f"choose another name"
            )
        self._lazy[name] = target

    def decorator(self, name: str) -> Callable[[T], T]:
        """Returns a class/function decorator that registers its target under ``name``."""

        def wrap(item: T) -> T:
            self.register(name, item)
            return item

        return wrap

    def get(self, name: str) -> T:
        """Returns the object registered under ``name`` (importing a built-in entry's module first).

        Raises:
            UnknownNameError: ``name`` is not registered; the message lists what is.
        """
        try:
            return self._items[name]
        except KeyError:
            pass
        target = self._lazy.get(name)
        if target is None:
            raise UnknownNameError(self._unknown_message(name))
        module, _, attr = target.partition(":")
        found: object = importlib.import_module(module)
        for part in attr.split("."):
            found = getattr(found, part)
        item = cast(T, found)  # a lazy entry names a T, as register_lazy's caller promised
        self._lazy.pop(name, None)  # (the import may have registered it already)
        self._items[name] = item
        return item

    def target(self, name: str) -> str:
        """Where ``name``'s object lives, ``"module:attr"``, without importing it.

        Raises:
            UnknownNameError: ``name`` is not registered.

        Example:
            >>> Registry("colour", {"ordered": "collections:OrderedDict"}).target("ordered")
            'collections:OrderedDict'
        """
        if name in self._lazy:
            return self._lazy[name]
        if name in self._items:
            return _target_of(self._items[name]) or repr(self._items[name])
        raise UnknownNameError(self._unknown_message(name))

    def name_of(self, item: object) -> Optional[str]:
        """The name ``item`` is registered under, or ``None``; a built-in entry is matched without importing.

        Example:
            >>> from collections import OrderedDict
            >>> Registry("colour", {"ordered": "collections:OrderedDict"}).name_of(OrderedDict)
            'ordered'
        """
        for name, registered in self._items.items():
            if registered is item:
                return name
        target = _target_of(item)
        for name, lazy_target in self._lazy.items():
            if lazy_target == target:
                return name
        return None

    def names(self) -> List[str]:
        """The registered names (built-in ones included), sorted; imports nothing."""
        return sorted({*self._items, *self._lazy})

    def __contains__(self, name: object) -> bool:
        return name in self._items or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def _unknown_message(self, name: str) -> str:
        available = ", ".join(self.names()) or "(none)"
        close = difflib.get_close_matches(str(name), self.names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown {self.kind} {name!r}{hint} Available: {available}"


def _target_of(item: object) -> Optional[str]:
    """``"module:qualname"`` of a class or function, ``None`` for other objects."""
    module, qualname = getattr(item, "__module__", None), getattr(item, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    return f"{module}:{qualname}"
