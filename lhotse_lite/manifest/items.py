"""Manifest items as Lhotse's dataclasses: assignable fields, custom attributes, copies.

``SupervisionSegment``, ``Recording``, ``AudioSource`` and ``Features`` are plain mutable ``dataclass``
values with ``__slots__``, as in Lhotse: fields can be assigned (``sup.text = norm(sup.text)``),
:func:`fastcopy` and :func:`dataclasses.replace` make changed copies, and ``==`` compares every
field, deeply. (``AlignmentItem`` stays a ``NamedTuple``, immutable as in Lhotse.) Assigning a field
tells nobody: a set that caches an index of its items rebuilds it in its own operations, in
``reindex()``, and when a lookup finds an item whose key no longer matches (see
:mod:`lhotse_lite.manifest.set`). ``Features`` and ``AudioSource`` have no ``__setattr__`` at all: an
attribute that is not a field cannot be set (``AttributeError``), so no item data is silently left out
of a file.

* :class:`CustomFieldMixin` (``SupervisionSegment``, ``Recording``): Lhotse's custom fields. An
  attribute that is not a field is stored in the item's ``custom`` dict (``sup.emotion = "happy"``),
  read back as an attribute, and therefore written by ``to_dict``; assigning ``None`` removes it,
  ``del sup.emotion`` too. Reading one that is not there raises
  :class:`~lhotse_lite.errors.UnknownAttributeError` (an ``AttributeError``). The ``custom`` dict is
  replaced, never changed in place, so copies sharing it stay independent. As in Lhotse, this needs a
  ``__setattr__`` (the only one on manifest items); it routes non-field names to ``custom`` and nothing else.
* :func:`manifest_item` finishes such a class with an ``__init__`` (same signature) that stores the
  fields through their slots instead of calling that ``__setattr__`` once per field (see its docstring).

Validation: an item checks its fields when it is **built** (constructor, ``from_dict``,
``dataclasses.replace``, :func:`fastcopy`); assigning a field afterwards is not checked, as in Lhotse
(several fields may need to change together, e.g. a recording's ``sources`` and ``channel_ids``). A bad
assigned value is reported, with ``file:line``, when the manifest is read back or validated.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment
    >>> sup = SupervisionSegment("s1", "r1", start=0.0, duration=1.0)
    >>> sup.text = "HELLO"
    >>> sup.emotion = "happy"
    >>> sup.custom, sup.emotion
    ({'emotion': 'happy'}, 'happy')
    >>> copy = fastcopy(sup, text="hello")
    >>> copy.text, sup.text, copy == sup
    ('hello', 'HELLO', False)
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Dict, FrozenSet, Optional, Tuple, TypeVar

from lhotse_lite.errors import UnknownAttributeError

__all__ = ["CustomFieldMixin", "manifest_item", "fastcopy", "field_names"]

T = TypeVar("T")

_object_setattr = object.__setattr__


_FIELDS_OF: Dict[type, Tuple[Tuple[str, ...], FrozenSet[str]]] = {}


def _fields_of(cls: type) -> Tuple[Tuple[str, ...], FrozenSet[str]]:
    """The dataclass fields of ``cls``, in order and as a set (cached; a subclass may add fields)."""
    fields = _FIELDS_OF.get(cls)
    if fields is None:
        order = tuple(f.name for f in dataclasses.fields(cls))
        fields = _FIELDS_OF[cls] = (order, frozenset(order))
    return fields


def field_names(cls: type) -> Tuple[str, ...]:
    """The field names of the dataclass ``cls`` in declaration order (cached).

    Example:
        >>> from lhotse_lite.audio import AudioSource
        >>> field_names(AudioSource)
        ('type', 'channels', 'source')
    """
    return _fields_of(cls)[0]


def _field_set(cls: type) -> FrozenSet[str]:
    return _fields_of(cls)[1]


class CustomFieldMixin:
    """Attributes that are not fields live in the item's ``custom`` dict (see the module docstring).

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> sup = SupervisionSegment("s1", "r1", 0.0, 1.0, custom={"snr": 3.5})
        >>> sup.snr, sup.has_custom("snr"), sup.with_custom("age", 30).custom, sup.custom
        (3.5, True, {'snr': 3.5, 'age': 30}, {'snr': 3.5})
        >>> sup.snr = None  # removes it
        >>> sup.custom, sup.has_custom("snr")
        ({}, False)
    """

    __slots__ = ()
    _FIELD_NAMES: ClassVar[FrozenSet[str]] = frozenset()  # set by manifest_item
    custom: Optional[Dict[str, Any]]

    def __setattr__(self, name: str, value: Any) -> None:
        # (_field_set: the fields of a dataclass subclass)
        if name in self._FIELD_NAMES or name in _field_set(type(self)):
            _object_setattr(self, name, value)
        else:
            self._set_custom(name, value)

    def _set_custom(self, name: str, value: Any) -> None:
        custom = self.custom
        if value is None:
            if custom is not None and name in custom:
                _object_setattr(self, "custom", {k: v for k, v in custom.items() if k != name})
            return
        _object_setattr(self, "custom", {**(custom or {}), name: value})

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a custom field, or nothing.
        if name.startswith("__") or name in _field_set(type(self)):
            raise UnknownAttributeError(name)  # a dunder probe, or a slot not set yet (while unpickling)
        custom = self.custom
        if custom is not None and name in custom:
            return custom[name]
        raise UnknownAttributeError(
            f"{type(self).__name__} {getattr(self, 'id', '')!r} has no field or custom field {name!r}"
            f"{'' if not custom else '; its custom fields are ' + ', '.join(map(str, custom))}"
        )

    def __delattr__(self, name: str) -> None:
        if name in _field_set(type(self)):
            raise UnknownAttributeError(f"cannot delete the field {name!r} of {type(self).__name__}; assign None")
        if self.custom is None or name not in self.custom:
            raise UnknownAttributeError(f"{type(self).__name__} has no custom field {name!r} to delete")
        self._set_custom(name, None)

    def copy_with(self: T, **changes_: Any) -> T:
        """A copy with some fields changed (Lhotse 2.0's ``copy_with``; see :func:`fastcopy`).

        Example:
            >>> from lhotse_lite.supervision import SupervisionSegment
            >>> SupervisionSegment("s1", "r1", 0.0, 1.0).copy_with(id="s2").id
            's2'
        """
        return fastcopy(self, **changes_)

    def has_custom(self, name: str) -> bool:
        """Whether ``custom`` holds ``name``."""
        return self.custom is not None and name in self.custom

    def with_custom(self: T, name: str, value: Any) -> T:
        """A copy with the custom field ``name`` set to ``value`` (this item is unchanged)."""
        return fastcopy(self, custom={**(self.custom or {}), name: value})  # type: ignore[attr-defined]

    def drop_custom(self: T, name: str) -> Optional[T]:
        """Remove the custom field ``name`` from this item; returns the item, or ``None`` if there was none
        (Lhotse's contract)."""
        if not self.has_custom(name):  # type: ignore[attr-defined]
            return None
        self._set_custom(name, None)  # type: ignore[attr-defined]
        return self


def manifest_item(cls: type) -> type:
    """Class decorator finishing a slotted dataclass that uses :class:`CustomFieldMixin`.

    It records the field names in ``cls._FIELD_NAMES`` and ``cls._FIELD_ORDER`` (``__dataclass_fields__``
    also lists class variables) and replaces the dataclass's ``__init__`` by one with the same signature
    and defaults that stores each field through its slot descriptor: the generated one would assign
    ``self.field = value``, which calls the Python ``__setattr__`` of :class:`CustomFieldMixin` once per
    field. ``__post_init__`` still runs last, so validation and :func:`dataclasses.replace` are unchanged.
    The decorator also adds ``cls._build``, a function taking every field positionally and returning a
    new ``cls`` without running ``__post_init__``: for ``from_dict`` paths that have already checked the
    values. Subclasses of ``cls`` (further dataclasses) get the ordinary generated ``__init__``.

    Example:
        >>> @manifest_item
        ... @dataclasses.dataclass(slots=True)
        ... class Item(CustomFieldMixin):
        ...     id: str
        ...     custom: Optional[Dict[str, Any]] = None
        >>> item = Item("a")
        >>> item.colour = "red"
        >>> type(item).__name__, item.custom, item == Item("a", {"colour": "red"})
        ('Item', {'colour': 'red'}, True)
        >>> Item._build("b", None)
        Item(id='b', custom=None)
    """
    fields = dataclasses.fields(cls)
    cls._FIELD_ORDER = tuple(f.name for f in fields)  # type: ignore[attr-defined]
    cls._FIELD_NAMES = frozenset(cls._FIELD_ORDER)  # type: ignore[attr-defined]
    namespace: Dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    params, stores = [], []
    for k, f in enumerate(fields):
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(
                f"manifest_item: field {f.name!r} of {cls.__name__} needs a default value or none "
                f"(init=False, kw_only and default_factory are not supported)"
            )
        namespace[f"_set{k}"] = getattr(cls, f.name).__set__  # the slot's member descriptor
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_default{k}"] = f.default
            params.append(f"{f.name}=_default{k}")
        stores.append(f"    _set{k}(self, {f.name})")
    names = ", ".join(f.name for f in fields)
    post_init = ["    self.__post_init__()"] if hasattr(cls, "__post_init__") else []
    source = "\n".join(
        [
            f"def __init__(self, {', '.join(params)}) -> None:",
            *stores,
            *post_init,
            "",
            f"def _build({names}):",
            "    self = _new(_cls)",
            *stores,
            "    return self",
            "",
        ]
    )
    exec(source, namespace)  # generated from the dataclass fields, as dataclasses generates __init__
    init, build = namespace["__init__"], namespace["_build"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = build.__module__ = cls.__module__
    init.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}
    build.__qualname__ = f"{cls.__qualname__}._build"
    cls.__init__ = init  # type: ignore[misc]
    cls._build = staticmethod(build)  # type: ignore[attr-defined]
    return cls


def fastcopy(item: T, **changes_: Any) -> T:
    """A copy of a manifest item with some fields changed (Lhotse's ``fastcopy``).

    Works for dataclasses (through :func:`dataclasses.replace`, so the copy is validated like a new
    item) and for ``NamedTuple`` items such as ``AlignmentItem`` (through ``_replace``).

    Args:
        item: The item to copy.
        **changes_: New values of fields, by name.

    Returns:
        A new item of the same type; ``item`` is unchanged.

    Raises:
        UnknownAttributeError: ``item`` is neither a dataclass nor a named tuple (an ``AttributeError``,
            as Lhotse's ``fastcopy`` raises for objects without fields).
        TypeError: A name is not a field (from the item's constructor, as in Lhotse).

    Example:
        >>> from lhotse_lite.supervision import AlignmentItem, SupervisionSegment
        >>> fastcopy(SupervisionSegment("s1", "r1", 0.0, 1.0), duration=2.0).duration
        2.0
        >>> fastcopy(AlignmentItem("a", 0.0, 0.5), symbol="b")
        AlignmentItem(symbol='b', start=0.0, duration=0.5, score=None)
    """
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.replace(item, **changes_)
    replace = getattr(item, "_replace", None)
    if replace is not None:
        return replace(**changes_)
    raise UnknownAttributeError(
        f"fastcopy() copies dataclass or NamedTuple manifest items; {type(item).__name__} has no fields"
    )
