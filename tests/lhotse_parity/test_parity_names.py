"""Lhotse's public names of audio, features, storage, ``lhotse.qa`` and ``lhotse.recipes.utils`` exist at
Lhotse's import paths.

For each Lhotse 1.33 module, its public names are its ``__all__``; without one, a package's re-exported
names, or the classes and functions a module defines (module-level constants are not counted). Every
such name must exist in the ``lhotse_lite`` module of the same path, or be listed below as out of scope
with the reason (docs/coming_from_lhotse.rst gives the same reasons). A listed name that exists here,
or that Lhotse no longer has, fails the test, so the list cannot go stale.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Dict, List

import pytest

pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")

MODULES = [
    "audio",
    "features",
    "features.io",
    "features.base",
    "features.kaldi",
    "features.kaldi.layers",
    "features.kaldi.extractors",
    "kaldi",
    "qa",
    "recipes.utils",
]

_BACKENDS = "one audio backend, libsndfile: there is no backend to select"
_HDF5 = "HDF5 storage is out of scope (lilcom_chunky is the compact single-file format)"
_URL = "object-store storage (smart_open) is out of scope"
_CUTS = "cuts and Array/TemporalArray manifests are out of scope"
_RECIPE_TEXT = "the text normalisation of Lhotse's AliMeeting/AMI/CHiME-6/TED-LIUM recipes, which lhotse_lite lacks"
_EXTRACTOR = "extractors of other libraries (torchaudio, kaldifeat, librosa, openSMILE, S3PRL, Whisper): out of scope"

OUT_OF_SCOPE: Dict[str, Dict[str, str]] = {
    "audio": {
        "VideoInfo": "video is out of scope",
        "audio_backend": _BACKENDS,
        "available_audio_backends": _BACKENDS,
        "get_current_audio_backend": _BACKENDS,
        "get_default_audio_backend": _BACKENDS,
        "set_current_audio_backend": _BACKENDS,
        "get_ffmpeg_torchaudio_info_enabled": _BACKENDS,
        "set_ffmpeg_torchaudio_info_enabled": _BACKENDS,
    },
    "features": {
        **dict.fromkeys(
            [
                "ChunkedLilcomHdf5Reader",
                "ChunkedLilcomHdf5Writer",
                "LilcomHdf5Reader",
                "LilcomHdf5Writer",
                "NumpyHdf5Reader",
                "NumpyHdf5Writer",
            ],
            _HDF5,
        ),
        "LilcomURLReader": _URL,
        "LilcomURLWriter": _URL,
        "FeatureMixer": "feature-domain mixing of cuts: cuts are out of scope",
        **dict.fromkeys(
            [
                "TorchaudioFbank",
                "TorchaudioFbankConfig",
                "TorchaudioMfcc",
                "TorchaudioMfccConfig",
                "TorchaudioSpectrogram",
                "TorchaudioSpectrogramConfig",
                "KaldifeatFbank",
                "KaldifeatFbankConfig",
                "KaldifeatMfcc",
                "KaldifeatMfccConfig",
                "LibrosaFbank",
                "LibrosaFbankConfig",
                "OpenSmileConfig",
                "OpenSmileExtractor",
                "S3PRLSSL",
                "S3PRLSSLConfig",
                "WhisperFbank",
                "WhisperFbankConfig",
            ],
            _EXTRACTOR,
        ),
    },
    "features.io": {
        **dict.fromkeys(
            [
                "ChunkedLilcomHdf5Reader",
                "ChunkedLilcomHdf5Writer",
                "LilcomHdf5Reader",
                "LilcomHdf5Writer",
                "NumpyHdf5Reader",
                "NumpyHdf5Writer",
                "check_h5py_installed",
            ],
            _HDF5,
        ),
        **dict.fromkeys(["LilcomURLReader", "LilcomURLWriter", "FileIO"], _URL),
        "MemoryRawReader": "memory_raw unpickles manifest bytes (runs arbitrary code); memory_npy stores the same",
        "MemoryRawWriter": "memory_raw unpickles manifest bytes (runs arbitrary code); memory_npy stores the same",
        "DummySharReader": "Shar is out of scope",
        "check_lilcom_installed": "lilcom is a required dependency, always installed",
    },
    "features.base": {
        "TorchaudioFeatureExtractor": _EXTRACTOR,
    },
    "qa": dict.fromkeys(["validate_array", "validate_temporal_array", "validate_cut", "validate_cut_set"], _CUTS),
    "recipes.utils": dict.fromkeys(
        ["normalize_text_alimeeting", "normalize_text_ami", "normalize_text_chime6", "normalize_text_tedlium"],
        _RECIPE_TEXT,
    ),
}


def lhotse_public_names(module) -> List[str]:
    """``__all__``; else a package's re-exports; else the classes and functions the module defines."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    names = [n for n in dir(module) if not n.startswith("_") and not inspect.ismodule(getattr(module, n))]
    if module.__file__.endswith("__init__.py"):
        return names
    return [
        n
        for n in names
        if (inspect.isclass(getattr(module, n)) or inspect.isfunction(getattr(module, n)))
        and getattr(module, n).__module__ == module.__name__
    ]


@pytest.mark.parametrize("path", MODULES)
def test_every_in_scope_lhotse_name_exists_at_the_same_path(path):
    theirs = importlib.import_module(f"lhotse.{path}")
    ours = importlib.import_module(f"lhotse_lite.{path}")
    out_of_scope = OUT_OF_SCOPE.get(path, {})
    missing = [n for n in lhotse_public_names(theirs) if n not in out_of_scope and not hasattr(ours, n)]
    assert not missing, f"lhotse_lite.{path} lacks Lhotse's {missing}"


@pytest.mark.parametrize("path", MODULES)
def test_out_of_scope_lists_are_not_stale(path):
    theirs = importlib.import_module(f"lhotse.{path}")
    ours = importlib.import_module(f"lhotse_lite.{path}")
    names = set(lhotse_public_names(theirs))
    for name in OUT_OF_SCOPE.get(path, {}):
        assert name in names, f"lhotse.{path}.{name} is listed as out of scope but Lhotse has no such name"
        assert not hasattr(ours, name), f"lhotse_lite.{path}.{name} exists: remove it from OUT_OF_SCOPE"


@pytest.mark.parametrize("path", MODULES)
def test_names_are_the_same_kind_of_thing(path):
    theirs = importlib.import_module(f"lhotse.{path}")
    ours = importlib.import_module(f"lhotse_lite.{path}")
    for name in lhotse_public_names(theirs):
        if hasattr(ours, name):
            a, b = getattr(theirs, name), getattr(ours, name)
            assert inspect.isclass(a) == inspect.isclass(b), name
            assert callable(a) == callable(b), name


# Lhotse's parameters (names, in order) must start ours, so positional and keyword calls both port.
SIGNATURE_DIFFERENCES = {
    ("audio", "AudioSource"): "video: video is out of scope",
    ("audio", "info"): "force_opus_sampling_rate / force_read_audio: libsndfile reads OPUS at its coded rate and "
    "needs headers (no audioread fallback)",
    ("audio", "read_audio"): "force_opus_sampling_rate: libsndfile reads OPUS at its coded rate",
}
# The set constructors' keywords (RecordingSet(recordings=...), FeatureSet(features=...)) belong to the
# manifest side and are tested in test_parity_sets.py.
SETS = {"RecordingSet", "FeatureSet"}


def _parameters(obj) -> List[str]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = inspect.signature(target).parameters.values()
    return [p.name for p in params if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


@pytest.mark.parametrize("path", MODULES)
def test_signatures_start_with_lhotses_parameters(path):
    theirs = importlib.import_module(f"lhotse.{path}")
    ours = importlib.import_module(f"lhotse_lite.{path}")
    for name in lhotse_public_names(theirs):
        if (
            not hasattr(ours, name)
            or name in SETS
            or not (inspect.isclass(getattr(ours, name)) or inspect.isfunction(getattr(ours, name)))
        ):
            continue
        lhotse_params, our_params = _parameters(getattr(theirs, name)), _parameters(getattr(ours, name))
        matches = our_params[: len(lhotse_params)] == lhotse_params
        if (path, name) in SIGNATURE_DIFFERENCES:
            assert not matches, f"{path}.{name} now matches Lhotse: remove it from SIGNATURE_DIFFERENCES"
        else:
            assert matches, f"{path}.{name}: Lhotse {lhotse_params}, ours {our_params}"


# Public methods and attributes of the in-scope classes (their generic set methods are the manifests side's).
METHODS_OUT_OF_SCOPE: Dict[str, Dict[str, str]] = {
    "Recording": {
        **dict.fromkeys(
            ["clip_amplitude", "compress", "dereverb_wpe", "narrowband", "normalize_loudness", "reverb_rir"],
            "augmentation is out of scope",
        ),
        **dict.fromkeys(
            ["has_video", "load_video", "play_video", "video", "with_video_resolution"], "video is out of scope"
        ),
        "is_placeholder": "Shar is out of scope",
        "to_cut": "cuts are out of scope",
        "source_format": "format sniffing for Shar and audio writers, out of scope",
    },
    "AudioSource": {
        **dict.fromkeys(["has_video", "load_video", "video", "with_video_resolution"], "video is out of scope"),
        "format": "format sniffing for Shar and audio writers, out of scope",
    },
    "LilcomChunkyWriter": {"store_array": "Array/TemporalArray manifests (custom arrays of cuts) are out of scope"},
    "LilcomFilesWriter": {"store_array": "Array/TemporalArray manifests (custom arrays of cuts) are out of scope"},
    "NumpyFilesWriter": {"store_array": "Array/TemporalArray manifests (custom arrays of cuts) are out of scope"},
    "MemoryLilcomWriter": {"store_array": "Array/TemporalArray manifests (custom arrays of cuts) are out of scope"},
    "FeaturesWriter": {"store_array": "Array/TemporalArray manifests (custom arrays of cuts) are out of scope"},
    "Wav2Win": {},
    **{
        cls: {"wav2win": "the framing is the layer's base class, not a Wav2Win submodule"}
        for cls in ["Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"]
    },
}
RECORDING_SET_AUDIO_METHODS = [
    "from_dir",
    "from_recordings",
    "load_audio",
    "num_channels",
    "sampling_rate",
    "num_samples",
    "duration",
    "resample",
    "perturb_speed",
    "perturb_tempo",
    "perturb_volume",
    "with_path_prefix",
]
CLASSES = {
    "audio": ["Recording", "AudioSource"],
    "features.io": [
        "FeaturesWriter",
        "FeaturesReader",
        "LilcomChunkyWriter",
        "LilcomChunkyReader",
        "LilcomFilesWriter",
        "LilcomFilesReader",
        "NumpyFilesWriter",
        "NumpyFilesReader",
        "MemoryLilcomWriter",
        "MemoryLilcomReader",
        "MemoryNpyReader",
    ],
    "features.kaldi.extractors": [
        "Fbank",
        "FbankConfig",
        "Mfcc",
        "MfccConfig",
        "Spectrogram",
        "SpectrogramConfig",
        "LogSpectrogram",
        "LogSpectrogramConfig",
    ],
    "features.base": ["FeatureExtractor"],
}


def _public(obj) -> set:
    return {n for n in dir(obj) if not n.startswith("_")}


@pytest.mark.parametrize("path,cls", [(p, c) for p, classes in CLASSES.items() for c in classes])
def test_in_scope_classes_have_lhotses_methods(path, cls):
    theirs = getattr(importlib.import_module(f"lhotse.{path}"), cls)
    ours = getattr(importlib.import_module(f"lhotse_lite.{path}"), cls)
    out_of_scope = METHODS_OUT_OF_SCOPE.get(cls, {})
    missing = sorted(_public(theirs) - _public(ours) - set(out_of_scope))
    assert not missing, f"lhotse_lite {cls} lacks Lhotse's {missing}"
    assert not set(out_of_scope) & _public(ours), "an out-of-scope method exists: remove it from the list"


def test_layers_have_lhotses_attributes():
    import torch
    from lhotse.features.kaldi import layers as theirs

    from lhotse_lite.features.kaldi import layers as ours

    module_names = _public(torch.nn.Module())
    for cls in ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"]:
        lhotse_layer, our_layer = getattr(theirs, cls)(), getattr(ours, cls)()
        missing = _public(lhotse_layer) - module_names - _public(our_layer) - set(METHODS_OUT_OF_SCOPE[cls])
        assert not missing, f"{cls} lacks {sorted(missing)}"


def test_recording_set_has_lhotses_audio_methods():
    from lhotse import RecordingSet as Theirs

    from lhotse_lite.audio import RecordingSet as Ours

    for name in RECORDING_SET_AUDIO_METHODS:
        assert hasattr(Theirs, name) and hasattr(Ours, name), name
        if name != "from_dir":  # from_dir: ours adds progress_bar at the end
            assert _parameters(getattr(Ours, name)) == _parameters(getattr(Theirs, name)), name
    assert _parameters(Ours.from_dir)[: len(_parameters(Theirs.from_dir))] == _parameters(Theirs.from_dir)


def test_top_level_names_of_audio_features_and_storage():
    import lhotse as theirs

    import lhotse_lite as ours

    # One resampler (soxr, see docs/audio.rst): no resampling backend to select.
    resampling = {
        "available_resampling_backends",
        "get_current_resampling_backend",
        "resampling_backend",
        "set_current_resampling_backend",
    }
    out_of_scope = {name for names in OUT_OF_SCOPE.values() for name in names} | resampling
    ours_side = []
    for name in dir(theirs):
        value = getattr(theirs, name)
        module = getattr(value, "__module__", "") or ""
        if name.startswith("_") or inspect.ismodule(value) or name in out_of_scope:
            continue
        if module.startswith(("lhotse.audio", "lhotse.features")):
            ours_side.append(name)
    missing = [name for name in ours_side if not hasattr(ours, name)]
    assert len(ours_side) >= 20 and not missing, missing
    assert all(name in dir(theirs) for name in resampling)
