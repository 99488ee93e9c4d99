"""The one registry (lhotse_lite/registry.py) and its three users: extractors, storage back ends, manifest types."""

from __future__ import annotations

import collections
import subprocess
import sys

import pytest

from lhotse_lite.errors import ConfigError, DuplicateRegistrationError, UnknownNameError
from lhotse_lite.registry import Registry


def _modules_after(code: str) -> list:
    """The lhotse_lite modules (and whether torch) loaded in a fresh interpreter after running ``code``."""
    listing = "print(' '.join(sorted(m for m in sys.modules if m.startswith(('lhotse_lite', 'torch')))))"
    script = f"import sys\n{code}\n{listing}"
    return subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout.split()


def test_builtin_entries_are_imported_on_first_lookup():
    registry = Registry("thing", {"ordered": "collections:OrderedDict", "join": "os.path:join"})
    assert registry.names() == ["join", "ordered"] and "ordered" in registry
    assert registry.target("join") == "os.path:join"
    assert registry.get("ordered") is collections.OrderedDict and registry.get("join").__name__ == "join"
    assert registry.name_of(collections.OrderedDict) == "ordered" and registry.name_of(dict) is None


def test_a_name_is_registered_once():
    registry = Registry("thing", {"ordered": "collections:OrderedDict"})
    registry.register("mine", dict)
    with pytest.raises(DuplicateRegistrationError, match="'mine' is already registered"):
        registry.register("mine", list)
    with pytest.raises(DuplicateRegistrationError, match=r"'ordered'.*collections:OrderedDict"):
        registry.register("ordered", list)  # a built-in name, before its module is imported
    with pytest.raises(DuplicateRegistrationError):
        registry.register_lazy("mine", "collections:deque")
    registry.register("ordered", collections.OrderedDict)  # the entry's own object: resolved, not a duplicate
    assert registry.get("ordered") is collections.OrderedDict
    with pytest.raises(DuplicateRegistrationError):
        registry.register("ordered", collections.OrderedDict)  # but only once
    with pytest.raises(ConfigError, match="'module:attr'"):
        registry.register_lazy("bad", "collections.deque")


def test_an_unknown_name_suggests_the_closest_and_lists_all():
    registry = Registry("colour", {"red": "collections:OrderedDict"})
    registry.register("green", 1)
    with pytest.raises(UnknownNameError, match=r"unknown colour 'rad'; did you mean 'red'\? Available: green, red"):
        registry.get("rad")
    with pytest.raises(KeyError):  # UnknownNameError is a LookupError
        registry.target("blue")


def test_extractor_lookup_imports_only_what_it_names():
    loaded = _modules_after(
        "from lhotse_lite.features.extractor import EXTRACTORS, get_extractor_type\n"
        "assert 'kaldi-fbank' in EXTRACTORS.names()"
    )
    assert "lhotse_lite.features.kaldi.extractors" not in loaded and "torch" not in loaded
    loaded = _modules_after(
        "from lhotse_lite.features.extractor import get_extractor_type\n"
        "assert get_extractor_type('kaldi-mfcc').__name__ == 'Mfcc'"
    )
    assert "lhotse_lite.features.kaldi.extractors" in loaded


def test_storage_lookup_imports_only_the_named_back_end():
    loaded = _modules_after("import lhotse_lite.features.io")
    assert [m for m in loaded if m.startswith("lhotse_lite.features.storage.") and not m.endswith(".base")] == []
    loaded = _modules_after("from lhotse_lite.features.io import get_reader\nget_reader('numpy_files')")
    backends = {m.rsplit(".", 1)[1] for m in loaded if m.startswith("lhotse_lite.features.storage.")}
    assert backends == {"base", "codec", "files"}
    loaded = _modules_after("from lhotse_lite.features.io import MemoryNpyWriter")
    assert "lhotse_lite.features.storage.memory" in loaded
    assert "lhotse_lite.features.storage.lilcom_chunky" not in loaded


def test_manifest_types_are_one_table():
    from lhotse_lite.audio import RecordingSet
    from lhotse_lite.features import FeatureSet
    from lhotse_lite.manifest.detect import MANIFEST_TYPES, manifest_type_kind, resolve_manifest_type
    from lhotse_lite.supervision import SupervisionSet
    from lhotse_lite.validation import MANIFEST_KINDS

    assert MANIFEST_TYPES.names() == ["features", "recordings", "supervisions"]
    assert MANIFEST_KINDS == {"FeatureSet": "features", "RecordingSet": "recordings", "SupervisionSet": "supervisions"}
    for cls in (RecordingSet, SupervisionSet, FeatureSet):
        assert MANIFEST_TYPES.get(manifest_type_kind(cls)) is cls
    assert manifest_type_kind(type("MySups", (SupervisionSet,), {})) == "supervisions"
    assert resolve_manifest_type({"id": "s", "recording_id": "r", "start": 0, "duration": 1}) is SupervisionSet
    loaded = _modules_after("import lhotse_lite.manifest, lhotse_lite.validation")
    assert "lhotse_lite.supervision.set" not in loaded and "lhotse_lite.audio.recording_set" not in loaded


def test_registering_a_manifest_type(monkeypatch):
    from lhotse_lite.manifest import detect
    from lhotse_lite.supervision import SupervisionSet

    monkeypatch.setattr(
        detect,
        "MANIFEST_TYPES",
        Registry("manifest type", {kind: detect.MANIFEST_TYPES.target(kind) for kind in detect.MANIFEST_TYPES.names()}),
    )
    monkeypatch.setattr(detect, "_DETECTION", list(detect._DETECTION))
    notes = type("NoteSet", (SupervisionSet,), {})
    detect.register_manifest_type("notes", notes, ["note"])
    assert detect.resolve_manifest_type({"note": "x"}) is notes and detect.manifest_type_kind(notes) == "notes"
    with pytest.raises(DuplicateRegistrationError):
        detect.register_manifest_type("notes", notes, ["other"])
