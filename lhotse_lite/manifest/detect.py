"""Load and store a manifest file without naming its type: the type is detected from the first item's fields.

Detection table (first matching row wins; classes are imported by module path on first use, so this
package never imports the concrete manifest packages at import time):

=====================================  ===============================================
fields of the first item               set type
=====================================  ===============================================
``sources``                            ``lhotse_lite.audio:RecordingSet``
``storage_type``                       ``lhotse_lite.features.manifest:FeatureSet``
``recording_id``, ``start``,           ``lhotse_lite.supervision:SupervisionSet``
``duration``
=====================================  ===============================================

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

import importlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from lhotse_lite.errors import ManifestFormatError, NotStreamableError
from lhotse_lite.manifest import formats

__all__ = ["MANIFEST_TYPES", "resolve_manifest_type", "item_from_dict", "load_manifest", "load_manifest_lazy",
           "store_manifest"]

#: (required fields, "module:ClassName") in detection order.
MANIFEST_TYPES: List[Tuple[Tuple[str, ...], str]] = [
    (("sources",), "lhotse_lite.audio:RecordingSet"),
    (("storage_type",), "lhotse_lite.features.manifest:FeatureSet"),
    (("recording_id", "start", "duration"), "lhotse_lite.supervision:SupervisionSet"),
]


def resolve_manifest_type(item: Dict[str, Any], where: str = "") -> type:
    """The set class for a manifest item dict, by :data:`MANIFEST_TYPES`.

    Args:
        item: The first item of a manifest, as a dict.
        where: Location for the error message (e.g. ``"file.jsonl:1"``).

    Raises:
        ManifestFormatError: No row of the table matches the item's fields.
    """
    for fields, target in MANIFEST_TYPES:
        if all(f in item for f in fields):
            module, name = target.split(":")
            return getattr(importlib.import_module(module), name)
    known = "; ".join(f"{'+'.join(f)} -> {t}" for f, t in MANIFEST_TYPES)
    raise ManifestFormatError(
        f"{where or 'item'}: cannot tell the manifest type from the fields {sorted(item)}; "
        f"known types: {known}")


def item_from_dict(item: Dict[str, Any]) -> Any:
    """The manifest item of a dict, its type detected from its fields (as Lhotse's ``deserialize_item``).

    Raises:
        ManifestFormatError: No row of :data:`MANIFEST_TYPES` matches the fields.

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


def load_manifest(path: formats.Pathlike, manifest_cls: Optional[type] = None) -> Any:
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
    first = _first_item(path)
    if not first:
        raise ManifestFormatError(f"{path}: the manifest is empty; its type cannot be detected")
    return resolve_manifest_type(first, f"{path}:1").from_file(path)


def load_manifest_lazy(path: formats.Pathlike, indexed: Optional[bool] = None, shuffle: bool = False,
                       seed: int = 0, index_path: Optional[formats.Pathlike] = None) -> Optional[Any]:
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
            f"{str(path)!r}: only .jsonl and .jsonl.gz files can be opened lazily; use load_manifest()")
    first = _first_item(path)
    if not first:
        return None
    return resolve_manifest_type(first, f"{path}:1").from_jsonl_lazy(path, shuffle=shuffle, seed=seed,
                                                                      indexed=indexed, index_path=index_path)


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
