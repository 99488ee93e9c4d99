"""The public surface of lhotse_lite.manifest and lhotse_lite.supervision is pinned here."""

import lhotse_lite.manifest as manifest
import lhotse_lite.supervision as supervision
from lhotse_lite.manifest import ManifestSet

MANIFEST_ALL = [
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

SET_API = [
    "from_items",
    "from_dicts",
    "is_lazy",
    "data",
    "ids",
    "to_eager",
    "filter",
    "map",
    "shuffle",
    "repeat",
    "mux",
    "infinite_mux",
    "combine",
    "split",
    "split_lazy",
    "subset",
    "from_file",
    "to_file",
    "from_json",
    "from_jsonl",
    "from_jsonl_lazy",
    "from_yaml",
    "to_json",
    "to_jsonl",
    "to_yaml",
    "to_dicts",
    "open_writer",
    "_key",
    "_post_init",
    "_lazy",
]


def test_manifest_all():
    assert sorted(manifest.__all__) == sorted(MANIFEST_ALL)
    for name in MANIFEST_ALL:
        assert hasattr(manifest, name)


def test_supervision_all():
    assert sorted(supervision.__all__) == ["AlignmentItem", "SupervisionSegment", "SupervisionSet"]


def test_manifest_set_contract():
    for name in SET_API:
        assert hasattr(ManifestSet, name), name
    for dunder in ("__len__", "__iter__", "__contains__", "__getitem__", "__add__"):
        assert dunder in vars(ManifestSet)


def test_top_level_reexports():
    import lhotse_lite

    assert lhotse_lite.SupervisionSet is supervision.SupervisionSet
    assert lhotse_lite.load_manifest is manifest.load_manifest
    assert lhotse_lite.open_writer is manifest.open_writer
