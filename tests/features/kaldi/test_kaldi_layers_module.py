"""The layers as modules: shapes, options, errors, TorchScript, autograd, batching, devices.

Compared live with Lhotse's layers in tests/lhotse_parity/test_parity_kaldi_layers_module.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import lhotse_lite.features.kaldi as kaldi
from lhotse_lite.errors import ConfigError, ShapeError, SignalValueError
from lhotse_lite.features.kaldi import (
    Wav2FFT,
    Wav2LogFilterBank,
    Wav2LogSpec,
    Wav2MFCC,
    Wav2Spec,
    Wav2Win,
)

ALL = [Wav2Win, Wav2FFT, Wav2Spec, Wav2LogSpec, Wav2LogFilterBank, Wav2MFCC]


def _features(layer, x):
    out = layer(x)
    return out[0] if isinstance(out, tuple) else out


def test_public_surface():
    layers = ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"]
    extractors = [
        "Fbank",
        "FbankConfig",
        "Mfcc",
        "MfccConfig",
        "Spectrogram",
        "SpectrogramConfig",
        "LogSpectrogram",
        "LogSpectrogramConfig",
    ]
    assert sorted(kaldi.__all__) == sorted(layers + extractors)


def test_importing_the_layers_imports_no_manifest_or_extractor_module():
    import subprocess
    import sys

    code = "import sys, lhotse_lite.features.kaldi.layers; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    assert not [
        m
        for m in loaded
        if m.startswith(
            (
                "lhotse_lite.manifest",
                "lhotse_lite.audio",
                "lhotse_lite.features.manifest",
                "lhotse_lite.features.kaldi.extractors",
            )
        )
    ]


@pytest.mark.parametrize(
    "cls,shape,dtype",
    [
        (Wav2Win, (1, 100, 400), torch.float32),
        (Wav2FFT, (1, 100, 257), torch.complex64),
        (Wav2Spec, (1, 100, 257), torch.float32),
        (Wav2LogSpec, (1, 100, 257), torch.float32),
        (Wav2LogFilterBank, (1, 100, 80), torch.float32),
        (Wav2MFCC, (1, 100, 13), torch.float32),
    ],
)
def test_one_second_shapes(cls, shape, dtype):
    out = _features(cls(), torch.randn(1, 16000) * 0.1)
    assert out.shape == shape and out.dtype == dtype


def test_defaults_follow_lhotse():
    fbank, mfcc = Wav2LogFilterBank(), Wav2MFCC()
    assert (fbank.num_filters, fbank.high_freq, fbank.low_freq, fbank.snip_edges) == (80, -400.0, 20.0, False)
    assert fbank.torchaudio_compatible_mel_scale and not fbank.use_energy and fbank.energy_floor == 1e-10
    assert (mfcc.num_filters, mfcc.num_ceps, mfcc.cepstral_lifter) == (23, 13, 22)
    assert Wav2FFT().use_energy and Wav2Spec().use_energy and not Wav2Spec().use_fft_mag
    assert Wav2Win().window_type == "povey" and Wav2Win().pad_length == 400


def test_feature_dims_with_energy():
    x = torch.randn(1, 8000) * 0.1
    assert Wav2LogFilterBank(use_energy=True)(x).shape[-1] == 81
    assert Wav2MFCC(use_energy=True, num_ceps=20)(x).shape[-1] == 20
    frames, log_e = Wav2Win(pad_length=512, return_log_energy=True)(x)
    assert frames.shape[-1] == 512 and bool((frames[..., 400:] == 0).all()) and log_e is not None


def test_energy_goes_to_bin_zero_of_spectra():
    x = torch.randn(1, 8000) * 0.1
    _frames, log_e = Wav2Win(return_log_energy=True)(x)
    assert torch.allclose(Wav2LogSpec()(x)[..., 0], log_e)
    assert torch.allclose(Wav2Spec()(x)[..., 0], log_e)
    assert torch.allclose(Wav2FFT()(x)[..., 0].real, log_e)
    assert not torch.allclose(Wav2LogSpec(use_energy=False)(x)[..., 0], log_e)


def test_fft_mag_is_sqrt_of_power():
    x = torch.randn(1, 4000) * 0.1
    power = Wav2Spec(use_energy=False)(x)
    mag = Wav2Spec(use_energy=False, use_fft_mag=True)(x)
    assert torch.allclose(mag**2, power, rtol=1e-4, atol=1e-9)


def test_lifter_and_dct_match_kaldi_formulas():
    lifter = Wav2MFCC.make_lifter(13, 22)
    expected = [1 + 11 * math.sin(math.pi * n / 22) for n in range(13)]
    assert np.allclose(lifter.numpy(), expected, atol=1e-6)
    assert torch.equal(Wav2MFCC.make_lifter(5, 0), torch.ones(5))
    dct = Wav2MFCC.make_dct_matrix(13, 23).double()
    assert dct.shape == (23, 13)
    assert torch.allclose(dct.T @ dct, torch.eye(13, dtype=torch.float64), atol=1e-6)  # orthonormal columns
    assert math.isclose(float(dct[0, 0]), math.sqrt(1 / 23), rel_tol=1e-6)
    assert math.isclose(float(dct[4, 2]), math.sqrt(2 / 23) * math.cos(math.pi / 23 * 4.5 * 2), rel_tol=1e-5)


def test_constants_are_non_persistent_buffers():
    layer = Wav2MFCC()
    assert layer.state_dict() == {} and list(layer.parameters()) == []
    assert {name for name, _ in layer.named_buffers()} >= {"_window", "_mel_banks", "_sparse_weights", "_cepstrum"}


def test_buffers_are_read_live_after_moves_copies_and_functional_call(helpers):
    # Eager mode reads the buffers from ``_buffers`` (a fast path past nn.Module.__getattr__); whatever
    # replaces them (``double()``, deepcopy, torch.func.functional_call) must be what the layer uses.
    import copy

    layer = Wav2MFCC().double()
    clone = copy.deepcopy(layer)
    x = helpers.speech_like(4000, 16000).double().unsqueeze(0)
    assert layer(x).dtype == torch.float64 and torch.equal(layer(x), clone(x))
    assert torch.equal(torch.jit.script(layer)(x), layer(x))
    fbank = Wav2LogFilterBank()
    x = x.float() * 32768.0
    doubled = torch.func.functional_call(fbank, {"_mel_banks": fbank._mel_banks * 2}, (x,))
    assert torch.allclose(doubled - fbank(x), torch.full_like(doubled, math.log(2.0)), atol=1e-4)
    longer = helpers.speech_like(16000, 16000).unsqueeze(0) * 32768.0  # 100 frames: the sparse filter sums
    doubled = torch.func.functional_call(fbank, {"_sparse_weights": fbank._sparse_weights * 2}, (longer,))
    assert torch.allclose(doubled - fbank(longer), torch.full_like(doubled, math.log(2.0)), atol=1e-4)


@pytest.mark.parametrize(
    "kwargs,option",
    [
        ({"window_type": "kaiser"}, "window_type"),
        ({"sampling_rate": 8000, "high_freq": 4500.0}, "high_freq"),
        ({"sampling_rate": 8000, "low_freq": 4000.0}, "low_freq"),
        ({"high_freq": 100.0, "low_freq": 200.0}, "high_freq"),
        ({"num_filters": 200}, "num_filters"),
        ({"num_filters": 2}, "num_filters"),
        ({"frame_shift": 0.03}, "frame_shift"),
        ({"frame_length": 0.0}, "frame_length"),
        ({"preemph_coeff": 1.5}, "preemph_coeff"),
        ({"dither": -1.0}, "dither"),
        ({"energy_floor": -1.0}, "energy_floor"),
        ({"sampling_rate": 0}, "sampling_rate"),
    ],
)
def test_bad_options_raise_config_error(kwargs, option):
    with pytest.raises(ConfigError, match=option):
        Wav2LogFilterBank(**kwargs)


def test_bad_options_name_the_allowed_values():
    with pytest.raises(ConfigError, match="hamming, hanning, povey, rectangular, blackman"):
        Wav2Win(window_type="hann")
    with pytest.raises(ConfigError, match="num_ceps"):
        Wav2MFCC(num_ceps=30)
    with pytest.raises(ConfigError, match="padded frame length"):
        Wav2Win(pad_length=100)
    with pytest.raises(ValueError):  # ConfigError is a ValueError for callers written against Lhotse
        Wav2Spec(window_type="nope")


@pytest.mark.parametrize(
    "x,error,match",
    [
        (torch.zeros(16000), ShapeError, "batch, num_samples"),
        (torch.zeros(1, 1, 16000), ShapeError, "batch, num_samples"),
        (torch.zeros(1, 16000, dtype=torch.int16), ShapeError, "float32 or float64"),
        (torch.zeros(1, 16000, dtype=torch.float16), ShapeError, "float32 or float64"),
        (torch.tensor([[0.0, float("nan")] * 300]), SignalValueError, "NaN"),
        (torch.tensor([[0.0, float("inf")] * 300]), SignalValueError, "NaN or infinite"),
    ],
)
def test_bad_input_raises(x, error, match):
    for cls in (Wav2LogFilterBank, Wav2Win):
        with pytest.raises(error, match=match):
            cls()(x)
        with pytest.raises(error, match=match):
            cls().online_inference(x)


def test_mismatched_context_raises():
    layer = Wav2LogFilterBank()
    (_, _), rem = layer.online_inference(torch.zeros(2, 1000))
    with pytest.raises(ShapeError, match="context"):
        layer.online_inference(torch.zeros(3, 100), rem)
    with pytest.raises(ShapeError, match="context"):
        layer.online_inference(torch.zeros(2, 100, dtype=torch.float64), rem)


@pytest.mark.parametrize("cls", ALL)
def test_torchscript_equals_eager(cls, helpers):
    layer = cls(use_energy=True) if cls in (Wav2LogFilterBank, Wav2MFCC) else cls()
    scripted = torch.jit.script(layer)
    x = torch.stack([helpers.speech_like(7000, 16000, seed=1), helpers.speech_like(7000, 16000, seed=2)])
    eager, script = layer(x), scripted(x)
    if isinstance(eager, tuple):
        eager, script = eager[0], script[0]
    assert torch.equal(eager, script)


@pytest.mark.parametrize("cls", ALL)
def test_gradients_reach_the_input(cls, helpers):
    x = helpers.speech_like(3000, 16000).unsqueeze(0).double().requires_grad_(True)
    out = _features(cls(), x)
    (out.abs() if out.is_complex() else out).sum().backward()
    assert x.grad is not None and bool(torch.isfinite(x.grad).all()) and float(x.grad.abs().sum()) > 0


def test_gradcheck_fbank():
    layer = Wav2LogFilterBank(num_filters=6, frame_length=0.016, frame_shift=0.008, sampling_rate=4000, use_energy=True)
    x = (torch.randn(1, 150, dtype=torch.float64) * 0.3).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda s: layer(s), (x,), eps=1e-6, atol=1e-4)


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("snip", [False, True])
def test_batched_equals_one_by_one(cls, snip, helpers):
    layer = cls(snip_edges=snip)
    x = torch.stack([helpers.speech_like(9000, 16000, seed=s) for s in range(3)])
    batched = _features(layer, x)
    singles = torch.cat([_features(layer, x[i : i + 1]) for i in range(3)])
    assert batched.shape == singles.shape
    assert torch.allclose(batched, singles, rtol=1e-5, atol=1e-5)


def test_float64_input_gives_float64_output(helpers):
    x = helpers.speech_like(4000, 16000).unsqueeze(0)
    out64 = Wav2MFCC()(x.double())
    assert out64.dtype == torch.float64
    assert torch.allclose(out64.float(), Wav2MFCC()(x), atol=1e-4)


def test_dither_adds_noise_of_the_requested_size():
    x = torch.zeros(1, 16000)
    frames, _ = Wav2Win(dither=0.5, remove_dc_offset=False, preemph_coeff=0.0, window_type="rectangular")(x)
    assert 0.4 < float(frames.std()) < 0.6
    assert torch.equal(Wav2Win()(x)[0], torch.zeros(1, 100, 400))


def test_long_input_is_processed_in_blocks_identically(helpers):
    layer = Wav2LogFilterBank(use_energy=True)
    x = helpers.speech_like(16000 * 3, 16000).unsqueeze(0)
    whole = layer(x)
    layer._block_frames = 150  # 300 frames in two blocks, both long enough for the sparse filter sums
    assert torch.equal(layer(x), whole)


def _with_filter_sums(layer, sparse: bool):
    layer._sparse_min_frames = 1 if sparse else 10**9
    return layer


@pytest.mark.parametrize(
    "make",
    [
        lambda: Wav2LogFilterBank(),
        lambda: Wav2LogFilterBank(num_filters=40, use_fft_mag=True, use_energy=True),
        lambda: Wav2LogFilterBank(torchaudio_compatible_mel_scale=False, norm_filters=True),
        lambda: Wav2LogFilterBank(sampling_rate=8000, num_filters=80, high_freq=0.0),
        lambda: Wav2MFCC(),
        lambda: Wav2MFCC(sampling_rate=44100, use_energy=True),
    ],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sparse_and_dense_filter_sums_agree(make, dtype, helpers):
    layer = make()
    x = torch.stack([helpers.speech_like(layer.sampling_rate // 2, layer.sampling_rate, seed=s) for s in range(2)])
    x = x.to(dtype)
    sparse = _features(_with_filter_sums(layer, True), x)
    dense = _features(_with_filter_sums(layer, False), x)
    assert sparse.dtype == dtype and sparse.shape == dense.shape
    assert float((sparse - dense).abs().max()) < (2e-5 if dtype == torch.float32 else 1e-12)


def test_layers_choose_the_filter_sums_by_input_size():
    fbank, mfcc = Wav2LogFilterBank(), Wav2MFCC()
    assert fbank._sparse_min_frames == 50 and mfcc._sparse_min_frames == 174  # 4000 products / filters
    # Dense (10 frames), sparse in one block (100), sparse in two concatenated blocks (1000): all contiguous.
    for num_samples in (1600, 16000, 160000):
        assert fbank(torch.randn(1, num_samples)).is_contiguous()
        assert mfcc(torch.randn(1, num_samples)).is_contiguous()


def test_gradcheck_sparse_filter_sums():
    layer = Wav2LogFilterBank(num_filters=6, frame_length=0.016, frame_shift=0.008, sampling_rate=4000, use_energy=True)
    _with_filter_sums(layer, True)
    x = (torch.randn(1, 150, dtype=torch.float64) * 0.3).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda s: layer(s), (x,), eps=1e-6, atol=1e-4)
    magnitude = _with_filter_sums(Wav2MFCC(num_filters=6, num_ceps=4, sampling_rate=4000, use_fft_mag=True), True)
    assert torch.autograd.gradcheck(lambda s: magnitude(s), (x,), eps=1e-6, atol=1e-4)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("cls", [Wav2LogFilterBank, Wav2MFCC])
def test_torchscript_equals_eager_on_both_filter_sums(cls, sparse, helpers):
    layer = _with_filter_sums(cls(), sparse)
    x = helpers.speech_like(7000, 16000, seed=3).unsqueeze(0)
    assert torch.equal(torch.jit.script(layer)(x), layer(x))
    x.requires_grad_(True)  # the autograd branch of the sparse sums, scripted
    torch.jit.script(layer)(x).sum().backward()
    assert x.grad is not None and bool(torch.isfinite(x.grad).all())


def test_matches_features_stored_by_lhotse(lhotse_compat_dir):
    sf = pytest.importorskip("soundfile")
    expected = np.load(lhotse_compat_dir / "expected_features.npz")["float32/rec-mono"]
    audio, rate = sf.read(str(lhotse_compat_dir / "audio" / "mono.wav"), dtype="float32")
    ours = Wav2LogFilterBank(sampling_rate=rate)(torch.from_numpy(audio).unsqueeze(0))[0].numpy()
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() < 2e-3


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("cls", ALL)
def test_cuda_follows_input_and_matches_cpu(cls, helpers):
    layer = cls()
    x = helpers.speech_like(16000, 16000).unsqueeze(0)
    cpu = _features(layer, x)
    gpu = _features(layer.to("cuda"), x.cuda())
    assert gpu.device.type == "cuda"
    diff = (gpu.cpu() - cpu).abs().max()
    scale = max(1.0, float(cpu.abs().max()))
    assert float(diff) < 1e-4 * scale
    (f, _), rem = layer.online_inference(x.cuda()[:, :5000])
    assert f.device.type == "cuda" and rem.device.type == "cuda"


def test_lhotse_helper_functions_of_the_layers_module():
    from lhotse_lite.features.kaldi import layers
    from lhotse_lite.features.kaldi.mel import kaldi_mel_banks, linear_grid_mel_banks
    from lhotse_lite.features.kaldi.windows import frame_window

    assert layers.available_windows() == ["hamming", "hanning", "povey", "rectangular", "blackman", "sine"]
    assert torch.equal(layers.create_frame_window(400, "hamming"), frame_window(400, "hamming"))
    banks, centres = layers.get_mel_banks(23, 512, 16000.0, 20.0, -400.0)
    assert torch.equal(banks, kaldi_mel_banks(23, 512, 16000.0, 20.0, -400.0, dtype=torch.float64)[:-1].t().float())
    # each centre is where its triangle peaks: halfway (in mel) between its neighbours' centres
    mel = layers.lin2mel(centres.double().flatten())
    torch.testing.assert_close(mel[1:-1], (mel[:-2] + mel[2:]) / 2)
    assert torch.equal(layers.create_mel_scale(23, 512, 16000), linear_grid_mel_banks(23, 512, 16000, 0.0, 0.0, True))
    assert layers.lin2mel(700.0) == pytest.approx(1127.0 * math.log(2.0))
    assert layers.mel2lin(1127.0 * math.log(2.0)) == pytest.approx(700.0)
    assert [layers.next_power_of_2(n) for n in (0, 1, 2, 3, 400, 1024, 1025)] == [1, 1, 2, 4, 512, 1024, 2048]
    with pytest.raises(ConfigError, match="at least 3"):
        layers.get_mel_banks(2, 512, 16000.0, 20.0, -400.0)
