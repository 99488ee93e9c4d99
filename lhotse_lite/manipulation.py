"""Lhotse's ``lhotse.manipulation`` import path: ``combine`` and the ``Manifest`` type variable.

A thin module: :func:`combine` lives in :mod:`lhotse_lite.manifest.set`.

Example:
    >>> from lhotse_lite.manipulation import combine
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> a = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
    >>> b = SupervisionSet([SupervisionSegment("b", "r", 1.0, 1.0)])
    >>> combine(a, b).ids, combine([a, b]).ids
    (['a', 'b'], ['a', 'b'])
"""

from typing import TypeVar

from lhotse_lite.manifest.set import ManifestSet, combine

#: Any manifest set type (``RecordingSet``, ``SupervisionSet``, ``FeatureSet``), for type hints.
Manifest = TypeVar("Manifest", bound=ManifestSet)

__all__ = ["combine", "Manifest"]
