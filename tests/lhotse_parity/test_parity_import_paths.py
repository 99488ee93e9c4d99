"""Lhotse's names at Lhotse's import paths: every manifest-side name of Lhotse 1.33 exists under
both ``lhotse.<module>`` and ``lhotse_lite.<module>``, and the top-level names a prep script imports."""

import importlib
from typing import TypeVar

import pytest

PATHS = {
    "serialization": [
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
    ],
    "lazy": [
        "LazyJsonlIterator",
        "LazyRepeater",
        "LazyFilter",
        "LazyMapper",
        "LazyShuffler",
        "LazyIteratorChain",
        "LazyIteratorMultiplexer",
        "LazyInfiniteApproximateMultiplexer",
        "LazyManifestIterator",
        "attach_repeat_idx_to_id",
    ],
    "utils": [
        "fastcopy",
        "compute_num_samples",
        "compute_num_frames",
        "time_diff_to_num_frames",
        "Seconds",
        "Pathlike",
        "uuid4",
        "add_durations",
        "TimeSpan",
        "overlaps",
        "overspans",
    ],
    "manipulation": ["combine", "Manifest"],
    "supervision": ["AlignmentItem", "SupervisionSegment", "SupervisionSet"],
    "": [
        "store_manifest",
        "load_manifest",
        "load_manifest_lazy",
        "combine",
        "fastcopy",
        "compute_num_samples",
        "compute_num_frames",
        "add_durations",
        "SupervisionSegment",
        "SupervisionSet",
        "Recording",
        "RecordingSet",
        "AudioSource",
        "Features",
        "FeatureSet",
    ],
}

# Names Lhotse 2.0 added at the same paths (checked against Lhotse 2.0 in test_parity_indexing.py).
LHOTSE2_PATHS = {"lazy": ["IteratorNode", "LazyIndexedManifestIterator"]}


@pytest.mark.parametrize("module", sorted(PATHS), ids=lambda m: m or "top-level")
def test_names_exist_at_lhotse_paths(module):
    ours = importlib.import_module(f"lhotse_lite.{module}" if module else "lhotse_lite")
    missing = [name for name in PATHS[module] if not hasattr(ours, name)]
    assert not missing, f"lhotse_lite.{module} lacks {missing}"
    lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 shows where each name belongs")
    theirs = importlib.import_module(f"lhotse.{module}" if module else "lhotse")
    assert not [name for name in PATHS[module] if not hasattr(theirs, name)], f"not Lhotse names: {lhotse}"


@pytest.mark.parametrize("module", ["serialization", "lazy", "utils", "manipulation"])
def test_thin_modules_pin_their_names(module):
    ours = importlib.import_module(f"lhotse_lite.{module}")
    assert sorted(ours.__all__) == sorted(PATHS[module] + LHOTSE2_PATHS.get(module, []))
    for name in ours.__all__:  # thin: every name is defined elsewhere (a TypeVar is where it is named)
        value = getattr(ours, name)
        if not isinstance(value, TypeVar):
            assert getattr(value, "__module__", None) != ours.__name__, name


def test_manifest_modules_do_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, lhotse_lite.serialization, lhotse_lite.lazy, lhotse_lite.utils, lhotse_lite.manipulation, "
        "lhotse_lite.supervision; print('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
