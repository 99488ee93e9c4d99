"""The Kaldi layers share one frozen, validated FrameOptions built from their (Lhotse) arguments."""

import dataclasses

import pytest
import torch

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.kaldi.frontend import FrameOptions
from lhotse_lite.features.kaldi.layers import Wav2FFT, Wav2LogFilterBank, Wav2LogSpec, Wav2MFCC, Wav2Spec, Wav2Win

LAYERS = [Wav2Win, Wav2FFT, Wav2Spec, Wav2LogSpec, Wav2LogFilterBank, Wav2MFCC]
KALDI_DEFAULTS_IN_LHOTSE = dict(  # Lhotse 1.33's layer defaults: Kaldi's except snip_edges and energy_floor
    sampling_rate=16000,
    frame_length=0.025,
    frame_shift=0.01,
    remove_dc_offset=True,
    preemph_coeff=0.97,
    window_type="povey",
    dither=0.0,
    snip_edges=False,
    energy_floor=1e-10,
    raw_energy=True,
)


@pytest.mark.parametrize("cls", LAYERS)
def test_defaults_are_lhotses_and_shared(cls):
    options = cls().options
    assert dataclasses.asdict(options) == KALDI_DEFAULTS_IN_LHOTSE
    assert (options.window_length, options.window_shift) == (400, 160)


@pytest.mark.parametrize("cls", LAYERS)
def test_options_follow_the_arguments_and_are_frozen(cls):
    layer = cls(sampling_rate=8000, frame_length=0.032, frame_shift=0.016, dither=0.5, window_type="hanning")
    assert layer.options == FrameOptions(8000, 0.032, 0.016, True, 0.97, "hanning", 0.5, False, 1e-10, True)
    assert (layer.window_length, layer.window_shift, layer.dither) == (256, 128, 0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        layer.options.dither = 0.0


@pytest.mark.parametrize("cls", LAYERS)
@pytest.mark.parametrize(
    "option, value, message",
    [
        ("dither", -1.0, "dither must be"),
        ("frame_shift", 0.05, "frame_shift=0.05 s is 800 samples"),
        ("frame_length", 0.0001, "a frame needs at least 2 samples"),
        ("window_type", "hann", "hann"),
        ("preemph_coeff", 1.5, "preemph_coeff must be"),
    ],
)
def test_invalid_options_name_the_layer(cls, option, value, message):
    with pytest.raises(ConfigError, match=message) as info:
        cls(**{option: value})
    assert str(info.value).startswith(f"{cls.__name__}: ")


@pytest.mark.parametrize("cls", LAYERS)
def test_scripted_layers_equal_eager_ones(cls):
    layer = cls(snip_edges=True, window_type="hamming").eval()
    scripted = torch.jit.script(layer)
    x = torch.randn(2, 4000) * 0.1
    eager, compiled = layer(x), scripted(x)
    if isinstance(eager, tuple):
        eager, compiled = eager[0], compiled[0]
    torch.testing.assert_close(compiled, eager, rtol=0, atol=0)
