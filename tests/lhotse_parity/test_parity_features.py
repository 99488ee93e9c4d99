"""Feature extraction on Lhotse 1.33 and on lhotse_lite: configs, warnings, features, layer helpers, errors.

Log features are compared to ``atol=1e-3, rtol=1e-4`` (docs/features.rst): both compute in float32 but
sum the mel filters in a different order, which moves the lowest-energy filters by up to ~5e-4 in the log
domain. Values that differ on purpose (44.1 kHz frame positions, the blackman window, log-spectrogram
mixing) are checked as differences, with the reason in docs/coming_from_lhotse.rst.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
import lhotse.features.kaldi.extractors as lhotse_extractors  # noqa: E402
import lhotse.features.kaldi.layers as lhotse_layers  # noqa: E402

import lhotse_lite.features.kaldi.extractors as our_extractors  # noqa: E402
import lhotse_lite.features.kaldi.layers as our_layers  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")

KINDS = ["Fbank", "Mfcc", "Spectrogram", "LogSpectrogram"]
LOG_TOLERANCE = {"atol": 1e-3, "rtol": 1e-4}


def _signal(seconds: float, sampling_rate: int, seed: int = 0) -> np.ndarray:
    """Speech-like: harmonics of a 140 Hz voice with an amplitude envelope, plus a little noise."""
    t = np.arange(int(seconds * sampling_rate)) / sampling_rate
    voice = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    rng = np.random.default_rng(seed)
    return (0.2 * voice * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)) + 0.01 * rng.standard_normal(t.size)).astype(
        np.float32
    )


def _pair(kind: str, **options):
    theirs = getattr(lhotse_extractors, kind)(getattr(lhotse_extractors, f"{kind}Config")(**options))
    ours = getattr(our_extractors, kind)(getattr(our_extractors, f"{kind}Config")(**options))
    return theirs, ours


LOG_FLOOR = float(np.log(np.float32(1.1920928955078125e-07)))  # log(FLT_EPSILON): Kaldi's floor, ours


def _assert_features_close(kind, theirs, ours):
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    if kind == "Spectrogram":  # linear power: relative to the largest value
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4 * float(np.abs(theirs).max()))
    elif kind == "LogSpectrogram":
        # Bins with (almost) no power: ours sit on Kaldi's floor log(FLT_EPSILON), Lhotse's go below it.
        floored = ours <= LOG_FLOOR + 1e-3
        assert np.all(theirs[floored] <= LOG_FLOOR + LOG_TOLERANCE["atol"])
        np.testing.assert_allclose(ours[~floored], theirs[~floored], **LOG_TOLERANCE)
    else:
        np.testing.assert_allclose(ours, theirs, **LOG_TOLERANCE)


CONFIGS = [
    {},
    {"dither": 0.0, "frame_shift": 0.02},
    {"window_type": "hamming", "remove_dc_offset": False},
    {"preemph_coeff": 0.0, "raw_energy": False},
    {"use_fft_mag": True},
    {"sampling_rate": 8000},
]
MEL_CONFIGS = [{"num_filters": 40, "low_freq": 64.0, "high_freq": -200.0}, {"use_energy": True}]


# (Mfcc with use_energy: Lhotse 1.33 raises, see test_mfcc_with_energy; spectra have no mel options.)
CASES = [(kind, options) for kind in KINDS for options in CONFIGS] + [
    ("Fbank", MEL_CONFIGS[0]),
    ("Fbank", MEL_CONFIGS[1]),
    ("Mfcc", MEL_CONFIGS[0]),
    ("Spectrogram", {"use_energy": True}),
    ("LogSpectrogram", {"use_energy": True}),
]


@pytest.mark.parametrize("kind,options", CASES, ids=str)
def test_configs_and_features_match(kind, options):
    theirs, ours = _pair(kind, **options)
    assert ours.config.to_dict() == theirs.config.to_dict()
    assert ours.to_dict() == theirs.to_dict()
    rate = options.get("sampling_rate", 16000)
    assert ours.feature_dim(rate) == theirs.feature_dim(rate)
    assert ours.frame_shift == theirs.frame_shift
    samples = _signal(1.37, rate)
    _assert_features_close(kind, theirs.extract(samples, rate), ours.extract(samples, rate))


def test_mfcc_with_energy():
    # Lhotse 1.33's Wav2MFCC(use_energy=True) fails on a shape error; ours puts the log energy in C0 (Kaldi).
    theirs, ours = _pair("Mfcc", use_energy=True)
    with pytest.raises(RuntimeError):
        theirs.extract(_signal(1.0, 16000), 16000)
    plain = our_extractors.Mfcc().extract(_signal(1.0, 16000), 16000)
    with_energy = ours.extract(_signal(1.0, 16000), 16000)
    np.testing.assert_array_equal(with_energy[:, 1:], plain[:, 1:])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100])
def test_feature_dim_frame_shift_and_frame_count_at_common_rates(kind, rate):
    theirs, ours = _pair(kind, sampling_rate=rate)
    assert ours.feature_dim(rate) == theirs.feature_dim(rate)
    samples = _signal(0.731, rate)
    assert ours.extract(samples, rate).shape == theirs.extract(samples, rate).shape
    if rate in (8000, 16000):
        _assert_features_close(kind, theirs.extract(samples, rate), ours.extract(samples, rate))


def test_torch_input_gives_torch_output():
    theirs, ours = _pair("Fbank")
    x = torch.from_numpy(_signal(0.5, 16000))
    a, b = theirs.extract(x, 16000), ours.extract(x, 16000)
    assert isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
    np.testing.assert_allclose(b.numpy(), a.numpy(), **LOG_TOLERANCE)


def test_extract_batch_of_equal_lengths():
    theirs, ours = _pair("Fbank")
    batch = np.stack([_signal(0.8, 16000, seed=s) for s in range(3)])
    a, b = theirs.extract_batch(batch, 16000), ours.extract_batch(batch, 16000)
    assert np.asarray(a).shape == np.asarray(b).shape == (3, 80, 80)
    np.testing.assert_allclose(np.asarray(b), np.asarray(a), **LOG_TOLERANCE)


def test_extract_batch_of_different_lengths():
    # Lhotse pads the batch with zeros, which changes each shorter signal's last frames; ours pads each
    # signal with its mirror image first (Kaldi's edge rule), so each item equals extract() on it alone.
    theirs, ours = _pair("Fbank")
    signals = [_signal(seconds, 16000, seed=i) for i, seconds in enumerate((0.5, 0.8, 0.65))]
    a, b = theirs.extract_batch(signals, 16000), ours.extract_batch(signals, 16000)
    assert [x.shape for x in b] == [x.shape for x in a]
    for mine, lhotse_item, signal in zip(b, a, signals):
        np.testing.assert_allclose(mine[:-2], lhotse_item[:-2], **LOG_TOLERANCE)
        np.testing.assert_array_equal(mine, ours.extract(signal, 16000))


@pytest.mark.parametrize("kind", ["Fbank", "Spectrogram"])
def test_feature_domain_mix_energy_and_scale(kind):
    theirs, ours = _pair(kind)
    a = theirs.extract(_signal(0.5, 16000, seed=1), 16000)
    b = theirs.extract(_signal(0.5, 16000, seed=2), 16000)
    np.testing.assert_allclose(type(ours).mix(a, b, 0.3), type(theirs).mix(a, b, 0.3), rtol=1e-6)
    assert type(ours).compute_energy(a) == pytest.approx(type(theirs).compute_energy(a), rel=1e-6)
    np.testing.assert_allclose(type(ours).scale(a, 0.3), type(theirs).scale(a, 0.3), rtol=1e-6)


def test_log_spectrogram_mixes_log_powers():
    # Lhotse 1.33 mixes and scales log spectra with the linear rules (a + s * b); ours adds the powers.
    a, b = np.zeros((1, 2)), np.log(np.full((1, 2), 3.0))
    np.testing.assert_allclose(our_extractors.LogSpectrogram.mix(a, b, 1.0), np.log(4.0))
    np.testing.assert_allclose(lhotse_extractors.LogSpectrogram.mix(a, b, 1.0), np.log(3.0))
    np.testing.assert_allclose(our_extractors.LogSpectrogram.scale(b, 2.0), np.log(6.0))


@pytest.mark.parametrize("config", ["FbankConfig", "MfccConfig", "SpectrogramConfig", "LogSpectrogramConfig"])
def test_snip_edges_warns_like_lhotse(config):
    for module in (lhotse_extractors, our_extractors):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(module, config)(snip_edges=True)
            getattr(module, config)()
        assert [w.category for w in caught] == [UserWarning], module.__name__
        assert "snip_edges" in str(caught[0].message)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # what users do to stop on it
            with pytest.raises(UserWarning):
                getattr(module, config)(snip_edges=True)


@pytest.mark.filterwarnings("ignore:.*snip_edges:UserWarning")
def test_snip_edges_frames_match():
    theirs, ours = _pair("Fbank", snip_edges=True)
    samples = _signal(1.0, 16000)
    _assert_features_close("Fbank", theirs.extract(samples, 16000), ours.extract(samples, 16000))


def test_num_mel_bins_alias():
    for module in (lhotse_extractors, our_extractors):
        config = module.FbankConfig(num_mel_bins=64)
        assert config.num_filters == 64 and config.num_mel_bins is None and "num_mel_bins" not in config.to_dict()


# ------------------------------------------------------------------------------------ layer helpers


def test_window_helpers():
    assert set(lhotse_layers.available_windows()) <= set(our_layers.available_windows())
    for window_type in ["hamming", "hanning", "povey", "rectangular"]:
        for size in (1, 2, 400, 551, 1102):
            expected = lhotse_layers.create_frame_window(size, window_type)
            actual = our_layers.create_frame_window(size, window_type)
            assert actual.dtype == expected.dtype
            if size > 1:  # a 1-sample hann window is nan in torch, 1.0 in Kaldi
                torch.testing.assert_close(actual, expected, rtol=0, atol=1e-6)
    # blackman: Kaldi's symmetric window here, Lhotse's periodic one
    assert not torch.allclose(
        our_layers.create_frame_window(400, "blackman"), lhotse_layers.create_frame_window(400, "blackman"), atol=1e-3
    )


BANDS = [(16000, 512, 20.0, -400.0), (8000, 256, 20.0, 0.0), (44100, 2048, 64.0, 8000.0), (22050, 1024, 0.0, -100.0)]
# (80 filters over a 256-point FFT at 8 kHz leave filters without bins: ours raises, Lhotse returns them empty.)
MEL_CASES = [(*band, n) for band in BANDS for n in (23, 40, 80) if not (band[0] == 8000 and n == 80)]


@pytest.mark.parametrize("rate,fft,low,high,num_filters", MEL_CASES)
def test_mel_bank_functions(rate, fft, low, high, num_filters):
    banks, centres = lhotse_layers.get_mel_banks(num_filters, fft, rate, low, high)
    our_banks, our_centres = our_layers.get_mel_banks(num_filters, fft, rate, low, high)
    assert our_banks.shape == banks.shape and our_centres.shape == centres.shape
    torch.testing.assert_close(our_banks, banks, rtol=0, atol=2e-5)  # Lhotse computes the weights in float32
    torch.testing.assert_close(our_centres, centres, rtol=1e-6, atol=1e-3)
    for norm in (True, False):
        expected = lhotse_layers.create_mel_scale(num_filters, fft, rate, low, high, norm_filters=norm)
        torch.testing.assert_close(
            our_layers.create_mel_scale(num_filters, fft, rate, low, high, norm_filters=norm),
            expected,
            rtol=1e-5,
            atol=1e-6,
        )


def test_mel_scale_and_power_of_two_functions():
    for x in (0.0, 440.0, 1000.0, 7999.5):
        assert our_layers.lin2mel(x) == pytest.approx(lhotse_layers.lin2mel(x), rel=1e-12)
        assert our_layers.mel2lin(our_layers.lin2mel(x)) == pytest.approx(x, abs=1e-9)
    grid = np.linspace(0, 8000, 17)
    np.testing.assert_allclose(our_layers.lin2mel(grid), lhotse_layers.lin2mel(grid), rtol=1e-12)
    np.testing.assert_allclose(our_layers.mel2lin(grid), lhotse_layers.mel2lin(grid), rtol=1e-12)
    tensor = torch.tensor([0.0, 500.0, 4000.0], dtype=torch.float64)
    torch.testing.assert_close(our_layers.lin2mel(tensor), lhotse_layers.lin2mel(tensor))
    sizes = range(5000)
    assert [our_layers.next_power_of_2(n) for n in sizes] == [lhotse_layers.next_power_of_2(n) for n in sizes]


@pytest.mark.parametrize("cls", ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"])
def test_layers_match_at_16k(cls):
    x = torch.from_numpy(np.stack([_signal(0.9, 16000, seed=s) for s in range(2)]))
    theirs, ours = getattr(lhotse_layers, cls)(), getattr(our_layers, cls)()
    a, b = theirs(x), ours(x)
    a, b = (a[0], b[0]) if isinstance(a, tuple) else (a, b)
    assert b.shape == a.shape and b.dtype == a.dtype
    for attr in ("fft_length", "num_filters", "num_ceps"):
        if hasattr(theirs, attr):
            assert getattr(ours, attr) == getattr(theirs, attr)
    if cls in ("Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"):
        torch.testing.assert_close(b, a, **LOG_TOLERANCE)
    else:  # linear values: relative to the largest one
        scale = float(a.abs().max())
        torch.testing.assert_close(b, a, rtol=0, atol=1e-4 * scale)


# ------------------------------------------------------------------------------------------- errors


def _same_error_kind(theirs: BaseException, mine: BaseException) -> None:
    """Our error is of our tree and an instance of the builtin Lhotse raised (``Exception``: anything)."""
    assert type(theirs).__module__ == "builtins", type(theirs)
    assert isinstance(mine, type(theirs)), (type(theirs), type(mine).__mro__)
    assert type(mine).__module__ == "lhotse_lite.errors", type(mine)


def _extractor(module, kind, **options):
    return getattr(module, kind)(getattr(module, f"{kind}Config")(**options))


ERROR_CASES = {
    "extract at another sampling rate": lambda m, layers: _extractor(m, "Fbank").extract(_signal(0.1, 8000), 8000),
    "high_freq above Nyquist": lambda m, layers: _extractor(m, "Fbank", high_freq=9000.0),
    "low_freq above high_freq": lambda m, layers: _extractor(m, "Mfcc", low_freq=7700.0),
    "two mel filters": lambda m, layers: _extractor(m, "Fbank", num_filters=2),
    "unknown config field": lambda m, layers: m.FbankConfig.from_dict({"num_cepstra": 20}),
    "unknown window": lambda m, layers: _extractor(m, "Spectrogram", window_type="hann"),
    "1-D input to a layer": lambda m, layers: layers.Wav2LogFilterBank()(torch.zeros(16000)),
    "3-D input to a layer": lambda m, layers: layers.Wav2MFCC()(torch.zeros(1, 1, 16000)),
    "get_mel_banks with two filters": lambda m, layers: layers.get_mel_banks(2, 512, 16000.0, 20.0, -400.0),
    "get_mel_banks above Nyquist": lambda m, layers: layers.get_mel_banks(23, 512, 16000.0, 20.0, 9000.0),
    "unknown window function": lambda m, layers: layers.create_frame_window(400, "hann"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_caught_by_lhotses_except_clauses(case, raised):
    theirs = raised(lambda: ERROR_CASES[case](lhotse_extractors, lhotse_layers))
    mine = raised(lambda: ERROR_CASES[case](our_extractors, our_layers))
    _same_error_kind(theirs, mine)
