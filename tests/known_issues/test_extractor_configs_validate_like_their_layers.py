"""Regression: an extractor config accepts exactly the framing and mel options its layer accepts.

The configs had their own, weaker framing check: ``FbankConfig(frame_shift=0.05)`` (a shift longer than
the frame), ``preemph_coeff=1.5`` or ``dither=-1`` were accepted and failed only when the extractor
built its layer, while ``window_type="sine"``, which the layers support, was refused; 1 or 2 mel filters
were accepted although Kaldi (and the layers) need 3.
"""

import pytest

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.kaldi.extractors import FbankConfig, LogSpectrogramConfig, MfccConfig, SpectrogramConfig
from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank

CONFIGS = [FbankConfig, MfccConfig, SpectrogramConfig, LogSpectrogramConfig]
BAD = [
    ("frame_shift", 0.05, "frame_shift=0.05 s is 800 samples"),
    ("frame_length", 0.0001, "a frame needs at least 2 samples"),
    ("preemph_coeff", 1.5, "preemph_coeff must be"),
    ("dither", -1.0, "dither must be"),
    ("energy_floor", -1.0, "energy_floor must be"),
    ("window_type", "hann", "window_type='hann' is not a Kaldi window"),
]


@pytest.mark.parametrize("cls", CONFIGS)
@pytest.mark.parametrize("option, value, message", BAD)
def test_configs_refuse_what_the_layers_refuse_with_the_same_message(cls, option, value, message):
    with pytest.raises(ConfigError, match=message) as config_error:
        cls(**{option: value})
    with pytest.raises(ConfigError, match=message) as layer_error:
        Wav2LogFilterBank(**{option: value})
    assert str(config_error.value).startswith(f"{cls.__name__}: ")
    # The same check wrote both: past the class names, the messages are equal.
    assert str(config_error.value).split(": ", 1)[1] == str(layer_error.value).split(": ", 2)[2]


@pytest.mark.parametrize("cls", CONFIGS)
def test_configs_accept_every_window_of_the_layers(cls):
    assert cls(window_type="sine").window_type == "sine"


@pytest.mark.parametrize("cls", [FbankConfig, MfccConfig])
@pytest.mark.parametrize(
    "option, value, message",
    [("num_filters", 2, "num_filters=2 is too small"), ("high_freq", 9000.0, "outside \\(0, Nyquist=8000.0\\]")],
)
def test_mel_configs_check_the_band_as_the_mel_layers_do(cls, option, value, message):
    with pytest.raises(ConfigError, match=message) as config_error:
        cls(**{option: value})
    with pytest.raises(ConfigError, match=message) as layer_error:
        Wav2LogFilterBank(**{option: value})
    assert str(config_error.value).split(": ", 1)[1] == str(layer_error.value).split(": ", 2)[2]
