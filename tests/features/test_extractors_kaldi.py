"""Kaldi extractors: Lhotse 1.33 config files, batching, registry, storing.

Compared live with Lhotse in tests/lhotse_parity/test_parity_feature_extractors.py.
"""

import dataclasses
import warnings

import numpy as np
import pytest
import torch

from lhotse_lite.errors import ConfigError, DuplicateRegistrationError, ShapeError, UnknownNameError
from lhotse_lite.features.base import (
    FeatureExtractor,
    create_default_feature_extractor,
    get_extractor_type,
    register_extractor,
)
from lhotse_lite.features.kaldi.extractors import (
    Fbank,
    FbankConfig,
    LogSpectrogram,
    LogSpectrogramConfig,
    Mfcc,
    MfccConfig,
    Spectrogram,
    SpectrogramConfig,
)
from lhotse_lite.units import kaldi_num_frames, window_samples

PAIRS = [
    ("kaldi-fbank", Fbank),
    ("kaldi-mfcc", Mfcc),
    ("kaldi-spectrogram", Spectrogram),
    ("kaldi-log-spectrogram", LogSpectrogram),
]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:lhotse.features.kaldi.layers")


def _audio(n=16000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 16000
    return (0.3 * np.sin(2 * np.pi * 300 * t) + 0.05 * rng.standard_normal(n)).astype(np.float32)


def _recording(lhotse_compat_dir, name="mono.wav", rid="rec-mono"):
    from lhotse_lite.audio import Recording

    return Recording.from_file(lhotse_compat_dir / "audio" / name, recording_id=rid)


def test_registered_with_lhotse_names():
    for name, cls in PAIRS:
        assert get_extractor_type(name) is cls
        assert type(create_default_feature_extractor(name)) is cls
    with pytest.raises(UnknownNameError, match="kaldi-fbank"):
        get_extractor_type("kaldi-fbnk")


def test_duplicate_registration_is_an_error():
    with pytest.raises(DuplicateRegistrationError):
        register_extractor(type("Other", (Fbank,), {"name": "kaldi-fbank"}))


def test_fbank_matches_stored_lhotse_fixture(lhotse_compat_dir):
    expected = np.load(lhotse_compat_dir / "expected_features.npz")
    for name, rid in [("mono.wav", "rec-mono"), ("stereo.flac", "rec-stereo")]:
        rec = _recording(lhotse_compat_dir, name, rid)
        ours = Fbank().extract(rec.load_audio(channels=0), rec.sampling_rate)
        np.testing.assert_allclose(ours, expected[f"float32/{rid}"], atol=1e-3, rtol=1e-4)


def test_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="valid fields"):
        FeatureExtractor.from_dict({"feature_type": "kaldi-fbank", "num_bins": 3})
    with pytest.raises(ConfigError, match="feature_type"):
        FeatureExtractor.from_dict({"num_filters": 3})
    with pytest.raises(ConfigError, match="Nyquist"):
        FbankConfig(sampling_rate=8000, high_freq=6000.0)
    with pytest.raises(ConfigError, match="window_type"):
        SpectrogramConfig(window_type="kaiser")
    assert FbankConfig(num_mel_bins=40).num_filters == 40
    with pytest.raises(ConfigError, match="16000 Hz"):
        Fbank().extract(_audio(), 8000)


def test_configs_are_frozen_values():
    config = LogSpectrogramConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.frame_shift = 0.02  # type: ignore[misc]
    assert LogSpectrogramConfig.from_dict(config.to_dict()) == config


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA error")
def test_cuda_device_without_cuda_is_a_config_error():
    with pytest.raises(ConfigError, match="CUDA"):
        Fbank(FbankConfig(device="cuda"))


@pytest.mark.parametrize("cls", [Fbank, Mfcc, Spectrogram, LogSpectrogram])
def test_extract_batch_equals_one_by_one(cls):
    extractor = cls()
    signals = [_audio(n, seed=n) for n in (16000, 12345, 401, 8000)]
    batch = extractor.extract_batch(signals, 16000)
    assert isinstance(batch, list) and len(batch) == 4
    for signal, feats in zip(signals, batch):
        np.testing.assert_allclose(feats, extractor.extract(signal, 16000), atol=1e-3, rtol=1e-4)


def test_extract_batch_runs_the_layers_once_and_keeps_types():
    extractor = Fbank()
    calls = []
    handle = extractor.extractor.register_forward_hook(lambda module, inp, out: calls.append(inp[0].shape))
    try:
        signals = [torch.from_numpy(_audio(n, seed=n)) for n in (3200, 4800, 1600)]
        out = extractor.extract_batch(signals, 16000)
        assert len(calls) == 1 and tuple(calls[0]) == (3, 4800)
        assert all(isinstance(x, torch.Tensor) for x in out) and [x.shape[0] for x in out] == [20, 30, 10]
        padded = torch.nn.utils.rnn.pad_sequence(signals, batch_first=True)
        again = extractor.extract_batch(padded, 16000, lengths=[3200, 4800, 1600])
        for a, b in zip(out, again):
            torch.testing.assert_close(a, b)
        same = extractor.extract_batch(np.stack([_audio(1600), _audio(1600, seed=1)]), 16000)
        assert isinstance(same, np.ndarray) and same.shape == (2, 10, 80)
    finally:
        handle.remove()
    with pytest.raises(ShapeError):
        extractor.extract_batch([np.zeros((2, 100), dtype=np.float32)], 16000)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100])
@pytest.mark.parametrize(
    "cls,config",
    [
        (Fbank, FbankConfig),
        (Mfcc, MfccConfig),
        (Spectrogram, SpectrogramConfig),
        (LogSpectrogram, LogSpectrogramConfig),
    ],
)
@pytest.mark.parametrize("snip_edges", [False, True])
def test_feature_dim_and_frame_counts_equal_the_layers_output(rate, cls, config, snip_edges):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # snip_edges=True warns
        extractor = cls(config(sampling_rate=rate, snip_edges=snip_edges))
    layer = extractor.extractor
    window, hop = window_samples(0.025, rate), window_samples(0.01, rate)
    assert (layer.window_length, layer.window_shift) == (window, hop)
    lengths = [window - 1, window, rate // 3 + 7, rate]
    signals = [np.random.default_rng(n).uniform(-0.5, 0.5, n).astype(np.float32) for n in lengths]
    batch = extractor.extract_batch(signals, rate)
    for signal, feats in zip(signals, batch):
        out = layer(torch.from_numpy(signal).unsqueeze(0))[0]
        assert feats.shape == tuple(out.shape)
        assert feats.shape == (kaldi_num_frames(len(signal), window, hop, snip_edges), extractor.feature_dim(rate))


@pytest.mark.parametrize("config", [FbankConfig, MfccConfig, SpectrogramConfig, LogSpectrogramConfig])
def test_snip_edges_warns_with_a_user_warning(config):
    with pytest.warns(UserWarning, match="snip_edges=True") as caught:
        config(snip_edges=True)
    assert caught[0].filename == __file__  # points at the caller, not at the library
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config()  # the default does not warn
        config.from_dict(config().to_dict())


def test_unknown_config_field_is_also_a_type_error():
    from lhotse_lite.errors import UnknownFieldError

    with pytest.raises(UnknownFieldError, match="num_cepstra") as err:
        MfccConfig.from_dict({"num_cepstra": 20})
    assert isinstance(err.value, TypeError) and isinstance(err.value, ConfigError)


def test_feature_domain_scaling():
    feats = np.log(np.full((2, 3), 2.0))
    np.testing.assert_allclose(Fbank.scale(feats, 4.0), np.log(8.0))
    np.testing.assert_allclose(LogSpectrogram.scale(feats, 4.0), np.log(8.0))
    np.testing.assert_allclose(Spectrogram.scale(np.full((2, 3), 2.0), 4.0), 8.0)
    with pytest.raises(ConfigError, match="scaling"):
        Mfcc.scale(feats, 4.0)
