"""Load and store a manifest file without naming its type: the type is detected from the first item's fields.

The manifest types are the registry :data:`MANIFEST_TYPES` (:class:`~lhotse_lite.registry.Registry`), by
kind (``"recordings"``, ``"supervisions"``, ``"features"``: the names reports and the ``lite`` commands
use); each built-in set class is a lazy ``"module:Class"`` entry, imported on first use, so this package
never imports the concrete manifest packages at import time. The built-in table, with the fields that
identify an item of each type (first matching row wins; :func:`register_manifest_type` adds rows):

=================  =====================================  ==================================================
kind               fields of the first item               set type
=================  =====================================  ==================================================
``recordings``     ``sources``                            ``lhotse_lite.audio.recording_set:RecordingSet``
``features``       ``storage_type``                       ``lhotse_lite.features.manifest:FeatureSet``
``supervisions``   ``recording_id``, ``start``,           ``lhotse_lite.supervision.set:SupervisionSet``
                   ``duration``
=================  =====================================  ==================================================

Example:
    >>> import os, tempfile
    >>> from lhotse_lite.manifest import load_manifest
    >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
    >>> _ = open(path, "w").write(
    ...     '{"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.5, "channel": 0}\\n')
    >>> sups = load_manifest(path)
    >>> type(sups).__name__, sups["s1"].duration
    ('SupervisionSet', 1.5)
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Type, Union

from lhotse_lite import remote
from lhotse_lite.errors import ManifestFormatError, NotStreamableError
from lhotse_lite.manifest import formats
from lhotse_lite.manifest.building import gc_paused, load_numbered
from lhotse_lite.registry import Registry

if TYPE_CHECKING:
    from lhotse_lite.manifest.set import ManifestSet

__all__ = [
    "MANIFEST_TYPES",
    "register_manifest_type",
    "manifest_type_kind",
    "resolve_manifest_type",
    "item_from_dict",
    "load_manifest",
    "load_manifest_lazy",
    "store_manifest",
]

#: kind -> (the fields that identify its items, the set class), in detection order.
_BUILTIN_TYPES: Dict[str, Tuple[Tuple[str, ...], str]] = {
    "recordings": (("sources",), "lhotse_lite.audio.recording_set:RecordingSet"),
    "features": (("storage_type",), "lhotse_lite.features.manifest:FeatureSet"),
    "supervisions": (("recording_id", "start", "duration"), "lhotse_lite.supervision.set:SupervisionSet"),
}

#: The manifest set types by kind.
MANIFEST_TYPES: Registry[Type[ManifestSet[Any]]] = Registry(
    "manifest type", {kind: target for kind, (_fields, target) in _BUILTIN_TYPES.items()}
)

# (fields, kind) in detection order.
_DETECTION: List[Tuple[Tuple[str, ...], str]] = [(fields, kind) for kind, (fields, _) in _BUILTIN_TYPES.items()]


def register_manifest_type(kind: str, set_type: Union[type, str], fields: Sequence[str]) -> None:
    """Adds a manifest type: items with all of ``fields`` (and no earlier type's) load as ``set_type``.

    Args:
        kind: Its name in reports and commands (plural, e.g. ``"cuts"``).
        set_type: A :class:`~lhotse_lite.manifest.set.ManifestSet` subclass, or ``"module:Class"`` to import
            on first use.
        fields: The fields that identify its items (checked after the built-in types').

    Raises:
        DuplicateRegistrationError: ``kind`` is taken.
    """
    if isinstance(set_type, str):
        MANIFEST_TYPES.register_lazy(kind, set_type)
    else:
        MANIFEST_TYPES.register(kind, set_type)
    _DETECTION.append((tuple(fields), kind))


def manifest_type_kind(set_type: type) -> Optional[str]:
    """The kind of a manifest set class (or of its closest registered base class), or ``None``.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSet
        >>> manifest_type_kind(SupervisionSet), manifest_type_kind(dict)
        ('supervisions', None)
    """
    for cls in set_type.__mro__:
        kind = MANIFEST_TYPES.name_of(cls)
        if kind is not None:
            return kind
    return None


def resolve_manifest_type(item: Dict[str, Any], where: str = "") -> Type[ManifestSet[Any]]:
    """The set class for a manifest item dict, by the fields of :data:`MANIFEST_TYPES`' entries.

    Args:
        item: The first item of a manifest, as a dict.
        where: Location for the error message (e.g. ``"file.jsonl:1"``).

    Raises:
        ManifestFormatError: No type's fields are all in the item.
    """
    for fields, kind in _DETECTION:
        if all(f in item for f in fields):
            return MANIFEST_TYPES.get(kind)
    known = "; ".join(f"{'+'.join(f)} -> {kind}" for f, kind in _DETECTION)
    raise ManifestFormatError(
        f"{where or 'item'}: cannot tell the manifest type from the fields {sorted(item)}; known types: {known}"
    )


def item_from_dict(item: Dict[str, Any]) -> Any:
    """The manifest item of a dict, its type detected from its fields (as Lhotse's ``deserialize_item``).

    Raises:
        ManifestFormatError: No manifest type matches the fields.

    Example:
        >>> type(item_from_dict({"id": "s", "recording_id": "r", "start": 0, "duration": 1})).__name__
        'SupervisionSegment'
    """
    return resolve_manifest_type(item).element_type.from_dict(item)


def _first_item(path: formats.Pathlike) -> Dict[str, Any]:
    if formats.detect_format(path) == "jsonl":
        for _lineno, d in formats.iter_jsonl_dicts(path):
            return d
        return {}
    items = formats.read_list_file(path)
    if items and not isinstance(items[0], dict):
        raise ManifestFormatError(f"{path}[item 0]: expected a mapping, got {type(items[0]).__name__}")
    return items[0] if items else {}


def load_manifest(path: formats.Pathlike, manifest_cls: Optional[Type[ManifestSet[Any]]] = None) -> Any:
    """Load an eager manifest set of the type detected from its first item (or of ``manifest_cls``).

    Args:
        path: A JSONL, JSON or YAML file, the format named by its suffixes (``.jsonl.gz``, ``.json``, ...).
        manifest_cls: The set class to load (``SupervisionSet``, ...); ``None`` detects it.

    Returns:
        A ``SupervisionSet``, ``RecordingSet`` or ``FeatureSet``.

    Raises:
        ManifestFormatError: The file is empty (when the type is to be detected), malformed, or of an
            unknown type.
        UnknownFormatError: No suffix names a format.

    Example:
        >>> import os, tempfile
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl.gz")
        >>> SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)]).to_file(path)
        >>> type(load_manifest(path)).__name__
        'SupervisionSet'
    """
    if manifest_cls is not None:
        return manifest_cls.from_file(path)
    if formats.detect_format(path) == "jsonl":  # one read: the first item names the type, then the rest follow
        numbered = formats.iter_jsonl_dicts(path)
        for lineno, first in numbered:
            cls: Any = resolve_manifest_type(first, f"{path}:{lineno}")
            with gc_paused():
                return cls._from_dict_unchecked(
                    load_numbered(
                        itertools.chain([(lineno, first)], numbered),
                        cls.element_type.from_dict,
                        cls._key,
                        f"{path}:{{}}".format,
                    )
                )
        raise ManifestFormatError(f"{path}: the manifest is empty; its type cannot be detected")
    first = _first_item(path)
    if not first:
        raise ManifestFormatError(f"{path}: the manifest is empty; its type cannot be detected")
    return resolve_manifest_type(first, f"{path}:1").from_file(path)


def load_manifest_lazy(
    path: formats.Pathlike,
    indexed: Optional[bool] = None,
    shuffle: bool = False,
    seed: int = 0,
    index_path: Optional[formats.Pathlike] = None,
) -> Optional[Any]:
    """Open a JSONL(.gz) manifest as a lazy set of the type detected from its first item.

    Args:
        path: A file whose suffixes include ``.jsonl`` (e.g. ``.jsonl.gz``).
        indexed: ``True``: indexed (built when missing); ``False``: streamed; ``None``: indexed when the file
            has an index (Lhotse 2.0's rule; see ``ManifestSet.from_jsonl_lazy``).
        shuffle: A global seed-determined order (implies indexed).
        seed: Seed of that order.
        index_path: The index file, when it is not ``<path>.idx``.

    Returns:
        The lazy set, or ``None`` when the file holds no item (as in Lhotse).

    Raises:
        NotStreamableError: The file is not JSONL (JSON and YAML cannot be streamed); also an
            ``AssertionError``, as Lhotse raises.
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: The first item is of an unknown type.

    Example:
        >>> import os, tempfile
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
        >>> SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)]).to_file(path)
        >>> lazy = load_manifest_lazy(path)
        >>> lazy.is_lazy, [s.id for s in lazy]
        (True, ['a'])
    """
    if ".jsonl" not in Path(path).suffixes:
        raise NotStreamableError(
            f"{str(path)!r}: only .jsonl and .jsonl.gz files can be opened lazily; use load_manifest()"
        )
    if remote.is_url(path) and (indexed or shuffle or index_path is not None):  # the type from item 0, by range
        from lhotse_lite.manifest.indexed import LazyIndexedManifestIterator, open_reader

        reader = open_reader(path, index_path)
        if not len(reader):
            return None
        cls = resolve_manifest_type(reader[0], f"{path}:1")
        return cls._lazy(
            LazyIndexedManifestIterator(
                path,
                shuffle=shuffle,
                seed=seed,
                index_path=index_path,
                decode=cls.element_type.from_dict,
                reader=reader,
            )
        )
    first = _first_item(path)
    if not first:
        return None
    return resolve_manifest_type(first, f"{path}:1").from_jsonl_lazy(
        path, shuffle=shuffle, seed=seed, indexed=indexed, index_path=index_path
    )


def store_manifest(manifest: Any, path: formats.Pathlike) -> None:
    """Write ``manifest`` in the format named by ``path``'s suffixes (``manifest.to_file(path)``).

    Raises:
        UnknownFormatError: No suffix names a format (a ``ValueError``, as in Lhotse).

    Example:
        >>> import os, tempfile
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.json")
        >>> store_manifest(SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)]), path)
        >>> load_manifest(path).ids
        ['a']
    """
    manifest.to_file(path)
