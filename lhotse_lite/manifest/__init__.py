"""Manifests in general: the generic set, lazy iteration, file formats, writers, type detection.

Concrete manifests live in their own packages (:mod:`lhotse_lite.supervision`,
:mod:`lhotse_lite.audio`, :mod:`lhotse_lite.features`); they subclass :class:`ManifestSet`.
This package never imports them at import time.

Example:
    >>> from lhotse_lite.manifest import ManifestSet, open_writer
    >>> with open_writer(None) as writer:
    ...     writer.write({"id": "a"})
    >>> writer.contains("a")
    True
"""

from lhotse_lite.manifest.detect import (
    MANIFEST_TYPES,
    load_manifest,
    load_manifest_lazy,
    resolve_manifest_type,
    store_manifest,
)
from lhotse_lite.manifest.formats import SUPPORTED_EXTENSIONS
from lhotse_lite.manifest.set import ManifestSet, combine
from lhotse_lite.manifest.writer import InMemoryWriter, SequentialJsonlWriter, open_writer

__all__ = [
    "ManifestSet",
    "combine",
    "load_manifest",
    "load_manifest_lazy",
    "store_manifest",
    "resolve_manifest_type",
    "MANIFEST_TYPES",
    "open_writer",
    "SequentialJsonlWriter",
    "InMemoryWriter",
    "SUPPORTED_EXTENSIONS",
]
