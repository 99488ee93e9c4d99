"""Lazy re-exports for package namespaces: a name's module is imported when the name is first used.

This is how ``import lhotse_lite`` stays free of torch while ``lhotse_lite.Fbank`` still works.

Example:
    >>> import types
    >>> namespace = types.ModuleType("demo")
    >>> getattr_, dir_ = lazy_exports(namespace.__dict__, {"sqrt": "math"})
    >>> getattr_("sqrt")(9.0), "sqrt" in dir_()
    (3.0, True)
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, List, MutableMapping, Tuple

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: MutableMapping[str, Any], exports: Dict[str, str]
) -> Tuple[Callable[[str], Any], Callable[[], List[str]]]:
    """Builds a module-level ``__getattr__`` and ``__dir__`` for ``exports`` (name -> module path).

    Args:
        namespace: The package's ``globals()``; resolved names are cached there.
        exports: Public name -> the module that defines it.

    Returns:
        ``(__getattr__, __dir__)`` to assign in the package's ``__init__``.
    """
    package = namespace.get("__name__", "package")

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name), name)
        namespace[name] = value
        return value

    def __dir__() -> List[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
