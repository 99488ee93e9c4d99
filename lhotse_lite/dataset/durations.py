"""Per-item durations of a manifest as one numpy array, and random access to its items.

A sampler needs every item's duration (4 bytes each) but not the items. :func:`manifest_durations`
reads them in one streaming pass over the manifest (or takes them from ``manifest.durations`` when the
object has that array), and can keep them in a sidecar ``.npy`` file so the next run loads them in
milliseconds. :func:`random_access` returns an object with ``len()`` and ``[int]`` for a manifest:
eager sets, indexed lazy sets, lists and tuples are used as they are; anything else (a streamed lazy
set, a generator) is read into a list once.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet([SupervisionSegment(f"s{i}", "r", 0.0, 0.5 + i) for i in range(3)])
    >>> manifest_durations(sups).tolist()
    [0.5, 1.5, 2.5]
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from lhotse_lite.errors import ConfigError

__all__ = ["manifest_durations", "random_access"]

logger = logging.getLogger(__name__)


def _has_random_access(manifest: Any) -> bool:
    if isinstance(manifest, (list, tuple)):
        return True
    if getattr(manifest, "is_lazy", None) is False:
        return True  # an eager ManifestSet
    if getattr(manifest, "is_indexed", False) or getattr(getattr(manifest, "_source", None), "is_indexed", False):
        return True  # an indexed lazy set: len() and [int] are O(1) reads
    if getattr(manifest, "is_lazy", None) is True:
        return False  # a streamed lazy set: [int] would scan
    return hasattr(manifest, "__len__") and hasattr(manifest, "__getitem__")


def random_access(manifest: Any) -> Any:
    """``manifest`` itself when it has O(1) ``len()`` and ``[int]``, else its items in a list (one pass).

    Args:
        manifest: An eager or lazy set, a list of items, or any iterable of items.

    Returns:
        An object supporting ``len(x)`` and ``x[i]``.

    Example:
        >>> random_access(iter(["a", "b"]))
        ['a', 'b']
    """
    if _has_random_access(manifest):
        return manifest
    items = list(manifest)
    logger.info(
        "read %d item(s) of a streamed manifest into memory for random access; index the file "
        "(an indexed lazy manifest) to avoid this",
        len(items),
    )
    return items


def manifest_durations(manifest: Any, cache_path: Optional[Union[str, Path]] = None) -> np.ndarray:
    """The ``duration`` of every item, in manifest order, as float32 seconds.

    Args:
        manifest: Supervisions, features or recordings (anything whose items have ``.duration``), or an
            object with a ``durations`` array.
        cache_path: Optional ``.npy`` sidecar: loaded when present (its length is checked against
            ``len(manifest)`` when that is O(1): eager and indexed sets, lists), written after a pass
            otherwise. Delete it when the manifest changes.

    Returns:
        ``(num_items,)`` float32 array.

    Raises:
        ConfigError: The cached array's length differs from the manifest's, or an item has no
            positive finite duration (the message names its position and id).
    """
    known = getattr(manifest, "durations", None)
    if known is not None and not callable(known):
        return np.asarray(known, dtype=np.float32)
    length = None
    if _has_random_access(manifest):  # len() of a streamed lazy set may read the whole file
        with contextlib.suppress(TypeError):
            length = len(manifest)
    if cache_path is not None and os.path.exists(cache_path):
        cached = np.load(cache_path)
        if length is not None and cached.shape != (length,):
            raise ConfigError(
                f"{cache_path}: cached durations of {cached.shape[0]} items, the manifest has "
                f"{length}; delete the stale cache file"
            )
        return cached.astype(np.float32, copy=False)
    values = np.fromiter((item.duration for item in manifest), dtype=np.float32, count=-1)
    bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
    if bad.size:
        first = int(bad[0])
        item_id = getattr(next(itertools.islice(iter(manifest), first, None), None), "id", "?")
        raise ConfigError(
            f"item {first} (id {item_id!r}) has duration {values[first]}; batches need positive "
            f"durations ({bad.size} such item(s)); filter them out first"
        )
    if cache_path is not None:
        tmp = f"{cache_path}.tmp-{os.getpid()}.npy"
        np.save(tmp, values)
        os.replace(tmp, cache_path)
    return values
