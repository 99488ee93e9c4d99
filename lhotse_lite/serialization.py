"""Lhotse's ``lhotse.serialization`` import path: reading, writing and detecting manifest files.

A thin module: every name is defined where its concept lives (:mod:`lhotse_lite.manifest.detect`,
:mod:`lhotse_lite.manifest.writer`, :mod:`lhotse_lite.manifest.data_files`) and re-exported here so
that ``from lhotse.serialization import ...`` becomes ``from lhotse_lite.serialization import ...``.

Example:
    >>> import os, tempfile
    >>> from lhotse_lite.serialization import SequentialJsonlWriter, load_manifest_lazy
    >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl.gz")
    >>> with SequentialJsonlWriter(path) as writer:
    ...     writer.write({"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.0})
    >>> [s.id for s in load_manifest_lazy(path)]
    ['s1']
"""

from lhotse_lite.manifest.data_files import (
    extension_contains,
    load_json,
    load_jsonl,
    load_yaml,
    save_to_json,
    save_to_jsonl,
    save_to_yaml,
)
from lhotse_lite.manifest.detect import load_manifest, load_manifest_lazy, store_manifest
from lhotse_lite.manifest.writer import InMemoryWriter, SequentialJsonlWriter

__all__ = [
    "load_manifest",
    "load_manifest_lazy",
    "store_manifest",
    "SequentialJsonlWriter",
    "InMemoryWriter",
    "load_json",
    "load_jsonl",
    "load_yaml",
    "save_to_json",
    "save_to_jsonl",
    "save_to_yaml",
    "extension_contains",
]
