"""The curated public surface: every exported name resolves, and the list is pinned."""

import ast
import importlib
from pathlib import Path

import pytest

import lhotse_lite
import lhotse_lite.features
import lhotse_lite.models
import lhotse_lite.recipes

NAMESPACES = [lhotse_lite, lhotse_lite.features, lhotse_lite.models, lhotse_lite.recipes]

PINNED_TOP_LEVEL = {
    "__version__",
    "AlignmentItem",
    "SupervisionSegment",
    "SupervisionSet",
    "AudioSource",
    "Recording",
    "RecordingSet",
    "set_audio_duration_mismatch_tolerance",
    "get_audio_duration_mismatch_tolerance",
    "combine",
    "load_manifest",
    "load_manifest_lazy",
    "store_manifest",
    "open_writer",
    "fastcopy",
    "compute_num_samples",
    "compute_num_frames",
    "add_durations",
    "Features",
    "FeatureSet",
    "FeatureExtractor",
    "FeatureSetBuilder",
    "Fbank",
    "FbankConfig",
    "Mfcc",
    "MfccConfig",
    "Spectrogram",
    "SpectrogramConfig",
    "LogSpectrogram",
    "LogSpectrogramConfig",
    "create_default_feature_extractor",
    "compute_global_stats",
    "get_extractor_type",
    "register_extractor",
    "store_feature_array",
    "LilcomChunkyWriter",
    "LilcomFilesWriter",
    "NumpyFilesWriter",
    "LilcomChunkyReader",
    "LilcomFilesReader",
    "NumpyFilesReader",
    "FeaturesReader",
    "FeaturesWriter",
    "StorageBackendInfo",
    "available_storage_backends",
    "storage_backend_statuses",
    "close_cached_file_handles",
    "KaldiReader",
    "validate_manifests",
    "describe_manifests",
    "LhotseLiteError",
    "fix_manifests",
    "validate",
    "validate_recordings_and_supervisions",
}


def test_top_level_all_is_pinned():
    assert set(lhotse_lite.__all__) == PINNED_TOP_LEVEL


@pytest.mark.parametrize("namespace", NAMESPACES, ids=lambda m: m.__name__)
def test_every_exported_name_resolves(namespace):
    for name in namespace.__all__:
        if name == "__version__":
            continue
        value = getattr(namespace, name)
        module = importlib.import_module(namespace._EXPORTS[name])
        assert value is getattr(module, name), name


@pytest.mark.parametrize("namespace", NAMESPACES, ids=lambda m: m.__name__)
def test_every_exported_name_has_a_runnable_example(namespace):
    missing = []
    for name in namespace.__all__:
        value = getattr(namespace, name)
        if name == "__version__" or not callable(value):
            continue
        if ">>>" not in (value.__doc__ or ""):
            missing.append(name)
    assert not missing, f"{namespace.__name__}: no doctest example in {missing}"


LAZY_NAMESPACES = [*NAMESPACES, importlib.import_module("lhotse_lite.features.kaldi")]


def _type_checking_imports(module) -> dict:
    """``{name: module}`` of the ``from M import N as N`` statements under ``if TYPE_CHECKING:``."""
    tree = ast.parse(Path(module.__file__).read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.dump(statement)
                for alias in statement.names:
                    assert alias.asname == alias.name, f"{alias.name} must be re-exported as itself"
                    found[alias.name] = statement.module
    return found


@pytest.mark.parametrize("namespace", LAZY_NAMESPACES, ids=lambda m: m.__name__)
def test_type_checkers_see_the_lazy_exports(namespace):
    # The lazy table is what runs; the TYPE_CHECKING block is what type checkers read: they must agree.
    assert _type_checking_imports(namespace) == namespace._EXPORTS


def test_the_package_ships_py_typed():
    assert (Path(lhotse_lite.__file__).parent / "py.typed").is_file()
